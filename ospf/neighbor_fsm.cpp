#include "ospf/neighbor_fsm.hpp"

#include <algorithm>
#include <ostream>
#include <utility>

#include "net/overloaded.hpp"

namespace ospf {
namespace {

using net::Overloaded;

bool same_lsa(const wire::LsaHeader& h, const wire::LsaRequest& r) {
  return h.type == r.type && h.ls_id == r.ls_id && h.advertising_router == r.advertising_router;
}

// §10.6: a duplicate repeats the I, M and MS bits, Options and sequence number of the last DD.
bool is_duplicate(const std::optional<wire::DatabaseDescription>& last, const wire::DatabaseDescription& dd) {
  return last && last->init == dd.init && last->more == dd.more && last->master == dd.master &&
         last->options == dd.options && last->sequence_number == dd.sequence_number;
}

}  // namespace

NeighborConfig neighbor_config(const InterfaceConfig& c) {
  NeighborConfig n;
  n.type = c.type;
  n.router_id = c.router_id;
  n.address = c.address;
  n.mtu = c.mtu;
  n.options = c.options;
  n.dead_interval = c.dead_interval;
  n.rxmt_interval = c.rxmt_interval;
  // Keep room for the IP and OSPF headers and the longest authentication trailer (HMAC-SHA-256).
  std::size_t room = c.mtu > 20 + 24 + 32 + 8 ? c.mtu - 20 - 24 - 32 : 8 + 20;
  n.dd_headers_per_packet = std::max<std::size_t>(1, (room - 8) / wire::kLsaHeaderSize);
  n.requests_per_packet = std::max<std::size_t>(1, room / 12);
  return n;
}

NeighborFsm::NeighborFsm(NeighborConfig config, std::uint32_t router_id, std::uint32_t address,
                         std::function<std::uint32_t()> dd_sequence_source)
    : config_(std::move(config)),
      dd_sequence_source_(std::move(dd_sequence_source)),
      router_id_(router_id),
      address_(address) {}

NeighborSnapshot NeighborFsm::snapshot() const {
  return {router_id_, address_, priority_, dr_, bdr_, state_ >= NeighborState::two_way};
}

std::vector<NeighborAction> NeighborFsm::handle(const NeighborEvent& event, Clock::time_point) {
  Actions out;
  if (const auto* expired = std::get_if<TimerExpired>(&event)) {
    // An expiry of a timer we stopped (a race in the adapter) is not an event for this machine.
    if (!timers_.fire(expired->timer)) return out;
  }
  switch (state_) {
    case NeighborState::down: in_down(event, out); break;
    case NeighborState::init: in_init(event, out); break;
    case NeighborState::two_way: in_two_way(event, out); break;
    case NeighborState::ex_start:
    case NeighborState::exchange:
    case NeighborState::loading:
    case NeighborState::full: in_adjacent(event, out); break;
  }
  return out;
}

// ---- Per-state handlers (§10.3) ----------------------------------------------------------------

void NeighborFsm::in_down(const NeighborEvent& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const HelloReceived& e) { hello_received(e, out); },
                 [&](const AdjOk& e) { designated_ = e.interface; },
                 [&](const auto&) {},  // a DD from a neighbor we have not heard is rejected; the rest is moot
             },
             event);
}

void NeighborFsm::in_init(const NeighborEvent& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const HelloReceived& e) { hello_received(e, out); },
                 [&](const DdReceived& e) { dd_received(e, out); },
                 [&](const AdjOk& e) { designated_ = e.interface; },  // only from 2-Way up
                 [&](const KillNbr&) { go_down("KillNbr", out); },
                 [&](const LlDown&) { go_down("LLDown", out); },
                 [&](const TimerExpired& e) {
                   if (e.timer == TimerId::inactivity) go_down("InactivityTimer", out);
                 },
                 [&](const auto&) {},  // BadLSReq, SeqNumberMismatch: Exchange or greater only
             },
             event);
}

void NeighborFsm::in_two_way(const NeighborEvent& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const HelloReceived& e) { hello_received(e, out); },
                 [&](const DdReceived& e) { dd_received(e, out); },
                 [&](const AdjOk& e) {  // AdjOK?: the DR or BDR changed; perhaps now adjacent
                   designated_ = e.interface;
                   if (should_be_adjacent(designated_)) enter_ex_start("AdjOK?", out);
                 },
                 [&](const KillNbr&) { go_down("KillNbr", out); },
                 [&](const LlDown&) { go_down("LLDown", out); },
                 [&](const TimerExpired& e) {
                   if (e.timer == TimerId::inactivity) go_down("InactivityTimer", out);
                 },
                 [&](const auto&) {},
             },
             event);
}

void NeighborFsm::in_adjacent(const NeighborEvent& event, Actions& out) {
  bool exchange_or_greater = state_ >= NeighborState::exchange;
  std::visit(Overloaded{
                 [&](const HelloReceived& e) { hello_received(e, out); },
                 [&](const DdReceived& e) { dd_received(e, out); },
                 [&](const RequestedLsasReceived& e) { requested_lsas_received(e, out); },
                 [&](const BadLsReq&) {
                   if (exchange_or_greater) enter_ex_start("BadLSReq", out);
                 },
                 [&](const SeqNumberMismatch&) {
                   if (exchange_or_greater) enter_ex_start("SeqNumberMismatch", out);
                 },
                 [&](const AdjOk& e) {  // AdjOK?: the adjacency may no longer be wanted
                   designated_ = e.interface;
                   if (should_be_adjacent(designated_)) return;
                   NeighborState old = state_;
                   set_state(NeighborState::two_way, "AdjOK?", out);
                   stop_timer(TimerId::dd_retransmit, out);
                   tear_down(old, out);
                 },
                 [&](const KillNbr&) { go_down("KillNbr", out); },
                 [&](const LlDown&) { go_down("LLDown", out); },
                 [&](const TimerExpired& e) { timer_expired(e.timer, out); },
             },
             event);
}

// ---- Hello processing (§10.5) ------------------------------------------------------------------

void NeighborFsm::hello_received(const HelloReceived& e, Actions& out) {
  const wire::Hello& hello = e.hello;
  bool is_new = state_ == NeighborState::down;
  bool was_bidirectional = state_ >= NeighborState::two_way;
  std::uint8_t old_priority = priority_;
  bool declared_dr = dr_ == address_ && dr_ != 0;
  bool declared_bdr = bdr_ == address_ && bdr_ != 0;
  address_ = e.source_address;
  priority_ = hello.priority;
  dr_ = hello.designated_router;
  bdr_ = hello.backup_designated_router;
  designated_ = e.interface;

  // HelloReceived: Down -> Init; every Hello restarts the Inactivity Timer.
  if (is_new) set_state(NeighborState::init, "HelloReceived", out);
  start_timer(TimerId::inactivity, config_.dead_interval, out);

  // 2-WayReceived if the neighbor lists us, else 1-WayReceived.
  bool lists_us =
      std::find(hello.neighbors.begin(), hello.neighbors.end(), config_.router_id) != hello.neighbors.end();
  if (lists_us) {
    two_way_received(e.interface, out);
  } else {
    one_way_received(out);
  }

  // The events for the interface. No DR on point-to-point links, so nothing there to tell.
  if (config_.type != InterfaceType::broadcast) return;
  bool declares_dr = dr_ == address_;
  bool declares_bdr = bdr_ == address_;
  bool neighbor_change = was_bidirectional != (state_ >= NeighborState::two_way) ||
                         (!is_new && old_priority != priority_) || declares_dr != declared_dr ||
                         declares_bdr != declared_bdr;
  // The RFC sends BackupSeen instead of NeighborChange when the interface is Waiting. The interface
  // ignores NeighborChange while Waiting and BackupSeen otherwise, so asking for both (NeighborChange
  // first) has the same effect without this machine knowing the interface's state.
  bool backup_seen = (declares_dr && bdr_ == 0) || declares_bdr;
  if (neighbor_change) out.emplace_back(ScheduleInterfaceEvent{InterfaceEventKind::neighbor_change});
  if (backup_seen) out.emplace_back(ScheduleInterfaceEvent{InterfaceEventKind::backup_seen});
}

void NeighborFsm::two_way_received(const DesignatedRouters& designated, Actions& out) {
  if (state_ != NeighborState::init) return;  // 2-Way or greater: no action
  if (should_be_adjacent(designated)) {
    enter_ex_start("2-WayReceived", out);
  } else {
    set_state(NeighborState::two_way, "2-WayReceived", out);
  }
}

void NeighborFsm::one_way_received(Actions& out) {
  if (state_ < NeighborState::two_way) return;  // Init: no action
  NeighborState old = state_;
  set_state(NeighborState::init, "1-WayReceived", out);
  stop_timer(TimerId::dd_retransmit, out);
  tear_down(old, out);
}

// §10.4: on point-to-point links always; on broadcast links only with (or as) the DR or BDR.
bool NeighborFsm::should_be_adjacent(const DesignatedRouters& d) const {
  if (config_.type == InterfaceType::point_to_point) return true;
  auto designated = [&](std::uint32_t address) {
    return address != 0 && (address == d.designated_router || address == d.backup_designated_router);
  };
  return designated(config_.address) || designated(address_);
}

// ---- Database Exchange (§10.6, §10.8) ----------------------------------------------------------

void NeighborFsm::dd_received(const DdReceived& e, Actions& out) {
  const wire::DatabaseDescription& dd = e.dd;
  if (dd.interface_mtu > config_.mtu) {
    // It would send us packets we cannot receive unfragmented: reject, and stay where we are.
    out.emplace_back(DdRejected{"interface MTU " + std::to_string(dd.interface_mtu) + " larger than ours (" +
                                std::to_string(config_.mtu) + ")"});
    return;
  }
  switch (state_) {
    case NeighborState::down: return;  // rejected
    case NeighborState::init:
      two_way_received(designated_, out);
      if (state_ != NeighborState::ex_start) return;
      [[fallthrough]];  // continue with the packet in ExStart
    case NeighborState::ex_start: {
      bool empty = dd.lsa_headers.empty();
      if (dd.init && dd.more && dd.master && empty && router_id_ > config_.router_id) {
        // The neighbor is master: we are slave and take its sequence number.
        master_ = false;
        dd_sequence_ = dd.sequence_number;
      } else if (!dd.init && !dd.master && dd.sequence_number == dd_sequence_ && router_id_ < config_.router_id) {
        master_ = true;  // the neighbor acknowledged our initial DD as slave
      } else {
        return;  // ignored
      }
      // NegotiationDone: record its Options, list our whole database, and take the packet.
      options_ = dd.options;
      set_state(NeighborState::exchange, "NegotiationDone", out);
      summary_list_.assign(e.database_summary.begin(), e.database_summary.end());
      if (!master_) stop_timer(TimerId::dd_retransmit, out);  // the slave only answers
      process_dd(e, out);
      return;
    }
    case NeighborState::two_way: return;  // ignored: no adjacency wanted
    case NeighborState::exchange:
      if (is_duplicate(last_received_, dd)) {
        // The master ignores duplicates; the slave answers them with its last DD again.
        if (!master_ && last_sent_) out.emplace_back(SendDd{*last_sent_});
        return;
      }
      if (dd.master == master_ || dd.init || dd.options != options_ ||
          dd.sequence_number != (master_ ? dd_sequence_ : dd_sequence_ + 1)) {
        enter_ex_start("SeqNumberMismatch", out);  // wrong MS bit, I bit, Options or sequence
        return;
      }
      process_dd(e, out);
      return;
    case NeighborState::loading:
    case NeighborState::full:
      // The exchange is over: only duplicates may still come. The slave answers them while it
      // holds its last DD (dd_hold); afterwards, and for anything else, start again.
      if (is_duplicate(last_received_, dd)) {
        if (master_) return;
        if (last_sent_) {
          out.emplace_back(SendDd{*last_sent_});
          return;
        }
      }
      enter_ex_start("SeqNumberMismatch", out);
      return;
  }
}

void NeighborFsm::process_dd(const DdReceived& e, Actions& out) {
  const wire::DatabaseDescription& dd = e.dd;
  if (e.invalid_lsa_type) return enter_ex_start("SeqNumberMismatch", out);
  last_received_ = dd;
  last_received_->lsa_headers.clear();  // only the header fields matter for duplicates
  request_list_.insert(request_list_.end(), e.wanted.begin(), e.wanted.end());
  if (master_) {
    ++dd_sequence_;
    // Both sides have sent everything: done. Otherwise send the next DD (maybe empty, M clear).
    if (!last_sent_->more && !dd.more) {
      exchange_done(out);
    } else {
      send_next_dd(out);
    }
  } else {
    dd_sequence_ = dd.sequence_number;
    send_next_dd(out);  // the slave answers every DD
    if (!dd.more && !last_sent_->more) exchange_done(out);
  }
  // LS Requests may go out in Exchange already (§10.9); one packet outstanding at a time.
  if (outstanding_.empty() && !request_list_.empty() &&
      (state_ == NeighborState::exchange || state_ == NeighborState::loading)) {
    send_requests(out);
  }
}

void NeighborFsm::send_next_dd(Actions& out) {
  wire::DatabaseDescription dd;
  dd.interface_mtu = config_.mtu;
  dd.options = config_.options;
  dd.master = master_;
  dd.sequence_number = dd_sequence_;
  std::size_t n = std::min(config_.dd_headers_per_packet, summary_list_.size());
  dd.lsa_headers.assign(summary_list_.begin(), summary_list_.begin() + static_cast<std::ptrdiff_t>(n));
  summary_list_.erase(summary_list_.begin(), summary_list_.begin() + static_cast<std::ptrdiff_t>(n));
  dd.more = !summary_list_.empty();
  last_sent_ = dd;
  out.emplace_back(SendDd{std::move(dd)});
  if (master_) start_timer(TimerId::dd_retransmit, config_.rxmt_interval, out);
}

void NeighborFsm::exchange_done(Actions& out) {
  set_state(request_list_.empty() ? NeighborState::full : NeighborState::loading, "ExchangeDone", out);
  if (master_) {
    stop_timer(TimerId::dd_retransmit, out);
  } else {
    // The slave keeps its last DD for RouterDeadInterval in case the master did not get it.
    start_timer(TimerId::dd_hold, config_.dead_interval, out);
  }
}

void NeighborFsm::enter_ex_start(const char* event, Actions& out) {
  NeighborState old = state_;
  set_state(NeighborState::ex_start, event, out);
  tear_down(old, out);
  // A fresh sequence number: unique the first time, then one more for each new attempt.
  if (dd_sequence_chosen_) {
    ++dd_sequence_;
  } else {
    dd_sequence_ = dd_sequence_source_ ? dd_sequence_source_() : 1;
    dd_sequence_chosen_ = true;
  }
  // Declare ourselves master and send the empty initial DD (I, M, MS) until the neighbor answers.
  master_ = true;
  wire::DatabaseDescription dd;
  dd.interface_mtu = config_.mtu;
  dd.options = config_.options;
  dd.init = dd.more = dd.master = true;
  dd.sequence_number = dd_sequence_;
  last_sent_ = dd;
  out.emplace_back(SendDd{std::move(dd)});
  start_timer(TimerId::dd_retransmit, config_.rxmt_interval, out);
}

// ---- Loading (§10.9) ---------------------------------------------------------------------------

void NeighborFsm::send_requests(Actions& out) {
  outstanding_.clear();
  wire::LinkStateRequest request;
  for (const auto& h : request_list_) {
    if (outstanding_.size() == config_.requests_per_packet) break;
    outstanding_.push_back({h.type, h.ls_id, h.advertising_router});
  }
  request.requests = outstanding_;
  out.emplace_back(SendLsRequest{std::move(request)});
  start_timer(TimerId::ls_request_retransmit, config_.rxmt_interval, out);
}

void NeighborFsm::requested_lsas_received(const RequestedLsasReceived& e, Actions& out) {
  if (state_ != NeighborState::exchange && state_ != NeighborState::loading) return;
  for (const auto& lsa : e.lsas) {
    std::erase_if(request_list_, [&](const wire::LsaHeader& h) { return same_lsa(h, lsa); });
    std::erase_if(outstanding_, [&](const wire::LsaRequest& r) { return r == lsa; });
  }
  if (!outstanding_.empty()) return;
  if (request_list_.empty()) {
    stop_timer(TimerId::ls_request_retransmit, out);
    // LoadingDone. In Exchange, ExchangeDone will find the list empty and go straight to Full.
    if (state_ == NeighborState::loading) set_state(NeighborState::full, "LoadingDone", out);
  } else {
    send_requests(out);  // the last batch is answered: ask for the next
  }
}

// ---- Timers and leaving ------------------------------------------------------------------------

void NeighborFsm::timer_expired(TimerId timer, Actions& out) {
  switch (timer) {
    case TimerId::inactivity: return go_down("InactivityTimer", out);
    case TimerId::dd_retransmit:  // ExStart, or Exchange as master: the DD went unanswered
      if (last_sent_) out.emplace_back(SendDd{*last_sent_});
      start_timer(TimerId::dd_retransmit, config_.rxmt_interval, out);
      return;
    case TimerId::ls_request_retransmit: {
      wire::LinkStateRequest request;
      request.requests = outstanding_;
      out.emplace_back(SendLsRequest{std::move(request)});
      start_timer(TimerId::ls_request_retransmit, config_.rxmt_interval, out);
      return;
    }
    case TimerId::dd_hold: last_sent_.reset(); return;  // the slave frees its last DD
    default: return;
  }
}

void NeighborFsm::tear_down(NeighborState old, Actions& out) {
  // The Link state retransmission list, Database summary list and Link state request list are
  // cleared; flooding reaches only neighbors in Exchange or higher, so only those have the first.
  stop_timer(TimerId::ls_request_retransmit, out);
  stop_timer(TimerId::dd_hold, out);
  summary_list_.clear();
  request_list_.clear();
  outstanding_.clear();
  last_sent_.reset();
  last_received_.reset();
  if (old >= NeighborState::exchange) out.emplace_back(ClearLsRetransmissionList{});
}

void NeighborFsm::go_down(const char* event, Actions& out) {
  NeighborState old = state_;
  set_state(NeighborState::down, event, out);
  stop_timer(TimerId::inactivity, out);
  stop_timer(TimerId::dd_retransmit, out);
  tear_down(old, out);
  priority_ = 0;
  dr_ = bdr_ = 0;
  if (config_.type == InterfaceType::broadcast && old >= NeighborState::two_way) {
    out.emplace_back(ScheduleInterfaceEvent{InterfaceEventKind::neighbor_change});  // bidirectional lost
  }
}

void NeighborFsm::set_state(NeighborState next, const char* event, Actions& out) {
  if (next == state_) return;
  out.emplace_back(NeighborStateChanged{state_, next, event});
  state_ = next;
}

void NeighborFsm::start_timer(TimerId timer, Duration duration, Actions& out) {
  timers_.start(timer, duration, out);
}

void NeighborFsm::stop_timer(TimerId timer, Actions& out) {
  timers_.stop(timer, out);
}

// ---- Printers ----------------------------------------------------------------------------------

const char* to_string(NeighborState state) {
  switch (state) {
    case NeighborState::down: return "Down";
    case NeighborState::init: return "Init";
    case NeighborState::two_way: return "2-Way";
    case NeighborState::ex_start: return "ExStart";
    case NeighborState::exchange: return "Exchange";
    case NeighborState::loading: return "Loading";
    case NeighborState::full: return "Full";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, NeighborState s) { return os << to_string(s); }
std::ostream& operator<<(std::ostream& os, const DesignatedRouters& d) {
  return os << "DR " << DottedQuad{d.designated_router} << " BDR " << DottedQuad{d.backup_designated_router};
}
std::ostream& operator<<(std::ostream& os, const HelloReceived& e) {
  return os << "HelloReceived(from " << DottedQuad{e.source_address} << ", " << e.hello << ", interface "
            << e.interface << ')';
}
std::ostream& operator<<(std::ostream& os, const DdReceived& e) {
  os << "DdReceived(" << e.dd << ", wanted [";
  for (std::size_t i = 0; i < e.wanted.size(); ++i) os << (i ? ", " : "") << e.wanted[i];
  os << ']';
  if (e.invalid_lsa_type) os << ", invalid LS type";
  return os << ", summary of " << e.database_summary.size() << ')';
}
std::ostream& operator<<(std::ostream& os, const RequestedLsasReceived& e) {
  os << "RequestedLsasReceived[";
  for (std::size_t i = 0; i < e.lsas.size(); ++i) os << (i ? ", " : "") << e.lsas[i];
  return os << ']';
}
std::ostream& operator<<(std::ostream& os, const BadLsReq&) { return os << "BadLSReq"; }
std::ostream& operator<<(std::ostream& os, const SeqNumberMismatch&) { return os << "SeqNumberMismatch"; }
std::ostream& operator<<(std::ostream& os, const AdjOk& e) { return os << "AdjOK?(" << e.interface << ')'; }
std::ostream& operator<<(std::ostream& os, const KillNbr&) { return os << "KillNbr"; }
std::ostream& operator<<(std::ostream& os, const LlDown&) { return os << "LLDown"; }
std::ostream& operator<<(std::ostream& os, const SendDd& a) { return os << "SendDd(" << a.dd << ')'; }
std::ostream& operator<<(std::ostream& os, const SendLsRequest& a) {
  return os << "SendLsRequest(" << a.request << ')';
}
std::ostream& operator<<(std::ostream& os, const ScheduleInterfaceEvent& a) {
  return os << "ScheduleInterfaceEvent("
            << (a.event == InterfaceEventKind::neighbor_change ? "NeighborChange" : "BackupSeen") << ')';
}
std::ostream& operator<<(std::ostream& os, const ClearLsRetransmissionList&) {
  return os << "ClearLsRetransmissionList";
}
std::ostream& operator<<(std::ostream& os, const DdRejected& a) { return os << "DdRejected(" << a.reason << ')'; }
std::ostream& operator<<(std::ostream& os, const NeighborStateChanged& a) {
  return os << "NeighborStateChanged(" << a.from << " -> " << a.to << " on " << a.event << ')';
}
std::ostream& operator<<(std::ostream& os, const NeighborEvent& event) {
  return std::visit([&](const auto& e) -> std::ostream& { return os << e; }, event);
}
std::ostream& operator<<(std::ostream& os, const NeighborAction& action) {
  return std::visit([&](const auto& a) -> std::ostream& { return os << a; }, action);
}

}  // namespace ospf
