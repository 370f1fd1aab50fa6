#include "daemon/peer_selection.hpp"

#include <algorithm>

namespace cisd {

namespace {

std::string selector_text(const std::map<std::string, std::string>& selector) {
  std::string out;
  for (const auto& [k, v] : selector) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

}  // namespace

PeerSelection select_peers(const config::BgpConfig& configured,
                           const std::optional<std::map<std::string, std::string>>& node_labels,
                           const DefaultGateways& gateways) {
  PeerSelection out;
  out.bgp = configured;
  out.bgp.peers.clear();
  for (const auto& peer : configured.peers) {
    const std::string name = config::peer_name(peer);
    if (!peer.node_selector.empty()) {
      if (!node_labels) {
        out.notes.push_back("peer " + name + " not used: node_selector " + selector_text(peer.node_selector) +
                            " and this Node's labels are not known (yet)");
        continue;
      }
      if (!config::labels_include(*node_labels, peer.node_selector)) {
        out.notes.push_back("peer " + name + " not used: this Node's labels do not match node_selector " +
                            selector_text(peer.node_selector));
        continue;
      }
    }
    config::PeerConfig applied = peer;
    if (peer.gateway) {
      const bool v4 = config::gateway_family(peer) == net::Family::ipv4;
      const auto& gateway = v4 ? gateways.ipv4 : gateways.ipv6;
      if (!gateway) {
        out.notes.push_back("peer " + name + " not used: this node has no " + (v4 ? "IPv4" : "IPv6") +
                            " default route with a gateway");
        continue;
      }
      applied.address = *gateway;
      out.notes.push_back("peer " + name + " is " + gateway->to_string());
    }
    // Two entries may resolve to one address (a gateway that is also listed): one session.
    auto same = [&](const config::PeerConfig& p) { return p.address == applied.address; };
    if (std::any_of(out.bgp.peers.begin(), out.bgp.peers.end(), same)) {
      out.notes.push_back("peer " + name + " not used: " + applied.address.to_string() + " is already a peer");
      continue;
    }
    out.bgp.peers.push_back(std::move(applied));
  }
  return out;
}

}  // namespace cisd
