// What we have told one peer, per address family, and the UPDATEs that change it: only the
// difference is ever sent.
#pragma once
#include <map>
#include <optional>
#include <vector>

#include "bgp/outbound_policy.hpp"
#include "bgp/wire/codec.hpp"
#include "net/route_set.hpp"

namespace bgp {

// What the peer holds is the route set last synced, seen through the policy of that sync: so it
// is kept as that set (a copy that shares the daemon's table, chunk by chunk) and that policy,
// not as a table of its own. A sync with the same policy then costs what changed, found by
// RouteSet's diff, which skips the chunks both sets share; a new policy (draining, a session
// that came up) re-announces the family.
class AdjRibOut {
 public:
  // The UPDATEs that take the peer from what it holds for `family` to `routes` under `policy`;
  // then it holds that.
  std::vector<wire::Update> sync(wire::AfiSafi family, const net::RouteSet& routes, const OutboundPolicy& policy,
                                 const wire::EncodeContext& ctx);

  // Prefixes of `family` the peer holds from us.
  std::size_t size(wire::AfiSafi family) const;
  void clear() { told_.clear(); }
  // Forget what a family was told, so the next sync re-sends it all (route refresh).
  void forget(wire::AfiSafi family) { told_.erase(family); }

 private:
  struct Told {
    net::RouteSet routes;  // every family's routes: only `family`'s were sent
    OutboundPolicy policy;
    std::size_t count = 0;  // prefixes of the family in `routes`
  };
  std::map<wire::AfiSafi, Told> told_;
};

}  // namespace bgp
