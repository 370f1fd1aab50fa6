// The `router-config` and `dns-config` subcommands: gather what the pure generators need (the
// config, the command line, and what the API server knows when an option leaves it out), print
// the result to stdout and problems to stderr. Blocking: they run their own io_context.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace cisd {

struct RouterConfigOptions {
  std::string router;                        // bird | frr | vyos | routeros | openwrt
  std::vector<std::string> nodes;            // --nodes; empty = the Nodes' InternalIPs from the API server
  std::vector<std::string> service_cidrs;    // --service-cidr; when the config says auto
  std::vector<std::string> external_ranges;  // --external-range
  std::string peer;                          // --peer; "" = the first of bgp.peers
  std::vector<std::string> node_labels;      // --node-labels k=v,...: the peer whose node_selector they satisfy
  std::string dynamic;                       // --dynamic CIDR: accept any node in it instead of listing nodes
  std::string interface;                     // --interface: the router's OSPF interface
};
int run_router_config(const RouterConfigOptions&, config::Config);

struct DnsConfigOptions {
  std::string resolver;                      // dnsmasq | unbound | systemd-resolved | macos
  std::string dns_ip;                        // --dns-ip; "" = kube-system/kube-dns's ClusterIP
  std::string domain = "cluster.local";
  std::vector<std::string> service_cidrs;    // --service-cidr; else the config's, else discovered
};
// config: nullopt when no config file was given (then Kubernetes is reached as the defaults say).
int run_dns_config(const DnsConfigOptions&, std::optional<config::Config>);

}  // namespace cisd
