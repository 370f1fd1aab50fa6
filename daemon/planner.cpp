#include "daemon/planner.hpp"

#include <algorithm>
#include <sstream>

namespace cisd {

namespace {

const std::string* annotation(const k8s::Service& s, const char* name) {
  auto it = s.meta.annotations.find(name);
  return it == s.meta.annotations.end() ? nullptr : &it->second;
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

// Two Services share the address (e.g. one external IP): advertise once with both tags.
void merge_into(net::Route& route, const net::RouteAttributes& attrs, const std::string& reason) {
  auto& communities = route.attributes.communities;
  auto& large = route.attributes.large_communities;
  communities.insert(communities.end(), attrs.communities.begin(), attrs.communities.end());
  large.insert(large.end(), attrs.large_communities.begin(), attrs.large_communities.end());
  std::sort(communities.begin(), communities.end());
  communities.erase(std::unique(communities.begin(), communities.end()), communities.end());
  std::sort(large.begin(), large.end());
  large.erase(std::unique(large.begin(), large.end()), large.end());
  route.reason += "; " + reason;
}

// Keeps the annotation's communities the operator allows (advertise.annotation_communities); a
// refusal for each of the others.
void keep_allowed_communities(const std::string& key, const config::AdvertiseConfig& advertise,
                              net::RouteAttributes& attributes, std::vector<Refusal>& refused) {
  auto refuse = [&](const std::string& text) {
    refused.push_back({key, std::nullopt, RefusalReason::community_not_allowed,
                       "community " + text + " from the " + kCommunitiesAnnotation +
                           " annotation is not in advertise.annotation_communities"});
  };
  const auto& patterns = advertise.annotation_communities;
  std::erase_if(attributes.communities, [&](net::Community c) {
    if (std::any_of(patterns.begin(), patterns.end(), [&](const auto& p) { return p.matches(c); })) return false;
    refuse(config::format_community(c));
    return true;
  });
  std::erase_if(attributes.large_communities, [&](const net::LargeCommunity& c) {
    if (std::any_of(patterns.begin(), patterns.end(), [&](const auto& p) { return p.matches(c); })) return false;
    refuse(config::format_large_community(c));
    return true;
  });
}

// The address of this host or a peer that `prefix` covers, with what it is; nullptr if none.
const std::pair<const net::Address, std::string>* covered_protected(
    const net::Prefix& prefix, const std::map<net::Address, std::string>& protected_addresses) {
  if (prefix.length() == prefix.address().bits()) {  // a host route: one lookup
    auto it = protected_addresses.find(prefix.address());
    return it == protected_addresses.end() ? nullptr : &*it;
  }
  for (const auto& entry : protected_addresses)
    if (entry.first.family() == prefix.family() && prefix.contains(entry.first)) return &entry;
  return nullptr;
}

// What must never be attracted: the daemon's list plus this Node's InternalIPs.
std::map<net::Address, std::string> all_protected(const Facts& facts) {
  auto out = facts.protected_addresses;
  if (facts.node)
    for (const auto& ip : facts.node->internal_ips) out.emplace(ip, "an InternalIP of Node " + facts.node_name);
  return out;
}

// Why nothing at all may be advertised now; empty when routes may go out.
std::string withheld_reason(const Facts& facts, const config::AdvertiseConfig& advertise) {
  if (!facts.kubernetes) return {};
  if (advertise.require_kube_proxy && facts.kube_proxy_healthy == false) return "kube-proxy on this node is unhealthy";
  if (advertise.require_node_ready && !facts.node) return "Node " + facts.node_name + " not seen yet";
  if (advertise.require_node_ready && !facts.node->ready) return "Node " + facts.node_name + " is NotReady";
  if (advertise.require_node_ready && facts.node->unschedulable) return "Node " + facts.node_name + " is cordoned";
  return {};
}

// The routes that do not come from Services: the Service CIDRs and the static prefixes. A Service
// CIDR learnt from the cluster (not written in the config) that covers a protected address is
// refused; the operator's own lists are taken as written.
net::RouteSet base_routes(const Facts& facts, const config::AdvertiseConfig& advertise,
                          const std::map<net::Address, std::string>& protected_addresses,
                          std::vector<Refusal>* refused = nullptr) {
  net::RouteSet routes;
  for (const auto& cidr : facts.service_cidrs) {
    if (facts.service_cidr_source != "config")
      if (const auto* hit = covered_protected(cidr, protected_addresses)) {
        if (refused)
          refused->push_back({"ServiceCIDR", std::nullopt, RefusalReason::hijack,
                              "Service CIDR " + cidr.to_string() + " (" + facts.service_cidr_source + ") covers " +
                                  hit->first.to_string() + ", " + hit->second,
                              cidr});
        continue;
      }
    routes.insert({cidr, {}, net::RouteKind::service_cidr, "Service CIDR (" + facts.service_cidr_source + ")"});
  }
  // A prefix already there (a Service CIDR, or listed before) keeps its route.
  auto add_static = [&routes](const config::PrefixList& prefixes, const std::string& reason) {
    for (const auto& prefix : prefixes)
      if (!routes.contains(prefix)) routes.insert({prefix, {}, net::RouteKind::static_prefix, reason});
  };
  add_static(advertise.static_prefixes, "advertise.static");
  add_static(advertise.static_file_prefixes, "advertise.static_file " + advertise.static_file);
  return routes;
}

bool nothing_to_route_to(const k8s::Service& svc) { return svc.headless || svc.type == "ExternalName"; }

bool depends_on_local_endpoints(const k8s::Service& svc) {
  return !nothing_to_route_to(svc) && (svc.internal_traffic_policy == k8s::TrafficPolicy::local ||
                                       svc.external_traffic_policy == k8s::TrafficPolicy::local);
}

bool has_ready_endpoint_on(const k8s::EndpointSlice& slice, const std::string& node_name) {
  return std::any_of(slice.endpoints.begin(), slice.endpoints.end(),
                     [&](const auto& e) { return e.ready && e.node_name == node_name; });
}

std::string route_reason(const Planner::ServicePlan::Advertised& a, const std::string& key) {
  std::string reason = std::string(net::to_string(a.kind)) + " of Service " + key;
  if (a.local_policy) reason += " (Local policy, endpoint on this node)";
  return reason;
}

// One Service's part of the plan: what it advertises, and (into `excluded`, `warning`) what it
// leaves out and why. A pure function of its arguments.
Planner::ServicePlan plan_service(const std::string& key, const k8s::Service& svc, bool has_local, const Facts& facts,
                                  const config::AdvertiseConfig& advertise, bool exclude_external,
                                  const std::map<net::Address, std::string>& protected_addresses,
                                  std::vector<Exclusion>& excluded, std::string& warning,
                                  std::vector<Refusal>& refused) {
  Planner::ServicePlan sp;
  sp.local_policy = depends_on_local_endpoints(svc);
  const std::string* advertise_flag = annotation(svc, kAdvertiseAnnotation);
  const bool opted_out = advertise_flag && *advertise_flag == "false";
  const bool opted_in = advertise_flag && *advertise_flag == "true";
  const bool selected = advertise.service_selector.matches(svc.meta.labels);

  if (const std::string* text = annotation(svc, kCommunitiesAnnotation)) {
    std::string error;
    if (!parse_communities(*text, sp.attributes, error)) {
      warning = "Service " + key + ": " + kCommunitiesAnnotation + ": " + error + "; ignored";
      sp.attributes = {};
    }
    keep_allowed_communities(key, advertise, sp.attributes, refused);
  }

  // One address of this Service: advertised, or excluded with the reason.
  // `allowed`: the operator's ranges for this kind of address (nullptr: any address may be used).
  auto consider = [&](const net::Address& ip, net::RouteKind kind, bool wanted, const std::string& not_wanted,
                      k8s::TrafficPolicy policy, const char* policy_field, const config::AddressRanges* allowed,
                      const char* allowed_key, RefusalReason not_allowed) {
    auto exclude = [&](std::string why) { excluded.push_back({ip, key, std::move(why)}); };
    auto refuse = [&](RefusalReason reason, std::string why) {
      refused.push_back({key, ip, reason, why});
      exclude(std::move(why) + " (refused)");
    };
    if (!wanted) return exclude(not_wanted);
    if (!selected)
      return exclude("its labels do not match advertise.service_selector \"" + advertise.service_selector.text + "\"");
    if (exclude_external && kind != net::RouteKind::cluster_ip)
      return exclude("Node " + facts.node_name + " has the label " + kExcludeFromExternalLbLabel);
    if (opted_out) return exclude(std::string("annotated ") + kAdvertiseAnnotation + ": \"false\"");
    if (allowed && !allowed->allows(ip))
      return refuse(not_allowed, ip.to_string() + " is outside " + allowed_key);
    if (auto it = protected_addresses.find(ip); it != protected_addresses.end())
      return refuse(RefusalReason::hijack, ip.to_string() + " is " + it->second + ": advertising it would hijack its traffic");
    if (policy == k8s::TrafficPolicy::local && !has_local)
      return exclude(std::string(policy_field) + " is Local and no ready endpoint is on this node");
    if (advertise.require_programmed && facts.programmed && !facts.programmed->count(ip))
      return exclude("kube-proxy has not programmed it on this node yet");
    sp.advertised.push_back({ip, kind, policy == k8s::TrafficPolicy::local});
  };

  const bool cluster_ip_wanted = advertise.cluster_ips == config::ClusterIpMode::all ||
                                 (advertise.cluster_ips == config::ClusterIpMode::annotated && opted_in);
  const std::string cluster_ip_no =
      advertise.cluster_ips == config::ClusterIpMode::none
          ? "advertise.cluster_ips is none"
          : std::string("not annotated ") + kAdvertiseAnnotation + ": \"true\" (advertise.cluster_ips is annotated)";
  for (const auto& ip : svc.cluster_ips)
    consider(ip, net::RouteKind::cluster_ip, cluster_ip_wanted, cluster_ip_no, svc.internal_traffic_policy,
             "internalTrafficPolicy", nullptr, "", RefusalReason::hijack);
  for (const auto& ip : svc.external_ips)
    consider(ip, net::RouteKind::external_ip, advertise.external_ips.allows_some(), "advertise.external_ips is false",
             svc.external_traffic_policy, "externalTrafficPolicy", &advertise.external_ips, "advertise.external_ips",
             RefusalReason::external_ip_not_allowed);
  for (const auto& ip : svc.load_balancer_ips)
    consider(ip, net::RouteKind::load_balancer_ip, advertise.load_balancer_ips.allows_some(),
             "advertise.load_balancer_ips is false", svc.external_traffic_policy, "externalTrafficPolicy",
             &advertise.load_balancer_ips, "advertise.load_balancer_ips", RefusalReason::load_balancer_ip_not_allowed);
  return sp;
}

// Each prefix a Service advertises, once, even when the Service has the address twice.
template <typename Visit>
void for_each_prefix(const Planner::ServicePlan& sp, Visit visit) {
  const auto& advertised = sp.advertised;
  for (auto a = advertised.begin(); a != advertised.end(); ++a)
    if (std::none_of(advertised.begin(), a, [&](const auto& earlier) { return earlier.ip == a->ip; }))
      visit(net::Prefix::host(a->ip));
}

}  // namespace

const char* to_string(RefusalReason r) {
  switch (r) {
    case RefusalReason::external_ip_not_allowed: return "external_ip_not_allowed";
    case RefusalReason::load_balancer_ip_not_allowed: return "load_balancer_ip_not_allowed";
    case RefusalReason::hijack: return "hijack";
    case RefusalReason::community_not_allowed: return "community_not_allowed";
  }
  return "unknown";
}

bool excluded_from_external_load_balancers(const Facts& facts) {
  return facts.node && facts.node->meta.labels.count(kExcludeFromExternalLbLabel) > 0;
}

Plan plan(const Facts& facts, const config::AdvertiseConfig& advertise) {
  Planner planner;
  return planner.update(facts, advertise, FactsChanges{});
}

const Plan& Planner::update(const Facts& facts, const config::AdvertiseConfig& advertise,
                            const FactsChanges& changes) {
  // Conditions under which this node must not attract any traffic.
  if (auto why = withheld_reason(facts, advertise); !why.empty()) {
    forget();
    plan_ = Plan{};
    plan_.withheld = std::move(why);
    return plan_;
  }
  if (!facts.kubernetes) {
    forget();
    plan_ = Plan{};
    plan_.routes = base_routes(facts, advertise, facts.protected_addresses, &plan_.refused);
    return plan_;
  }
  if (changes.everything || !globals_ || !same_globals(facts, advertise) || !incremental(facts, advertise, changes))
    full(facts, advertise);
  return plan_;
}

bool Planner::same_globals(const Facts& facts, const config::AdvertiseConfig& advertise) const {
  const Globals& g = *globals_;
  return g.advertise == advertise && g.node_name == facts.node_name && g.service_cidrs == facts.service_cidrs &&
         g.service_cidr_source == facts.service_cidr_source &&
         (!advertise.require_programmed || g.programmed == facts.programmed) &&
         g.protected_addresses == all_protected(facts) &&
         g.exclude_external == excluded_from_external_load_balancers(facts);
}

void Planner::forget() {
  globals_.reset();
  base_ = {};
  base_refused_.clear();
  owners_.clear();
  services_.clear();
  notes_.clear();
  notes_changed_ = false;
  local_policy_services_ = 0;
  local_slices_.clear();
  local_slice_count_.clear();
}

void Planner::full(const Facts& facts, const config::AdvertiseConfig& advertise) {
  forget();
  ++full_plans_;
  globals_ = Globals{advertise, facts.node_name, facts.service_cidrs, facts.service_cidr_source,
                     advertise.require_programmed ? facts.programmed : std::nullopt, all_protected(facts),
                     excluded_from_external_load_balancers(facts)};
  base_ = base_routes(facts, advertise, globals_->protected_addresses, &base_refused_);
  plan_ = Plan{};
  // Only Local traffic policies need to know where endpoints run: skip the slices otherwise.
  if (std::any_of(facts.services.begin(), facts.services.end(),
                  [](const auto& entry) { return depends_on_local_endpoints(entry.second); }))
    for (const auto& [key, slice] : facts.endpoint_slices) index_slice(key, &slice, facts.node_name, nullptr);
  // Services come in key order and the maps start empty: every insert goes at the end, and the
  // owners are sorted once rather than inserted one by one.
  std::vector<std::pair<net::Prefix, const ServiceEntry*>> owned;
  owned.reserve(facts.services.size());
  for (const auto& [key, svc] : facts.services) {
    if (nothing_to_route_to(svc)) continue;
    Notes notes;
    ServicePlan sp = plan_service(key, svc, local_slice_count_.count(key) > 0, facts, advertise,
                                  globals_->exclude_external, globals_->protected_addresses, notes.excluded, notes.warning, notes.refused);
    if (!notes.empty()) notes_.emplace_hint(notes_.end(), key, std::move(notes));
    local_policy_services_ += sp.local_policy;
    const auto& entry = *services_.emplace_hint(services_.end(), key, std::move(sp));
    for_each_prefix(entry.second, [&](const net::Prefix& prefix) { owned.emplace_back(prefix, &entry); });
  }
  std::stable_sort(owned.begin(), owned.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [prefix, owner] : owned) owners_.emplace_hint(owners_.end(), prefix, owner);
  plan_.routes = base_;
  for (auto o = owned.begin(); o != owned.end(); ++o)
    if (std::next(o) == owned.end() || std::next(o)->first != o->first)  // once per prefix
      if (auto route = route_for(o->first)) plan_.routes.insert(std::move(*route));
  rebuild_notes();
}

bool Planner::incremental(const Facts& facts, const config::AdvertiseConfig& advertise, const FactsChanges& changes) {
  // A large batch (a relist) is as cheap to plan from scratch.
  if (changes.services.size() + changes.endpoint_slices.size() > facts.services.size() / 2 + 16) return false;
  // The first Service with a Local policy needs the slice index, which only a full plan builds.
  if (local_policy_services_ == 0)
    for (const auto& key : changes.services)
      if (auto it = facts.services.find(key); it != facts.services.end() && depends_on_local_endpoints(it->second))
        return false;

  std::set<std::string> dirty = changes.services;
  if (local_policy_services_ > 0)
    for (const auto& key : changes.endpoint_slices) {
      auto it = facts.endpoint_slices.find(key);
      index_slice(key, it == facts.endpoint_slices.end() ? nullptr : &it->second, facts.node_name, &dirty);
    }
  std::set<net::Prefix> touched;
  for (const auto& key : dirty) {
    auto it = facts.services.find(key);
    set_service(key, it == facts.services.end() ? nullptr : &it->second, facts, advertise, touched);
  }
  if (local_policy_services_ == 0) {  // nobody reads the index now; a full plan rebuilds it when needed
    local_slices_.clear();
    local_slice_count_.clear();
  }
  for (const auto& prefix : touched) {
    if (auto route = route_for(prefix))
      plan_.routes.insert(std::move(*route));
    else
      plan_.routes.erase(prefix);
  }
  if (notes_changed_) rebuild_notes();
  return true;
}

// Records whether the slice `key` (null: deleted) has a ready endpoint on this node, and adds
// the Services whose answer may have changed to `owners_changed`.
void Planner::index_slice(const std::string& key, const k8s::EndpointSlice* slice, const std::string& node_name,
                          std::set<std::string>* owners_changed) {
  if (auto it = local_slices_.find(key); it != local_slices_.end()) {
    auto count = local_slice_count_.find(it->second);
    if (--count->second == 0) local_slice_count_.erase(count);
    if (owners_changed) owners_changed->insert(it->second);
    local_slices_.erase(it);
  }
  if (!slice || !has_ready_endpoint_on(*slice, node_name)) return;
  std::string owner = slice->meta.namespace_ + "/" + slice->service_name;
  ++local_slice_count_[owner];
  if (owners_changed) owners_changed->insert(owner);
  local_slices_.emplace(key, std::move(owner));
}

// Replans the Service `key` (null: deleted); the prefixes it advertised before or now go to
// `touched`.
void Planner::set_service(const std::string& key, const k8s::Service* service, const Facts& facts,
                          const config::AdvertiseConfig& advertise, std::set<net::Prefix>& touched) {
  auto it = services_.find(key);
  if (it != services_.end()) {
    for (const auto& a : it->second.advertised) {
      const auto prefix = net::Prefix::host(a.ip);
      touched.insert(prefix);
      auto [lo, hi] = owners_.equal_range(prefix);
      for (auto o = lo; o != hi;) o = o->second == &*it ? owners_.erase(o) : std::next(o);
    }
    local_policy_services_ -= it->second.local_policy;
  }
  if (notes_.erase(key)) notes_changed_ = true;
  if (!service || nothing_to_route_to(*service)) {
    if (it != services_.end()) services_.erase(it);
    return;
  }

  Notes notes;
  ServicePlan sp = plan_service(key, *service, local_slice_count_.count(key) > 0, facts, advertise,
                                globals_->exclude_external, globals_->protected_addresses, notes.excluded, notes.warning, notes.refused);
  if (!notes.empty()) {
    notes_.emplace(key, std::move(notes));
    notes_changed_ = true;
  }
  local_policy_services_ += sp.local_policy;
  if (it == services_.end())
    it = services_.emplace(key, std::move(sp)).first;
  else
    it->second = std::move(sp);
  for_each_prefix(it->second, [&](const net::Prefix& prefix) {
    touched.insert(prefix);
    owners_.emplace(prefix, &*it);
  });
}

// The route for `prefix` as plan() builds it: the CIDR or static route if any, then each
// Service's addresses in key order, merged.
std::optional<net::Route> Planner::route_for(const net::Prefix& prefix) const {
  std::optional<net::Route> route = base_.empty() ? std::nullopt : base_.find(prefix);
  auto [lo, hi] = owners_.equal_range(prefix);
  if (!route && lo != hi && std::next(lo) == hi) {  // the usual case: one Service has the address once
    const auto& [key, sp] = *lo->second;
    const auto a = std::find_if(sp.advertised.begin(), sp.advertised.end(),
                                [&](const auto& x) { return net::Prefix::host(x.ip) == prefix; });
    if (std::none_of(std::next(a), sp.advertised.end(), [&](const auto& x) { return x.ip == a->ip; }))
      return net::Route{prefix, sp.attributes, a->kind, route_reason(*a, key)};
  }
  std::vector<const ServiceEntry*> owners;
  for (auto o = lo; o != hi; ++o) owners.push_back(o->second);
  std::sort(owners.begin(), owners.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* owner : owners) {
    const auto& [key, sp] = *owner;
    for (const auto& a : sp.advertised) {
      if (net::Prefix::host(a.ip) != prefix) continue;
      if (!route)
        route = net::Route{prefix, sp.attributes, a.kind, route_reason(a, key)};
      else
        merge_into(*route, sp.attributes, route_reason(a, key));
    }
  }
  return route;
}

void Planner::rebuild_notes() {
  plan_.excluded.clear();
  plan_.warnings.clear();
  plan_.refused = base_refused_;
  for (const auto& [key, notes] : notes_) {
    plan_.excluded.insert(plan_.excluded.end(), notes.excluded.begin(), notes.excluded.end());
    plan_.refused.insert(plan_.refused.end(), notes.refused.begin(), notes.refused.end());
    if (!notes.warning.empty()) plan_.warnings.push_back(notes.warning);
  }
  notes_changed_ = false;
}

}  // namespace cisd
