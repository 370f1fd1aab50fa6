// The RFC 4271 §8 BGP finite state machine for one peer, as a pure class: events in, actions
// out. It owns no socket, timer or clock; the Asio session carries out its actions.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bgp/wire/codec.hpp"
#include "bgp/wire/message.hpp"

namespace bgp {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;

enum class State : std::uint8_t { idle, connect, active, open_sent, open_confirm, established };
const char* to_string(State);

// What the FSM needs to know about this peer and us.
struct FsmConfig {
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;
  std::uint32_t router_id = 0;        // our BGP Identifier, host order
  Duration hold_time{90'000};         // proposed; 0 = no keepalives
  Duration keepalive_time{30'000};    // upper bound; never more than negotiated hold / 3
  Duration connect_retry{5'000};      // ConnectRetryTimer
  Duration max_idle_hold{120'000};    // cap of the automatic-restart backoff
  bool passive = false;               // PassiveTcpEstablishment: wait for the peer to connect
  std::vector<wire::AfiSafi> families{wire::kIpv4Unicast};
  std::optional<std::uint16_t> graceful_restart_time;  // seconds; advertise capability 64 when set
};

// What both OPENs agreed; handed out with SessionUp.
struct Negotiated {
  std::uint32_t peer_as = 0;
  std::uint32_t peer_router_id = 0;
  Duration hold_time{0};
  Duration keepalive_time{0};
  bool four_octet_as = false;
  bool route_refresh = false;
  std::vector<wire::AfiSafi> families;  // both sides; IPv4 unicast only if the peer sent no MP capability
  std::optional<wire::GracefulRestartCapability> peer_graceful_restart;
  bool operator==(const Negotiated&) const = default;
};

enum class TimerId : std::uint8_t { connect_retry, hold, keepalive, idle_hold };
const char* to_string(TimerId);

// ---- Events (RFC 4271 §8.1 names in comments) ----------------------------------------------
// Event 1 (Event 4 when config.passive)
struct ManualStart {
  bool operator==(const ManualStart&) const = default;
};
// Event 2; the Cease we send, if a session exists. None: close without a word, as a graceful
// restart does (RFC 4724 §4: the helper keeps our routes only when no NOTIFICATION came).
struct ManualStop {
  std::optional<wire::Notification> notification = wire::administrative_shutdown("");
  bool operator==(const ManualStop&) const = default;
};
// Event 3: restart after the idle-hold backoff
struct AutomaticStart {
  bool operator==(const AutomaticStart&) const = default;
};
// Events 16/17: outgoing connected, or incoming accepted
struct TcpConnectionConfirmed {
  bool operator==(const TcpConnectionConfirmed&) const = default;
};
// Event 18
struct TcpConnectionFails {
  bool operator==(const TcpConnectionFails&) const = default;
};
// Event 19 (BGPOpen); OPEN errors are checked here
struct OpenReceived {
  wire::Open open;
  bool operator==(const OpenReceived&) const = default;
};
// Event 26
struct KeepaliveReceived {
  bool operator==(const KeepaliveReceived&) const = default;
};
// Event 27 (content is the speaker's business)
struct UpdateReceived {
  bool operator==(const UpdateReceived&) const = default;
};
// Events 24/25
struct NotificationReceived {
  wire::Notification notification;
  bool operator==(const NotificationReceived&) const = default;
};
struct RouteRefreshReceived {
  wire::AfiSafi family;
  bool operator==(const RouteRefreshReceived&) const = default;
};
// Events 21/22/28
struct MessageDecodeFailed {
  wire::DecodeError error;
  bool operator==(const MessageDecodeFailed&) const = default;
};
// Events 9/10/11 and the idle-hold restart
struct TimerExpired {
  TimerId timer;
  bool operator==(const TimerExpired&) const = default;
};

// RFC 5882 §4.3: the BFD session protecting this peer failed (Up -> Down, not AdminDown). Like a
// hold timer expiry, only sooner: Cease/BFD Down (RFC 9384), close, restart after the backoff.
struct BfdDown {
  bool operator==(const BfdDown&) const = default;
};

using Event = std::variant<ManualStart, ManualStop, AutomaticStart, TcpConnectionConfirmed, TcpConnectionFails,
                           OpenReceived, KeepaliveReceived, UpdateReceived, NotificationReceived,
                           RouteRefreshReceived, MessageDecodeFailed, TimerExpired, BfdDown>;

// ---- Actions -------------------------------------------------------------------------------
// Initiate the outgoing TCP connection.
struct Connect {
  bool operator==(const Connect&) const = default;
};
// Drop the TCP connection (after any Send before it).
struct CloseConnection {
  bool operator==(const CloseConnection&) const = default;
};
struct Send {
  wire::Message message;
  bool operator==(const Send&) const = default;
};
// (Re)arm.
struct StartTimer {
  TimerId timer;
  Duration duration;
  bool operator==(const StartTimer&) const = default;
};
struct StopTimer {
  TimerId timer;
  bool operator==(const StopTimer&) const = default;
};
// Entered Established: send the Adj-RIB-Out.
struct SessionUp {
  Negotiated negotiated;
  bool operator==(const SessionUp&) const = default;
};
// Left Established (only from Established).
struct SessionDown {
  std::string reason;
  bool operator==(const SessionDown&) const = default;
};
// Peer asked for our routes again.
struct RefreshRequested {
  wire::AfiSafi family;
  bool operator==(const RefreshRequested&) const = default;
};

using Action = std::variant<Connect, CloseConnection, Send, StartTimer, StopTimer, SessionUp, SessionDown,
                            RefreshRequested>;

class SessionFsm {
 public:
  // random_unit returns a value in [0, 1); it supplies the RFC 4271 §10 jitter (0.75..1.0).
  // An empty function means no jitter.
  SessionFsm(FsmConfig config, std::function<double()> random_unit);

  std::vector<Action> handle(const Event& event, Clock::time_point now);

  State state() const { return state_; }
  const std::optional<Negotiated>& negotiated() const { return negotiated_; }
  const FsmConfig& config() const { return config_; }
  // Consecutive failed attempts; drives the idle-hold backoff, reset when Established.
  unsigned failures() const { return failures_; }

 private:
  using Actions = std::vector<Action>;

  // One handler per state (RFC 4271 §8.2.2), each a visit over the event.
  void in_idle(const Event&, Actions&);
  void in_connect(const Event&, Actions&);
  void in_active(const Event&, Actions&);
  void in_open_sent(const Event&, Actions&);
  void in_open_confirm(const Event&, Actions&);
  void in_established(const Event&, Actions&);

  void start(Actions&);                    // Idle -> Connect (or Active when passive)
  void connection_confirmed(Actions&);     // Connect/Active -> OpenSent
  void open_received(const wire::Open&, Actions&);
  void message_received(Actions&);         // restart the hold timer in Established
  void decode_failed(const wire::DecodeError&, Actions&);
  void manual_stop(const ManualStop&, Actions&);
  // Leave for Idle after a failure: send `sent` if given, close, stop timers, schedule the restart.
  void fail(std::optional<wire::Notification> sent, std::string reason, Actions&);
  void fsm_error(std::uint8_t subcode, Actions&);
  void bfd_down(Actions&);
  void close_and_stop_timers(Actions&);

  void start_timer(TimerId, Duration, Actions&);
  void stop_timer(TimerId, Actions&);
  Duration jittered(Duration);
  wire::Open our_open() const;

  FsmConfig config_;
  std::function<double()> random_unit_;
  State state_ = State::idle;
  std::optional<Negotiated> negotiated_;
  unsigned failures_ = 0;
  bool stopped_ = true;  // ManualStop seen and no ManualStart since: no automatic restart
  // Which timers we have armed and not stopped; a TimerExpired for any other is stale and ignored.
  std::array<bool, 4> armed_{};
};

std::ostream& operator<<(std::ostream&, const Negotiated&);
std::ostream& operator<<(std::ostream&, const Action&);
std::ostream& operator<<(std::ostream&, const Event&);

// One printer per event and action: GoogleTest prints a variant through its alternatives.
std::ostream& operator<<(std::ostream&, const ManualStart&);
std::ostream& operator<<(std::ostream&, const ManualStop&);
std::ostream& operator<<(std::ostream&, const AutomaticStart&);
std::ostream& operator<<(std::ostream&, const TcpConnectionConfirmed&);
std::ostream& operator<<(std::ostream&, const TcpConnectionFails&);
std::ostream& operator<<(std::ostream&, const OpenReceived&);
std::ostream& operator<<(std::ostream&, const KeepaliveReceived&);
std::ostream& operator<<(std::ostream&, const UpdateReceived&);
std::ostream& operator<<(std::ostream&, const NotificationReceived&);
std::ostream& operator<<(std::ostream&, const RouteRefreshReceived&);
std::ostream& operator<<(std::ostream&, const MessageDecodeFailed&);
std::ostream& operator<<(std::ostream&, const TimerExpired&);
std::ostream& operator<<(std::ostream&, const BfdDown&);
std::ostream& operator<<(std::ostream&, const Connect&);
std::ostream& operator<<(std::ostream&, const CloseConnection&);
std::ostream& operator<<(std::ostream&, const Send&);
std::ostream& operator<<(std::ostream&, const StartTimer&);
std::ostream& operator<<(std::ostream&, const StopTimer&);
std::ostream& operator<<(std::ostream&, const SessionUp&);
std::ostream& operator<<(std::ostream&, const SessionDown&);
std::ostream& operator<<(std::ostream&, const RefreshRequested&);

}  // namespace bgp
