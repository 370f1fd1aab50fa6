// A route this node wants to advertise: a prefix, the tags it carries, and why it exists.
#pragma once
#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "net/prefix.hpp"

namespace net {

// RFC 1997 community as its 32-bit value (high 16 bits: ASN).
using Community = std::uint32_t;

// RFC 8092 large community.
struct LargeCommunity {
  std::uint32_t global_admin = 0;
  std::uint32_t local1 = 0;
  std::uint32_t local2 = 0;
  auto operator<=>(const LargeCommunity&) const = default;
  bool operator==(const LargeCommunity&) const = default;
};

// Which planner rule produced a route; also the label of advertised_routes{kind}.
enum class RouteKind : std::uint8_t { service_cidr, cluster_ip, external_ip, load_balancer_ip, static_prefix };
const char* to_string(RouteKind);

// What a peer sees of a route besides its prefix. A change here is re-advertised.
struct RouteAttributes {
  std::vector<Community> communities;
  std::vector<LargeCommunity> large_communities;
  bool operator==(const RouteAttributes&) const = default;
};

struct Route {
  Prefix prefix;
  RouteAttributes attributes;
  RouteKind kind = RouteKind::static_prefix;
  std::string reason;  // for people: which Service or config rule produced it
  bool operator==(const Route&) const = default;
};

std::ostream& operator<<(std::ostream&, const Route&);

// A route inside a RouteSet, which shares kind, attributes and reason among routes that have the
// same ones (100k static prefixes hold one copy). Read it like a Route; copy it into one to keep it.
struct RouteView {
  const Prefix& prefix;
  RouteKind kind;
  const RouteAttributes& attributes;
  const std::string& reason;
  operator Route() const { return Route{prefix, attributes, kind, reason}; }
};

}  // namespace net
