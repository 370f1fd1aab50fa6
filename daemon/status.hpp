// A snapshot of what the running daemon knows and does: the /status document, the `status`
// table and the metrics' collect step all read this one value, taken on the io_context.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bfd/engine.hpp"
#include "bgp/peer.hpp"
#include "k8s/reflector.hpp"
#include "net/route_set.hpp"
#include "ospf/instance.hpp"

namespace cisd {

struct Status {
  std::chrono::steady_clock::time_point taken_at;  // peers' uptimes are measured against it
  std::string version;
  std::string node;
  std::uint32_t router_id = 0;
  std::vector<net::Prefix> service_cidrs;
  std::string service_cidr_source;

  bool planned = false;         // a plan has been computed since start
  std::string waiting_for;      // what still holds the first plan back (Kubernetes sync)
  std::string withheld;         // non-empty: advertising nothing, and why
  std::size_t excluded = 0;     // per-Service addresses left out (reasons via explain)
  std::map<net::RouteKind, std::size_t> advertised_by_kind;  // every kind, 0 included
  std::size_t advertised_total = 0;
  std::vector<net::Route> advertised;  // one page of them (see routes_offset, routes_truncated)
  std::size_t routes_offset = 0;       // the index of advertised[0] among all routes
  bool routes_truncated = false;       // routes follow this page

  bool bgp_enabled = false;
  std::vector<bgp::PeerStatus> peers;
  // How the configured peers became the ones above: each `address: gateway` resolved, each peer
  // whose node_selector does not match this Node left out.
  std::vector<std::string> peer_selection;

  std::vector<bfd::SessionStatus> bfd_sessions;

  bool ospf_enabled = false;
  std::uint32_t ospf_router_id = 0;
  std::vector<ospf::NeighborStatus> ospf_neighbors;
  std::uint64_t ospf_lsas_originated = 0;
  std::uint64_t ospf_packets_received = 0;
  std::map<std::string, std::uint64_t> ospf_dropped;  // packets dropped, by reason (RFC 2328 §8.2 checks)

  bool kubernetes_enabled = false;
  std::optional<bool> kube_proxy_healthy;  // nullopt: not probed yet
  std::optional<bool> node_ready;          // nullopt: Node not seen yet
  bool node_cordoned = false;
  std::map<std::string, k8s::ReflectorStats> kubernetes;  // by resource: services, endpointslices, node
};

// Which advertised routes a Status lists: at most `limit`, from the `offset`-th on (prefix order).
struct RoutePage {
  std::size_t offset = 0;
  std::size_t limit = 0;
};

// Fills the advertised_* fields: counts of every kind, and the routes of `page`.
void set_advertised(Status& status, const net::RouteSet& routes, RoutePage page);

// /readyz: the first plan is out and at least one BGP session is Established or one OSPF
// adjacency is Full. (The config was loaded, or the daemon would not be running.)
bool ready(const Status& status);
// Why not ready(), for the 503 body; empty when ready.
std::string not_ready_reason(const Status& status);

nlohmann::json to_json(const Status& status);

// RFC 2328 §10.1 order (Down = 1 ... Full = 8), so that "at least 2-Way" is a comparison; 0 if unknown.
int ospf_state_rank(const std::string& state);

}  // namespace cisd
