#include "bgp/session_fsm.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <utility>

#include "net/overloaded.hpp"

namespace bgp {
namespace {

using net::Overloaded;

constexpr std::uint8_t kBgpVersion = 4;
// RFC 4271 §8.2.2: in OpenSent the HoldTimer is set to "a large value"; 4 minutes is suggested.
constexpr Duration kOpenSentHoldTime = std::chrono::minutes(4);

std::size_t slot(TimerId timer) { return static_cast<std::size_t>(timer); }

// The OPEN carries whole seconds in 16 bits.
std::uint16_t whole_seconds(Duration d) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return static_cast<std::uint16_t>(std::clamp<decltype(seconds)>(seconds, 0, 0xffff));
}

wire::Notification open_error(std::uint8_t subcode, std::vector<std::uint8_t> data = {}) {
  return {wire::ErrorCode::open_message, subcode, std::move(data)};
}

// RFC 4271 §6.2 (and RFC 6286 for the identifier): what is wrong with the peer's OPEN, if anything.
std::optional<wire::Notification> check_open(const wire::Open& open, const FsmConfig& config) {
  namespace sub = wire::subcode;
  if (open.version != kBgpVersion) return open_error(sub::unsupported_version, {0, kBgpVersion});
  if (open.asn() != config.peer_as) {
    // The data is the My Autonomous System field as it came, AS_TRANS included.
    return open_error(sub::bad_peer_as, {static_cast<std::uint8_t>(open.my_as >> 8),
                                         static_cast<std::uint8_t>(open.my_as & 0xff)});
  }
  // Two speakers in one AS must have distinct identifiers; across ASes RFC 6286 allows equal ones.
  bool internal = config.peer_as == config.local_as;
  if (open.bgp_identifier == 0 || (internal && open.bgp_identifier == config.router_id)) {
    return open_error(sub::bad_bgp_identifier);
  }
  if (open.hold_time == 1 || open.hold_time == 2) return open_error(sub::unacceptable_hold_time);
  return std::nullopt;
}

Negotiated negotiate(const wire::Open& open, const FsmConfig& config) {
  Negotiated n;
  n.peer_as = open.asn();
  n.peer_router_id = open.bgp_identifier;
  // RFC 4271 §4.2: the smaller of the two hold times, and zero if either side asked for zero.
  std::uint16_t ours = whole_seconds(config.hold_time);
  std::uint16_t hold = (ours == 0 || open.hold_time == 0) ? 0 : std::min(ours, open.hold_time);
  n.hold_time = std::chrono::seconds(hold);
  if (hold != 0) n.keepalive_time = std::min(config.keepalive_time, n.hold_time / 3);
  n.four_octet_as = open.capabilities.four_octet_as.has_value();  // we always send capability 65
  n.route_refresh = open.capabilities.route_refresh;
  const auto& theirs = open.capabilities.multiprotocol;
  for (const auto& family : config.families) {
    // RFC 4760 §8: a peer without any MP capability speaks IPv4 unicast only.
    bool offered = theirs.empty() ? family == wire::kIpv4Unicast
                                  : std::find(theirs.begin(), theirs.end(), family) != theirs.end();
    if (offered) n.families.push_back(family);
  }
  n.peer_graceful_restart = open.capabilities.graceful_restart;
  return n;
}

}  // namespace

SessionFsm::SessionFsm(FsmConfig config, std::function<double()> random_unit)
    : config_(std::move(config)), random_unit_(std::move(random_unit)) {}

std::vector<Action> SessionFsm::handle(const Event& event, Clock::time_point now) {
  Actions out;
  if (const auto* expired = std::get_if<TimerExpired>(&event)) {
    // A timer we stopped may still fire if the adapter raced it: not an event for this FSM.
    if (!armed_[slot(expired->timer)]) return out;
    armed_[slot(expired->timer)] = false;
  }
  if (const auto* failed = std::get_if<MessageDecodeFailed>(&event);
      failed && failed->error.reaction != wire::Reaction::session_reset) {
    // RFC 7606: treat-as-withdraw and attribute-discard keep the session; it was still an UPDATE.
    return handle(UpdateReceived{}, now);
  }
  switch (state_) {
    case State::idle: in_idle(event, out); break;
    case State::connect: in_connect(event, out); break;
    case State::active: in_active(event, out); break;
    case State::open_sent: in_open_sent(event, out); break;
    case State::open_confirm: in_open_confirm(event, out); break;
    case State::established: in_established(event, out); break;
  }
  return out;
}

// ---- Per-state handlers (RFC 4271 §8.2.2) --------------------------------------------------

void SessionFsm::in_idle(const Event& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const ManualStart&) {  // Event 1 / Event 4 (passive)
                   stopped_ = false;
                   failures_ = 0;  // ConnectRetryCounter = 0
                   start(out);
                 },
                 [&](const ManualStop&) {  // Event 2: also cancels a pending automatic restart
                   stopped_ = true;
                   failures_ = 0;
                   stop_timer(TimerId::idle_hold, out);
                 },
                 [&](const AutomaticStart&) {  // Event 3
                   if (!stopped_) start(out);
                 },
                 [&](const TimerExpired& expired) {  // IdleHoldTimer: the backoff is over
                   if (expired.timer == TimerId::idle_hold && !stopped_) start(out);
                 },
                 [&](const auto&) {},  // Idle refuses every other event
             },
             event);
}

void SessionFsm::in_connect(const Event& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const ManualStart&) {},     // Event 1: already started
                 [&](const AutomaticStart&) {},  // Event 3
                 [&](const ManualStop& stop) { manual_stop(stop, out); },                // Event 2
                 [&](const TcpConnectionConfirmed&) { connection_confirmed(out); },      // Events 16/17
                 [&](const TcpConnectionFails&) {                                      // Event 18
                   // No DelayOpen: back to Idle (RFC 4271 §8.2.2), whose automatic restart backs off
                   // so an unreachable router is not hammered every connect_retry.
                   fail(std::nullopt, "connection failed", out);
                 },
                 [&](const TimerExpired& expired) {
                   if (expired.timer != TimerId::connect_retry) return fail(std::nullopt, "unexpected timer", out);
                   // Event 9 ConnectRetryTimer_Expires: abandon this attempt and try again.
                   out.push_back(CloseConnection{});
                   start_timer(TimerId::connect_retry, jittered(config_.connect_retry), out);
                   out.push_back(Connect{});
                 },
                 [&](const MessageDecodeFailed& failed) { decode_failed(failed.error, out); },  // Events 21/22
                 [&](const auto&) { fail(std::nullopt, "unexpected message in Connect", out); },
             },
             event);
}

void SessionFsm::in_active(const Event& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const ManualStart&) {},     // Event 1: already started
                 [&](const AutomaticStart&) {},  // Event 3
                 [&](const ManualStop& stop) { manual_stop(stop, out); },            // Event 2
                 [&](const TcpConnectionConfirmed&) { connection_confirmed(out); },  // Events 16/17
                 // Event 18: a connection that never got going; the ConnectRetryTimer still runs.
                 [&](const TcpConnectionFails&) {},
                 [&](const TimerExpired& expired) {
                   if (expired.timer != TimerId::connect_retry) return fail(std::nullopt, "unexpected timer", out);
                   // Event 9 ConnectRetryTimer_Expires: try again, unless we only listen.
                   start_timer(TimerId::connect_retry, jittered(config_.connect_retry), out);
                   if (config_.passive) return;
                   out.push_back(Connect{});
                   state_ = State::connect;
                 },
                 [&](const MessageDecodeFailed& failed) { decode_failed(failed.error, out); },  // Events 21/22
                 [&](const auto&) { fail(std::nullopt, "unexpected message in Active", out); },
             },
             event);
}

void SessionFsm::in_open_sent(const Event& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const ManualStop& stop) { manual_stop(stop, out); },  // Event 2
                 [&](const TcpConnectionFails&) {                          // Event 18
                   out.push_back(CloseConnection{});
                   stop_timer(TimerId::hold, out);
                   start_timer(TimerId::connect_retry, jittered(config_.connect_retry), out);
                   state_ = State::active;
                 },
                 [&](const OpenReceived& received) { open_received(received.open, out); },  // Event 19
                 [&](const NotificationReceived& received) {                                // Events 24/25
                   fail(std::nullopt, "peer sent " + wire::describe(received.notification), out);
                 },
                 [&](const TimerExpired& expired) {  // Event 10 HoldTimer_Expires
                   if (expired.timer == TimerId::hold) {
                     fail(wire::Notification{wire::ErrorCode::hold_timer_expired, 0, {}}, "hold timer expired", out);
                   }
                 },
                 // Events 26/27 and ROUTE-REFRESH before the OPEN: RFC 6608 FSM error.
                 [&](const KeepaliveReceived&) { fsm_error(wire::subcode::fsm_unexpected_in_opensent, out); },
                 [&](const UpdateReceived&) { fsm_error(wire::subcode::fsm_unexpected_in_opensent, out); },
                 [&](const RouteRefreshReceived&) { fsm_error(wire::subcode::fsm_unexpected_in_opensent, out); },
                 [&](const MessageDecodeFailed& failed) { decode_failed(failed.error, out); },  // Events 21/22
                 [&](const BfdDown&) { bfd_down(out); },
                 // ManualStart, AutomaticStart, and a second TcpConnectionConfirmed: collision
                 // resolution belongs to whoever owns the connections.
                 [&](const auto&) {},
             },
             event);
}

void SessionFsm::in_open_confirm(const Event& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const ManualStop& stop) { manual_stop(stop, out); },  // Event 2
                 [&](const KeepaliveReceived&) {                           // Event 26
                   if (negotiated_->hold_time > Duration::zero()) {
                     start_timer(TimerId::hold, negotiated_->hold_time, out);
                   }
                   out.push_back(SessionUp{*negotiated_});
                   failures_ = 0;
                   state_ = State::established;
                 },
                 [&](const TimerExpired& expired) {
                   if (expired.timer == TimerId::keepalive) {  // Event 11 KeepaliveTimer_Expires
                     out.push_back(Send{wire::Keepalive{}});
                     start_timer(TimerId::keepalive, jittered(negotiated_->keepalive_time), out);
                   } else if (expired.timer == TimerId::hold) {  // Event 10 HoldTimer_Expires
                     fail(wire::Notification{wire::ErrorCode::hold_timer_expired, 0, {}}, "hold timer expired", out);
                   }
                 },
                 [&](const TcpConnectionFails&) { fail(std::nullopt, "connection lost", out); },  // Event 18
                 [&](const NotificationReceived& received) {                                     // Events 24/25
                   fail(std::nullopt, "peer sent " + wire::describe(received.notification), out);
                 },
                 [&](const OpenReceived&) { fsm_error(wire::subcode::fsm_unexpected_in_openconfirm, out); },
                 [&](const UpdateReceived&) { fsm_error(wire::subcode::fsm_unexpected_in_openconfirm, out); },
                 [&](const RouteRefreshReceived&) { fsm_error(wire::subcode::fsm_unexpected_in_openconfirm, out); },
                 [&](const MessageDecodeFailed& failed) { decode_failed(failed.error, out); },  // Events 21/22
                 [&](const BfdDown&) { bfd_down(out); },
                 [&](const auto&) {},  // ManualStart, AutomaticStart, a colliding connection
             },
             event);
}

void SessionFsm::in_established(const Event& event, Actions& out) {
  std::visit(Overloaded{
                 [&](const ManualStop& stop) { manual_stop(stop, out); },  // Event 2
                 [&](const KeepaliveReceived&) { message_received(out); },  // Event 26
                 [&](const UpdateReceived&) { message_received(out); },     // Event 27
                 [&](const RouteRefreshReceived& received) {
                   message_received(out);
                   const auto& families = negotiated_->families;
                   // A refresh for a family we never agreed on has nothing to resend.
                   if (std::find(families.begin(), families.end(), received.family) != families.end()) {
                     out.push_back(RefreshRequested{received.family});
                   }
                 },
                 [&](const TimerExpired& expired) {
                   if (expired.timer == TimerId::keepalive) {  // Event 11 KeepaliveTimer_Expires
                     out.push_back(Send{wire::Keepalive{}});
                     start_timer(TimerId::keepalive, jittered(negotiated_->keepalive_time), out);
                   } else if (expired.timer == TimerId::hold) {  // Event 10 HoldTimer_Expires
                     fail(wire::Notification{wire::ErrorCode::hold_timer_expired, 0, {}}, "hold timer expired", out);
                   }
                 },
                 [&](const OpenReceived&) { fsm_error(wire::subcode::fsm_unexpected_in_established, out); },
                 [&](const NotificationReceived& received) {  // Events 24/25
                   fail(std::nullopt, "peer sent " + wire::describe(received.notification), out);
                 },
                 [&](const TcpConnectionFails&) { fail(std::nullopt, "connection lost", out); },  // Event 18
                 [&](const MessageDecodeFailed& failed) { decode_failed(failed.error, out); },     // Events 21/22/28
                 [&](const BfdDown&) { bfd_down(out); },
                 [&](const auto&) {},  // ManualStart, AutomaticStart, a colliding connection
             },
             event);
}

// ---- Transitions shared by several states ---------------------------------------------------

void SessionFsm::start(Actions& out) {
  stop_timer(TimerId::idle_hold, out);  // an AutomaticStart may come before the backoff ends
  start_timer(TimerId::connect_retry, jittered(config_.connect_retry), out);
  if (config_.passive) {
    state_ = State::active;  // listen only
    return;
  }
  out.push_back(Connect{});
  state_ = State::connect;
}

void SessionFsm::connection_confirmed(Actions& out) {
  stop_timer(TimerId::connect_retry, out);
  out.push_back(Send{our_open()});
  start_timer(TimerId::hold, kOpenSentHoldTime, out);
  state_ = State::open_sent;
}

void SessionFsm::open_received(const wire::Open& open, Actions& out) {
  if (auto error = check_open(open, config_)) return fail(std::move(*error), "bad OPEN", out);
  negotiated_ = negotiate(open, config_);
  out.push_back(Send{wire::Keepalive{}});
  if (negotiated_->hold_time > Duration::zero()) {
    if (negotiated_->keepalive_time > Duration::zero()) {
      start_timer(TimerId::keepalive, jittered(negotiated_->keepalive_time), out);
    }
    start_timer(TimerId::hold, negotiated_->hold_time, out);
  } else {
    stop_timer(TimerId::hold, out);  // hold time 0: neither side expects keepalives
  }
  state_ = State::open_confirm;
}

void SessionFsm::message_received(Actions& out) {
  if (negotiated_->hold_time > Duration::zero()) start_timer(TimerId::hold, negotiated_->hold_time, out);
}

void SessionFsm::decode_failed(const wire::DecodeError& error, Actions& out) {
  std::string reason = "sent " + wire::describe(error.notification());
  if (!error.description.empty()) reason += " (" + error.description + ")";
  fail(error.notification(), std::move(reason), out);
}

void SessionFsm::manual_stop(const ManualStop& stop, Actions& out) {
  // Only a peer that has our OPEN is owed a NOTIFICATION.
  bool open_was_sent =
      state_ == State::open_sent || state_ == State::open_confirm || state_ == State::established;
  if (open_was_sent && stop.notification) out.push_back(Send{*stop.notification});
  close_and_stop_timers(out);
  if (state_ == State::established)
    out.push_back(SessionDown{stop.notification ? "stopped, sent " + wire::describe(*stop.notification)
                                                : "stopped without a NOTIFICATION (graceful restart)"});
  state_ = State::idle;
  negotiated_.reset();
  stopped_ = true;
  failures_ = 0;
}

void SessionFsm::fail(std::optional<wire::Notification> sent, std::string reason, Actions& out) {
  if (sent) out.push_back(Send{std::move(*sent)});
  close_and_stop_timers(out);
  if (state_ == State::established) out.push_back(SessionDown{std::move(reason)});
  state_ = State::idle;
  negotiated_.reset();
  // Automatic restart after a backoff that doubles with each consecutive failure, so a peer that
  // keeps refusing us is not hammered (RFC 4271 §8.1.1 DampPeerOscillations / IdleHoldTimer).
  ++failures_;
  Duration backoff = config_.connect_retry;
  for (unsigned i = 1; i < failures_ && backoff < config_.max_idle_hold; ++i) backoff *= 2;
  start_timer(TimerId::idle_hold, jittered(std::min(backoff, config_.max_idle_hold)), out);
}

void SessionFsm::fsm_error(std::uint8_t subcode, Actions& out) {
  wire::Notification notification{wire::ErrorCode::fsm, subcode, {}};
  std::string reason = "sent " + wire::describe(notification);
  fail(std::move(notification), std::move(reason), out);
}

void SessionFsm::bfd_down(Actions& out) {
  fail(wire::Notification{wire::ErrorCode::cease, wire::subcode::bfd_down, {}}, "BFD session down", out);
}

void SessionFsm::close_and_stop_timers(Actions& out) {
  out.push_back(CloseConnection{});
  for (auto timer : {TimerId::connect_retry, TimerId::hold, TimerId::keepalive, TimerId::idle_hold}) {
    stop_timer(timer, out);
  }
}

void SessionFsm::start_timer(TimerId timer, Duration duration, Actions& out) {
  armed_[slot(timer)] = true;
  out.emplace_back(std::in_place_type<StartTimer>, timer, duration);
}

void SessionFsm::stop_timer(TimerId timer, Actions& out) {
  if (!armed_[slot(timer)]) return;
  armed_[slot(timer)] = false;
  out.emplace_back(std::in_place_type<StopTimer>, timer);
}

// RFC 4271 §10: timers are multiplied by a random factor in 0.75..1.0 so that peers restarted
// together do not stay in step. Without a random source there is no jitter.
Duration SessionFsm::jittered(Duration duration) {
  double factor = random_unit_ ? 0.75 + 0.25 * random_unit_() : 1.0;
  return Duration{std::llround(static_cast<double>(duration.count()) * factor)};
}

wire::Open SessionFsm::our_open() const {
  wire::Open open;
  open.version = kBgpVersion;
  // RFC 6793: an ASN that does not fit in 2 octets goes as AS_TRANS; the real one is in capability 65.
  open.my_as = config_.local_as > 0xffff ? wire::kAsTrans : static_cast<std::uint16_t>(config_.local_as);
  open.hold_time = whole_seconds(config_.hold_time);
  open.bgp_identifier = config_.router_id;
  auto& caps = open.capabilities;
  caps.multiprotocol = config_.families;
  caps.route_refresh = true;
  caps.four_octet_as = config_.local_as;
  if (config_.graceful_restart_time) {
    wire::GracefulRestartCapability restart;
    restart.restart_time = std::min<std::uint16_t>(*config_.graceful_restart_time, 0x0fff);  // 12 bits
    // F bit set: the node's forwarding (kube-proxy) does not depend on this process, so across
    // our restart the router may keep using the routes it holds (RFC 4724 §3, §4.2).
    for (const auto& family : config_.families) restart.families.push_back({family, true});
    caps.graceful_restart = std::move(restart);
  }
  return open;
}

// ---- Names and printers ---------------------------------------------------------------------

const char* to_string(State state) {
  switch (state) {
    case State::idle: return "Idle";
    case State::connect: return "Connect";
    case State::active: return "Active";
    case State::open_sent: return "OpenSent";
    case State::open_confirm: return "OpenConfirm";
    case State::established: return "Established";
  }
  return "?";
}

const char* to_string(TimerId timer) {
  switch (timer) {
    case TimerId::connect_retry: return "ConnectRetryTimer";
    case TimerId::hold: return "HoldTimer";
    case TimerId::keepalive: return "KeepaliveTimer";
    case TimerId::idle_hold: return "IdleHoldTimer";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const Negotiated& n) {
  os << "peer AS " << n.peer_as << ", id " << net::dotted(n.peer_router_id) << ", hold " << n.hold_time.count()
     << "ms, keepalive " << n.keepalive_time.count() << "ms";
  if (n.four_octet_as) os << ", 4-octet AS";
  if (n.route_refresh) os << ", route refresh";
  os << ", families [";
  for (std::size_t i = 0; i < n.families.size(); ++i) os << (i ? ", " : "") << n.families[i];
  os << ']';
  if (n.peer_graceful_restart) os << ", peer graceful restart " << n.peer_graceful_restart->restart_time << 's';
  return os;
}

std::ostream& operator<<(std::ostream& os, const ManualStart&) { return os << "ManualStart"; }
std::ostream& operator<<(std::ostream& os, const ManualStop& e) {
  if (!e.notification) return os << "ManualStop(no NOTIFICATION)";
  return os << "ManualStop(" << *e.notification << ')';
}
std::ostream& operator<<(std::ostream& os, const AutomaticStart&) { return os << "AutomaticStart"; }
std::ostream& operator<<(std::ostream& os, const BfdDown&) { return os << "BfdDown"; }
std::ostream& operator<<(std::ostream& os, const TcpConnectionConfirmed&) { return os << "TcpConnectionConfirmed"; }
std::ostream& operator<<(std::ostream& os, const TcpConnectionFails&) { return os << "TcpConnectionFails"; }
std::ostream& operator<<(std::ostream& os, const OpenReceived& e) { return os << "OpenReceived(" << e.open << ')'; }
std::ostream& operator<<(std::ostream& os, const KeepaliveReceived&) { return os << "KeepaliveReceived"; }
std::ostream& operator<<(std::ostream& os, const UpdateReceived&) { return os << "UpdateReceived"; }
std::ostream& operator<<(std::ostream& os, const NotificationReceived& e) {
  return os << "NotificationReceived(" << e.notification << ')';
}
std::ostream& operator<<(std::ostream& os, const RouteRefreshReceived& e) {
  return os << "RouteRefreshReceived(" << e.family << ')';
}
std::ostream& operator<<(std::ostream& os, const MessageDecodeFailed& e) {
  return os << "MessageDecodeFailed(" << e.error << ')';
}
std::ostream& operator<<(std::ostream& os, const TimerExpired& e) {
  return os << "TimerExpired(" << to_string(e.timer) << ')';
}

std::ostream& operator<<(std::ostream& os, const Connect&) { return os << "Connect"; }
std::ostream& operator<<(std::ostream& os, const CloseConnection&) { return os << "CloseConnection"; }
std::ostream& operator<<(std::ostream& os, const Send& a) { return os << "Send(" << a.message << ')'; }
std::ostream& operator<<(std::ostream& os, const StartTimer& a) {
  return os << "StartTimer(" << to_string(a.timer) << ", " << a.duration.count() << "ms)";
}
std::ostream& operator<<(std::ostream& os, const StopTimer& a) {
  return os << "StopTimer(" << to_string(a.timer) << ')';
}
std::ostream& operator<<(std::ostream& os, const SessionUp& a) { return os << "SessionUp(" << a.negotiated << ')'; }
std::ostream& operator<<(std::ostream& os, const SessionDown& a) {
  return os << "SessionDown(\"" << a.reason << "\")";
}
std::ostream& operator<<(std::ostream& os, const RefreshRequested& a) {
  return os << "RefreshRequested(" << a.family << ')';
}

std::ostream& operator<<(std::ostream& os, const Action& action) {
  return std::visit([&](const auto& a) -> std::ostream& { return os << a; }, action);
}

std::ostream& operator<<(std::ostream& os, const Event& event) {
  return std::visit([&](const auto& e) -> std::ostream& { return os << e; }, event);
}

}  // namespace bgp
