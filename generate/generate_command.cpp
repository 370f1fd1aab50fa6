#include "generate/generate_command.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include "io/asio.hpp"
#include "generate/dns_config.hpp"
#include "generate/router_config.hpp"
#include "k8s/http_client.hpp"
#include "k8s/kubeconfig.hpp"
#include "k8s/object_decoder.hpp"
#include "k8s/service_cidr_discovery.hpp"

namespace cisd {
namespace {

// What the API server is asked when an option is missing. Each call runs a fresh io_context to
// completion: these are one-shot CLI lookups, not the daemon's event loop.
class ApiLookup {
 public:
  explicit ApiLookup(const config::KubernetesConfig& k) : k8s_(k) {}

  net::Expected<std::vector<net::Address>, std::string> node_internal_ips() {
    std::vector<net::Address> ips;
    auto body = get("/api/v1/nodes");
    if (!body) return net::Unexpected(body.error());
    auto list = k8s::decode_list<k8s::Node>(*body);
    if (!list) return net::Unexpected("Nodes: " + list.error());
    for (const auto& n : list->items)
      for (const auto& ip : n.internal_ips) ips.push_back(ip);
    if (ips.empty()) return net::Unexpected(std::string("the Nodes list no InternalIP"));
    return ips;
  }

  net::Expected<net::Address, std::string> kube_dns_ip() {
    auto body = get("/api/v1/namespaces/kube-system/services/kube-dns");
    if (!body) return net::Unexpected(body.error());
    auto svc = k8s::decode_service(*body);
    if (!svc) return net::Unexpected("kube-system/kube-dns: " + svc.error());
    if (svc->cluster_ips.empty()) return net::Unexpected(std::string("kube-system/kube-dns has no ClusterIP"));
    return svc->cluster_ips.front();
  }

  net::Expected<std::vector<net::Prefix>, std::string> service_cidrs() {
    auto client = connect();
    if (!client) return net::Unexpected(client.error());
    std::optional<net::Expected<k8s::ServiceCidrDiscovery, std::string>> result;
    k8s::discover_service_cidrs(*client, [&](auto r) { result = std::move(r); });
    io_.run();
    io_.restart();
    if (!result) return net::Unexpected(std::string("Service CIDR discovery did not finish"));
    if (!*result) return net::Unexpected(result->error());
    std::cerr << "# Service CIDRs from " << (*result)->method << "\n";
    return (*result)->cidrs;
  }

 private:
  net::Expected<std::shared_ptr<k8s::HttpClient>, std::string> connect() {
    if (!k8s_.enabled) return net::Unexpected(std::string("kubernetes.enabled is false in the config"));
    auto cluster = k8s::load_cluster_config(k8s_.kubeconfig, [](const char* n) { return std::getenv(n); });
    if (!cluster) return net::Unexpected("no API server: " + cluster.error());
    k8s::HttpTimeouts timeouts{std::chrono::seconds(5), std::chrono::seconds(15)};
    auto client = k8s::HttpClient::create(io_.get_executor(), std::move(*cluster), timeouts);
    if (!client) return net::Unexpected(client.error());
    return *client;
  }

  net::Expected<std::string, std::string> get(const std::string& target) {
    auto client = connect();
    if (!client) return net::Unexpected(client.error());
    std::optional<k8s::HttpResult> result;
    asio::co_spawn(io_, [&, c = *client]() -> asio::awaitable<void> { result = co_await c->get(target); },
                   asio::detached);
    io_.run();
    io_.restart();
    if (!result) return net::Unexpected("GET " + target + ": no answer");
    if (!*result) return net::Unexpected("GET " + target + ": " + result->error());
    if ((*result)->status != 200)
      return net::Unexpected("GET " + target + ": HTTP " + std::to_string((*result)->status));
    return std::move((*result)->body);
  }

  config::KubernetesConfig k8s_;
  asio::io_context io_;
};

template <typename T, typename Parse>
net::Expected<std::vector<T>, std::string> parse_all(const std::vector<std::string>& items, const char* option,
                                                     Parse parse) {
  std::vector<T> out;
  for (const auto& s : items) {
    if (s.empty()) continue;
    auto v = parse(s);
    if (!v) return net::Unexpected(std::string(option) + ": not valid: \"" + s + "\"");
    out.push_back(*v);
  }
  return out;
}

int fail(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return 1;
}

}  // namespace

int run_router_config(const RouterConfigOptions& opts, config::Config cfg) {
  auto flavour = parse_router_flavour(opts.router);
  if (!flavour) return fail("--router must be bird, frr, vyos, routeros or openwrt");
  RouterConfigRequest req;
  auto nodes = parse_all<net::Address>(opts.nodes, "--nodes", net::Address::parse);
  auto cidrs = parse_all<net::Prefix>(opts.service_cidrs, "--service-cidr", net::Prefix::parse);
  auto ranges = parse_all<net::Prefix>(opts.external_ranges, "--external-range", net::Prefix::parse);
  if (!nodes) return fail(nodes.error());
  if (!cidrs) return fail(cidrs.error());
  if (!ranges) return fail(ranges.error());
  req.nodes = std::move(*nodes);
  req.service_cidrs = std::move(*cidrs);
  req.external_ranges = std::move(*ranges);
  if (!opts.peer.empty()) {
    req.peer = net::Address::parse(opts.peer);
    if (!req.peer) return fail("--peer: not an address: \"" + opts.peer + "\"");
  }
  for (const auto& item : opts.node_labels) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return fail("--node-labels: expected KEY=VALUE, got \"" + item + "\"");
    req.node_labels[item.substr(0, eq)] = item.substr(eq + 1);
  }
  if (!opts.dynamic.empty()) {
    req.dynamic = net::Prefix::parse(opts.dynamic);
    if (!req.dynamic) return fail("--dynamic: not a prefix like 192.168.1.0/24: \"" + opts.dynamic + "\"");
  }
  req.ospf_interface = opts.interface;
  // The router needs the key in its own config: read it where the nodes would.
  for (auto& p : cfg.bgp.peers) {
    if (!p.password.empty() || p.password_file.empty()) continue;
    std::ifstream f(p.password_file);
    std::string key;
    if (f && std::getline(f, key)) p.password = key;
    else std::cerr << "# cannot read " << p.password_file << ": the router's password line is left as a comment\n";
  }
  ApiLookup api(cfg.kubernetes);
  if (req.nodes.empty() && !req.dynamic) {
    auto ips = api.node_internal_ips();
    if (!ips)
      return fail("no --nodes, and the Nodes' InternalIPs are unknown (" + ips.error() +
                  "); or accept any node of a range with --dynamic CIDR");
    req.nodes = std::move(*ips);
  }
  if (!cfg.advertise.service_cidrs && req.service_cidrs.empty()) {
    auto found = api.service_cidrs();
    if (!found)
      return fail("advertise.service_cidrs is auto and discovery failed (" + found.error() +
                  "): pass --service-cidr CIDR");
    req.service_cidrs = std::move(*found);
  }
  req.config = std::move(cfg);
  auto text = generate_router_config(req, *flavour);
  if (!text) return fail(text.error());
  std::cout << *text;
  return 0;
}

int run_dns_config(const DnsConfigOptions& opts, std::optional<config::Config> cfg) {
  auto resolver = parse_resolver(opts.resolver);
  if (!resolver) return fail("--resolver must be dnsmasq, unbound, systemd-resolved or macos");
  DnsConfigRequest req;
  req.domain = opts.domain;
  auto cidrs = parse_all<net::Prefix>(opts.service_cidrs, "--service-cidr", net::Prefix::parse);
  if (!cidrs) return fail(cidrs.error());
  req.service_cidrs = std::move(*cidrs);
  if (req.service_cidrs.empty() && cfg && cfg->advertise.service_cidrs) req.service_cidrs = *cfg->advertise.service_cidrs;
  ApiLookup api(cfg ? cfg->kubernetes : config::KubernetesConfig{});
  if (!opts.dns_ip.empty()) {
    auto ip = net::Address::parse(opts.dns_ip);
    if (!ip) return fail("--dns-ip: not an address: \"" + opts.dns_ip + "\"");
    req.dns_ip = *ip;
  } else {
    auto ip = api.kube_dns_ip();
    if (!ip) return fail("no --dns-ip, and kube-system/kube-dns is unknown (" + ip.error() + ")");
    req.dns_ip = *ip;
  }
  // Reverse zones are a nicety: without a CIDR, the forward zone alone is still useful.
  if (req.service_cidrs.empty()) {
    if (auto found = api.service_cidrs()) req.service_cidrs = std::move(*found);
  }
  auto text = generate_dns_config(req, *resolver);
  if (!text) return fail(text.error());
  std::cout << *text;
  return 0;
}

}  // namespace cisd
