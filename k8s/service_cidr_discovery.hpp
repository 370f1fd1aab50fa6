// Finds the cluster's Service CIDRs when the config does not name them: ServiceCIDR objects (v1, then v1beta1), the kubeadm-config ConfigMap, then a
// dry-run Service create whose error message names the range. Explicit config is the caller's.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8s/http_client.hpp"
#include "net/expected.hpp"
#include "net/prefix.hpp"

namespace k8s {

struct ServiceCidrDiscovery {
  std::string method;  // "ServiceCIDR networking.k8s.io/v1", "kubeadm-config ConfigMap", "dry-run probe"
  std::vector<net::Prefix> cidrs;
  bool operator==(const ServiceCidrDiscovery&) const = default;
};

// Error: what each method said, for the operator.
boost::asio::awaitable<net::Expected<ServiceCidrDiscovery, std::string>> discover_service_cidrs(HttpClient& client);

// Callback form for code that does not use coroutines; runs on the client's executor.
void discover_service_cidrs(std::shared_ptr<HttpClient> client,
                            std::function<void(net::Expected<ServiceCidrDiscovery, std::string>)> done);

// The pure parts, tested alone.
// kubeadm's ClusterConfiguration YAML: networking.serviceSubnet, comma-separated when dual-stack.
net::Expected<std::vector<net::Prefix>, std::string> parse_kubeadm_service_subnet(std::string_view cluster_configuration);
// "... The range of valid IPs is 10.96.0.0/12" (or "... are 10.96.0.0/12, fd00::/108" on some versions).
std::vector<net::Prefix> parse_valid_range_message(std::string_view message);
// What the operator reads when the API server forbids the dry-run probe (HTTP 403): the grant is
// opt-in (deploy/rbac-cidr-probe.yaml, the chart's rbac.cidrProbe), and the other ways
// to find the Service CIDRs.
std::string probe_forbidden_note();
// The body of the dry-run probe Service.
std::string probe_service_json(std::string_view cluster_ip, bool ipv6);

}  // namespace k8s
