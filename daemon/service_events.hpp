// What a change of the advertised routes means for each Service: this node started or stopped
// advertising one of its addresses. Pure: from the routes before and after (whose reasons name
// the Services, as the planner writes them) to one record per Service and address.
#pragma once
#include <string>
#include <vector>

#include "net/route_set.hpp"

namespace cisd {

struct ServiceEvent {
  enum class Kind { advertised, withdrawn };
  Kind kind = Kind::advertised;
  std::string service;  // "namespace/name"
  net::Prefix prefix;
  net::RouteKind route_kind = net::RouteKind::cluster_ip;
  bool operator==(const ServiceEvent&) const = default;
};

// The Services a route reason names ("cluster_ip of Service default/web; external_ip of Service
// default/api (Local policy, ...)" -> default/web, default/api), each once.
std::vector<std::string> services_named_in(const std::string& reason);

// For each per-Service route that appears, disappears, or changes hands between Services, one
// event per Service concerned; Service CIDR and static routes make none.
std::vector<ServiceEvent> service_events(const net::RouteSet& before, const net::RouteSet& after);

}  // namespace cisd
