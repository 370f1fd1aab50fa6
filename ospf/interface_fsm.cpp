#include "ospf/interface_fsm.hpp"

#include <algorithm>
#include <ostream>
#include <utility>

#include "config/duration.hpp"
#include "net/overloaded.hpp"

namespace ospf {
namespace {

using net::Overloaded;

bool is_designated(InterfaceState s) { return s == InterfaceState::dr || s == InterfaceState::backup; }

const NeighborSnapshots* neighbors_of(const InterfaceEvent& event) {
  if (const auto* e = std::get_if<NeighborChange>(&event)) return &e->neighbors;
  if (const auto* e = std::get_if<BackupSeen>(&event)) return &e->neighbors;
  if (const auto* e = std::get_if<NeighborsUpdated>(&event)) return &e->neighbors;
  return nullptr;
}

// One router taking part in the election, with its declarations as the election sees them.
struct Candidate {
  std::uint32_t router_id;
  std::uint32_t address;
  std::uint8_t priority;
  bool declares_dr;
  bool declares_bdr;  // listing itself as BDR and not as DR
};

// Highest Router Priority wins; ties go to the highest Router ID (§9.4 steps 2 and 3).
const Candidate* best(const std::vector<Candidate>& all, auto&& eligible) {
  const Candidate* winner = nullptr;
  for (const auto& c : all) {
    if (!eligible(c)) continue;
    if (!winner || c.priority > winner->priority ||
        (c.priority == winner->priority && c.router_id > winner->router_id)) {
      winner = &c;
    }
  }
  return winner;
}

// §9.4 steps 2 and 3, with our own declarations given (they change between the two passes).
Election calculate(const NeighborSnapshot& self, bool self_dr, bool self_bdr, const NeighborSnapshots& neighbors) {
  std::vector<Candidate> all;
  // Step 1's list: ourselves and the neighbors in 2-Way or higher; priority 0 is never eligible.
  if (self.priority > 0) all.push_back({self.router_id, self.address, self.priority, self_dr, self_bdr && !self_dr});
  for (const auto& n : neighbors) {
    if (!n.bidirectional || n.priority == 0) continue;
    bool dr = n.designated_router == n.address;
    all.push_back({n.router_id, n.address, n.priority, dr, !dr && n.backup_designated_router == n.address});
  }
  // Step 2: the BDR, from those not declaring themselves DR; self-declared BDRs first.
  const Candidate* bdr = best(all, [](const Candidate& c) { return !c.declares_dr && c.declares_bdr; });
  if (!bdr) bdr = best(all, [](const Candidate& c) { return !c.declares_dr; });
  // Step 3: the DR, from those declaring themselves DR; else the new BDR.
  const Candidate* dr = best(all, [](const Candidate& c) { return c.declares_dr; });
  if (!dr) dr = bdr;
  return {dr ? dr->address : 0, bdr ? bdr->address : 0};
}

}  // namespace

Election elect_designated_routers(const NeighborSnapshot& self, const NeighborSnapshots& neighbors) {
  // Step 1: note the current values.
  bool was_dr = self.designated_router == self.address;
  bool was_bdr = self.backup_designated_router == self.address;
  Election result = calculate(self, was_dr, was_bdr, neighbors);
  // Step 4: if we are newly DR or BDR, or no longer, repeat steps 2 and 3 with our new
  // declarations, so that we are never both DR and BDR.
  bool is_dr = result.designated_router == self.address;
  bool is_bdr = result.backup_designated_router == self.address;
  if (is_dr != was_dr || is_bdr != was_bdr) result = calculate(self, is_dr, is_bdr, neighbors);
  return result;
}

std::optional<std::string> hello_mismatch(const InterfaceConfig& config, const wire::Hello& hello) {
  // The mask is only meaningful on multi-access networks; on point-to-point links it is ignored.
  if (config.type == InterfaceType::broadcast && hello.network_mask != config.mask) return "network mask mismatch";
  if (hello.hello_interval != config::whole_seconds(config.hello_interval)) return "HelloInterval mismatch";
  if (hello.dead_interval != config::whole_seconds(config.dead_interval)) return "RouterDeadInterval mismatch";
  // The E bit says whether the area carries AS-external-LSAs; both ends must agree.
  if ((hello.options & wire::option::e) != (config.options & wire::option::e)) return "E bit (ExternalRoutingCapability) mismatch";
  return std::nullopt;
}

InterfaceFsm::InterfaceFsm(InterfaceConfig config) : config_(std::move(config)) {}

std::vector<InterfaceAction> InterfaceFsm::handle(const InterfaceEvent& event, Clock::time_point) {
  Actions out;
  if (const auto* expired = std::get_if<TimerExpired>(&event)) {
    // An expiry of a timer we stopped (a race in the adapter) is not an event for this machine.
    if (!timers_.fire(expired->timer)) return out;
  }
  bool up = state_ != InterfaceState::down && state_ != InterfaceState::loopback;
  if (const auto* neighbors = neighbors_of(event); neighbors && up) neighbors_ = *neighbors;
  switch (state_) {
    case InterfaceState::down: in_down(event, out); break;
    case InterfaceState::loopback: in_loopback(event, out); break;
    case InterfaceState::waiting: in_waiting(event, out); break;
    case InterfaceState::point_to_point: in_point_to_point(event, out); break;
    case InterfaceState::dr_other:
    case InterfaceState::backup:
    case InterfaceState::dr: in_elected(event, out); break;
  }
  return out;
}

// ---- Per-state handlers (§9.3) -----------------------------------------------------------------

void InterfaceFsm::in_down(const InterfaceEvent& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const InterfaceUp&) { interface_up(out); },
                 [&](const LoopInd&) { go_down(InterfaceState::loopback, out); },
                 [&](const auto&) {},  // nothing else happens on a down interface
             },
             event);
}

void InterfaceFsm::in_loopback(const InterfaceEvent& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const UnloopInd&) { set_state(InterfaceState::down, out); },  // back to Down, then InterfaceUp
                 [&](const InterfaceDown&) { set_state(InterfaceState::down, out); },
                 [&](const auto&) {},
             },
             event);
}

void InterfaceFsm::in_waiting(const InterfaceEvent& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const BackupSeen&) {  // a BDR exists already: no need to wait any longer
                   stop_timer(TimerId::wait, out);
                   elect(out);
                 },
                 [&](const TimerExpired& expired) {
                   if (expired.timer == TimerId::wait) return elect(out);  // WaitTimer
                   if (expired.timer == TimerId::hello) send_hello(out);
                 },
                 [&](const InterfaceDown&) { go_down(InterfaceState::down, out); },
                 [&](const LoopInd&) { go_down(InterfaceState::loopback, out); },
                 // NeighborChange: no election while Waiting (§9.3 lists it only for DR Other, Backup, DR).
                 [&](const auto&) {},
             },
             event);
}

void InterfaceFsm::in_point_to_point(const InterfaceEvent& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const TimerExpired& expired) {
                   if (expired.timer == TimerId::hello) send_hello(out);
                 },
                 [&](const InterfaceDown&) { go_down(InterfaceState::down, out); },
                 [&](const LoopInd&) { go_down(InterfaceState::loopback, out); },
                 [&](const auto&) {},  // no DR on a point-to-point link
             },
             event);
}

void InterfaceFsm::in_elected(const InterfaceEvent& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const NeighborChange&) { elect(out); },
                 [&](const TimerExpired& expired) {
                   if (expired.timer == TimerId::hello) send_hello(out);
                 },
                 [&](const InterfaceDown&) { go_down(InterfaceState::down, out); },
                 [&](const LoopInd&) { go_down(InterfaceState::loopback, out); },
                 [&](const auto&) {},  // BackupSeen only matters while Waiting
             },
             event);
}

// ---- Transitions -------------------------------------------------------------------------------

void InterfaceFsm::interface_up(Actions& out) {
  if (config_.type == InterfaceType::point_to_point) {
    set_state(InterfaceState::point_to_point, out);
  } else if (config_.priority == 0) {
    set_state(InterfaceState::dr_other, out);  // not eligible: nothing to wait for
  } else {
    set_state(InterfaceState::waiting, out);
  }
  // Start the Hello Timer; the first Hello goes now rather than a HelloInterval later.
  send_hello(out);
  if (state_ == InterfaceState::waiting) start_timer(TimerId::wait, config_.dead_interval, out);
}

void InterfaceFsm::go_down(InterfaceState next, Actions& out) {
  bool was_designated = is_designated(state_);
  set_state(next, out);
  // Reset all interface variables and disable the timers.
  stop_timer(TimerId::hello, out);
  stop_timer(TimerId::wait, out);
  if (was_designated) out.emplace_back(LeaveAllDRouters{});
  dr_ = bdr_ = 0;
  neighbors_.clear();
  out.emplace_back(KillAllNeighbors{});
}

void InterfaceFsm::elect(Actions& out) {
  NeighborSnapshot self{config_.router_id, config_.address, config_.priority, dr_, bdr_, true};
  Election result = elect_designated_routers(self, neighbors_);
  bool changed = result.designated_router != dr_ || result.backup_designated_router != bdr_;
  dr_ = result.designated_router;
  bdr_ = result.backup_designated_router;
  // Step 5: our new state follows from the result.
  InterfaceState next = dr_ == config_.address    ? InterfaceState::dr
                        : bdr_ == config_.address ? InterfaceState::backup
                                                  : InterfaceState::dr_other;
  bool was_designated = is_designated(state_);
  set_state(next, out);
  if (!was_designated && is_designated(next)) out.emplace_back(JoinAllDRouters{});
  if (was_designated && !is_designated(next)) out.emplace_back(LeaveAllDRouters{});
  // Step 7: adjacencies to form or break (AdjOK?), and the router-LSA to redo.
  if (changed) out.emplace_back(DrChanged{dr_, bdr_});
}

void InterfaceFsm::send_hello(Actions& out) {
  out.emplace_back(SendHello{hello()});
  start_timer(TimerId::hello, config_.hello_interval, out);
}

wire::Hello InterfaceFsm::hello() const {
  wire::Hello h;
  h.network_mask = config_.mask;
  h.hello_interval = static_cast<std::uint16_t>(config::whole_seconds(config_.hello_interval));
  h.options = config_.options;
  h.priority = config_.priority;
  h.dead_interval = config::whole_seconds(config_.dead_interval);
  h.designated_router = dr_;
  h.backup_designated_router = bdr_;
  for (const auto& n : neighbors_) h.neighbors.push_back(n.router_id);
  return h;
}

void InterfaceFsm::set_state(InterfaceState next, Actions& out) {
  if (next == state_) return;
  out.emplace_back(InterfaceStateChanged{state_, next});
  state_ = next;
}

void InterfaceFsm::start_timer(TimerId timer, Duration duration, Actions& out) {
  timers_.start(timer, duration, out);
}

void InterfaceFsm::stop_timer(TimerId timer, Actions& out) {
  timers_.stop(timer, out);
}

// ---- Printers ----------------------------------------------------------------------------------

const char* to_string(InterfaceType type) {
  switch (type) {
    case InterfaceType::broadcast: return "broadcast";
    case InterfaceType::point_to_point: return "point-to-point";
  }
  return "?";
}

const char* to_string(InterfaceState state) {
  switch (state) {
    case InterfaceState::down: return "Down";
    case InterfaceState::loopback: return "Loopback";
    case InterfaceState::waiting: return "Waiting";
    case InterfaceState::point_to_point: return "Point-to-point";
    case InterfaceState::dr_other: return "DR Other";
    case InterfaceState::backup: return "Backup";
    case InterfaceState::dr: return "DR";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, InterfaceState s) { return os << to_string(s); }

std::ostream& operator<<(std::ostream& os, const NeighborSnapshot& n) {
  return os << '{' << DottedQuad{n.router_id} << " at " << DottedQuad{n.address} << " prio "
            << static_cast<int>(n.priority) << " DR " << DottedQuad{n.designated_router} << " BDR "
            << DottedQuad{n.backup_designated_router} << (n.bidirectional ? " 2-Way" : " Init") << '}';
}

std::ostream& operator<<(std::ostream& os, const Election& e) {
  return os << "DR " << DottedQuad{e.designated_router} << " BDR " << DottedQuad{e.backup_designated_router};
}

namespace {
std::ostream& print_neighbors(std::ostream& os, const char* name, const NeighborSnapshots& neighbors) {
  os << name << '[';
  for (std::size_t i = 0; i < neighbors.size(); ++i) os << (i ? ", " : "") << neighbors[i];
  return os << ']';
}
}  // namespace

std::ostream& operator<<(std::ostream& os, const InterfaceUp&) { return os << "InterfaceUp"; }
std::ostream& operator<<(std::ostream& os, const InterfaceDown&) { return os << "InterfaceDown"; }
std::ostream& operator<<(std::ostream& os, const LoopInd&) { return os << "LoopInd"; }
std::ostream& operator<<(std::ostream& os, const UnloopInd&) { return os << "UnloopInd"; }
std::ostream& operator<<(std::ostream& os, const BackupSeen& e) { return print_neighbors(os, "BackupSeen", e.neighbors); }
std::ostream& operator<<(std::ostream& os, const NeighborChange& e) {
  return print_neighbors(os, "NeighborChange", e.neighbors);
}
std::ostream& operator<<(std::ostream& os, const NeighborsUpdated& e) {
  return print_neighbors(os, "NeighborsUpdated", e.neighbors);
}
std::ostream& operator<<(std::ostream& os, const SendHello& a) { return os << "SendHello(" << a.hello << ')'; }
std::ostream& operator<<(std::ostream& os, const JoinAllDRouters&) { return os << "JoinAllDRouters"; }
std::ostream& operator<<(std::ostream& os, const LeaveAllDRouters&) { return os << "LeaveAllDRouters"; }
std::ostream& operator<<(std::ostream& os, const DrChanged& a) {
  return os << "DrChanged(DR " << DottedQuad{a.designated_router} << ", BDR "
            << DottedQuad{a.backup_designated_router} << ')';
}
std::ostream& operator<<(std::ostream& os, const KillAllNeighbors&) { return os << "KillAllNeighbors"; }
std::ostream& operator<<(std::ostream& os, const InterfaceStateChanged& a) {
  return os << "InterfaceStateChanged(" << a.from << " -> " << a.to << ')';
}
std::ostream& operator<<(std::ostream& os, const InterfaceEvent& event) {
  return std::visit([&](const auto& e) -> std::ostream& { return os << e; }, event);
}
std::ostream& operator<<(std::ostream& os, const InterfaceAction& action) {
  return std::visit([&](const auto& a) -> std::ostream& { return os << a; }, action);
}

}  // namespace ospf
