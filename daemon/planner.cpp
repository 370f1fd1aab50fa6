#include "daemon/planner.hpp"

#include <algorithm>
#include <sstream>

namespace cisd {

namespace {


const std::string* annotation(const k8s::Service& s, const char* name) {
  auto it = s.meta.annotations.find(name);
  return it == s.meta.annotations.end() ? nullptr : &it->second;
}

// Services ("namespace/name") with a ready endpoint on this node.
std::set<std::string> services_with_local_endpoint(const Facts& facts) {
  std::set<std::string> out;
  for (const auto& [key, slice] : facts.endpoint_slices) {
    for (const auto& e : slice.endpoints) {
      if (e.ready && e.node_name == facts.node_name) {
        out.insert(slice.meta.namespace_ + "/" + slice.service_name);
        break;
      }
    }
  }
  return out;
}

// "65000:1, no-export, 64513:1:2" -> communities and large communities.
bool parse_communities(const std::string& text, net::RouteAttributes& out, std::string& error) {
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) continue;
    if (std::count(item.begin(), item.end(), ':') == 2) {
      auto large = config::parse_large_community(item);
      if (!large) return error = "bad large community \"" + item + "\"", false;
      out.large_communities.push_back(*large);
    } else {
      auto c = config::parse_community(item);
      if (!c) return error = "bad community \"" + item + "\"", false;
      out.communities.push_back(*c);
    }
  }
  return true;
}

void add_route(net::RouteSet& routes, const net::Address& ip, net::RouteKind kind, const net::RouteAttributes& attrs,
               const std::string& reason) {
  auto prefix = net::Prefix::host(ip);
  if (const auto* existing = routes.find(prefix)) {
    // Two Services share the address (e.g. one external IP): advertise once with both tags.
    net::Route merged = *existing;
    for (auto c : attrs.communities) merged.attributes.communities.push_back(c);
    for (auto l : attrs.large_communities) merged.attributes.large_communities.push_back(l);
    std::sort(merged.attributes.communities.begin(), merged.attributes.communities.end());
    merged.attributes.communities.erase(std::unique(merged.attributes.communities.begin(), merged.attributes.communities.end()),
                                        merged.attributes.communities.end());
    std::sort(merged.attributes.large_communities.begin(), merged.attributes.large_communities.end());
    merged.attributes.large_communities.erase(
        std::unique(merged.attributes.large_communities.begin(), merged.attributes.large_communities.end()),
        merged.attributes.large_communities.end());
    merged.reason += "; " + reason;
    routes.insert(std::move(merged));
    return;
  }
  routes.insert({prefix, attrs, kind, reason});
}

}  // namespace

Plan plan(const Facts& facts, const config::AdvertiseConfig& advertise) {
  Plan p;

  // Conditions under which this node must not attract any traffic.
  if (facts.kubernetes) {
    if (advertise.require_kube_proxy && facts.kube_proxy_healthy == false)
      p.withheld = "kube-proxy on this node is unhealthy";
    else if (advertise.require_node_ready && !facts.node)
      p.withheld = "Node " + facts.node_name + " not seen yet";
    else if (advertise.require_node_ready && !facts.node->ready)
      p.withheld = "Node " + facts.node_name + " is NotReady";
    else if (advertise.require_node_ready && facts.node->unschedulable)
      p.withheld = "Node " + facts.node_name + " is cordoned";
    if (!p.withheld.empty()) return p;
  }

  for (const auto& cidr : facts.service_cidrs)
    p.routes.insert({cidr, {}, net::RouteKind::service_cidr, "Service CIDR (" + facts.service_cidr_source + ")"});
  for (const auto& prefix : advertise.static_prefixes)
    if (!p.routes.contains(prefix)) p.routes.insert({prefix, {}, net::RouteKind::static_prefix, "advertise.static"});
  if (!facts.kubernetes) return p;

  // Only Local traffic policies need to know where endpoints run: skip the walk otherwise.
  const bool any_local = std::any_of(facts.services.begin(), facts.services.end(), [](const auto& entry) {
    return entry.second.internal_traffic_policy == k8s::TrafficPolicy::local ||
           entry.second.external_traffic_policy == k8s::TrafficPolicy::local;
  });
  const auto local = any_local ? services_with_local_endpoint(facts) : std::set<std::string>{};
  for (const auto& [key, svc] : facts.services) {
    if (svc.headless || svc.type == "ExternalName") continue;  // nothing to route to
    const std::string* advertise_flag = annotation(svc, kAdvertiseAnnotation);
    const bool opted_out = advertise_flag && *advertise_flag == "false";
    const bool opted_in = advertise_flag && *advertise_flag == "true";

    net::RouteAttributes attrs;
    if (const std::string* text = annotation(svc, kCommunitiesAnnotation)) {
      std::string error;
      if (!parse_communities(*text, attrs, error)) {
        p.warnings.push_back("Service " + key + ": " + kCommunitiesAnnotation + ": " + error + "; ignored");
        attrs = {};
      }
    }
    const bool has_local = local.count(key) > 0;

    // One address of this Service: advertised, or excluded with the reason.
    auto consider = [&](const net::Address& ip, net::RouteKind kind, bool wanted, const std::string& not_wanted,
                        k8s::TrafficPolicy policy, const char* policy_field) {
      auto exclude = [&](std::string why) { p.excluded.push_back({ip, key, std::move(why)}); };
      if (!wanted) return exclude(not_wanted);
      if (opted_out) return exclude(std::string("annotated ") + kAdvertiseAnnotation + ": \"false\"");
      if (policy == k8s::TrafficPolicy::local && !has_local)
        return exclude(std::string(policy_field) + " is Local and no ready endpoint is on this node");
      if (advertise.require_programmed && facts.programmed && !facts.programmed->count(ip))
        return exclude("kube-proxy has not programmed it on this node yet");
      std::string reason = std::string(net::to_string(kind)) + " of Service " + key;
      if (policy == k8s::TrafficPolicy::local) reason += " (Local policy, endpoint on this node)";
      add_route(p.routes, ip, kind, attrs, reason);
    };

    const bool cluster_ip_wanted = advertise.cluster_ips == config::ClusterIpMode::all ||
                                   (advertise.cluster_ips == config::ClusterIpMode::annotated && opted_in);
    const std::string cluster_ip_no =
        advertise.cluster_ips == config::ClusterIpMode::none
            ? "advertise.cluster_ips is none"
            : std::string("not annotated ") + kAdvertiseAnnotation + ": \"true\" (advertise.cluster_ips is annotated)";
    for (const auto& ip : svc.cluster_ips)
      consider(ip, net::RouteKind::cluster_ip, cluster_ip_wanted, cluster_ip_no, svc.internal_traffic_policy,
               "internalTrafficPolicy");
    for (const auto& ip : svc.external_ips)
      consider(ip, net::RouteKind::external_ip, advertise.external_ips, "advertise.external_ips is false",
               svc.external_traffic_policy, "externalTrafficPolicy");
    for (const auto& ip : svc.load_balancer_ips)
      consider(ip, net::RouteKind::load_balancer_ip, advertise.load_balancer_ips,
               "advertise.load_balancer_ips is false", svc.external_traffic_policy, "externalTrafficPolicy");
  }
  return p;
}

}  // namespace cisd
