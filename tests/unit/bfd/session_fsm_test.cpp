// The BFD session state machine (RFC 5880 §6.8, asynchronous mode), driven by events; every
// expectation is the whole list of actions. Jitter comes from a scripted random source.
#include "bfd/session_fsm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <limits>

namespace bfd {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kOurDiscr = 0x1111;
constexpr std::uint32_t kPeerDiscr = 0x2222;

// Our configured timers: 300 ms each way, Detect Mult 3.
Timers our_timers() { return {.desired_min_tx = 300ms, .required_min_rx = 300ms, .detect_multiplier = 3}; }

// The random source plays 0 unless a test queues other values: jitter then takes 75 %.
Micros low_jitter(Micros interval) { return interval * 3 / 4; }

// The packet we should send in `state` with our_timers(), written out by hand: Desired Min TX is
// held at 1 s until Up (§6.8.3).
ControlPacket ours(State state, Diagnostic diag = Diagnostic::none, std::uint32_t your = kPeerDiscr) {
  return {.diagnostic = diag,
          .state = state,
          .detect_multiplier = 3,
          .my_discriminator = kOurDiscr,
          .your_discriminator = your,
          .desired_min_tx_us = state == State::up ? 300'000u : 1'000'000u,
          .required_min_rx_us = 300'000};
}

// What the peer sends: 300 ms each way, Desired Min TX 1 s until Up, Detect Mult 3.
ControlPacket theirs(State state, std::uint32_t your = kOurDiscr) {
  return {.state = state,
          .detect_multiplier = 3,
          .my_discriminator = kPeerDiscr,
          .your_discriminator = your,
          .desired_min_tx_us = state == State::up ? 300'000u : 1'000'000u,
          .required_min_rx_us = 300'000};
}

ControlPacket with_poll(ControlPacket p) {
  p.poll = true;
  return p;
}
ControlPacket with_final(ControlPacket p) {
  p.final = true;
  return p;
}
ControlPacket with_required_min_rx(ControlPacket p, std::uint32_t us) {
  p.required_min_rx_us = us;
  return p;
}
ControlPacket with_desired_min_tx(ControlPacket p, std::uint32_t us) {
  p.desired_min_tx_us = us;
  return p;
}

Action send(ControlPacket p) { return Transmit{p}; }
Action transmit_timer(Micros after) { return StartTransmitTimer{after}; }
Action detection_timer(Micros after) { return StartDetectionTimer{after}; }
Action changed(State from, State to, Diagnostic diag = Diagnostic::none) { return StateChanged{from, to, diag}; }

// Where a test begins: just started in Down; Init after the peer's Down; Up with our Poll for
// the faster timers still unanswered; Up with that Poll answered.
enum class From { down, init, up_polling, up };

struct Harness {
  explicit Harness(Timers timers = our_timers()) : fsm(kOurDiscr, timers, [this] { return next_random(); }) {}

  std::uint32_t next_random() {
    if (randoms.empty()) return 0;
    const std::uint32_t r = randoms.front();
    randoms.pop_front();
    return r;
  }
  std::vector<Action> handle(const Event& e) { return fsm.handle(e); }
  std::vector<Action> receive(const ControlPacket& p) { return fsm.handle(PacketReceived{p}); }
  std::vector<Action> transmit_timer_fires() { return fsm.handle(TransmitTimerExpired{}); }

  void reach(From from) {
    fsm.start();
    if (from >= From::init) receive(theirs(State::down, 0));
    if (from >= From::up_polling) receive(theirs(State::init));
    if (from >= From::up) receive(with_final(theirs(State::up)));
    ASSERT_EQ(fsm.state(), from == From::down ? State::down : from == From::init ? State::init : State::up);
    ASSERT_EQ(fsm.snapshot().poll_in_progress, from == From::up_polling);
  }

  std::deque<std::uint32_t> randoms;
  SessionFsm fsm;
};

Timers with_tx(Micros desired_min_tx) {
  Timers t = our_timers();
  t.desired_min_tx = desired_min_tx;
  return t;
}
Timers with_rx(Micros required_min_rx) {
  Timers t = our_timers();
  t.required_min_rx = required_min_rx;
  return t;
}

// ---- Three-way handshake and the ways down (§6.2, §6.8.6) -----------------------------------

TEST(BfdSessionFsm, StartSendsDownOnTheSlowSchedule) {
  Harness h;
  EXPECT_EQ(h.fsm.start(), (std::vector<Action>{send(ours(State::down, Diagnostic::none, 0)), transmit_timer(750ms)}));
  EXPECT_EQ(h.fsm.state(), State::down);
}

TEST(BfdSessionFsm, ThreeWayHandshakeDownInitUp) {
  Harness h;
  h.fsm.start();
  // The peer's Down: we learn its discriminator and go Init. Detection: its mult 3 x its 1 s.
  EXPECT_EQ(h.receive(theirs(State::down, 0)),
            (std::vector<Action>{changed(State::down, State::init), detection_timer(3s)}));
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(ours(State::init)), transmit_timer(750ms)}));
  // The peer's Init: Up, announced at once with a Poll for our faster Desired Min TX.
  EXPECT_EQ(h.receive(theirs(State::init)),
            (std::vector<Action>{changed(State::init, State::up), send(with_poll(ours(State::up))),
                                 transmit_timer(low_jitter(300ms)), detection_timer(3s)}));
  EXPECT_EQ(h.fsm.state(), State::up);
  // The peer's Up with the Final ends our Poll; its 300 ms now sets the detection time.
  EXPECT_EQ(h.receive(with_final(theirs(State::up))), (std::vector<Action>{detection_timer(900ms)}));
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(ours(State::up)), transmit_timer(low_jitter(300ms))}));
  EXPECT_EQ(h.fsm.state(), State::up);
}

TEST(BfdSessionFsm, DownAndRemoteInitGoesUp) {
  Harness h;
  h.reach(From::down);
  EXPECT_EQ(h.receive(theirs(State::init)),
            (std::vector<Action>{changed(State::down, State::up), send(with_poll(ours(State::up))),
                                 transmit_timer(low_jitter(300ms)), detection_timer(3s)}));
  EXPECT_EQ(h.fsm.state(), State::up);
}

TEST(BfdSessionFsm, InitAndRemoteUpGoesUp) {
  Harness h;
  h.reach(From::init);
  EXPECT_EQ(h.receive(theirs(State::up)),
            (std::vector<Action>{changed(State::init, State::up), send(with_poll(ours(State::up))),
                                 transmit_timer(low_jitter(300ms)), detection_timer(900ms)}));
}

TEST(BfdSessionFsm, DownAndRemoteUpStaysDown) {
  Harness h;
  h.reach(From::down);
  EXPECT_EQ(h.receive(theirs(State::up)), (std::vector<Action>{detection_timer(900ms)}));
  EXPECT_EQ(h.fsm.state(), State::down);
}

TEST(BfdSessionFsm, UpAndRemoteInitStaysUp) {
  Harness h;
  h.reach(From::up);
  EXPECT_EQ(h.receive(theirs(State::init)), (std::vector<Action>{detection_timer(3s)}));
  EXPECT_EQ(h.fsm.state(), State::up);
}

TEST(BfdSessionFsm, SlowConfiguredTxAnnouncesUpWithoutPoll) {
  // Nothing to negotiate on the way Up when the configured rate is already the slow one.
  Harness h(with_tx(1s));
  h.reach(From::init);
  ControlPacket up = ours(State::up);
  up.desired_min_tx_us = 1'000'000;
  EXPECT_EQ(h.receive(theirs(State::init)),
            (std::vector<Action>{changed(State::init, State::up), send(up), transmit_timer(750ms),
                                 detection_timer(3s)}));
  EXPECT_FALSE(h.fsm.snapshot().poll_in_progress);
}

TEST(BfdSessionFsm, UpAndRemoteDownGoesDownNeighborSignaled) {
  Harness h;
  h.reach(From::up);
  EXPECT_EQ(h.receive(theirs(State::down)),
            (std::vector<Action>{changed(State::up, State::down, Diagnostic::neighbor_signaled_session_down),
                                 transmit_timer(750ms), detection_timer(3s)}));
  EXPECT_FALSE(h.fsm.remote_admin_down());
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(ours(State::down, Diagnostic::neighbor_signaled_session_down)),
                                 transmit_timer(750ms)}));
}

TEST(BfdSessionFsm, UpAndRemoteAdminDownGoesDownAsNoFailure) {
  Harness h;
  h.reach(From::up);
  EXPECT_FALSE(h.fsm.remote_admin_down());
  EXPECT_EQ(h.receive(theirs(State::admin_down)),
            (std::vector<Action>{changed(State::up, State::down, Diagnostic::neighbor_signaled_session_down),
                                 transmit_timer(750ms), detection_timer(3s)}));
  EXPECT_EQ(h.fsm.state(), State::down);
  EXPECT_TRUE(h.fsm.remote_admin_down());
}

TEST(BfdSessionFsm, InitAndRemoteAdminDownGoesDown) {
  Harness h;
  h.reach(From::init);
  EXPECT_EQ(h.receive(theirs(State::admin_down)),
            (std::vector<Action>{changed(State::init, State::down, Diagnostic::neighbor_signaled_session_down),
                                 detection_timer(3s)}));
  EXPECT_TRUE(h.fsm.remote_admin_down());
}

TEST(BfdSessionFsm, DownAndRemoteAdminDownStaysDown) {
  Harness h;
  h.reach(From::down);
  EXPECT_EQ(h.receive(theirs(State::admin_down, 0)), (std::vector<Action>{detection_timer(3s)}));
  EXPECT_EQ(h.fsm.state(), State::down);
}

TEST(BfdSessionFsm, UpDetectionExpiryGoesDownAndForgetsTheRemote) {
  Harness h;
  h.reach(From::up);
  EXPECT_EQ(h.handle(DetectionTimerExpired{}),
            (std::vector<Action>{changed(State::up, State::down, Diagnostic::control_detection_time_expired),
                                 transmit_timer(750ms)}));
  // The next packet no longer names the peer (§6.8.1: bfd.RemoteDiscr is reset).
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(ours(State::down, Diagnostic::control_detection_time_expired, 0)),
                                 transmit_timer(750ms)}));
  EXPECT_EQ(h.fsm.snapshot().remote_discriminator, 0u);
}

TEST(BfdSessionFsm, InitDetectionExpiryGoesDown) {
  Harness h;
  h.reach(From::init);
  EXPECT_EQ(h.handle(DetectionTimerExpired{}),
            (std::vector<Action>{changed(State::init, State::down, Diagnostic::control_detection_time_expired)}));
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(ours(State::down, Diagnostic::control_detection_time_expired, 0)),
                                 transmit_timer(750ms)}));
}

TEST(BfdSessionFsm, DetectionExpiryBeforeAnyPacketDoesNothing) {
  // A session that never came Up has not failed: no Down, no diagnostic.
  Harness h;
  h.reach(From::down);
  EXPECT_EQ(h.handle(DetectionTimerExpired{}), std::vector<Action>{});
  EXPECT_EQ(h.fsm.state(), State::down);
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(ours(State::down, Diagnostic::none, 0)), transmit_timer(750ms)}));
}

TEST(BfdSessionFsm, SecondDetectionExpiryWithoutPacketsDoesNothing) {
  Harness h;
  h.reach(From::up);
  h.handle(DetectionTimerExpired{});
  EXPECT_EQ(h.handle(DetectionTimerExpired{}), std::vector<Action>{});
  EXPECT_EQ(h.fsm.snapshot().local_diagnostic, Diagnostic::control_detection_time_expired);
}

TEST(BfdSessionFsm, SnapshotOfAnUpSession) {
  Harness h;
  h.reach(From::up);
  EXPECT_EQ(h.fsm.snapshot(), (SessionSnapshot{.state = State::up,
                                               .remote_state = State::up,
                                               .local_diagnostic = Diagnostic::none,
                                               .local_discriminator = kOurDiscr,
                                               .remote_discriminator = kPeerDiscr,
                                               .transmit_interval = 300ms,
                                               .detection_time = 900ms,
                                               .remote_multiplier = 3,
                                               .poll_in_progress = false}));
}

// ---- 1. The peer's Required Min RX (gobgp#3563) ---------------------------------------------

TEST(BfdSessionFsm, TransmitIntervalIsTheSlowerOfOurDesiredTxAndTheirRequiredRx) {
  Harness h;
  h.reach(From::up);
  // The peer can take packets faster than we want to send them: our 300 ms rules.
  EXPECT_EQ(h.receive(with_required_min_rx(theirs(State::up), 100'000)),
            (std::vector<Action>{detection_timer(900ms)}));
  EXPECT_EQ(h.fsm.snapshot().transmit_interval, 300ms);
  // The peer raises its Required Min RX: the slower rate binds at once, with no Poll of ours.
  EXPECT_EQ(h.receive(with_required_min_rx(theirs(State::up), 1'000'000)),
            (std::vector<Action>{transmit_timer(750ms), detection_timer(900ms)}));
  EXPECT_EQ(h.fsm.snapshot().transmit_interval, 1s);
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(ours(State::up)), transmit_timer(750ms)}));
}

TEST(BfdSessionFsm, RemoteRaisingRequiredMinRxIsNeverOutpaced) {
  // Even when we later ask for a faster rate, the peer's Required Min RX stays the floor.
  Harness h;
  h.reach(From::up);
  h.receive(with_required_min_rx(theirs(State::up), 2'000'000));
  ControlPacket faster = with_poll(ours(State::up));
  faster.desired_min_tx_us = 50'000;
  // The interval stays 2 s, so the schedule is left alone; the Poll waits for the next packet.
  EXPECT_EQ(h.handle(TimersChanged{with_tx(50ms)}), std::vector<Action>{});
  EXPECT_EQ(h.fsm.snapshot().transmit_interval, 2s);
  h.randoms = {150};  // jitter at its top: 90 %
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(faster), transmit_timer(1800ms)}));
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(faster), transmit_timer(low_jitter(2s))}));
}

// ---- 2. Never faster than once a second while not Up (gobgp#3564, frr#18588) ----------------

TEST(BfdSessionFsm, NeverFasterThanOnceASecondWhileNotUp) {
  // Fast timers on both ends (10 ms): they must not apply before Up (§6.8.3).
  Harness h({.desired_min_tx = 10ms, .required_min_rx = 10ms, .detect_multiplier = 3});
  auto peer = [](State state, std::uint32_t your = kOurDiscr) {
    ControlPacket p = theirs(state, your);
    p.desired_min_tx_us = state == State::up ? 10'000 : 1'000'000;
    p.required_min_rx_us = 10'000;
    return p;
  };
  int checked_timers = 0, checked_packets = 0;
  auto expect_slow = [&](const std::vector<Action>& actions, const char* step) {
    SCOPED_TRACE(step);
    ASSERT_NE(h.fsm.state(), State::up);
    for (const Action& a : actions) {
      if (const auto* timer = std::get_if<StartTransmitTimer>(&a)) {
        EXPECT_GE(timer->after, 750ms) << a;
        ++checked_timers;
      }
      if (const auto* sent = std::get_if<Transmit>(&a)) {
        EXPECT_GE(sent->packet.desired_min_tx_us, 1'000'000u) << a;
        ++checked_packets;
      }
    }
  };
  expect_slow(h.fsm.start(), "start in Down");
  expect_slow(h.transmit_timer_fires(), "periodic in Down");
  expect_slow(h.receive(peer(State::down, 0)), "Down -> Init");
  expect_slow(h.transmit_timer_fires(), "periodic in Init");
  expect_slow(h.receive(with_poll(peer(State::down))), "Final in Init");
  expect_slow(h.handle(AdminDown{}), "Init -> AdminDown");
  expect_slow(h.transmit_timer_fires(), "periodic in AdminDown");
  expect_slow(h.handle(AdminUp{}), "AdminDown -> Down");
  h.receive(peer(State::init));
  ASSERT_EQ(h.fsm.state(), State::up);
  // Back from a fast Up to Down: the slow rate returns at once, before the next packet.
  const std::vector<Action> went_down = h.receive(peer(State::down));
  expect_slow(went_down, "Up -> Down");
  EXPECT_EQ(went_down,
            (std::vector<Action>{changed(State::up, State::down, Diagnostic::neighbor_signaled_session_down),
                                 transmit_timer(750ms), detection_timer(3s)}));
  expect_slow(h.transmit_timer_fires(), "periodic in Down again");
  EXPECT_GE(checked_timers, 7);
  EXPECT_GE(checked_packets, 6);
}

TEST(BfdSessionFsm, NotUpAdvertisesOneSecondDesiredMinTx) {
  Harness h({.desired_min_tx = 10ms, .required_min_rx = 10ms, .detect_multiplier = 3});
  ControlPacket down = ours(State::down, Diagnostic::none, 0);
  down.required_min_rx_us = 10'000;  // Required Min RX is not held back: receiving fast is harmless
  EXPECT_EQ(h.fsm.start(), (std::vector<Action>{send(down), transmit_timer(750ms)}));
  h.randoms = {150};
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(down), transmit_timer(900ms)}));
}

TEST(BfdSessionFsm, NotUpKeepsASlowerConfiguredTx) {
  Harness h(with_tx(3s));
  ControlPacket down = ours(State::down, Diagnostic::none, 0);
  down.desired_min_tx_us = 3'000'000;
  EXPECT_EQ(h.fsm.start(), (std::vector<Action>{send(down), transmit_timer(low_jitter(3s))}));
}

// ---- 3. Detection time (gobgp#3483) ---------------------------------------------------------

TEST(BfdSessionFsm, DetectionTimeIsRemoteMultTimesSlowerOfOurRxAndTheirTx) {
  Harness h;  // our Detect Mult 3, Required Min RX 300 ms
  h.reach(From::up);
  ControlPacket peer = theirs(State::up);
  peer.detect_multiplier = 5;
  // Their Desired Min TX 200 ms is faster than we accept: 5 x 300 ms.
  EXPECT_EQ(h.receive(with_desired_min_tx(peer, 200'000)), (std::vector<Action>{detection_timer(1500ms)}));
  // Their 400 ms is slower than our 300 ms: 5 x 400 ms.
  EXPECT_EQ(h.receive(with_desired_min_tx(peer, 400'000)), (std::vector<Action>{detection_timer(2s)}));
  EXPECT_EQ(h.fsm.snapshot().detection_time, 2s);
  EXPECT_EQ(h.fsm.snapshot().remote_multiplier, 5);
  // Our own multiplier is what we send, not what we wait for.
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(ours(State::up)), transmit_timer(low_jitter(300ms))}));
}

// ---- 4. Timer changes while Up: a Poll Sequence (§6.8.3, gobgp#3561) ------------------------

TEST(BfdSessionFsm, SlowerTxWhileUpPollsAndAppliesAfterTheFinal) {
  Harness h;
  h.reach(From::up);
  const ControlPacket polling = with_desired_min_tx(with_poll(ours(State::up)), 600'000);
  // The Poll starts, riding on the periodic packets (§6.5); the old 300 ms stays in use until the
  // peer's Final.
  EXPECT_EQ(h.handle(TimersChanged{with_tx(600ms)}), std::vector<Action>{});
  EXPECT_EQ(h.fsm.state(), State::up);
  EXPECT_TRUE(h.fsm.snapshot().poll_in_progress);
  EXPECT_EQ(h.fsm.snapshot().transmit_interval, 300ms);
  // Every periodic packet carries the P bit until the Final.
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(polling), transmit_timer(low_jitter(300ms))}));
  EXPECT_EQ(h.receive(theirs(State::up)), (std::vector<Action>{detection_timer(900ms)}));
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(polling), transmit_timer(low_jitter(300ms))}));
  // The Final: 600 ms now applies, the P bit goes.
  EXPECT_EQ(h.receive(with_final(theirs(State::up))),
            (std::vector<Action>{transmit_timer(low_jitter(600ms)), detection_timer(900ms)}));
  EXPECT_FALSE(h.fsm.snapshot().poll_in_progress);
  EXPECT_EQ(h.fsm.snapshot().transmit_interval, 600ms);
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(with_desired_min_tx(ours(State::up), 600'000)),
                                 transmit_timer(low_jitter(600ms))}));
  EXPECT_EQ(h.fsm.state(), State::up);
}

TEST(BfdSessionFsm, FasterRxWhileUpPollsAndAppliesAfterTheFinal) {
  Harness h;
  h.reach(From::up);
  const ControlPacket polling = with_required_min_rx(with_poll(ours(State::up)), 100'000);
  EXPECT_EQ(h.handle(TimersChanged{with_rx(100ms)}), std::vector<Action>{});
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(polling), transmit_timer(low_jitter(300ms))}));
  // Before the Final the peer may still send every 300 ms: detection keeps 3 x 300 ms even
  // though it now asks for 50 ms.
  const ControlPacket fast_peer = with_desired_min_tx(theirs(State::up), 50'000);
  EXPECT_EQ(h.receive(fast_peer), (std::vector<Action>{detection_timer(900ms)}));
  EXPECT_EQ(h.receive(with_final(fast_peer)), (std::vector<Action>{detection_timer(300ms)}));
  EXPECT_EQ(h.fsm.state(), State::up);
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(with_required_min_rx(ours(State::up), 100'000)),
                                 transmit_timer(low_jitter(300ms))}));
}

TEST(BfdSessionFsm, FasterTxWhileUpAppliesAtOnce) {
  // Sending faster is always safe: no waiting for the Final (the Poll still tells the peer).
  Harness h;
  h.reach(From::up);
  h.receive(with_required_min_rx(theirs(State::up), 50'000));
  const ControlPacket polling = with_desired_min_tx(with_poll(ours(State::up)), 100'000);
  // The schedule is rearmed at the new rate at once; the Poll goes with the next packet.
  EXPECT_EQ(h.handle(TimersChanged{with_tx(100ms)}), (std::vector<Action>{transmit_timer(low_jitter(100ms))}));
  EXPECT_EQ(h.fsm.snapshot().transmit_interval, 100ms);
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(polling), transmit_timer(low_jitter(100ms))}));
}

TEST(BfdSessionFsm, SlowerRxWhileUpAppliesAtOnce) {
  // Accepting packets less often lengthens our detection time: safe before the Final.
  Harness h;
  h.reach(From::up);
  EXPECT_EQ(h.handle(TimersChanged{with_rx(1s)}), std::vector<Action>{});
  EXPECT_EQ(h.receive(theirs(State::up)), (std::vector<Action>{detection_timer(3s)}));
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(with_required_min_rx(with_poll(ours(State::up)), 1'000'000)),
                                 transmit_timer(low_jitter(300ms))}));
}

TEST(BfdSessionFsm, TimerChangeDuringAPollPollsAgainAfterTheFinal) {
  Harness h;
  h.reach(From::up);
  auto up = [](std::uint32_t desired_min_tx_us, bool poll) {
    ControlPacket p = with_desired_min_tx(ours(State::up), desired_min_tx_us);
    p.poll = poll;
    return p;
  };
  EXPECT_EQ(h.handle(TimersChanged{with_tx(600ms)}), std::vector<Action>{});
  // A second change while the first Poll is out: the peer's Final may answer any packet of that
  // Poll, so its packets keep asking about 600 ms and 900 ms gets a Poll of its own.
  EXPECT_EQ(h.handle(TimersChanged{with_tx(900ms)}), std::vector<Action>{});
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(up(600'000, true)), transmit_timer(low_jitter(300ms))}));
  // The first Final: 600 ms applies and the second Poll starts, on the next periodic packet.
  EXPECT_EQ(h.receive(with_final(theirs(State::up))),
            (std::vector<Action>{transmit_timer(low_jitter(600ms)), detection_timer(900ms)}));
  EXPECT_TRUE(h.fsm.snapshot().poll_in_progress);
  EXPECT_EQ(h.fsm.snapshot().transmit_interval, 600ms);
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(up(900'000, true)), transmit_timer(low_jitter(600ms))}));
  // The second Final: 900 ms applies, and the Poll Sequences are over.
  EXPECT_EQ(h.receive(with_final(theirs(State::up))),
            (std::vector<Action>{transmit_timer(low_jitter(900ms)), detection_timer(900ms)}));
  EXPECT_FALSE(h.fsm.snapshot().poll_in_progress);
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(up(900'000, false)), transmit_timer(low_jitter(900ms))}));
  EXPECT_EQ(h.fsm.state(), State::up);
}

TEST(BfdSessionFsm, TimerChangeRevertedDuringAPollNeedsNoSecondPoll) {
  Harness h;
  h.reach(From::up);
  h.handle(TimersChanged{with_tx(600ms)});
  h.handle(TimersChanged{with_tx(900ms)});
  h.handle(TimersChanged{with_tx(600ms)});
  EXPECT_EQ(h.receive(with_final(theirs(State::up))),
            (std::vector<Action>{transmit_timer(low_jitter(600ms)), detection_timer(900ms)}));
  EXPECT_FALSE(h.fsm.snapshot().poll_in_progress);
}

bool has_transmit(const std::vector<Action>& actions) {
  return std::any_of(actions.begin(), actions.end(),
                     [](const Action& a) { return std::holds_alternative<Transmit>(a); });
}

TEST(BfdSessionFsm, PollRidesOnPeriodicPacketsNoExtraPacket) {
  // RFC 5880 §6.5: while periodic packets flow, the Poll sets P on those scheduled packets;
  // "additional packets MUST NOT be sent". Whatever changed: slower or faster, tx or rx.
  for (const Timers& timers : {with_tx(600ms), with_tx(100ms), with_rx(1s), with_rx(100ms)}) {
    SCOPED_TRACE(::testing::Message() << "tx " << timers.desired_min_tx.count() << "us, rx "
                                      << timers.required_min_rx.count() << "us");
    Harness h;
    h.reach(From::up);
    EXPECT_FALSE(has_transmit(h.handle(TimersChanged{timers})));
    EXPECT_TRUE(h.fsm.snapshot().poll_in_progress);
    // The next periodic packet carries P and the new values.
    const std::vector<Action> next = h.transmit_timer_fires();
    ASSERT_FALSE(next.empty());
    const auto* sent = std::get_if<Transmit>(&next.front());
    ASSERT_NE(sent, nullptr);
    EXPECT_TRUE(sent->packet.poll);
    EXPECT_EQ(Micros{sent->packet.desired_min_tx_us}, timers.desired_min_tx);
    EXPECT_EQ(Micros{sent->packet.required_min_rx_us}, timers.required_min_rx);
  }
}

TEST(BfdSessionFsm, PollWithoutPeriodicPacketsIsSentAtOnce) {
  // The peer asked for no periodic packets (Required Min RX 0): nothing would carry the P bit,
  // so the Poll sends a packet of its own.
  Harness h;
  h.reach(From::up);
  h.receive(with_required_min_rx(theirs(State::up), 0));
  EXPECT_EQ(h.handle(TimersChanged{with_tx(600ms)}),
            (std::vector<Action>{send(with_desired_min_tx(with_poll(ours(State::up)), 600'000)),
                                 StopTransmitTimer{}}));
  EXPECT_TRUE(h.fsm.snapshot().poll_in_progress);
}

TEST(BfdSessionFsm, TimerChangeWhileNotUpNeedsNoPoll) {
  Harness h;
  h.reach(From::init);
  EXPECT_EQ(h.handle(TimersChanged{with_rx(500ms)}), std::vector<Action>{});
  EXPECT_FALSE(h.fsm.snapshot().poll_in_progress);
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(with_required_min_rx(ours(State::init), 500'000)), transmit_timer(750ms)}));
}

TEST(BfdSessionFsm, GoingDownAbandonsThePoll) {
  Harness h;
  h.reach(From::up_polling);
  h.receive(theirs(State::down));
  EXPECT_FALSE(h.fsm.snapshot().poll_in_progress);
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(ours(State::down, Diagnostic::neighbor_signaled_session_down)),
                                 transmit_timer(750ms)}));
}

// ---- 5. A received Poll gets its Final at once (§6.8.7) -------------------------------------

TEST(BfdSessionFsm, ReceivedPollGetsAnImmediateFinal) {
  Harness h;
  h.reach(From::up);
  // The Final is extra: the periodic schedule is left alone.
  EXPECT_EQ(h.receive(with_poll(theirs(State::up))),
            (std::vector<Action>{send(with_final(ours(State::up))), detection_timer(900ms)}));
}

TEST(BfdSessionFsm, FinalDuringOurOwnPollCarriesNoPollBit) {
  Harness h;
  h.reach(From::up_polling);
  EXPECT_EQ(h.receive(with_poll(theirs(State::up))),
            (std::vector<Action>{send(with_final(ours(State::up))), detection_timer(900ms)}));
  // Our Poll is still unanswered: the next periodic packet asks again.
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(with_poll(ours(State::up))), transmit_timer(low_jitter(300ms))}));
}

TEST(BfdSessionFsm, ReceivedPollWhileInitGetsAFinal) {
  Harness h;
  h.reach(From::init);
  EXPECT_EQ(h.receive(with_poll(theirs(State::down))),
            (std::vector<Action>{send(with_final(ours(State::init))), detection_timer(3s)}));
}

// ---- 7. Local AdminDown (§6.8.16) -----------------------------------------------------------

TEST(BfdSessionFsm, AdminDownSendsAdminDownAtOnce) {
  Harness h;
  h.reach(From::up);
  EXPECT_EQ(h.handle(AdminDown{}),
            (std::vector<Action>{changed(State::up, State::admin_down, Diagnostic::administratively_down),
                                 transmit_timer(750ms), StopDetectionTimer{},
                                 send(ours(State::admin_down, Diagnostic::administratively_down)),
                                 transmit_timer(750ms)}));
  EXPECT_EQ(h.fsm.state(), State::admin_down);
  EXPECT_EQ(h.transmit_timer_fires(),
            (std::vector<Action>{send(ours(State::admin_down, Diagnostic::administratively_down)),
                                 transmit_timer(750ms)}));
  EXPECT_EQ(h.handle(AdminDown{}), std::vector<Action>{});
}

TEST(BfdSessionFsm, AdminDownIgnoresReceivedPackets) {
  Harness h;
  h.reach(From::up);
  h.handle(AdminDown{});
  for (State state : {State::admin_down, State::down, State::init, State::up}) {
    EXPECT_EQ(h.receive(theirs(state)), std::vector<Action>{}) << to_string(state);
    EXPECT_EQ(h.receive(with_poll(theirs(state))), std::vector<Action>{}) << to_string(state);
    EXPECT_EQ(h.fsm.state(), State::admin_down);
  }
  EXPECT_EQ(h.handle(DetectionTimerExpired{}), std::vector<Action>{});
  EXPECT_EQ(h.fsm.snapshot().local_diagnostic, Diagnostic::administratively_down);
}

TEST(BfdSessionFsm, AdminUpReturnsToDown) {
  Harness h;
  h.reach(From::up);
  EXPECT_EQ(h.handle(AdminUp{}), std::vector<Action>{});  // not AdminDown: nothing to do
  h.handle(AdminDown{});
  EXPECT_EQ(h.handle(AdminUp{}),
            (std::vector<Action>{changed(State::admin_down, State::down), transmit_timer(750ms)}));
  EXPECT_EQ(h.transmit_timer_fires(), (std::vector<Action>{send(ours(State::down)), transmit_timer(750ms)}));
  // And the handshake starts over.
  EXPECT_EQ(h.receive(theirs(State::down)),
            (std::vector<Action>{changed(State::down, State::init), detection_timer(3s)}));
}

// ---- 8. Jitter (§6.8.7) ---------------------------------------------------------------------

// The periodic intervals the FSM arms, once for each random value 0..1000 and the extremes.
std::vector<Micros> jittered_intervals(Harness& h) {
  std::vector<Micros> intervals;
  std::vector<std::uint32_t> randoms{std::numeric_limits<std::uint32_t>::max(),
                                     std::numeric_limits<std::uint32_t>::max() - 1};
  for (std::uint32_t r = 0; r <= 1000; ++r) randoms.push_back(r);
  for (std::uint32_t r : randoms) {
    h.randoms = {r};
    for (const Action& a : h.transmit_timer_fires())
      if (const auto* timer = std::get_if<StartTransmitTimer>(&a)) intervals.push_back(timer->after);
  }
  return intervals;
}

// Within the RFC's 75-100 %, we keep to 75-90 % whatever the multiplier: the rest is headroom
// for a late wake-up on a busy machine (the engine measures the gaps; see bench_bfd).
TEST(BfdSessionFsm, JitterWithMultiplierThreeIs75To90Percent) {
  Harness h;
  h.reach(From::up);
  const std::vector<Micros> intervals = jittered_intervals(h);
  ASSERT_EQ(intervals.size(), 1003u);
  EXPECT_EQ(*std::min_element(intervals.begin(), intervals.end()), 225ms);
  EXPECT_EQ(*std::max_element(intervals.begin(), intervals.end()), 270ms);
}

TEST(BfdSessionFsm, JitterWithMultiplierOneIs75To90Percent) {
  Harness h({.desired_min_tx = 300ms, .required_min_rx = 300ms, .detect_multiplier = 1});
  h.reach(From::up);
  const std::vector<Micros> intervals = jittered_intervals(h);
  ASSERT_EQ(intervals.size(), 1003u);
  EXPECT_EQ(*std::min_element(intervals.begin(), intervals.end()), 225ms);
  EXPECT_EQ(*std::max_element(intervals.begin(), intervals.end()), 270ms);
}

// ---- 9. Required Min RX 0: the peer wants no periodic packets (§6.8.7) ----------------------

TEST(BfdSessionFsm, RemoteRequiredMinRxZeroStopsPeriodicTransmission) {
  Harness h;
  h.reach(From::up);
  const ControlPacket quiet_peer = with_required_min_rx(theirs(State::up), 0);
  EXPECT_EQ(h.receive(quiet_peer), (std::vector<Action>{StopTransmitTimer{}, detection_timer(900ms)}));
  EXPECT_EQ(h.fsm.snapshot().transmit_interval, 0us);
  EXPECT_EQ(h.transmit_timer_fires(), std::vector<Action>{});
  // Its Poll still gets a Final.
  EXPECT_EQ(h.receive(with_poll(quiet_peer)),
            (std::vector<Action>{send(with_final(ours(State::up))), detection_timer(900ms)}));
  // And when it asks for packets again, they resume.
  EXPECT_EQ(h.receive(theirs(State::up)), (std::vector<Action>{transmit_timer(low_jitter(300ms)),
                                                               detection_timer(900ms)}));
}

// ---- 10. Demultiplexing ---------------------------------------------------------------------

TEST(BfdSessionFsm, PacketForAnotherDiscriminatorIsIgnored) {
  Harness h;
  h.reach(From::up);
  const SessionSnapshot before = h.fsm.snapshot();
  EXPECT_EQ(h.receive(theirs(State::down, 0x9999)), std::vector<Action>{});
  EXPECT_EQ(h.receive(with_poll(theirs(State::up, 0x9999))), std::vector<Action>{});
  EXPECT_EQ(h.fsm.snapshot(), before);
}

TEST(BfdSessionFsm, PacketForAnotherDiscriminatorDoesNotStartTheHandshake) {
  Harness h;
  h.reach(From::down);
  EXPECT_EQ(h.receive(theirs(State::init, 0x9999)), std::vector<Action>{});
  EXPECT_EQ(h.fsm.state(), State::down);
  EXPECT_EQ(h.fsm.snapshot().remote_discriminator, 0u);
}

}  // namespace
}  // namespace bfd

// ---- A session carried over a planned restart of the daemon ----------------------------------

namespace bfd {
namespace {

TEST(BfdSessionResume, SavedStateResumesUpAndPollsBackToTheConfiguredTimers) {
  Harness old_instance;
  old_instance.reach(From::up);
  // The old instance asks the remote to wait 40 s for it (Desired Min TX 40 s / 3), gets the Final.
  Timers slow = our_timers();
  slow.desired_min_tx = Micros{40'000'000};
  old_instance.handle(TimersChanged{slow});
  old_instance.receive(with_final(theirs(State::up)));
  ASSERT_FALSE(old_instance.fsm.snapshot().poll_in_progress);
  const ResumeState saved = old_instance.fsm.resume_state();
  EXPECT_EQ(saved.local_discriminator, kOurDiscr);
  EXPECT_NE(saved.remote_discriminator, 0u);
  EXPECT_EQ(saved.advertised_tx, Micros{40'000'000});

  Harness next_instance;  // configured 300 ms again
  const auto actions = next_instance.fsm.resume(saved);
  EXPECT_EQ(next_instance.fsm.state(), State::up);
  ASSERT_GE(actions.size(), 2u);
  EXPECT_EQ(actions.front(), Action{(StateChanged{State::down, State::up, Diagnostic::none})});
  // Up at once, with the remote's discriminator, and a Poll for the faster rate.
  auto sent = std::find_if(actions.begin(), actions.end(), [](const Action& a) { return std::holds_alternative<Transmit>(a); });
  ASSERT_NE(sent, actions.end());
  const auto& p = std::get<Transmit>(*sent).packet;
  EXPECT_EQ(p.state, State::up);
  EXPECT_EQ(p.your_discriminator, saved.remote_discriminator);
  EXPECT_TRUE(p.poll);
  EXPECT_EQ(p.desired_min_tx_us, 300'000u);
  EXPECT_TRUE(next_instance.fsm.resumed_unconfirmed());
  // The remote answers Up: confirmed.
  next_instance.receive(with_final(theirs(State::up)));
  EXPECT_FALSE(next_instance.fsm.resumed_unconfirmed());
  EXPECT_EQ(next_instance.fsm.snapshot().transmit_interval, 300ms);
}

TEST(BfdSessionResume, ARemoteThatForgotTheSessionIsNoFailure) {
  Harness h;
  ResumeState saved{kOurDiscr, 0x2222, Micros{1'000'000}, Micros{300'000}, 3, Micros{300'000}, Micros{300'000}, 3};
  h.fsm.resume(saved);
  // The router restarted meanwhile: it says Down with no discriminator of ours.
  const auto actions = h.receive(theirs(State::down, 0));
  EXPECT_EQ(h.fsm.state(), State::down);
  EXPECT_TRUE(h.fsm.resumed_unconfirmed());  // so the engine does not report a path failure
  EXPECT_NE(std::find(actions.begin(), actions.end(),
                      Action{(StateChanged{State::up, State::down, Diagnostic::neighbor_signaled_session_down})}),
            actions.end());
}

}  // namespace
}  // namespace bfd

namespace bfd {
namespace {

// Found by bfd_session_fuzz: a Poll for a slower rate was abandoned by a detection expiry, and the
// old, faster rate stayed in force in Down (faster than once a second, RFC 5880 §6.8.3).
TEST(BfdSessionFsm, GoingDownDuringAPollForASlowerRateTakesTheSlowerRate) {
  Harness h;
  h.reach(From::up);
  h.handle(TimersChanged{with_tx(Micros{7'000'000})});
  ASSERT_TRUE(h.fsm.snapshot().poll_in_progress);
  ASSERT_EQ(h.fsm.snapshot().transmit_interval, 300ms);  // held back until the Final
  h.handle(DetectionTimerExpired{});
  EXPECT_EQ(h.fsm.state(), State::down);
  EXPECT_EQ(h.fsm.snapshot().transmit_interval, Micros{7'000'000});
}

}  // namespace
}  // namespace bfd
