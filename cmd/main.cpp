// clusterip-speaker: the command line.
#include <CLI/CLI.hpp>
#include <malloc.h>
#include <unistd.h>

#include <iostream>

#include "config/config.hpp"
#include "cli/status_client.hpp"
#include "daemon/daemon.hpp"
#include "daemon/privileges.hpp"
#include "generate/generate_command.hpp"
#include "daemon/logging.hpp"
#include "daemon/version.hpp"

namespace {

// Loads the config, printing every problem; nullopt when there was one.
std::optional<config::Config> load(const std::string& path) {
  auto loaded = config::load_config_file(path);
  if (!loaded) {
    for (const auto& e : loaded.error()) std::cerr << e.to_string() << "\n";
    return std::nullopt;
  }
  auto cfg = std::move(*loaded);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  cfg.node.name = config::resolve_node_name(cfg.node, std::getenv("NODE_NAME"), host);
  return cfg;
}

// Where `status` and `explain` find the daemon: --http, else http.listen of the config file
// (the built-in default when the default file is absent). Empty when it cannot be known.
std::string daemon_endpoint(const std::string& http, const std::string& config_path, bool config_given) {
  if (!http.empty()) return http;
  if (!config_given && access(config_path.c_str(), F_OK) != 0) return config::HttpConfig{}.listen;
  auto cfg = load(config_path);
  if (!cfg) return {};
  if (cfg->http.listen.empty())
    std::cerr << "clusterip-speaker: http.listen is empty in " << config_path
              << ": the daemon serves no endpoint to ask (or pass --http ADDRESS:PORT)\n";
  return cfg->http.listen;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"clusterip-speaker: advertise Kubernetes Service CIDRs and ClusterIPs to your router"};
  app.require_subcommand(1);
  std::string config_path = "/etc/clusterip-speaker/config.yaml";

  auto* run = app.add_subcommand("run", "run the daemon");
  run->add_option("-c,--config", config_path, "config file")->capture_default_str();
  std::string on_sigterm = "auto";
  run->add_option("--on-sigterm", on_sigterm,
                  "on SIGTERM, per BGP peer: auto = graceful restart (the router keeps our routes as stale "
                  "until we are back) when the peer helps and this node can deliver, else leave; leave = "
                  "always withdraw and Cease; restart = graceful restart whenever the peer helps")
      ->check(CLI::IsMember({"auto", "leave", "restart"}))
      ->capture_default_str();
  std::string state_dir = "/run/clusterip-speaker";
  run->add_option("--state-dir", state_dir,
                  "where a graceful restart leaves its BFD sessions for the next instance (a hostPath in "
                  "the DaemonSet; \"\" = do not hand them over)")
      ->capture_default_str();
  std::string run_as;
  run->add_option("--user", run_as,
                  "started as root, switch to this user (UID[:GID] or a name) once the listeners are bound, "
                  "keeping only the capabilities still needed (docs/security.md); the image passes 65532");
  auto* check = app.add_subcommand("check-config", "validate a config file and print the effective config");
  check->add_option("-c,--config", config_path, "config file")->capture_default_str();
  auto* version = app.add_subcommand("version", "print the version");

  // Observability: ask the running daemon over its HTTP endpoint.
  std::string http;
  bool json = false;
  std::string explain_ip;
  auto* status = app.add_subcommand("status", "show sessions, adjacencies and advertised routes of the running daemon");
  auto* explain = app.add_subcommand("explain", "say why the running daemon advertises a route for IP, or not");
  for (auto* sub : {status, explain}) {
    sub->add_option("-c,--config", config_path, "config file (for http.listen)")->capture_default_str();
    sub->add_option("--http", http, "the daemon's endpoint ADDRESS:PORT (instead of the config's http.listen)");
    sub->add_flag("--json", json, "print the daemon's JSON");
  }
  explain->add_option("ip", explain_ip, "an IPv4 or IPv6 address")->required();

  // The other side: the upstream router's config and the LAN's DNS forwarding, on stdout.
  cisd::RouterConfigOptions router_opts;
  auto* router_config = app.add_subcommand("router-config", "print the upstream router's configuration");
  router_config->add_option("-c,--config", config_path, "config file")->capture_default_str();
  router_config->add_option("--router", router_opts.router, "bird | frr | vyos | routeros | openwrt")->required();
  router_config->add_option("--nodes", router_opts.nodes, "node addresses IP,IP,... (default: the Nodes' InternalIPs)")
      ->delimiter(',');
  router_config->add_option("--service-cidr", router_opts.service_cidrs,
                            "Service CIDR(s) to accept, when advertise.service_cidrs is auto")->delimiter(',');
  router_config->add_option("--external-range", router_opts.external_ranges,
                            "range(s) whose /32 and /128 routes (externalIPs, LoadBalancer IPs) are accepted")
      ->delimiter(',');
  router_config->add_option("--peer", router_opts.peer, "which of bgp.peers is this router (default: the first)");
  router_config->add_option("--node-labels", router_opts.node_labels,
                            "KEY=VALUE,...: the router of the Nodes with these labels (the first of bgp.peers "
                            "whose node_selector they satisfy)")->delimiter(',');
  router_config->add_option("--dynamic", router_opts.dynamic,
                            "CIDR: accept any node in this range (BGP dynamic neighbours) instead of listing them; "
                            "adding a node then needs no router change");
  router_config->add_option("--interface", router_opts.interface, "the router's OSPF interface towards the nodes");
  cisd::DnsConfigOptions dns_opts;
  auto* dns_config = app.add_subcommand("dns-config", "print DNS forwarding of the cluster domain to kube-dns");
  dns_config->add_option("-c,--config", config_path, "config file (optional: Service CIDRs, kubernetes)");
  dns_config->add_option("--resolver", dns_opts.resolver, "dnsmasq | unbound | systemd-resolved | macos")->required();
  dns_config->add_option("--dns-ip", dns_opts.dns_ip, "kube-dns's ClusterIP (default: asked from the API server)");
  dns_config->add_option("--domain", dns_opts.domain, "the cluster domain")->capture_default_str();
  dns_config->add_option("--service-cidr", dns_opts.service_cidrs, "Service CIDR(s) for the reverse zones")
      ->delimiter(',');

  CLI11_PARSE(app, argc, argv);

  if (*version) {
    std::cout << "clusterip-speaker " << cisd::kVersion << "\n";
    return 0;
  }
  if (*dns_config) {
    std::optional<config::Config> cfg;
    if (dns_config->count("--config") > 0 && !(cfg = load(config_path))) return 1;
    return cisd::run_dns_config(dns_opts, std::move(cfg));
  }
  if (*router_config) {
    auto cfg = load(config_path);
    return cfg ? cisd::run_router_config(router_opts, std::move(*cfg)) : 1;
  }
  if (*status || *explain) {
    const bool config_given = status->count("--config") + explain->count("--config") > 0;
    auto endpoint = daemon_endpoint(http, config_path, config_given);
    if (endpoint.empty()) return 1;
    return *status ? cisd::status_command(endpoint, json, std::cout, std::cerr)
                   : cisd::explain_command(endpoint, explain_ip, json, std::cout, std::cerr);
  }
  auto cfg = load(config_path);
  if (!cfg) return 1;
  if (*check) {
    std::cout << config::to_yaml(*cfg);
    return 0;
  }
  std::optional<cisd::RunAs> user;
  if (!run_as.empty()) {
    auto parsed = cisd::parse_run_as(run_as);
    if (!parsed) {
      std::cerr << "clusterip-speaker: " << parsed.error() << "\n";
      return 1;
    }
    user = *parsed;
  }
  // The YAML tree of a big config is gone now: hand its memory back to the system.
  malloc_trim(0);
  cisd::setup_logging(cfg->log);
  return cisd::run_daemon(std::move(*cfg), config_path, *bgp::parse_on_sigterm(on_sigterm), user, state_dir);
}
