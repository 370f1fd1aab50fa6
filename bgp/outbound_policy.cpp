#include "bgp/outbound_policy.hpp"

#include <algorithm>

namespace bgp {

namespace {
template <typename T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}
}  // namespace

wire::PathAttributes OutboundPolicy::attributes(const net::RouteAttributes& route, wire::AfiSafi family) const {
  wire::PathAttributes a;
  a.origin = wire::Origin::igp;
  // eBGP prepends our AS (RFC 4271 §5.1.2); iBGP sends an empty path for locally originated routes.
  a.as_path = std::vector<wire::AsPathSegment>{};
  if (!ibgp) a.as_path->push_back({wire::AsPathSegment::Type::as_sequence, {local_as}});
  if (family == wire::kIpv4Unicast)
    a.next_hop = next_hop_v4;
  else
    a.mp_reach = wire::MpReachNlri{family, next_hops_v6, {}};
  if (med != 0) a.med = med;
  // RFC 8326 §5: an iBGP sender lowers LOCAL_PREF while draining as well.
  if (ibgp) a.local_pref = graceful_shutdown ? 0 : local_pref;
  a.communities = communities;
  a.communities.insert(a.communities.end(), route.communities.begin(), route.communities.end());
  if (graceful_shutdown) a.communities.push_back(kGracefulShutdown);
  sort_unique(a.communities);
  a.large_communities = large_communities;
  a.large_communities.insert(a.large_communities.end(), route.large_communities.begin(),
                             route.large_communities.end());
  sort_unique(a.large_communities);
  return a;
}

}  // namespace bgp
