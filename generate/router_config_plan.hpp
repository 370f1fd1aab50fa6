// What every router flavour needs to know, worked out once from a RouterConfigRequest; the
// flavour writers (router_config_<flavour>.cpp) only spell it out. Internal to router-config.
#pragma once
#include <string>
#include <vector>

#include "generate/router_config.hpp"

namespace cisd::router_config {

// One range the router's import filter accepts: prefixes within `prefix` of length min_len..max_len.
struct AcceptRange {
  net::Prefix prefix;
  unsigned min_len = 0;
  unsigned max_len = 0;
  std::string why;  // "Service CIDR", "static prefix", "externalIPs / LoadBalancer IPs"
};

// The router side of BFD (RFC 5880), in the node's own numbers: the router mirrors them, and the
// protocol negotiates each direction to the slower of the two ends.
struct BfdSide {
  unsigned min_rx_ms = 300, min_tx_ms = 300, multiplier = 3;
  bool multihop = false;  // RFC 5883 (UDP 4784): the peer's multihop is above 1
};

struct BgpSide {
  const config::PeerConfig* peer = nullptr;  // our config's entry for this router
  std::uint32_t router_asn = 0;              // = peer->asn
  std::uint32_t node_asn = 0;                // = bgp.asn
  bool ibgp = false;
  std::vector<net::Address> neighbours;      // node addresses of the session's family
  std::optional<net::Prefix> dynamic;        // instead of neighbours: any node in this range
  // The router's own address on the sessions, when the config names it (nullopt: `address:
  // gateway`, the router is whatever each node's default gateway is).
  std::optional<net::Address> local;
  std::vector<net::Address> skipped;         // node addresses of the other family
  bool v4 = false, v6 = false;               // families to enable (configured and with accepted ranges)
  std::uint16_t node_port = 179;             // where the router connects to; 0 = nodes do not listen
  unsigned hold_s = 90, keepalive_s = 30, connect_retry_s = 5;
  std::optional<BfdSide> bfd;                // bgp.peers[].bfd.enabled
};

struct OspfSide {
  const config::OspfInterfaceConfig* interface = nullptr;
  std::string router_interface;
  std::string area;
  unsigned hello_s = 10, dead_s = 40, retransmit_s = 5;
  std::optional<BfdSide> bfd;  // ospf.interfaces[].bfd.enabled
};

struct Plan {
  const config::Config* config = nullptr;
  std::vector<AcceptRange> accept;
  std::optional<BgpSide> bgp;
  std::optional<OspfSide> ospf;
  std::optional<net::Address> router_id;  // the router's IPv4 peer address, when it has one
  std::string header;                     // comment lines (without the comment marker) for the top
};

net::Expected<Plan, std::string> make_plan(const RouterConfigRequest&);

// Ranges of one family.
std::vector<AcceptRange> ranges_of(const Plan&, net::Family);

// Durations as whole seconds for routers that take nothing finer (rounded up, at least 1).
unsigned router_seconds(config::Duration);

// Every line of text behind a comment mark ("# ", "! ").
std::string commented(const std::string& text, const char* mark);

// Comment text (no marks) for a BFD block: the timers and how they meet. BGP adds why the router
// runs plain BFD; `graceful_variant` names the flavour's option we leave off, or is nullptr.
std::string bfd_timers_note(const BfdSide&);
std::string bfd_bgp_note(const char* graceful_variant);
std::string bfd_ospf_note();

// FRR (and VyOS) take a detect multiplier of 2..255; the router's multiplier only sets how soon the
// nodes notice the router's own failure, so 1 becomes 2 there.
unsigned frr_multiplier(const BfdSide&);
std::string frr_multiplier_note(const Plan&);  // "" when no multiplier is below 2

// The BFD sides the plan has; nullptr without that protocol or without BFD on it.
const BfdSide* bgp_bfd(const Plan&);
const BfdSide* ospf_bfd(const Plan&);

// FRR / VyOS BFD profile names: one for the BGP sessions, one for the OSPF interface.
inline constexpr const char* kBgpBfdProfile = "cis-nodes";
inline constexpr const char* kOspfBfdProfile = "cis-ospf";

// An import range as an FRR prefix-list entry body: "10.96.0.0/12 le 32", "192.0.2.0/24", "198.51.100.0/24 ge 32".
std::string frr_prefix_entry(const AcceptRange&);

// The flavour writers.
std::string write_bird(const Plan&, bool openwrt);
std::string write_frr(const Plan&);
net::Expected<std::string, std::string> check_frr(const Plan&);  // what FRR 8 cannot do
std::string write_vyos(const Plan&);
std::string write_routeros(const Plan&);

}  // namespace cisd::router_config
