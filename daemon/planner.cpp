#include "daemon/planner.hpp"

namespace cisd {

net::RouteSet plan(const Facts& facts, const config::AdvertiseConfig& advertise) {
  net::RouteSet routes;
  for (const auto& cidr : facts.service_cidrs)
    routes.insert({cidr, {}, net::RouteKind::service_cidr, std::string("Service CIDR from ") + facts.service_cidr_source});
  // Static prefixes are advertised unconditionally; a Service CIDR listed there too keeps its
  // Service CIDR reason.
  for (const auto& p : advertise.static_prefixes)
    if (!routes.contains(p)) routes.insert({p, {}, net::RouteKind::static_prefix, "advertise.static in config"});
  return routes;
}

}  // namespace cisd
