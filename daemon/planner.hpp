// What this node advertises, as a pure function of what it knows and its config
// (product.md "What it must do" 4). Every route carries the reason it exists; every
// per-Service address left out carries the reason too, for `explain`.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "k8s/objects.hpp"
#include "net/route_set.hpp"

namespace cisd {

inline constexpr const char* kAdvertiseAnnotation = "clusterip-speaker.io/advertise";
inline constexpr const char* kCommunitiesAnnotation = "clusterip-speaker.io/communities";

// Everything the sources know. Without Kubernetes only the Service CIDRs and static prefixes.
struct Facts {
  std::vector<net::Prefix> service_cidrs;
  std::string service_cidr_source = "config";
  bool kubernetes = false;                             // the fields below are meaningful
  std::string node_name;
  std::map<std::string, k8s::Service> services;        // key "namespace/name"
  std::map<std::string, k8s::EndpointSlice> endpoint_slices;
  std::optional<k8s::Node> node;                       // this node, once seen
  std::optional<bool> kube_proxy_healthy;              // nullopt: not probed yet
  std::optional<std::set<net::Address>> programmed;    // IPs kube-proxy has programmed; nullopt: unknown
};

// A per-Service address this node does not advertise, and why.
struct Exclusion {
  net::Address address;
  std::string service;  // "namespace/name"
  std::string reason;
  bool operator==(const Exclusion&) const = default;
};

struct Plan {
  net::RouteSet routes;
  std::string withheld;                 // non-empty: everything is withheld, and why
  std::vector<Exclusion> excluded;
  std::vector<std::string> warnings;    // e.g. a bad communities annotation
};

Plan plan(const Facts& facts, const config::AdvertiseConfig& advertise);

}  // namespace cisd
