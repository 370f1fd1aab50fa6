// Which of the configured BGP peers this node talks to now: those whose node_selector this
// Node's labels match, with `address: gateway` replaced by the node's current default gateway.
// A pure function of the config, the labels and the gateways; the daemon reapplies it when any
// of them changes (a new gateway is a new peer: the old session closes, one to the new opens).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "net/address.hpp"

namespace cisd {

struct DefaultGateways {
  std::optional<net::Address> ipv4;
  std::optional<net::Address> ipv6;
  bool operator==(const DefaultGateways&) const = default;
};

struct PeerSelection {
  config::BgpConfig bgp;            // the input with only the peers that apply, addresses resolved
  std::vector<std::string> notes;   // for status and logs: each resolved gateway, each peer left out and why
  bool operator==(const PeerSelection&) const = default;
};

// `node_labels`: this Node's labels; nullopt while the Node is unknown (not seen yet, or no
// Kubernetes), when only peers without a node_selector apply.
PeerSelection select_peers(const config::BgpConfig& configured,
                           const std::optional<std::map<std::string, std::string>>& node_labels,
                           const DefaultGateways& gateways);

}  // namespace cisd
