// The RFC 2328 §10 neighbor state machine for one neighbor on one interface, as a pure class:
// Hello processing (§10.5), Database Exchange (§10.6, §10.8) and the Link State Requests of
// Loading (§10.9). It owns no socket, timer, clock or link state database.
//
// How the instance drives it (one NeighborFsm per neighbor, created on its first Hello):
//  - HelloReceived for every Hello that passed hello_mismatch(), with the interface's current
//    DR and BDR. The machine derives HelloReceived, 2-WayReceived and 1-WayReceived itself, and
//    asks for the interface's NeighborChange / BackupSeen with ScheduleInterfaceEvent.
//  - DdReceived for every Database Description from the neighbor. The LSDB stays outside, so the
//    event carries the instance's verdict on the packet's headers: `wanted` (the headers for which
//    the LSDB holds no instance or an older one: the Link state request list additions) and
//    `invalid_lsa_type` (an unknown LS type, or AS-external in a stub area). When
//    needs_database_summary() is true (state ExStart), it also carries `database_summary`: the
//    headers of every LSA in the area's database, taken now, which become the Database summary
//    list if this packet completes the negotiation (NegotiationDone). The machine paces them out
//    in SendDd actions; SendDd is a complete packet.
//  - RequestedLsasReceived when an LS Update brought an LSA on the request list (as recent as, or
//    newer than, the one requested); LoadingDone follows when the list empties.
//  - BadLsReq when flooding finds a problem with the exchange (§13 step 6, or the neighbor asked
//    for an LSA we do not have, §10.7); SeqNumberMismatch is raised here from DDs but may also be
//    sent in.
//  - AdjOk after the interface's DrChanged (§9.4 step 7), with the new DR and BDR.
//  - KillNbr from the interface's KillAllNeighbors; LLDown from the link layer.
//  - TimerExpired for the timers it starts (inactivity, dd_retransmit, ls_request_retransmit,
//    dd_hold).
// The Link state retransmission list is flooding's (§13.3) and stays with the instance/LSDB part,
// which owns the ls_update_retransmit timer too. This machine says when the list must be emptied
// (ClearLsRetransmissionList) and the instance floods only to neighbors in Exchange or higher.
// A neighbor that reaches Down can be deleted by the instance.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ospf/interface_fsm.hpp"
#include "ospf/timer_id.hpp"
#include "ospf/wire/packet.hpp"

namespace ospf {

// No Attempt state: that is NBMA only.
enum class NeighborState : std::uint8_t { down, init, two_way, ex_start, exchange, loading, full };
const char* to_string(NeighborState);

// The parts of the interface a neighbor needs (§9, §10.8). IDs and addresses are host order.
struct NeighborConfig {
  InterfaceType type = InterfaceType::broadcast;
  std::uint32_t router_id = 0;  // ours
  std::uint32_t address = 0;    // our interface address
  std::uint16_t mtu = 1500;     // our interface MTU, sent in and checked against DDs
  std::uint8_t options = wire::option::e;
  Duration dead_interval{40'000};  // RouterDeadInterval
  Duration rxmt_interval{5'000};   // RxmtInterval
  // How many LSA headers one DD holds, and how many entries one LS Request: (MTU - IP header -
  // OSPF header - body header - room for an authentication trailer) / entry size.
  std::size_t dd_headers_per_packet = (1500 - 20 - 24 - 8 - 32) / 20;
  std::size_t requests_per_packet = (1500 - 20 - 24 - 32) / 12;
};
NeighborConfig neighbor_config(const InterfaceConfig&);

// The network's DR and BDR as the interface currently has them (interface addresses, 0 = none).
struct DesignatedRouters {
  std::uint32_t designated_router = 0;
  std::uint32_t backup_designated_router = 0;
  bool operator==(const DesignatedRouters&) const = default;
};

// ---- Events (RFC 2328 §10.2) -------------------------------------------------------------------
// A Hello from this neighbor (§10.5), already checked by hello_mismatch(). Gives HelloReceived
// and then 2-WayReceived or 1-WayReceived.
struct HelloReceived {
  std::uint32_t source_address = 0;  // the IP source address: the neighbor's interface address
  wire::Hello hello;
  DesignatedRouters interface;  // the receiving interface's current DR and BDR
  bool operator==(const HelloReceived&) const = default;
};
// A Database Description from this neighbor (§10.6). See the file comment for the other fields.
// Gives NegotiationDone, ExchangeDone and SeqNumberMismatch as the packet dictates.
struct DdReceived {
  wire::DatabaseDescription dd;
  std::vector<wire::LsaHeader> wanted;
  bool invalid_lsa_type = false;
  std::vector<wire::LsaHeader> database_summary;
  bool operator==(const DdReceived&) const = default;
};
// LSAs that were on the Link state request list arrived (§13 step 5); may give LoadingDone.
struct RequestedLsasReceived {
  std::vector<wire::LsaRequest> lsas;
  bool operator==(const RequestedLsasReceived&) const = default;
};
struct BadLsReq {
  bool operator==(const BadLsReq&) const = default;
};
struct SeqNumberMismatch {
  bool operator==(const SeqNumberMismatch&) const = default;
};
// AdjOK?: decide again whether an adjacency should form (§10.4), given the new DR and BDR.
struct AdjOk {
  DesignatedRouters interface;
  bool operator==(const AdjOk&) const = default;
};
struct KillNbr {
  bool operator==(const KillNbr&) const = default;
};
struct LlDown {
  bool operator==(const LlDown&) const = default;
};
// InactivityTimer is TimerExpired{TimerId::inactivity}.
using NeighborEvent = std::variant<HelloReceived, DdReceived, RequestedLsasReceived, BadLsReq, SeqNumberMismatch,
                                   AdjOk, KillNbr, LlDown, TimerExpired>;

// ---- Actions -----------------------------------------------------------------------------------
// Send this Database Description to the neighbor.
struct SendDd {
  wire::DatabaseDescription dd;
  bool operator==(const SendDd&) const = default;
};
// Send this Link State Request to the neighbor.
struct SendLsRequest {
  wire::LinkStateRequest request;
  bool operator==(const SendLsRequest&) const = default;
};
// "The receiving interface's state machine is scheduled with the event ..." (§10.5, §9.2): the
// instance sends the interface NeighborChange or BackupSeen with a fresh neighbor snapshot.
enum class InterfaceEventKind : std::uint8_t { neighbor_change, backup_seen };
struct ScheduleInterfaceEvent {
  InterfaceEventKind event;
  bool operator==(const ScheduleInterfaceEvent&) const = default;
};
// Empty this neighbor's Link state retransmission list and stop its ls_update_retransmit timer.
struct ClearLsRetransmissionList {
  bool operator==(const ClearLsRetransmissionList&) const = default;
};
// A DD was dropped for a reason an operator should see (an MTU mismatch, most often).
struct DdRejected {
  std::string reason;
  bool operator==(const DdRejected&) const = default;
};
// For logs and metrics, and the router-LSA: entering or leaving Full changes it (§12.4).
struct NeighborStateChanged {
  NeighborState from;
  NeighborState to;
  std::string event;  // the RFC event that caused it
  bool operator==(const NeighborStateChanged&) const = default;
};
using NeighborAction = std::variant<SendDd, SendLsRequest, StartTimer, StopTimer, ScheduleInterfaceEvent,
                                    ClearLsRetransmissionList, DdRejected, NeighborStateChanged>;

class NeighborFsm {
 public:
  // `dd_sequence_source` picks the first DD sequence number (§10.8: "unique", e.g. the time of
  // day); later ExStarts increment it.
  NeighborFsm(NeighborConfig config, std::uint32_t router_id, std::uint32_t address,
              std::function<std::uint32_t()> dd_sequence_source);

  std::vector<NeighborAction> handle(const NeighborEvent& event, Clock::time_point now);

  NeighborState state() const { return state_; }
  std::uint32_t router_id() const { return router_id_; }
  std::uint32_t address() const { return address_; }
  std::uint8_t priority() const { return priority_; }
  std::uint32_t designated_router() const { return dr_; }
  std::uint32_t backup_designated_router() const { return bdr_; }
  std::uint8_t options() const { return options_; }  // from its DDs (Neighbor Options)
  bool is_master() const { return master_; }           // we are master of the exchange
  std::uint32_t dd_sequence_number() const { return dd_sequence_; }
  bool needs_database_summary() const { return state_ == NeighborState::ex_start; }
  const std::deque<wire::LsaHeader>& database_summary_list() const { return summary_list_; }
  const std::deque<wire::LsaHeader>& request_list() const { return request_list_; }
  NeighborSnapshot snapshot() const;

 private:
  using Actions = std::vector<NeighborAction>;

  // One handler per state (§10.3); DDs go through dd_received (§10.6), whose switch is by state too.
  void in_down(const NeighborEvent&, Actions&);
  void in_init(const NeighborEvent&, Actions&);
  void in_two_way(const NeighborEvent&, Actions&);
  void in_adjacent(const NeighborEvent&, Actions&);  // ExStart, Exchange, Loading and Full share most

  void hello_received(const HelloReceived&, Actions&);
  void two_way_received(const DesignatedRouters&, Actions&);
  void one_way_received(Actions&);
  void dd_received(const DdReceived&, Actions&);
  void process_dd(const DdReceived&, Actions&);  // an accepted DD: §10.6 "processed as follows"
  void timer_expired(TimerId, Actions&);
  void requested_lsas_received(const RequestedLsasReceived&, Actions&);

  bool should_be_adjacent(const DesignatedRouters&) const;  // §10.4
  void enter_ex_start(const char* event, Actions&);
  void negotiation_done(bool master, const DdReceived&, Actions&);
  void exchange_done(Actions&);
  void send_next_dd(Actions&);
  void send_requests(Actions&);
  void tear_down(NeighborState old, Actions&);  // empty the lists after leaving `old`
  void go_down(const char* event, Actions&);
  void set_state(NeighborState, const char* event, Actions&);
  void start_timer(TimerId, Duration, Actions&);
  void stop_timer(TimerId, Actions&);

  NeighborConfig config_;
  std::function<std::uint32_t()> dd_sequence_source_;
  NeighborState state_ = NeighborState::down;
  // The neighbor data structure (§10).
  std::uint32_t router_id_;
  std::uint32_t address_;
  std::uint8_t priority_ = 0;
  std::uint32_t dr_ = 0;
  std::uint32_t bdr_ = 0;
  std::uint8_t options_ = 0;
  bool master_ = true;
  std::uint32_t dd_sequence_ = 0;
  bool dd_sequence_chosen_ = false;
  DesignatedRouters designated_;  // the interface's DR and BDR, as last told
  // The last DD received (its I, M, MS bits, Options and sequence number), for duplicates.
  std::optional<wire::DatabaseDescription> last_received_;
  // The last DD sent: resent by the master on timeout and by the slave on a duplicate.
  std::optional<wire::DatabaseDescription> last_sent_;
  std::deque<wire::LsaHeader> summary_list_;  // Database summary list
  std::deque<wire::LsaHeader> request_list_;  // Link state request list
  std::vector<wire::LsaRequest> outstanding_;  // in the last LS Request sent, not yet answered
  ArmedTimers timers_;
};

std::ostream& operator<<(std::ostream&, NeighborState);
std::ostream& operator<<(std::ostream&, const DesignatedRouters&);
std::ostream& operator<<(std::ostream&, const HelloReceived&);
std::ostream& operator<<(std::ostream&, const DdReceived&);
std::ostream& operator<<(std::ostream&, const RequestedLsasReceived&);
std::ostream& operator<<(std::ostream&, const BadLsReq&);
std::ostream& operator<<(std::ostream&, const SeqNumberMismatch&);
std::ostream& operator<<(std::ostream&, const AdjOk&);
std::ostream& operator<<(std::ostream&, const KillNbr&);
std::ostream& operator<<(std::ostream&, const LlDown&);
std::ostream& operator<<(std::ostream&, const SendDd&);
std::ostream& operator<<(std::ostream&, const SendLsRequest&);
std::ostream& operator<<(std::ostream&, const ScheduleInterfaceEvent&);
std::ostream& operator<<(std::ostream&, const ClearLsRetransmissionList&);
std::ostream& operator<<(std::ostream&, const DdRejected&);
std::ostream& operator<<(std::ostream&, const NeighborStateChanged&);
std::ostream& operator<<(std::ostream&, const NeighborEvent&);
std::ostream& operator<<(std::ostream&, const NeighborAction&);

}  // namespace ospf
