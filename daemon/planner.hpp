// What this node advertises, as a pure function of what it knows and its config. Every route
// carries the reason it exists.
#pragma once
#include <vector>

#include "config/config.hpp"
#include "net/route_set.hpp"

namespace cisd {

// What the sources know. Without Kubernetes only the configured CIDRs are known.
struct Facts {
  std::vector<net::Prefix> service_cidrs;  // from config (or, later, discovery)
  const char* service_cidr_source = "config";
};

net::RouteSet plan(const Facts& facts, const config::AdvertiseConfig& advertise);

}  // namespace cisd
