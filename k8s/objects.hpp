// The Kubernetes objects clusterip-speaker reads, reduced to the fields it uses. Decoding
// fills them from the API's JSON; the planner reads them. No I/O here.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/address.hpp"
#include "net/prefix.hpp"

namespace k8s {

struct ObjectMeta {
  std::string name;
  std::string namespace_;  // "" for cluster-scoped objects
  std::string uid;
  std::string resource_version;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  bool operator==(const ObjectMeta&) const = default;
};

enum class TrafficPolicy : std::uint8_t { cluster, local };

// core/v1 Service (spec and status.loadBalancer).
struct Service {
  ObjectMeta meta;
  std::string type = "ClusterIP";           // ClusterIP | NodePort | LoadBalancer | ExternalName
  bool headless = false;                    // spec.clusterIP == "None"
  std::vector<net::Address> cluster_ips;    // spec.clusterIPs (or spec.clusterIP), never "None"
  std::vector<net::Address> external_ips;   // spec.externalIPs
  std::vector<net::Address> load_balancer_ips;  // status.loadBalancer.ingress[].ip
  TrafficPolicy external_traffic_policy = TrafficPolicy::cluster;
  TrafficPolicy internal_traffic_policy = TrafficPolicy::cluster;
  bool operator==(const Service&) const = default;
};

// discovery.k8s.io/v1 EndpointSlice, reduced to which nodes have ready endpoints.
struct EndpointSlice {
  ObjectMeta meta;
  std::string service_name;  // label kubernetes.io/service-name
  struct Endpoint {
    std::vector<net::Address> addresses;
    bool ready = true;        // conditions.ready; absent means ready (API semantics)
    bool serving = true;      // conditions.serving; absent means = ready
    bool terminating = false; // conditions.terminating
    std::string node_name;    // nodeName
    bool operator==(const Endpoint&) const = default;
  };
  std::vector<Endpoint> endpoints;
  bool operator==(const EndpointSlice&) const = default;
};

// core/v1 Node, reduced to readiness and cordon state.
struct Node {
  ObjectMeta meta;
  bool ready = false;          // status.conditions[type=Ready].status == "True"
  bool unschedulable = false;  // spec.unschedulable (cordoned)
  std::vector<net::Address> internal_ips;  // status.addresses[type=InternalIP]
  bool operator==(const Node&) const = default;
};

// networking.k8s.io/v1 (or v1beta1) ServiceCIDR.
struct ServiceCidr {
  ObjectMeta meta;
  std::vector<net::Prefix> cidrs;  // spec.cidrs
  bool ready = true;               // status.conditions[type=Ready] (absent = ready)
  bool operator==(const ServiceCidr&) const = default;
};

}  // namespace k8s
