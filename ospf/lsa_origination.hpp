// The LSAs this router originates (RFC 2328 §12.4): its router-LSA for the area, a network-LSA
// for each broadcast segment where it is the DR, and one AS-external-LSA per advertised IPv4 prefix, with the sequence numbers, MinLSInterval,
// LSRefreshTime, premature aging (§14.1) and sequence wrap (§12.1.6) that go with them. A pure
// class: it remembers the last instance of each LSA it made and, given the desired state and
// `now`, says which new instances or flushes to install and flood.
//
// How the instance uses it:
//   set_hold_first_router_lsa(true) once, set_interfaces(...) on any interface/neighbour state
//   change, set_routes(plan) on a new plan, set_policy(...) on reload, then update(now): install
//   every LSA of the result in the Lsdb
//   (Lsdb::install) and flood it; warn when externals_left_out > 0; call update() again at
//   next_update. Lsdb::receive == self_originated_newer -> on_self_originated(lsa, now).
//   Lsdb::expire removed some of ours -> removed_from_database(keys, now). SIGTERM ->
//   flush_all(now), flood, wait for the retransmission lists to empty.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "net/prefix.hpp"
#include "net/route_set.hpp"
#include "ospf/architectural_constants.hpp"
#include "ospf/lsa_key.hpp"
#include "ospf/wire/lsa.hpp"

namespace ospf {

// What the router-LSA needs to know about one interface (§12.4.1.1, §12.4.1.2).
struct InterfaceLinkState {
  enum class Network { broadcast, point_to_point };
  Network network = Network::broadcast;
  bool up = true;              // interface state above Down; a Down interface adds no link
  std::uint32_t address = 0;   // our interface address, host order
  std::uint32_t mask = 0;      // its subnet mask
  std::uint16_t cost = 10;
  // Broadcast: the DR's interface address (0 while none is elected, e.g. Waiting), and whether
  // we are Full with the DR (or are the DR with at least one Full neighbour).
  std::uint32_t dr_address = 0;
  bool adjacent_to_dr = false;
  // Broadcast: the Router IDs of the neighbours we are Full with, ascending. While we are the DR
  // (dr_address == address) they and we are the attached routers of the network-LSA (§12.4.2).
  std::vector<std::uint32_t> full_neighbors;
  // Point-to-point: the neighbour's router ID while the adjacency is Full.
  std::optional<std::uint32_t> full_neighbor;
  bool operator==(const InterfaceLinkState&) const = default;
};

// How our AS-external-LSAs look (config `ospf.external` and `ospf.max_external_lsas`).
struct ExternalPolicy {
  std::uint32_t metric = 20;      // capped at 0xffffff (24 bits)
  std::uint8_t metric_type = 2;   // 1 or 2 (the E bit)
  std::uint32_t tag = 0;
  std::uint32_t max_external_lsas = 1000;
  bool operator==(const ExternalPolicy&) const = default;
};

class LsaOriginator {
 public:
  struct Result {
    std::vector<wire::Lsa> lsas;  // new instances and flushes, finalized: install and flood each
    std::optional<Clock::time_point> next_update;  // a deferred change or refresh is due then
    std::size_t externals_left_out = 0;  // IPv4 prefixes not originated (over the cap, or no free LS ID)
  };

  explicit LsaOriginator(std::uint32_t router_id, ExternalPolicy policy = {});

  void set_interfaces(std::vector<InterfaceLinkState> interfaces) { interfaces_ = std::move(interfaces); }
  void set_routes(const net::RouteSet& routes);  // IPv6 prefixes are ignored (OSPFv3 is later)
  void set_policy(const ExternalPolicy& policy) { policy_ = policy; }
  // Holds the first router-LSA back until it names an adjacency (a transit or point-to-point
  // link). Before that it could carry only stub links, which no neighbour can use (§16.1 needs a
  // link back to reach us), and nobody is adjacent to receive it; yet originating it would start
  // MinLSInterval (§12.4) and delay the instance that names the first adjacency by up to 5 s.
  // The externals are not held. Off by default: then the router-LSA goes out at the first update.
  void set_hold_first_router_lsa(bool hold) { hold_first_router_lsa_ = hold; }

  // Brings what we originated in line with the desired state: originates new or changed LSAs
  // (a change within MinLSInterval of the previous instance waits: see next_update), refreshes
  // those LSRefreshTime old, flushes those no longer wanted.
  Result update(Clock::time_point now);

  // §13.4: a neighbour had a newer instance of one of ours (e.g. from before a restart). If we
  // still want it, originate at once with a sequence number past the received one; else flush
  // the received instance.
  Result on_self_originated(const wire::Lsa& received, Clock::time_point now);

  // Our LSAs that Lsdb::expire removed (flushes that every neighbour acknowledged). A flushed
  // LSA is forgotten, and one flushed for a sequence wrap is originated anew at
  // InitialSequenceNumber (also returned in the result).
  Result removed_from_database(const std::vector<LsaKey>& keys, Clock::time_point now);

  // Shutdown: flush every LSA we originated; update() originates nothing afterwards.
  Result flush_all(Clock::time_point now);

  // The last instance we produced for the key (a flush has age MaxAge); nullptr if none.
  const wire::Lsa* current(const LsaKey& key) const;
  std::uint64_t originated_count() const { return originated_count_; }  // new instances, not flushes
  LsaKey router_lsa_key() const { return {wire::lsa_type::router, router_id_, router_id_}; }

 private:
  struct Content {
    std::uint8_t options = 0;
    wire::LsaBody body;
  };
  struct Record {
    wire::Lsa lsa;            // the last instance: age 0 when originated, MaxAge when flushed
    Clock::time_point at;     // when that instance was made
    bool flushed = false;
    bool wrapping = false;    // flushed at MaxSequenceNumber: the next instance waits for removal
  };
  struct Desired {
    std::map<LsaKey, Content> lsas;
    std::size_t externals_left_out = 0;
  };

  Desired desired() const;
  // The first router-LSA is being held (set_hold_first_router_lsa) and `content` names no adjacency.
  bool holding_router_lsa(const Content& content) const;
  wire::Lsa build(const LsaKey& key, const Content& content, std::int32_t seq) const;
  // The instance after rec (seq + 1), or the wrap flush when rec is at MaxSequenceNumber.
  void originate_next(const LsaKey& key, Record& rec, const Content& want, Clock::time_point now, Result& out);
  void flush(Record& rec, Clock::time_point now, Result& out);

  std::uint32_t router_id_;
  ExternalPolicy policy_;
  std::vector<InterfaceLinkState> interfaces_;
  std::vector<net::Prefix> prefixes_;  // IPv4 only, in RouteSet (ascending) order
  std::map<LsaKey, Record> records_;
  bool shut_down_ = false;
  bool hold_first_router_lsa_ = false;
  std::uint64_t originated_count_ = 0;
};

}  // namespace ospf
