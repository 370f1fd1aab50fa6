// One BFD session in asynchronous mode (RFC 5880 §6.8), as a pure class: events in, actions out.
// It owns no socket, timer or clock; the engine carries out its actions. Jitter comes from an
// injected random source so tests are exact.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <variant>
#include <vector>

#include "bfd/control_packet.hpp"

namespace bfd {

using Micros = std::chrono::microseconds;

// What the operator configured (bgp.peers[].bfd, ospf.interfaces[].bfd).
struct Timers {
  Micros desired_min_tx{300'000};
  Micros required_min_rx{300'000};
  std::uint8_t detect_multiplier = 3;
  bool operator==(const Timers&) const = default;
};

// While a session is not Up it transmits no faster than once a second (§6.8.3).
inline constexpr Micros kSlowTxInterval{1'000'000};

// ---- Events ----
// A packet that passed decode() and was demultiplexed to this session.
struct PacketReceived {
  ControlPacket packet;
};
struct TransmitTimerExpired {};
struct DetectionTimerExpired {};
// §6.8.16: the daemon stops on purpose (leave or restart); the peer must not see a failure.
struct AdminDown {};
// Leave AdminDown and start over in Down.
struct AdminUp {};
// New configured timers (a reload): negotiated with a Poll Sequence, never by resetting (§6.8.3).
struct TimersChanged {
  Timers timers;
};
using Event = std::variant<PacketReceived, TransmitTimerExpired, DetectionTimerExpired, AdminDown, AdminUp,
                           TimersChanged>;

// ---- Actions ----
struct Transmit {
  ControlPacket packet;
  bool operator==(const Transmit&) const = default;
};
// (Re)arm the periodic transmit timer to fire after `after`.
struct StartTransmitTimer {
  Micros after;
  bool operator==(const StartTransmitTimer&) const = default;
};
struct StopTransmitTimer {
  bool operator==(const StopTransmitTimer&) const = default;
};
struct StartDetectionTimer {
  Micros after;
  bool operator==(const StartDetectionTimer&) const = default;
};
struct StopDetectionTimer {
  bool operator==(const StopDetectionTimer&) const = default;
};
struct StateChanged {
  State from;
  State to;
  Diagnostic diagnostic;  // why (our bfd.LocalDiag after the change)
  bool operator==(const StateChanged&) const = default;
};
using Action = std::variant<Transmit, StartTransmitTimer, StopTransmitTimer, StartDetectionTimer, StopDetectionTimer,
                            StateChanged>;
std::ostream& operator<<(std::ostream&, const Action&);

// What the session reports for status views.
struct SessionSnapshot {
  State state = State::down;
  State remote_state = State::down;
  Diagnostic local_diagnostic = Diagnostic::none;
  std::uint32_t local_discriminator = 0;
  std::uint32_t remote_discriminator = 0;
  Micros transmit_interval{0};  // negotiated, before jitter; 0 = not transmitting periodically
  Micros detection_time{0};     // 0 until the remote has been heard
  std::uint8_t remote_multiplier = 0;
  bool poll_in_progress = false;
  bool operator==(const SessionSnapshot&) const = default;
};

// What an Up session needs to go on in the next instance of the daemon after a planned restart,
// without the remote ever seeing it go down (the discriminators and what both sides agreed).
struct ResumeState {
  std::uint32_t local_discriminator = 0;
  std::uint32_t remote_discriminator = 0;
  Micros advertised_tx{0};  // our Desired Min TX as the remote last acknowledged it
  Micros advertised_rx{0};  // our Required Min RX, likewise
  std::uint8_t detect_multiplier = 0;  // ours
  Micros remote_min_rx{0};
  Micros remote_desired_min_tx{0};
  std::uint8_t remote_multiplier = 0;
  bool operator==(const ResumeState&) const = default;
};

class SessionFsm {
 public:
  using Random = std::function<std::uint32_t()>;
  SessionFsm(std::uint32_t local_discriminator, Timers timers, Random random);

  // Starts transmitting in Down (the Active role, §6.1).
  std::vector<Action> start();
  // Instead of start(): goes on with a session a previous instance left Up (local_discriminator
  // must be the saved one). Announces Up at once and polls its way back to the configured timers.
  std::vector<Action> resume(const ResumeState& saved);
  // The state to save; only meaningful when Up with no Poll in progress.
  ResumeState resume_state() const;
  std::vector<Action> handle(const Event& event);

  State state() const { return state_; }
  SessionSnapshot snapshot() const;
  // Did the remote signal AdminDown in the packet that took us Down? (RFC 5882 §3.2: then the
  // client protocol must not treat the Down as a failure.)
  bool remote_admin_down() const { return remote_state_ == State::admin_down; }
  // Resumed from a previous instance and not yet confirmed Up by the remote: if it goes Down now,
  // the remote had forgotten the session (it restarted meanwhile), which is no path failure.
  bool resumed_unconfirmed() const { return resumed_unconfirmed_; }

 private:
  void on_packet(const ControlPacket& p, std::vector<Action>& out);
  void on_detection_expired(std::vector<Action>& out);
  void on_timers_changed(const Timers& timers, std::vector<Action>& out);
  void set_state(State to, Diagnostic diag, std::vector<Action>& out);
  // bfd.DesiredMinTxInterval as advertised: at least a second while not Up.
  Micros advertised_desired_min_tx() const;
  // The advertised values changed: Poll when Up, else take them at once. True if it transmitted.
  bool parameters_changed(std::vector<Action>& out, bool rearm = true);
  bool start_poll(std::vector<Action>& out);
  // Applies the acknowledged values and starts the Poll a change during this one queued. True if
  // it transmitted.
  bool finish_poll(std::vector<Action>& out);
  Micros transmit_interval() const;  // 0 = no periodic transmission
  Micros detection_time() const;
  Micros jittered(Micros interval);
  ControlPacket packet(bool final) const;
  void transmit_now(bool final, std::vector<Action>& out);
  void rearm_transmit(std::vector<Action>& out);

  std::uint32_t local_discriminator_;
  Timers timers_;
  Random random_;

  State state_ = State::down;
  Diagnostic local_diagnostic_ = Diagnostic::none;
  std::uint32_t remote_discriminator_ = 0;
  State remote_state_ = State::down;
  bool remote_demand_ = false;
  Micros remote_min_rx_{1};           // bfd.RemoteMinRxInterval, initially 1 µs (§6.8.1)
  Micros remote_desired_min_tx_{0};   // the last Desired Min TX the remote sent
  std::uint8_t remote_multiplier_ = 0;
  bool heard_ = false;  // a packet arrived since the last detection expiry
  bool resumed_unconfirmed_ = false;

  // The values in force for timing. They trail the advertised ones during a Poll Sequence when
  // the change would be unsafe before the remote acknowledged it (§6.8.3): a larger transmit
  // interval, or a smaller receive interval.
  Micros tx_in_use_{kSlowTxInterval};
  Micros rx_in_use_{300'000};
  Micros advertised_tx_{kSlowTxInterval};
  Micros advertised_rx_{300'000};
  bool poll_ = false;
  bool poll_pending_ = false;  // a change arrived during a Poll: poll again after its Final
};

}  // namespace bfd
