#include "k8s/service_cidr_discovery.hpp"

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "k8s/object_decoder.hpp"

namespace k8s {

namespace asio = boost::asio;

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Addresses that no sane Service range contains: the RFC 5737 / RFC 3849 documentation ranges.
// A second candidate covers the (odd) cluster whose range does contain the first.
constexpr const char* kProbeV4[] = {"203.0.113.254", "198.51.100.254"};
constexpr const char* kProbeV6[] = {"2001:db8:ffff::fffe", "2001:db8:fffe::fffe"};

}  // namespace

net::Expected<std::vector<net::Prefix>, std::string> parse_kubeadm_service_subnet(std::string_view text) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    auto subnet = root["networking"] ? root["networking"]["serviceSubnet"] : YAML::Node();
    if (!subnet || !subnet.IsScalar()) return net::Unexpected(std::string("no networking.serviceSubnet"));
    std::vector<net::Prefix> out;
    std::string all = subnet.as<std::string>();
    std::size_t start = 0;
    while (start <= all.size()) {
      auto comma = all.find(',', start);
      auto part = trim(std::string_view(all).substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (!part.empty()) {
        auto p = net::Prefix::parse(part);
        if (!p) return net::Unexpected("networking.serviceSubnet: invalid CIDR \"" + part + "\"");
        out.push_back(*p);
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (out.empty()) return net::Unexpected(std::string("networking.serviceSubnet is empty"));
    return out;
  } catch (const YAML::Exception& e) {
    return net::Unexpected(std::string("ClusterConfiguration: ") + e.what());
  }
}

std::vector<net::Prefix> parse_valid_range_message(std::string_view message) {
  std::vector<net::Prefix> out;
  for (std::string_view marker : {"The range of valid IPs is ", "The range of valid IPs are "}) {
    auto pos = message.find(marker);
    if (pos == std::string_view::npos) continue;
    std::string_view rest = message.substr(pos + marker.size());
    // One or more CIDRs separated by ", " or " and "; stop at the first thing that is not one.
    while (!rest.empty()) {
      while (!rest.empty() && (rest.front() == ' ' || rest.front() == ',')) rest.remove_prefix(1);
      if (rest.substr(0, 4) == "and ") rest.remove_prefix(4);
      std::size_t end = 0;
      while (end < rest.size() && rest[end] != ' ' && rest[end] != ',' && rest[end] != '"' && rest[end] != ';') ++end;
      std::string_view token = rest.substr(0, end);
      while (!token.empty() && (token.back() == '.' || token.back() == ')')) token.remove_suffix(1);
      auto p = net::Prefix::parse(token);
      if (!p || token.find('/') == std::string_view::npos) break;
      out.push_back(*p);
      rest.remove_prefix(end);
    }
    if (!out.empty()) break;
  }
  return out;
}

std::string probe_forbidden_note() {
  return "dry-run probe: not allowed (HTTP 403; the `create services` grant it needs is off by default: "
         "deploy/rbac-cidr-probe.yaml, or the Helm chart's rbac.cidrProbe=true); instead set "
         "advertise.service_cidrs in the config, or let the daemon read ServiceCIDR objects "
         "(networking.k8s.io, Kubernetes 1.29+; list/watch servicecidrs) or the kubeadm-config ConfigMap "
         "in kube-system (get configmaps/kubeadm-config)";
}

std::string probe_service_json(std::string_view cluster_ip, bool ipv6) {
  // A port is required, or validation fails before the allocator looks at the address.
  return std::string(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"clusterip-speaker-range-probe","namespace":"default"},)") +
         R"("spec":{"type":"ClusterIP","clusterIP":")" + std::string(cluster_ip) + R"(","clusterIPs":[")" +
         std::string(cluster_ip) + R"("],"ipFamilyPolicy":"SingleStack","ipFamilies":[")" + (ipv6 ? "IPv6" : "IPv4") +
         R"("],"ports":[{"port":80,"protocol":"TCP"}]}})";
}

asio::awaitable<net::Expected<ServiceCidrDiscovery, std::string>> discover_service_cidrs(HttpClient& client) {
  std::vector<std::string> tried;

  // 1. ServiceCIDR objects (Kubernetes 1.33 GA; v1beta1 from 1.31).
  for (std::string version : {"v1", "v1beta1"}) {
    auto res = co_await client.get("/apis/networking.k8s.io/" + version + "/servicecidrs");
    if (!res) {
      tried.push_back("ServiceCIDR " + version + ": " + res.error());
      break;  // the server is unreachable: the other methods will not do better now
    }
    if (res->status == 404) {
      tried.push_back("ServiceCIDR " + version + ": not served");
      continue;
    }
    if (res->status != 200) {
      tried.push_back("ServiceCIDR " + version + ": HTTP " + std::to_string(res->status) + " " +
                      decode_status(res->body).message);
      break;  // e.g. 403: v1beta1 would be refused the same way
    }
    auto list = decode_list<ServiceCidr>(res->body);
    if (!list) {
      tried.push_back("ServiceCIDR " + version + ": " + list.error());
      break;
    }
    std::vector<net::Prefix> cidrs;
    for (const auto& c : list->items)
      for (const auto& p : c.cidrs)
        if (std::find(cidrs.begin(), cidrs.end(), p) == cidrs.end()) cidrs.push_back(p);
    if (!cidrs.empty()) co_return ServiceCidrDiscovery{"ServiceCIDR networking.k8s.io/" + version, std::move(cidrs)};
    tried.push_back("ServiceCIDR " + version + ": no objects");
    break;
  }

  // 2. kubeadm's ConfigMap.
  {
    auto res = co_await client.get("/api/v1/namespaces/kube-system/configmaps/kubeadm-config");
    if (!res) {
      tried.push_back("kubeadm-config: " + res.error());
    } else if (res->status != 200) {
      tried.push_back("kubeadm-config: HTTP " + std::to_string(res->status));
    } else if (auto data = decode_configmap_data(res->body); !data) {
      tried.push_back("kubeadm-config: " + data.error());
    } else if (auto it = data->find("ClusterConfiguration"); it == data->end()) {
      tried.push_back("kubeadm-config: no data.ClusterConfiguration");
    } else if (auto cidrs = parse_kubeadm_service_subnet(it->second); !cidrs) {
      tried.push_back("kubeadm-config: " + cidrs.error());
    } else {
      co_return ServiceCidrDiscovery{"kubeadm-config ConfigMap", std::move(*cidrs)};
    }
  }

  // 3. Dry-run probe: the API server refuses an out-of-range clusterIP and names its range.
  std::vector<net::Prefix> cidrs;
  for (bool ipv6 : {false, true}) {
    for (const char* ip : ipv6 ? kProbeV6 : kProbeV4) {
      auto res = co_await client.post("/api/v1/namespaces/default/services?dryRun=All", probe_service_json(ip, ipv6));
      if (!res) {
        tried.push_back(std::string("dry-run probe: ") + res.error());
        break;
      }
      if (res->status / 100 == 2) continue;  // the address was in range after all: try the next
      if (res->status == 403) {
        tried.push_back(probe_forbidden_note());
        break;
      }
      auto st = decode_status(res->body);
      auto found = parse_valid_range_message(st.message);
      for (const auto& p : found)
        if (std::find(cidrs.begin(), cidrs.end(), p) == cidrs.end()) cidrs.push_back(p);
      if (found.empty())
        tried.push_back(std::string("dry-run probe ") + (ipv6 ? "IPv6" : "IPv4") + ": HTTP " +
                        std::to_string(res->status) + " " + st.message);
      break;
    }
  }
  if (!cidrs.empty()) co_return ServiceCidrDiscovery{"dry-run probe", std::move(cidrs)};

  std::string why = "Service CIDRs not found";
  for (const auto& t : tried) why += "; " + t;
  co_return net::Unexpected(why);
}

void discover_service_cidrs(std::shared_ptr<HttpClient> client,
                            std::function<void(net::Expected<ServiceCidrDiscovery, std::string>)> done) {
  auto ex = client->executor();
  asio::co_spawn(
      ex,
      [client, done]() -> asio::awaitable<void> {
        auto result = co_await discover_service_cidrs(*client);
        done(std::move(result));
      },
      [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("Service CIDR discovery: {}", ex.what());
        }
      });
}

}  // namespace k8s
