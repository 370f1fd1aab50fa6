#include "bfd/session_fsm.hpp"

#include <algorithm>
#include <ostream>

#include "net/overloaded.hpp"

namespace bfd {

using net::Overloaded;

std::ostream& operator<<(std::ostream& os, const Action& action) {
  std::visit(Overloaded{
                 [&](const Transmit& a) { os << "Transmit" << a.packet; },
                 [&](const StartTransmitTimer& a) { os << "StartTransmitTimer(" << a.after.count() << "us)"; },
                 [&](const StopTransmitTimer&) { os << "StopTransmitTimer"; },
                 [&](const StartDetectionTimer& a) { os << "StartDetectionTimer(" << a.after.count() << "us)"; },
                 [&](const StopDetectionTimer&) { os << "StopDetectionTimer"; },
                 [&](const StateChanged& a) {
                   os << "StateChanged(" << to_string(a.from) << "->" << to_string(a.to) << ", "
                      << to_string(a.diagnostic) << ")";
                 },
             },
             action);
  return os;
}

SessionFsm::SessionFsm(std::uint32_t local_discriminator, Timers timers, Random random)
    : local_discriminator_(local_discriminator), timers_(timers), random_(std::move(random)) {
  advertised_tx_ = tx_in_use_ = advertised_desired_min_tx();
  advertised_rx_ = rx_in_use_ = timers_.required_min_rx;
}

std::vector<Action> SessionFsm::start() {
  std::vector<Action> out;
  transmit_now(false, out);
  return out;
}

std::vector<Action> SessionFsm::resume(const ResumeState& saved) {
  std::vector<Action> out;
  state_ = State::up;
  local_diagnostic_ = Diagnostic::none;
  remote_discriminator_ = saved.remote_discriminator;
  remote_state_ = State::up;
  remote_min_rx_ = saved.remote_min_rx;
  remote_desired_min_tx_ = saved.remote_desired_min_tx;
  remote_multiplier_ = saved.remote_multiplier;
  advertised_tx_ = tx_in_use_ = saved.advertised_tx;
  advertised_rx_ = rx_in_use_ = saved.advertised_rx;
  heard_ = true;
  resumed_unconfirmed_ = true;
  out.push_back(StateChanged{State::down, State::up, Diagnostic::none});
  parameters_changed(out, /*rearm=*/false);  // back to the configured timers: a Poll
  transmit_now(false, out);
  out.push_back(StartDetectionTimer{detection_time()});
  return out;
}

ResumeState SessionFsm::resume_state() const {
  return {local_discriminator_, remote_discriminator_, advertised_tx_, advertised_rx_, timers_.detect_multiplier,
          remote_min_rx_,       remote_desired_min_tx_, remote_multiplier_};
}

std::vector<Action> SessionFsm::handle(const Event& event) {
  std::vector<Action> out;
  std::visit(Overloaded{
                 [&](const PacketReceived& e) { on_packet(e.packet, out); },
                 [&](const TransmitTimerExpired&) {
                   if (transmit_interval().count() == 0) return;
                   out.push_back(Transmit{packet(false)});
                   rearm_transmit(out);
                 },
                 [&](const DetectionTimerExpired&) { on_detection_expired(out); },
                 [&](const AdminDown&) {
                   if (state_ == State::admin_down) return;
                   set_state(State::admin_down, Diagnostic::administratively_down, out);
                   out.push_back(StopDetectionTimer{});
                   transmit_now(false, out);
                 },
                 [&](const AdminUp&) {
                   if (state_ != State::admin_down) return;
                   set_state(State::down, Diagnostic::none, out);
                   rearm_transmit(out);
                 },
                 [&](const TimersChanged& e) { on_timers_changed(e.timers, out); },
             },
             event);
  return out;
}

// RFC 5880 §6.8.6, after the packet-only checks of decode().
void SessionFsm::on_packet(const ControlPacket& p, std::vector<Action>& out) {
  if (p.your_discriminator != 0 && p.your_discriminator != local_discriminator_) return;
  const Micros interval_before = transmit_interval();
  remote_discriminator_ = p.my_discriminator;
  remote_state_ = p.state;
  remote_demand_ = p.demand;
  remote_min_rx_ = Micros{p.required_min_rx_us};
  remote_desired_min_tx_ = Micros{p.desired_min_tx_us};
  remote_multiplier_ = p.detect_multiplier;
  // A Final that starts the next Poll has rearmed the transmit timer already.
  const bool sent = p.final && poll_ && finish_poll(out);
  // The remote's Required Min RX binds at once: never send faster than it asked.
  if (!sent && transmit_interval() != interval_before) rearm_transmit(out);
  if (state_ == State::admin_down) return;

  if (p.state == State::admin_down) {
    if (state_ != State::down) set_state(State::down, Diagnostic::neighbor_signaled_session_down, out);
  } else {
    switch (state_) {
      case State::down:
        if (p.state == State::down) set_state(State::init, Diagnostic::none, out);
        else if (p.state == State::init) set_state(State::up, Diagnostic::none, out);
        break;
      case State::init:
        if (p.state == State::init || p.state == State::up) set_state(State::up, Diagnostic::none, out);
        break;
      case State::up:
        if (p.state == State::down) set_state(State::down, Diagnostic::neighbor_signaled_session_down, out);
        break;
      case State::admin_down:
        break;
    }
  }
  // A Poll gets its Final at once, whatever the transmit timer says (§6.8.7).
  if (p.poll) transmit_now(true, out);
  if (p.state == State::up) resumed_unconfirmed_ = false;
  heard_ = true;
  out.push_back(StartDetectionTimer{detection_time()});
}

void SessionFsm::on_detection_expired(std::vector<Action>& out) {
  if (!heard_) return;
  heard_ = false;
  remote_discriminator_ = 0;
  if (state_ == State::init || state_ == State::up)
    set_state(State::down, Diagnostic::control_detection_time_expired, out);
}

void SessionFsm::on_timers_changed(const Timers& timers, std::vector<Action>& out) {
  timers_ = timers;
  parameters_changed(out);
}

void SessionFsm::set_state(State to, Diagnostic diag, std::vector<Action>& out) {
  const State from = state_;
  state_ = to;
  local_diagnostic_ = diag;
  out.push_back(StateChanged{from, to, diag});
  if (to == State::up) resumed_unconfirmed_ = false;  // a handshake of our own
  if (to != State::up) {
    poll_ = poll_pending_ = false;  // Poll Sequences belong to Up sessions
  }
  // Up is announced at once (and the schedule counts from it); other states keep the (slow)
  // periodic schedule.
  const bool sent = parameters_changed(out, /*rearm=*/to != State::up);
  if (to == State::up && !sent) transmit_now(false, out);
}

Micros SessionFsm::advertised_desired_min_tx() const {
  return state_ == State::up ? timers_.desired_min_tx : std::max(timers_.desired_min_tx, kSlowTxInterval);
}

bool SessionFsm::parameters_changed(std::vector<Action>& out, bool rearm) {
  const Micros tx = advertised_desired_min_tx(), rx = timers_.required_min_rx;
  // Out of Up, the values in use follow the advertised ones at once, also when a Poll that was
  // holding them back has just been abandoned.
  const bool in_use_current = tx_in_use_ == tx && rx_in_use_ == rx;
  if (tx == advertised_tx_ && rx == advertised_rx_ && (state_ == State::up || in_use_current)) return false;
  if (poll_) {
    // The remote's Final may answer any packet of this Poll, so they all keep its values; the
    // new ones get a Poll of their own after the Final.
    poll_pending_ = true;
    return false;
  }
  bool sent = false;
  const Micros interval_before = transmit_interval();
  advertised_tx_ = tx;
  advertised_rx_ = rx;
  if (state_ != State::up) {
    tx_in_use_ = tx;
    rx_in_use_ = rx;
  } else {
    // Safe changes apply now; a slower transmit or a faster receive waits for the Final.
    if (tx < tx_in_use_) tx_in_use_ = tx;
    if (rx > rx_in_use_) rx_in_use_ = rx;
    sent = start_poll(out);
  }
  if (rearm && !sent && transmit_interval() != interval_before) rearm_transmit(out);
  return sent;
}

// §6.5: the Poll rides on the periodic packets ("additional packets MUST NOT be sent"); only a
// remote in Demand mode, which gets no periodic packets, needs one sent for it.
bool SessionFsm::start_poll(std::vector<Action>& out) {
  poll_ = true;
  if (transmit_interval().count() != 0) return false;
  transmit_now(false, out);
  return true;
}

bool SessionFsm::finish_poll(std::vector<Action>& out) {
  poll_ = false;
  tx_in_use_ = advertised_tx_;
  rx_in_use_ = advertised_rx_;
  if (!poll_pending_) return false;
  poll_pending_ = false;
  return parameters_changed(out);
}

Micros SessionFsm::transmit_interval() const {
  if (remote_min_rx_.count() == 0) return Micros{0};  // the remote asked for no packets (§6.8.7)
  // A remote in Demand mode gets no periodic packets, except a Poll, repeated until answered (§6.6).
  if (remote_demand_ && state_ == State::up && remote_state_ == State::up && !poll_) return Micros{0};
  return std::max(tx_in_use_, remote_min_rx_);
}

Micros SessionFsm::detection_time() const {
  return remote_multiplier_ * std::max(rx_in_use_, remote_desired_min_tx_);
}

// §6.8.7: the interval reduced by a random 0-25 % (and by 10-25 % when Detect Mult is 1). We
// always take 75-90 %: the 10 % left is headroom for a busy machine, so that a packet woken up
// late still leaves within the negotiated interval (measured: at 75-100 %, a thread woken 30 ms
// late under load sent 330 ms after the last packet at 300 ms).
Micros SessionFsm::jittered(Micros interval) {
  const auto permille = 750 + random_() % 151;
  return Micros{interval.count() * static_cast<std::int64_t>(permille) / 1000};
}

ControlPacket SessionFsm::packet(bool final) const {
  ControlPacket p;
  p.diagnostic = local_diagnostic_;
  p.state = state_;
  p.poll = poll_ && !final;  // never P and F together
  p.final = final;
  p.detect_multiplier = timers_.detect_multiplier;
  p.my_discriminator = local_discriminator_;
  p.your_discriminator = remote_discriminator_;
  p.desired_min_tx_us = static_cast<std::uint32_t>(advertised_tx_.count());
  p.required_min_rx_us = static_cast<std::uint32_t>(advertised_rx_.count());
  return p;
}

void SessionFsm::transmit_now(bool final, std::vector<Action>& out) {
  out.push_back(Transmit{packet(final)});
  if (!final) rearm_transmit(out);  // the periodic schedule counts from this packet
}

void SessionFsm::rearm_transmit(std::vector<Action>& out) {
  const Micros interval = transmit_interval();
  if (interval.count() == 0) out.push_back(StopTransmitTimer{});
  else out.push_back(StartTransmitTimer{jittered(interval)});
}

SessionSnapshot SessionFsm::snapshot() const {
  SessionSnapshot s;
  s.state = state_;
  s.remote_state = remote_state_;
  s.local_diagnostic = local_diagnostic_;
  s.local_discriminator = local_discriminator_;
  s.remote_discriminator = remote_discriminator_;
  s.transmit_interval = transmit_interval();
  s.detection_time = heard_ ? detection_time() : Micros{0};
  s.remote_multiplier = remote_multiplier_;
  s.poll_in_progress = poll_;
  return s;
}

}  // namespace bfd
