// The RFC 2328 §9 interface state machine for one OSPF interface, as a pure class: events in,
// actions out, including the §9.4 Designated Router election. It owns no socket, timer or clock.
//
// How the instance drives it:
//  - InterfaceUp / InterfaceDown / LoopInd / UnloopInd from the link's state.
//  - The interface does not own the neighbors (the NeighborFsms do); it holds the latest
//    *snapshot* of them, which the instance hands over in NeighborChange, BackupSeen and
//    NeighborsUpdated. Build it from every neighbor in state Init or higher (§9.5: the Hello lists
//    every router heard from recently); `bidirectional` marks those in 2-Way or higher, which are
//    the only ones the election counts. Send NeighborChange / BackupSeen when a NeighborFsm asks
//    (ScheduleInterfaceEvent), and NeighborsUpdated whenever the set changes otherwise (a neighbor
//    appears in Init or is deleted) so the next Hello lists the right routers.
//  - TimerExpired for the hello and wait timers it starts.
//  - On DrChanged, run AdjOK? on every neighbor in 2-Way or higher (§9.4 step 7) and re-originate
//    the router-LSA (and the network-LSA when we are DR).
//  - KillAllNeighbors: send KillNbr to every neighbor of this interface.
#pragma once
#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ospf/timer_id.hpp"
#include "ospf/wire/packet.hpp"

namespace ospf {

// The two network types we run on (§1.2); NBMA, point-to-multipoint and virtual links are out of
// scope.
enum class InterfaceType : std::uint8_t { broadcast, point_to_point };
const char* to_string(InterfaceType);

enum class InterfaceState : std::uint8_t { down, loopback, waiting, point_to_point, dr_other, backup, dr };
const char* to_string(InterfaceState);

// The interface data structure's configured part (§9). IDs and addresses are host order.
struct InterfaceConfig {
  InterfaceType type = InterfaceType::broadcast;
  std::uint32_t router_id = 0;
  std::uint32_t address = 0;  // IP interface address; DR/BDR are named by it on broadcast networks
  std::uint32_t mask = 0;     // 0 on unnumbered point-to-point links (§A.3.2)
  std::uint8_t priority = 0;  // Router Priority; 0 = never DR or BDR (our default)
  Duration hello_interval{10'000};
  Duration dead_interval{40'000};   // RouterDeadInterval
  Duration rxmt_interval{5'000};    // RxmtInterval, for the neighbors
  std::uint8_t options = wire::option::e;  // E: an ASBR in a normal (non-stub) area
  std::uint16_t mtu = 1500;
};

// What the interface needs to know about one neighbor (§10: the neighbor data structure's
// Neighbor ID, IP address, Router Priority, Neighbor's DR and BDR, and whether it is >= 2-Way).
struct NeighborSnapshot {
  std::uint32_t router_id = 0;
  std::uint32_t address = 0;
  std::uint8_t priority = 0;
  std::uint32_t designated_router = 0;         // as the neighbor declares it in its Hellos
  std::uint32_t backup_designated_router = 0;  // likewise
  bool bidirectional = false;                  // neighbor state 2-Way or higher
  bool operator==(const NeighborSnapshot&) const = default;
};
using NeighborSnapshots = std::vector<NeighborSnapshot>;

// ---- Events (RFC 2328 §9.2) ------------------------------------------------------------------
struct InterfaceUp {
  bool operator==(const InterfaceUp&) const = default;
};
struct InterfaceDown {
  bool operator==(const InterfaceDown&) const = default;
};
struct LoopInd {
  bool operator==(const LoopInd&) const = default;
};
struct UnloopInd {
  bool operator==(const UnloopInd&) const = default;
};
// A neighbor declares itself BDR, or DR with no BDR (§10.5): ends Waiting early.
struct BackupSeen {
  NeighborSnapshots neighbors;
  bool operator==(const BackupSeen&) const = default;
};
// Bidirectional communication gained or lost, or a neighbor's priority or DR/BDR declaration changed.
struct NeighborChange {
  NeighborSnapshots neighbors;
  bool operator==(const NeighborChange&) const = default;
};
// Not an RFC event: the neighbor set changed without any of the above (only the Hello's list changes).
struct NeighborsUpdated {
  NeighborSnapshots neighbors;
  bool operator==(const NeighborsUpdated&) const = default;
};
// WaitTimer is TimerExpired{TimerId::wait}; the Hello Timer is TimerExpired{TimerId::hello}.
using InterfaceEvent =
    std::variant<InterfaceUp, InterfaceDown, LoopInd, UnloopInd, BackupSeen, NeighborChange, NeighborsUpdated,
                 TimerExpired>;

// ---- Actions ---------------------------------------------------------------------------------
// Send this Hello out of the interface (to AllSPFRouters, 224.0.0.5).
struct SendHello {
  wire::Hello hello;
  bool operator==(const SendHello&) const = default;
};
// Join / leave AllDRouters (224.0.0.6): we became / stopped being DR or BDR (§A.1).
struct JoinAllDRouters {
  bool operator==(const JoinAllDRouters&) const = default;
};
struct LeaveAllDRouters {
  bool operator==(const LeaveAllDRouters&) const = default;
};
// The network's DR or BDR changed (§9.4 step 7): run AdjOK? on the neighbors in 2-Way or higher and
// re-originate the router-LSA (and the network-LSA if we are, or were, DR).
struct DrChanged {
  std::uint32_t designated_router = 0;  // interface addresses, 0 = none
  std::uint32_t backup_designated_router = 0;
  bool operator==(const DrChanged&) const = default;
};
// InterfaceDown / LoopInd: generate KillNbr on every neighbor of the interface.
struct KillAllNeighbors {
  bool operator==(const KillAllNeighbors&) const = default;
};
// For logs, metrics and the router-LSA (whose links depend on the interface state).
struct InterfaceStateChanged {
  InterfaceState from;
  InterfaceState to;
  bool operator==(const InterfaceStateChanged&) const = default;
};
using InterfaceAction = std::variant<SendHello, StartTimer, StopTimer, JoinAllDRouters, LeaveAllDRouters, DrChanged,
                                     KillAllNeighbors, InterfaceStateChanged>;

class InterfaceFsm {
 public:
  explicit InterfaceFsm(InterfaceConfig config);

  std::vector<InterfaceAction> handle(const InterfaceEvent& event, Clock::time_point now);

  InterfaceState state() const { return state_; }
  const InterfaceConfig& config() const { return config_; }
  // The network's DR and BDR as we currently declare them (interface addresses; 0 = none).
  std::uint32_t designated_router() const { return dr_; }
  std::uint32_t backup_designated_router() const { return bdr_; }
  const NeighborSnapshots& neighbors() const { return neighbors_; }
  // The Hello we would send now (§9.5, §A.3.2).
  wire::Hello hello() const;

 private:
  using Actions = std::vector<InterfaceAction>;

  // One handler per state (§9.3).
  void in_down(const InterfaceEvent&, Actions&);
  void in_loopback(const InterfaceEvent&, Actions&);
  void in_waiting(const InterfaceEvent&, Actions&);
  void in_point_to_point(const InterfaceEvent&, Actions&);
  void in_elected(const InterfaceEvent&, Actions&);  // DR Other, Backup and DR behave alike

  void interface_up(Actions&);
  void go_down(InterfaceState next, Actions&);  // InterfaceDown and LoopInd
  void elect(Actions&);                         // §9.4, then the new state
  void send_hello(Actions&);
  void set_state(InterfaceState, Actions&);
  void start_timer(TimerId, Duration, Actions&);
  void stop_timer(TimerId, Actions&);

  InterfaceConfig config_;
  InterfaceState state_ = InterfaceState::down;
  std::uint32_t dr_ = 0;
  std::uint32_t bdr_ = 0;
  NeighborSnapshots neighbors_;
  ArmedTimers timers_;
};

// §9.4 steps 1-4 as a pure function: the DR and BDR (interface addresses) that `self` computes from
// the neighbors it has 2-Way with. `self` carries our own address, ID, priority and current
// DR/BDR; its `bidirectional` flag is ignored. Exposed for tests.
struct Election {
  std::uint32_t designated_router = 0;
  std::uint32_t backup_designated_router = 0;
  bool operator==(const Election&) const = default;
};
Election elect_designated_routers(const NeighborSnapshot& self, const NeighborSnapshots& neighbors);

// §10.5: why a received Hello must be dropped before it reaches any neighbor (network mask on
// broadcast networks, HelloInterval, RouterDeadInterval, E bit), or nullopt if it is acceptable.
std::optional<std::string> hello_mismatch(const InterfaceConfig&, const wire::Hello&);

std::ostream& operator<<(std::ostream&, InterfaceState);
std::ostream& operator<<(std::ostream&, const NeighborSnapshot&);
std::ostream& operator<<(std::ostream&, const Election&);
std::ostream& operator<<(std::ostream&, const InterfaceUp&);
std::ostream& operator<<(std::ostream&, const InterfaceDown&);
std::ostream& operator<<(std::ostream&, const LoopInd&);
std::ostream& operator<<(std::ostream&, const UnloopInd&);
std::ostream& operator<<(std::ostream&, const BackupSeen&);
std::ostream& operator<<(std::ostream&, const NeighborChange&);
std::ostream& operator<<(std::ostream&, const NeighborsUpdated&);
std::ostream& operator<<(std::ostream&, const SendHello&);
std::ostream& operator<<(std::ostream&, const JoinAllDRouters&);
std::ostream& operator<<(std::ostream&, const LeaveAllDRouters&);
std::ostream& operator<<(std::ostream&, const DrChanged&);
std::ostream& operator<<(std::ostream&, const KillAllNeighbors&);
std::ostream& operator<<(std::ostream&, const InterfaceStateChanged&);
std::ostream& operator<<(std::ostream&, const InterfaceEvent&);
std::ostream& operator<<(std::ostream&, const InterfaceAction&);

}  // namespace ospf
