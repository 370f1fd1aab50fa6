// The upstream router's side of the peering, generated from our config:
// `clusterip-speaker router-config`. Pure: (config, node addresses, flavour) -> text.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "net/address.hpp"
#include "net/expected.hpp"
#include "net/prefix.hpp"

namespace cisd {

enum class RouterFlavour { bird, frr, vyos, routeros, openwrt };
std::optional<RouterFlavour> parse_router_flavour(std::string_view);
const char* to_string(RouterFlavour);

struct RouterConfigRequest {
  config::Config config;
  std::vector<net::Address> nodes;          // the neighbours: --nodes, or the Nodes' InternalIPs
  std::vector<net::Prefix> service_cidrs;   // --service-cidr; used when advertise.service_cidrs is auto
  std::vector<net::Prefix> external_ranges; // --external-range: where externalIPs / LB IPs (/32, /128) may lie
  std::optional<net::Address> peer;         // which bgp.peers entry is this router; nullopt = the first
  // --node-labels: the router of the Nodes with these labels: the first bgp.peers entry whose
  // node_selector they satisfy (for a config with one peer per rack).
  std::map<std::string, std::string> node_labels;
  // --dynamic: accept any node in this range (BGP dynamic neighbours) instead of listing nodes,
  // so a new node needs no router change.
  std::optional<net::Prefix> dynamic;
  std::string ospf_interface;               // the router's interface towards the nodes; "" = the nodes' name
};

// The complete configuration text, or an error for people (what is missing and which option gives it).
net::Expected<std::string, std::string> generate_router_config(const RouterConfigRequest&, RouterFlavour);

}  // namespace cisd
