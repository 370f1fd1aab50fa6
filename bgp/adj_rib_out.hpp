// What we have told one peer, per address family, and the UPDATEs that change it: only the
// difference is ever sent.
#pragma once
#include <map>
#include <memory>
#include <vector>

#include "bgp/outbound_policy.hpp"
#include "bgp/wire/codec.hpp"
#include "net/route_set.hpp"

namespace bgp {

class AdjRibOut {
 public:
  // Attribute sets are shared: thousands of prefixes usually carry a handful of distinct ones.
  using Attributes = std::shared_ptr<const wire::PathAttributes>;
  using Table = std::map<net::Prefix, Attributes>;

  // The table a peer should hold for `family`, given the routes and the peer's policy.
  static Table desired(const net::RouteSet& routes, const OutboundPolicy& policy, wire::AfiSafi family);

  // The UPDATEs that take the peer from what it holds to `target`; then it holds `target`.
  std::vector<wire::Update> sync(wire::AfiSafi family, Table target, const wire::EncodeContext& ctx);

  std::size_t size(wire::AfiSafi family) const;
  void clear() { tables_.clear(); }
  // Forget what a family was told, so the next sync re-sends it all (route refresh).
  void forget(wire::AfiSafi family) { tables_.erase(family); }

 private:
  std::map<wire::AfiSafi, Table> tables_;
};

}  // namespace bgp
