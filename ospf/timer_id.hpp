// The timers of the OSPF interface and neighbor machines (RFC 2328 §9, §10), and the two timer
// actions and one timer event they share. The machines only name timers; the instance owns the
// real ones (one set per interface, one set per neighbor) and feeds expiries back as TimerExpired.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <utility>

namespace ospf {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;

enum class TimerId : std::uint8_t {
  // Interface (§9): per interface.
  hello,  // Hello Timer: send a Hello every HelloInterval
  wait,   // Wait Timer: leave Waiting after RouterDeadInterval (the WaitTimer event)
  // Neighbor (§10): per neighbor.
  inactivity,             // Inactivity Timer: RouterDeadInterval without a Hello -> InactivityTimer event
  dd_retransmit,          // resend our last DD every RxmtInterval (ExStart, and Exchange as master)
  ls_request_retransmit,  // resend outstanding Link State Requests every RxmtInterval
  dd_hold,                // slave keeps its last DD for RouterDeadInterval after Exchange (§10.8)
  // Owned by flooding (the instance), not by NeighborFsm: resend the Link state retransmission
  // list every RxmtInterval. Listed here so all per-neighbor timers share one id space.
  ls_update_retransmit,
};
constexpr std::size_t kTimerCount = 7;
const char* to_string(TimerId);

// (Re)arm a timer: it fires once, after `duration`, unless stopped or re-armed first.
struct StartTimer {
  TimerId timer;
  Duration duration;
  bool operator==(const StartTimer&) const = default;
};
struct StopTimer {
  TimerId timer;
  bool operator==(const StopTimer&) const = default;
};
// The instance's timer fired; both machines ignore expiries of timers they did not arm.
struct TimerExpired {
  TimerId timer;
  bool operator==(const TimerExpired&) const = default;
};

// Which timers a machine has armed and not yet stopped or seen fire, so it emits StopTimer only
// for running timers and ignores stale expiries.
class ArmedTimers {
 public:
  template <typename Actions>
  void start(TimerId timer, Duration duration, Actions& out) {
    armed_[slot(timer)] = true;
    out.emplace_back(StartTimer{timer, duration});
  }
  template <typename Actions>
  void stop(TimerId timer, Actions& out) {
    if (std::exchange(armed_[slot(timer)], false)) out.emplace_back(StopTimer{timer});
  }
  // An expiry: true when the timer was running (it no longer is).
  bool fire(TimerId timer) { return std::exchange(armed_[slot(timer)], false); }

 private:
  static std::size_t slot(TimerId timer) { return static_cast<std::size_t>(timer); }
  std::array<bool, kTimerCount> armed_{};
};

std::ostream& operator<<(std::ostream&, TimerId);
std::ostream& operator<<(std::ostream&, const StartTimer&);
std::ostream& operator<<(std::ostream&, const StopTimer&);
std::ostream& operator<<(std::ostream&, const TimerExpired&);

// Dotted-quad text of a host-order router ID or IPv4 address, for printers.
struct DottedQuad {
  std::uint32_t value;
};
std::ostream& operator<<(std::ostream&, DottedQuad);

}  // namespace ospf
