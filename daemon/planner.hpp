// What this node advertises, as a pure function of what it knows and its config. Every route carries the reason it exists; every
// per-Service address left out carries the reason too, for `explain`.
//
// plan() computes it from scratch. Planner gives the same result, but after a few Services or
// EndpointSlices changed it redoes only those: with 10k Services a full plan takes tens of
// milliseconds, one Service a few microseconds.
#pragma once
#include <cstddef>
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
// On this Node: advertise no external or LoadBalancer IPs from here (the Service CIDRs and
// ClusterIPs stay), as cloud load balancers honour it.
inline constexpr const char* kExcludeFromExternalLbLabel = "node.kubernetes.io/exclude-from-external-load-balancers";

// Which Services and EndpointSlices changed since the last plan, so that Planner can redo only
// those. Everything else the planner reads (config, Node, kube-proxy, CIDRs) it compares itself.
// A fresh record says "everything": it knows nothing of what came before.
struct FactsChanges {
  bool everything = true;
  std::set<std::string> services;         // keys ("namespace/name") added, updated or deleted
  std::set<std::string> endpoint_slices;  // keys, likewise

  void service(const std::string& key) {
    if (!everything) services.insert(key);
  }
  void endpoint_slice(const std::string& key) {
    if (!everything) endpoint_slices.insert(key);
  }
};

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
  // Addresses a Service must never attract (this host's own, the BGP peers'), each with what it
  // is; the daemon fills it. The planner adds this Node's InternalIPs from `node` itself.
  std::map<net::Address, std::string> protected_addresses;
  FactsChanges changes;                                // since take_changes(); the sources record them

  // What changed since the last call; from now on changes are recorded one by one.
  FactsChanges take_changes() {
    FactsChanges taken = std::move(changes);
    changes = FactsChanges{.everything = false, .services = {}, .endpoint_slices = {}};
    return taken;
  }
};

// Whether this Node carries kExcludeFromExternalLbLabel (any value, as Kubernetes reads it).
bool excluded_from_external_load_balancers(const Facts& facts);

// A per-Service address this node does not advertise, and why.
struct Exclusion {
  net::Address address;
  std::string service;  // "namespace/name"
  std::string reason;
  bool operator==(const Exclusion&) const = default;
};

// Something a Service asked for that the operator does not allow (product.md "What bad input
// gets"): counted in advertise_refused_total{reason}, logged, and shown by explain.
enum class RefusalReason { external_ip_not_allowed, load_balancer_ip_not_allowed, hijack, community_not_allowed };
inline constexpr RefusalReason kRefusalReasons[] = {
    RefusalReason::external_ip_not_allowed, RefusalReason::load_balancer_ip_not_allowed, RefusalReason::hijack,
    RefusalReason::community_not_allowed};
const char* to_string(RefusalReason);

struct Refusal {
  std::string service;                   // "namespace/name", or "ServiceCIDR" for a discovered CIDR
  std::optional<net::Address> address;   // the refused address; nullopt for a community or a CIDR
  RefusalReason reason = RefusalReason::hijack;
  std::string detail;                    // for people: what was refused and why
  std::optional<net::Prefix> prefix;     // the refused Service CIDR, if that is what was refused
  auto operator<=>(const Refusal&) const = default;
};

struct Plan {
  net::RouteSet routes;
  std::string withheld;                 // non-empty: everything is withheld, and why
  std::vector<Exclusion> excluded;
  std::vector<std::string> warnings;    // e.g. a bad communities annotation
  std::vector<Refusal> refused;         // in Service order
  bool operator==(const Plan&) const = default;
};

Plan plan(const Facts& facts, const config::AdvertiseConfig& advertise);

// plan(), kept up to date: update() returns exactly what plan(facts, advertise) would, reusing
// the previous result for every Service that `changes` does not name (nor an EndpointSlice of it).
// Any change to the config, the Node, kube-proxy or the CIDRs replans everything.
class Planner {
 public:
  const Plan& update(const Facts& facts, const config::AdvertiseConfig& advertise, const FactsChanges& changes);
  const Plan& current() const { return plan_; }
  // How many updates planned everything (for tests and the curious).
  std::size_t full_plans() const { return full_plans_; }

  // What one Service adds to the plan, from the Service, whether it has a ready endpoint on
  // this node and the globals. The route reasons are rebuilt from it when needed.
  struct ServicePlan {
    struct Advertised {
      net::Address ip;
      net::RouteKind kind;
      bool local_policy;  // advertised because of an endpoint here: the reason says so
    };
    net::RouteAttributes attributes;
    std::vector<Advertised> advertised;  // in the order plan() considers the addresses
    bool local_policy = false;           // the plan of this Service depends on where endpoints run
  };

 private:
  // Inputs that every Service's part depends on; when one differs, everything is replanned.
  struct Globals {
    config::AdvertiseConfig advertise;
    std::string node_name;
    std::vector<net::Prefix> service_cidrs;
    std::string service_cidr_source;
    std::optional<std::set<net::Address>> programmed;  // only kept with advertise.require_programmed
    std::map<net::Address, std::string> protected_addresses;  // the daemon's and the Node's
    bool exclude_external = false;  // this Node has kExcludeFromExternalLbLabel
    bool operator==(const Globals&) const = default;
  };
  // What a Service leaves out of the plan and what is wrong with it; only for Services with any.
  struct Notes {
    std::vector<Exclusion> excluded;
    std::string warning;
    std::vector<Refusal> refused;
    bool empty() const { return excluded.empty() && warning.empty() && refused.empty(); }
  };
  bool same_globals(const Facts& facts, const config::AdvertiseConfig& advertise) const;
  void full(const Facts& facts, const config::AdvertiseConfig& advertise);
  bool incremental(const Facts& facts, const config::AdvertiseConfig& advertise, const FactsChanges& changes);
  void forget();
  void index_slice(const std::string& key, const k8s::EndpointSlice* slice, const std::string& node_name,
                   std::set<std::string>* owners_changed);
  void set_service(const std::string& key, const k8s::Service* service, const Facts& facts,
                   const config::AdvertiseConfig& advertise, std::set<net::Prefix>& touched);
  std::optional<net::Route> route_for(const net::Prefix& prefix) const;
  void rebuild_notes();

  using ServiceEntry = std::map<std::string, ServicePlan>::value_type;

  Plan plan_;
  std::optional<Globals> globals_;  // nullopt: no state kept; the next update plans everything
  net::RouteSet base_;              // the Service CIDRs and static prefixes
  std::vector<Refusal> base_refused_;  // discovered Service CIDRs that cover a protected address
  std::map<std::string, ServicePlan> services_;  // Services with something to route to
  std::multimap<net::Prefix, const ServiceEntry*> owners_;  // prefix -> the Services advertising it
  std::map<std::string, Notes> notes_;  // key -> notes, for Services that have any
  bool notes_changed_ = false;
  std::size_t full_plans_ = 0;
  std::size_t local_policy_services_ = 0;  // Services whose plan depends on where endpoints run
  // Only while local_policy_services_ > 0: the EndpointSlices with a ready endpoint on this
  // node, and how many of them each Service has.
  std::map<std::string, std::string> local_slices_;  // slice key -> Service key
  std::map<std::string, std::size_t> local_slice_count_;
};

}  // namespace cisd
