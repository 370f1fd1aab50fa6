// What one peer is told about one route: the path attributes we attach on the way out.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "bgp/wire/message.hpp"
#include "net/route.hpp"

namespace bgp {

struct OutboundPolicy {
  std::uint32_t local_as = 0;
  bool ibgp = false;
  std::optional<net::Address> next_hop_v4;
  std::vector<net::Address> next_hops_v6;  // global, then optionally link-local (RFC 2545)
  std::vector<net::Community> communities;
  std::vector<net::LargeCommunity> large_communities;
  std::uint32_t local_pref = 100;
  std::uint32_t med = 0;
  bool graceful_shutdown = false;  // RFC 8326: we are draining; tag everything with 65535:0

  bool can_carry(wire::AfiSafi family) const {
    return family == wire::kIpv4Unicast ? next_hop_v4.has_value() : !next_hops_v6.empty();
  }
  // The attributes for a route of `family` carrying `route` tags (the MP_REACH NLRI is left empty).
  wire::PathAttributes attributes(const net::RouteAttributes& route, wire::AfiSafi family) const;

  bool operator==(const OutboundPolicy&) const = default;
};

constexpr net::Community kGracefulShutdown = 0xffff0000;  // RFC 8326 GRACEFUL_SHUTDOWN (65535:0)

}  // namespace bgp
