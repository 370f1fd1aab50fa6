#include "bgp/session_fsm.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <functional>
#include <sstream>

using namespace bgp;
using namespace std::chrono_literals;
namespace sub = bgp::wire::subcode;
using wire::ErrorCode;
using wire::Notification;

namespace {

constexpr std::uint32_t kOurId = 0x0a000001;   // 10.0.0.1
constexpr std::uint32_t kPeerId = 0x0a000002;  // 10.0.0.2
const Clock::time_point kNow{};

FsmConfig test_config() {
  FsmConfig c;
  c.local_as = 65000;
  c.peer_as = 65001;
  c.router_id = kOurId;
  c.hold_time = 90s;
  c.keepalive_time = 30s;
  c.connect_retry = 5s;
  c.max_idle_hold = 120s;
  c.families = {wire::kIpv4Unicast};
  return c;
}

wire::Open peer_open() {
  wire::Open open;
  open.version = 4;
  open.my_as = 65001;
  open.hold_time = 90;
  open.bgp_identifier = kPeerId;
  open.capabilities.multiprotocol = {wire::kIpv4Unicast};
  open.capabilities.route_refresh = true;
  open.capabilities.four_octet_as = 65001;
  return open;
}

// The OPEN test_config() should produce, written out by hand.
wire::Open expected_our_open() {
  wire::Open open;
  open.version = 4;
  open.my_as = 65000;
  open.hold_time = 90;
  open.bgp_identifier = kOurId;
  open.capabilities.multiprotocol = {wire::kIpv4Unicast};
  open.capabilities.route_refresh = true;
  open.capabilities.four_octet_as = 65000;
  return open;
}

Negotiated expected_negotiated() {
  Negotiated n;
  n.peer_as = 65001;
  n.peer_router_id = kPeerId;
  n.hold_time = 90s;
  n.keepalive_time = 30s;
  n.four_octet_as = true;
  n.route_refresh = true;
  n.families = {wire::kIpv4Unicast};
  return n;
}

// Every test draws random_unit() == 0 unless it says otherwise: jitter factor 0.75.
Duration low_jitter(Duration d) { return d * 3 / 4; }
const Duration kConnectRetry = low_jitter(5s);  // 3750ms
const Duration kKeepalive = low_jitter(30s);    // 22500ms
const Duration kFirstBackoff = low_jitter(5s);  // idle hold after the first failure

const Notification kHoldTimerExpired{ErrorCode::hold_timer_expired, 0, {}};
Notification fsm_error(std::uint8_t subcode) { return {ErrorCode::fsm, subcode, {}}; }
Notification open_error(std::uint8_t subcode, std::vector<std::uint8_t> data = {}) {
  return {ErrorCode::open_message, subcode, std::move(data)};
}

const wire::DecodeError kHeaderError{ErrorCode::message_header, sub::bad_message_length, {0x00, 0x10},
                                     wire::Reaction::session_reset, "length 16", {}};

Action start(TimerId timer, Duration d) { return StartTimer{timer, d}; }
Action stop(TimerId timer) { return StopTimer{timer}; }
Action send(wire::Message m) { return Send{std::move(m)}; }

// Where a case begins, and the events that get there from a fresh FSM.
enum class From { idle, idle_after_failure, connect, active, open_sent, open_confirm, established };

std::vector<Event> path_to(From from, const FsmConfig& config) {
  switch (from) {
    case From::idle: return {};
    case From::idle_after_failure:
      return {ManualStart{}, TcpConnectionConfirmed{}, NotificationReceived{wire::administrative_shutdown("")}};
    case From::connect: return {ManualStart{}};
    case From::active:
      if (config.passive) return {ManualStart{}};
      return {ManualStart{}, TcpConnectionConfirmed{}, TcpConnectionFails{}};
    case From::open_sent: return {ManualStart{}, TcpConnectionConfirmed{}};
    case From::open_confirm: return {ManualStart{}, TcpConnectionConfirmed{}, OpenReceived{peer_open()}};
    case From::established:
      return {ManualStart{}, TcpConnectionConfirmed{}, OpenReceived{peer_open()}, KeepaliveReceived{}};
  }
  return {};
}

State state_of(From from) {
  switch (from) {
    case From::idle:
    case From::idle_after_failure: return State::idle;
    case From::connect: return State::connect;
    case From::active: return State::active;
    case From::open_sent: return State::open_sent;
    case From::open_confirm: return State::open_confirm;
    case From::established: return State::established;
  }
  return State::idle;
}

// An FSM whose random source plays `randoms` in order, then 0 forever.
struct Harness {
  explicit Harness(FsmConfig config = test_config(), std::deque<double> randoms = {})
      : randoms(std::move(randoms)), fsm(std::move(config), [this] { return next_random(); }) {}

  double next_random() {
    if (randoms.empty()) return 0.0;
    double r = randoms.front();
    randoms.pop_front();
    return r;
  }
  std::vector<Action> handle(const Event& e) { return fsm.handle(e, kNow); }
  void reach(From from) {
    for (const auto& e : path_to(from, fsm.config())) handle(e);
    ASSERT_EQ(fsm.state(), state_of(from)) << "setup did not reach the starting state";
  }

  std::deque<double> randoms;
  SessionFsm fsm;
};

// ---- The transition table -------------------------------------------------------------------

struct Transition {
  std::string name;
  From from;
  Event event;
  State next;
  std::vector<Action> actions;
  std::function<void(FsmConfig&)> configure = {};
};

std::ostream& operator<<(std::ostream& os, const Transition& t) { return os << t.name; }

std::string peer_sent(const Notification& n) { return "peer sent " + wire::describe(n); }
std::string we_sent(const Notification& n) { return "sent " + wire::describe(n); }

std::vector<Transition> transitions() {
  const auto passive = [](FsmConfig& c) { c.passive = true; };
  const auto cease = wire::administrative_shutdown("going away");
  const auto bye = wire::administrative_shutdown("maintenance");
  // Leaving for Idle after a failure always ends with the backoff timer.
  const Action backoff = start(TimerId::idle_hold, kFirstBackoff);
  return {
      // Idle
      {"Idle_ManualStart_Connects", From::idle, ManualStart{}, State::connect,
       {start(TimerId::connect_retry, kConnectRetry), Connect{}}},
      {"Idle_ManualStartPassive_Listens", From::idle, ManualStart{}, State::active,
       {start(TimerId::connect_retry, kConnectRetry)}, passive},
      {"Idle_AutomaticStartBeforeAnyStart_Ignored", From::idle, AutomaticStart{}, State::idle, {}},
      {"Idle_KeepaliveReceived_Ignored", From::idle, KeepaliveReceived{}, State::idle, {}},
      {"Idle_TcpConnectionConfirmed_Ignored", From::idle, TcpConnectionConfirmed{}, State::idle, {}},
      {"Idle_UnarmedIdleHoldExpiry_Ignored", From::idle, TimerExpired{TimerId::idle_hold}, State::idle, {}},
      {"IdleAfterFailure_IdleHoldExpires_Restarts", From::idle_after_failure, TimerExpired{TimerId::idle_hold},
       State::connect, {start(TimerId::connect_retry, kConnectRetry), Connect{}}},
      {"IdleAfterFailure_IdleHoldExpiresPassive_Listens", From::idle_after_failure,
       TimerExpired{TimerId::idle_hold}, State::active, {start(TimerId::connect_retry, kConnectRetry)}, passive},
      {"IdleAfterFailure_AutomaticStart_CancelsBackoffAndRestarts", From::idle_after_failure, AutomaticStart{},
       State::connect, {stop(TimerId::idle_hold), start(TimerId::connect_retry, kConnectRetry), Connect{}}},
      {"IdleAfterFailure_ManualStop_CancelsBackoff", From::idle_after_failure, ManualStop{}, State::idle,
       {stop(TimerId::idle_hold)}},

      // Connect
      {"Connect_TcpConnectionConfirmed_SendsOpen", From::connect, TcpConnectionConfirmed{}, State::open_sent,
       {stop(TimerId::connect_retry), send(expected_our_open()), start(TimerId::hold, 4min)}},
      {"Connect_TcpConnectionFails_BacksOffInIdle", From::connect, TcpConnectionFails{}, State::idle,
       {CloseConnection{}, stop(TimerId::connect_retry), backoff}},
      {"Connect_ConnectRetryExpires_Retries", From::connect, TimerExpired{TimerId::connect_retry}, State::connect,
       {CloseConnection{}, start(TimerId::connect_retry, kConnectRetry), Connect{}}},
      {"Connect_ManualStop_ClosesWithoutNotification", From::connect, ManualStop{cease}, State::idle,
       {CloseConnection{}, stop(TimerId::connect_retry)}},
      {"Connect_ManualStart_Ignored", From::connect, ManualStart{}, State::connect, {}},
      {"Connect_KeepaliveReceived_Fails", From::connect, KeepaliveReceived{}, State::idle,
       {CloseConnection{}, stop(TimerId::connect_retry), backoff}},

      // Active
      {"Active_TcpConnectionConfirmed_SendsOpen", From::active, TcpConnectionConfirmed{}, State::open_sent,
       {stop(TimerId::connect_retry), send(expected_our_open()), start(TimerId::hold, 4min)}},
      {"ActivePassive_TcpConnectionConfirmed_SendsOpen", From::active, TcpConnectionConfirmed{},
       State::open_sent, {stop(TimerId::connect_retry), send(expected_our_open()), start(TimerId::hold, 4min)},
       passive},
      {"Active_ConnectRetryExpires_Connects", From::active, TimerExpired{TimerId::connect_retry}, State::connect,
       {start(TimerId::connect_retry, kConnectRetry), Connect{}}},
      {"ActivePassive_ConnectRetryExpires_KeepsListening", From::active, TimerExpired{TimerId::connect_retry},
       State::active, {start(TimerId::connect_retry, kConnectRetry)}, passive},
      {"Active_ManualStop_ClosesWithoutNotification", From::active, ManualStop{cease}, State::idle,
       {CloseConnection{}, stop(TimerId::connect_retry)}},
      {"Active_TcpConnectionFails_KeepsWaiting", From::active, TcpConnectionFails{}, State::active, {}},
      {"Active_OpenReceived_Fails", From::active, OpenReceived{peer_open()}, State::idle,
       {CloseConnection{}, stop(TimerId::connect_retry), backoff}},

      // OpenSent
      {"OpenSent_GoodOpen_SendsKeepalive", From::open_sent, OpenReceived{peer_open()}, State::open_confirm,
       {send(wire::Keepalive{}), start(TimerId::keepalive, kKeepalive), start(TimerId::hold, 90s)}},
      {"OpenSent_NotificationReceived_Fails", From::open_sent, NotificationReceived{cease}, State::idle,
       {CloseConnection{}, stop(TimerId::hold), backoff}},
      {"OpenSent_VersionNotificationReceived_Fails", From::open_sent,
       NotificationReceived{open_error(sub::unsupported_version, {0, 3})}, State::idle,
       {CloseConnection{}, stop(TimerId::hold), backoff}},
      {"OpenSent_TcpConnectionFails_WaitsInActive", From::open_sent, TcpConnectionFails{}, State::active,
       {CloseConnection{}, stop(TimerId::hold), start(TimerId::connect_retry, kConnectRetry)}},
      {"OpenSent_HoldExpires_SendsHoldTimerExpired", From::open_sent, TimerExpired{TimerId::hold}, State::idle,
       {send(kHoldTimerExpired), CloseConnection{}, backoff}},
      {"OpenSent_KeepaliveReceived_FsmError", From::open_sent, KeepaliveReceived{}, State::idle,
       {send(fsm_error(sub::fsm_unexpected_in_opensent)), CloseConnection{}, stop(TimerId::hold), backoff}},
      {"OpenSent_UpdateReceived_FsmError", From::open_sent, UpdateReceived{}, State::idle,
       {send(fsm_error(sub::fsm_unexpected_in_opensent)), CloseConnection{}, stop(TimerId::hold), backoff}},
      {"OpenSent_ManualStop_SendsCease", From::open_sent, ManualStop{cease}, State::idle,
       {send(cease), CloseConnection{}, stop(TimerId::hold)}},
      {"OpenSent_HeaderError_SendsItsNotification", From::open_sent, MessageDecodeFailed{kHeaderError},
       State::idle, {send(kHeaderError.notification()), CloseConnection{}, stop(TimerId::hold), backoff}},
      {"OpenSent_SecondConnection_Ignored", From::open_sent, TcpConnectionConfirmed{}, State::open_sent, {}},

      // OpenConfirm
      {"OpenConfirm_KeepaliveReceived_SessionUp", From::open_confirm, KeepaliveReceived{}, State::established,
       {start(TimerId::hold, 90s), SessionUp{expected_negotiated()}}},
      {"OpenConfirm_KeepaliveExpires_SendsKeepalive", From::open_confirm, TimerExpired{TimerId::keepalive},
       State::open_confirm, {send(wire::Keepalive{}), start(TimerId::keepalive, kKeepalive)}},
      {"OpenConfirm_HoldExpires_SendsHoldTimerExpired", From::open_confirm, TimerExpired{TimerId::hold},
       State::idle, {send(kHoldTimerExpired), CloseConnection{}, stop(TimerId::keepalive), backoff}},
      {"OpenConfirm_UpdateReceived_FsmError", From::open_confirm, UpdateReceived{}, State::idle,
       {send(fsm_error(sub::fsm_unexpected_in_openconfirm)), CloseConnection{}, stop(TimerId::hold),
        stop(TimerId::keepalive), backoff}},
      {"OpenConfirm_OpenReceived_FsmError", From::open_confirm, OpenReceived{peer_open()}, State::idle,
       {send(fsm_error(sub::fsm_unexpected_in_openconfirm)), CloseConnection{}, stop(TimerId::hold),
        stop(TimerId::keepalive), backoff}},
      {"OpenConfirm_NotificationReceived_Fails", From::open_confirm, NotificationReceived{cease}, State::idle,
       {CloseConnection{}, stop(TimerId::hold), stop(TimerId::keepalive), backoff}},
      {"OpenConfirm_TcpConnectionFails_Fails", From::open_confirm, TcpConnectionFails{}, State::idle,
       {CloseConnection{}, stop(TimerId::hold), stop(TimerId::keepalive), backoff}},
      {"OpenConfirm_ManualStop_SendsCease", From::open_confirm, ManualStop{cease}, State::idle,
       {send(cease), CloseConnection{}, stop(TimerId::hold), stop(TimerId::keepalive)}},
      {"OpenConfirm_ManualStopWithoutNotification_ClosesQuietly", From::open_confirm, ManualStop{std::nullopt},
       State::idle, {CloseConnection{}, stop(TimerId::hold), stop(TimerId::keepalive)}},
      {"OpenConfirm_HeaderError_SendsItsNotification", From::open_confirm, MessageDecodeFailed{kHeaderError},
       State::idle,
       {send(kHeaderError.notification()), CloseConnection{}, stop(TimerId::hold), stop(TimerId::keepalive),
        backoff}},

      // Established
      {"Established_KeepaliveReceived_RestartsHold", From::established, KeepaliveReceived{}, State::established,
       {start(TimerId::hold, 90s)}},
      {"Established_UpdateReceived_RestartsHold", From::established, UpdateReceived{}, State::established,
       {start(TimerId::hold, 90s)}},
      {"Established_RouteRefresh_RequestsRefresh", From::established, RouteRefreshReceived{wire::kIpv4Unicast},
       State::established, {start(TimerId::hold, 90s), RefreshRequested{wire::kIpv4Unicast}}},
      {"Established_RouteRefreshForOtherFamily_OnlyRestartsHold", From::established,
       RouteRefreshReceived{wire::kIpv6Unicast}, State::established, {start(TimerId::hold, 90s)}},
      {"Established_KeepaliveExpires_SendsKeepalive", From::established, TimerExpired{TimerId::keepalive},
       State::established, {send(wire::Keepalive{}), start(TimerId::keepalive, kKeepalive)}},
      {"Established_HoldExpires_SessionDown", From::established, TimerExpired{TimerId::hold}, State::idle,
       {send(kHoldTimerExpired), CloseConnection{}, stop(TimerId::keepalive), SessionDown{"hold timer expired"},
        backoff}},
      {"Established_OpenReceived_FsmError", From::established, OpenReceived{peer_open()}, State::idle,
       {send(fsm_error(sub::fsm_unexpected_in_established)), CloseConnection{}, stop(TimerId::hold),
        stop(TimerId::keepalive), SessionDown{we_sent(fsm_error(sub::fsm_unexpected_in_established))}, backoff}},
      {"Established_NotificationReceived_SessionDown", From::established, NotificationReceived{cease},
       State::idle,
       {CloseConnection{}, stop(TimerId::hold), stop(TimerId::keepalive), SessionDown{peer_sent(cease)}, backoff}},
      {"Established_TcpConnectionFails_SessionDown", From::established, TcpConnectionFails{}, State::idle,
       {CloseConnection{}, stop(TimerId::hold), stop(TimerId::keepalive), SessionDown{"connection lost"},
        backoff}},
      {"Established_ManualStop_SendsGivenCease", From::established, ManualStop{bye}, State::idle,
       {send(bye), CloseConnection{}, stop(TimerId::hold), stop(TimerId::keepalive),
        SessionDown{"stopped, sent " + wire::describe(bye)}}},
      // RFC 4724 graceful restart: no NOTIFICATION, so the helper keeps our routes; no backoff timer.
      {"Established_ManualStopWithoutNotification_ClosesQuietly", From::established, ManualStop{std::nullopt},
       State::idle,
       {CloseConnection{}, stop(TimerId::hold), stop(TimerId::keepalive),
        SessionDown{"stopped without a NOTIFICATION (graceful restart)"}}},
      {"Established_HeaderError_SessionDown", From::established, MessageDecodeFailed{kHeaderError}, State::idle,
       {send(kHeaderError.notification()), CloseConnection{}, stop(TimerId::hold), stop(TimerId::keepalive),
        SessionDown{we_sent(kHeaderError.notification()) + " (length 16)"}, backoff}},
      // The session's output bound (peer.cpp): a peer that stops reading gets Cease/Out of Resources
      // and, unlike a ManualStop, the automatic restart after the backoff.
      {"Established_OutOfResources_SendsCeaseAndBacksOff", From::established,
       MessageDecodeFailed{{ErrorCode::cease, sub::out_of_resources, {}, wire::Reaction::session_reset,
                            "too much unsent", {}}},
       State::idle,
       {send(Notification{ErrorCode::cease, sub::out_of_resources, {}}), CloseConnection{}, stop(TimerId::hold),
        stop(TimerId::keepalive),
        SessionDown{we_sent(Notification{ErrorCode::cease, sub::out_of_resources, {}}) + " (too much unsent)"},
        backoff}},
      {"Established_TreatAsWithdraw_KeepsSession", From::established,
       MessageDecodeFailed{{ErrorCode::update_message, sub::malformed_as_path, {}, wire::Reaction::treat_as_withdraw,
                            "bad AS_PATH", {}}},
       State::established, {start(TimerId::hold, 90s)}},
      {"Established_AttributeDiscard_KeepsSession", From::established,
       MessageDecodeFailed{{ErrorCode::update_message, sub::optional_attribute_error, {},
                            wire::Reaction::attribute_discard, "bad MED", {}}},
       State::established, {start(TimerId::hold, 90s)}},
      {"Established_StaleConnectRetryExpiry_Ignored", From::established, TimerExpired{TimerId::connect_retry},
       State::established, {}},
      {"Established_ManualStart_Ignored", From::established, ManualStart{}, State::established, {}},
      {"Established_SecondConnection_Ignored", From::established, TcpConnectionConfirmed{}, State::established,
       {}},
  };
}

class TransitionTest : public testing::TestWithParam<Transition> {};

TEST_P(TransitionTest, GivesNextStateAndActions) {
  const Transition& t = GetParam();
  FsmConfig config = test_config();
  if (t.configure) t.configure(config);
  Harness h(config);
  h.reach(t.from);
  EXPECT_EQ(h.handle(t.event), t.actions) << "event: " << t.event;
  EXPECT_EQ(h.fsm.state(), t.next) << "in " << to_string(h.fsm.state()) << ", expected " << to_string(t.next);
}

INSTANTIATE_TEST_SUITE_P(SessionFsm, TransitionTest, testing::ValuesIn(transitions()),
                         [](const testing::TestParamInfo<Transition>& info) { return info.param.name; });

// ---- OPEN validation -------------------------------------------------------------------------

struct OpenCheck {
  std::string name;
  std::function<void(wire::Open&)> change_open;
  Notification expected;
  std::function<void(FsmConfig&)> configure = {};
};
std::ostream& operator<<(std::ostream& os, const OpenCheck& c) { return os << c.name; }

std::vector<OpenCheck> open_checks() {
  const auto internal = [](FsmConfig& c) { c.peer_as = c.local_as; };
  return {
      {"Version3", [](wire::Open& o) { o.version = 3; }, open_error(sub::unsupported_version, {0x00, 0x04})},
      {"Version5", [](wire::Open& o) { o.version = 5; }, open_error(sub::unsupported_version, {0x00, 0x04})},
      {"WrongTwoOctetAs",
       [](wire::Open& o) {
         o.my_as = 65002;
         o.capabilities.four_octet_as.reset();
       },
       open_error(sub::bad_peer_as, {0xfd, 0xea})},
      {"WrongFourOctetAsBehindAsTrans",
       [](wire::Open& o) {
         o.my_as = wire::kAsTrans;
         o.capabilities.four_octet_as = 4'200'000'000;
       },
       open_error(sub::bad_peer_as, {0x5b, 0xa0})},
      {"ZeroIdentifier", [](wire::Open& o) { o.bgp_identifier = 0; }, open_error(sub::bad_bgp_identifier)},
      {"InternalPeerWithOurIdentifier",
       [](wire::Open& o) {
         o.my_as = 65000;
         o.capabilities.four_octet_as = 65000;
         o.bgp_identifier = kOurId;
       },
       open_error(sub::bad_bgp_identifier), internal},
      {"HoldTimeOne", [](wire::Open& o) { o.hold_time = 1; }, open_error(sub::unacceptable_hold_time)},
      {"HoldTimeTwo", [](wire::Open& o) { o.hold_time = 2; }, open_error(sub::unacceptable_hold_time)},
  };
}

class OpenCheckTest : public testing::TestWithParam<OpenCheck> {};

TEST_P(OpenCheckTest, SendsTheNotificationAndBacksOff) {
  const OpenCheck& c = GetParam();
  FsmConfig config = test_config();
  if (c.configure) c.configure(config);
  Harness h(config);
  h.reach(From::open_sent);
  wire::Open open = peer_open();
  c.change_open(open);
  std::vector<Action> expected{send(c.expected), CloseConnection{}, stop(TimerId::hold),
                               start(TimerId::idle_hold, kFirstBackoff)};
  EXPECT_EQ(h.handle(OpenReceived{open}), expected);
  EXPECT_EQ(h.fsm.state(), State::idle);
  EXPECT_FALSE(h.fsm.negotiated().has_value());
}

INSTANTIATE_TEST_SUITE_P(SessionFsm, OpenCheckTest, testing::ValuesIn(open_checks()),
                         [](const testing::TestParamInfo<OpenCheck>& info) { return info.param.name; });

TEST(SessionFsmOpen, ExternalPeerMayShareOurIdentifier) {  // RFC 6286 §2.1
  Harness h;
  h.reach(From::open_sent);
  wire::Open open = peer_open();
  open.bgp_identifier = kOurId;
  h.handle(OpenReceived{open});
  EXPECT_EQ(h.fsm.state(), State::open_confirm);
}

TEST(SessionFsmOpen, InternalPeerWithOtherIdentifierIsAccepted) {
  FsmConfig config = test_config();
  config.peer_as = config.local_as;
  Harness h(config);
  h.reach(From::open_sent);
  wire::Open open = peer_open();
  open.my_as = 65000;
  open.capabilities.four_octet_as = 65000;
  h.handle(OpenReceived{open});
  EXPECT_EQ(h.fsm.state(), State::open_confirm);
}

TEST(SessionFsmOpen, FourOctetLocalAsGoesAsAsTrans) {
  FsmConfig config = test_config();
  config.local_as = 4'200'000'001;
  config.hold_time = 180s;
  config.router_id = 0xc0000201;
  config.families = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  Harness h(config);
  h.reach(From::connect);
  auto actions = h.handle(TcpConnectionConfirmed{});
  ASSERT_EQ(actions.size(), 3u);
  wire::Open expected;
  expected.version = 4;
  expected.my_as = wire::kAsTrans;
  expected.hold_time = 180;
  expected.bgp_identifier = 0xc0000201;
  expected.capabilities.multiprotocol = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  expected.capabilities.route_refresh = true;
  expected.capabilities.four_octet_as = 4'200'000'001;
  EXPECT_EQ(actions[1], send(expected));
}

TEST(SessionFsmOpen, AdvertisesGracefulRestartForOurFamilies) {
  FsmConfig config = test_config();
  config.families = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  config.graceful_restart_time = 120;
  Harness h(config);
  h.reach(From::connect);
  auto actions = h.handle(TcpConnectionConfirmed{});
  ASSERT_EQ(actions.size(), 3u);
  const auto& open = std::get<wire::Open>(std::get<Send>(actions[1]).message);
  wire::GracefulRestartCapability expected;
  expected.restart_time = 120;
  expected.families = {{wire::kIpv4Unicast, true}, {wire::kIpv6Unicast, true}};  // forwarding preserved
  EXPECT_EQ(open.capabilities.graceful_restart, expected);
}

// ---- Negotiation -----------------------------------------------------------------------------

struct HoldCase {
  std::string name;
  Duration ours;
  std::uint16_t theirs;  // seconds
  Duration keepalive_limit;
  Duration hold;
  Duration keepalive;
};
std::ostream& operator<<(std::ostream& os, const HoldCase& c) { return os << c.name; }

class HoldNegotiationTest : public testing::TestWithParam<HoldCase> {};

TEST_P(HoldNegotiationTest, TakesTheSmallerHoldAndAThirdForKeepalive) {
  const HoldCase& c = GetParam();
  FsmConfig config = test_config();
  config.hold_time = c.ours;
  config.keepalive_time = c.keepalive_limit;
  Harness h(config);
  h.reach(From::open_sent);
  wire::Open open = peer_open();
  open.hold_time = c.theirs;
  auto actions = h.handle(OpenReceived{open});
  ASSERT_TRUE(h.fsm.negotiated());
  EXPECT_EQ(h.fsm.negotiated()->hold_time, c.hold);
  EXPECT_EQ(h.fsm.negotiated()->keepalive_time, c.keepalive);
  std::vector<Action> expected{send(wire::Keepalive{})};
  if (c.hold == 0s) {
    expected.push_back(stop(TimerId::hold));  // the 4-minute OpenSent timer goes; nothing replaces it
  } else {
    expected.push_back(start(TimerId::keepalive, low_jitter(c.keepalive)));
    expected.push_back(start(TimerId::hold, c.hold));
  }
  EXPECT_EQ(actions, expected);
}

INSTANTIATE_TEST_SUITE_P(
    SessionFsm, HoldNegotiationTest,
    testing::Values(HoldCase{"BothNinety", 90s, 90, 30s, 90s, 30s},
                    HoldCase{"TheirsSmaller", 90s, 30, 30s, 30s, 10s},
                    HoldCase{"OursSmaller", 60s, 240, 30s, 60s, 20s},
                    HoldCase{"TheirsThree", 90s, 3, 30s, 3s, 1s},
                    HoldCase{"TheirsZero", 90s, 0, 30s, 0s, 0s},
                    HoldCase{"OursZero", 0s, 90, 30s, 0s, 0s},
                    HoldCase{"KeepaliveLimitBelowAThird", 90s, 90, 5s, 90s, 5s},
                    HoldCase{"KeepaliveLimitAboveAThird", 90s, 90, 60s, 90s, 30s}),
    [](const testing::TestParamInfo<HoldCase>& info) { return info.param.name; });

TEST(SessionFsmNegotiation, HoldZeroMeansNoHoldTimerInEstablished) {
  FsmConfig config = test_config();
  config.hold_time = 0s;
  Harness h(config);
  h.reach(From::open_confirm);
  auto up = h.handle(KeepaliveReceived{});
  ASSERT_EQ(up.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<SessionUp>(up[0]));
  EXPECT_EQ(h.handle(KeepaliveReceived{}), std::vector<Action>{});
  EXPECT_EQ(h.handle(UpdateReceived{}), std::vector<Action>{});
}

struct FamilyCase {
  std::string name;
  std::vector<wire::AfiSafi> ours;
  std::vector<wire::AfiSafi> theirs;
  std::vector<wire::AfiSafi> agreed;
};
std::ostream& operator<<(std::ostream& os, const FamilyCase& c) { return os << c.name; }

class FamilyNegotiationTest : public testing::TestWithParam<FamilyCase> {};

TEST_P(FamilyNegotiationTest, AgreesOnTheCommonFamilies) {
  const FamilyCase& c = GetParam();
  FsmConfig config = test_config();
  config.families = c.ours;
  Harness h(config);
  h.reach(From::open_sent);
  wire::Open open = peer_open();
  open.capabilities.multiprotocol = c.theirs;
  h.handle(OpenReceived{open});
  ASSERT_TRUE(h.fsm.negotiated());
  EXPECT_EQ(h.fsm.negotiated()->families, c.agreed);
}

const auto v4 = wire::kIpv4Unicast;
const auto v6 = wire::kIpv6Unicast;

INSTANTIATE_TEST_SUITE_P(SessionFsm, FamilyNegotiationTest,
                         testing::Values(FamilyCase{"Same", {v4, v6}, {v4, v6}, {v4, v6}},
                                         FamilyCase{"TheyOnlyV6", {v4, v6}, {v6}, {v6}},
                                         FamilyCase{"WeOnlyV4", {v4}, {v6, v4}, {v4}},
                                         FamilyCase{"NoOverlap", {v6}, {v4}, {}},
                                         FamilyCase{"NoMpCapabilityMeansV4", {v4, v6}, {}, {v4}},
                                         FamilyCase{"NoMpCapabilityWithoutOurV4", {v6}, {}, {}}),
                         [](const testing::TestParamInfo<FamilyCase>& info) { return info.param.name; });

TEST(SessionFsmNegotiation, CapabilitiesTheyDidNotSendAreOff) {
  Harness h;
  h.reach(From::open_sent);
  wire::Open open = peer_open();
  open.capabilities.four_octet_as.reset();
  open.capabilities.route_refresh = false;
  h.handle(OpenReceived{open});
  ASSERT_TRUE(h.fsm.negotiated());
  EXPECT_FALSE(h.fsm.negotiated()->four_octet_as);
  EXPECT_FALSE(h.fsm.negotiated()->route_refresh);
  EXPECT_FALSE(h.fsm.negotiated()->peer_graceful_restart);
}

TEST(SessionFsmNegotiation, PeerGracefulRestartAndFourOctetAsAreHandedOut) {
  Harness h;
  h.reach(From::open_sent);
  wire::Open open = peer_open();
  open.my_as = wire::kAsTrans;
  wire::GracefulRestartCapability restart;
  restart.restart_state = true;
  restart.restart_time = 90;
  restart.families = {{v4, true}};
  open.capabilities.graceful_restart = restart;
  h.handle(OpenReceived{open});
  auto up = h.handle(KeepaliveReceived{});
  Negotiated expected = expected_negotiated();
  expected.peer_graceful_restart = restart;
  EXPECT_EQ(up, (std::vector<Action>{start(TimerId::hold, 90s), SessionUp{expected}}));
}

// ---- Automatic restart and jitter ------------------------------------------------------------

// One failed attempt: connect, then a message that Connect does not expect.
std::vector<Action> fail_once(Harness& h) {
  h.handle(TimerExpired{TimerId::idle_hold});
  EXPECT_EQ(h.fsm.state(), State::connect);
  return h.handle(KeepaliveReceived{});
}

Duration backoff_of(const std::vector<Action>& actions) {
  for (const auto& a : actions) {
    if (auto* s = std::get_if<StartTimer>(&a); s && s->timer == TimerId::idle_hold) return s->duration;
  }
  ADD_FAILURE() << "no idle-hold timer started";
  return {};
}

TEST(SessionFsmBackoff, DoublesUpToTheCap) {
  Harness h;
  h.handle(ManualStart{});
  std::vector<Duration> backoffs{backoff_of(h.handle(KeepaliveReceived{}))};
  for (int i = 0; i < 7; ++i) backoffs.push_back(backoff_of(fail_once(h)));
  // connect_retry 5 s doubled per failure, capped at 120 s, all times the 0.75 jitter floor.
  std::vector<Duration> expected{3750ms, 7500ms, 15s, 30s, 60s, 90s, 90s, 90s};
  EXPECT_EQ(backoffs, expected);
  EXPECT_EQ(h.fsm.failures(), 8u);
}

TEST(SessionFsmBackoff, JitterStaysBetweenThreeQuartersAndTheWhole) {
  for (double r : {0.0, 0.25, 0.5, 0.999999}) {
    Harness h;
    h.handle(ManualStart{});
    h.handle(KeepaliveReceived{});  // failure 1
    h.handle(TimerExpired{TimerId::idle_hold});
    h.handle(KeepaliveReceived{});  // failure 2
    h.handle(TimerExpired{TimerId::idle_hold});
    h.randoms = {r};
    Duration d = backoff_of(h.handle(KeepaliveReceived{}));  // failure 3: base 20 s
    EXPECT_GE(d, 15s) << "r=" << r;
    EXPECT_LE(d, 20s) << "r=" << r;
    EXPECT_EQ(d, Duration{std::llround(20000 * (0.75 + 0.25 * r))}) << "r=" << r;
  }
}

TEST(SessionFsmBackoff, CapAppliesBeforeJitter) {
  FsmConfig config = test_config();
  config.max_idle_hold = 12s;
  Harness h(config);
  h.handle(ManualStart{});
  h.handle(KeepaliveReceived{});  // 5 s
  fail_once(h);                   // 10 s
  h.handle(TimerExpired{TimerId::idle_hold});
  h.randoms = {0.5};
  EXPECT_EQ(backoff_of(h.handle(KeepaliveReceived{})), 10500ms);  // 12 s * 0.875
}

TEST(SessionFsmBackoff, EstablishedResetsFailures) {
  Harness h;
  h.handle(ManualStart{});
  h.handle(KeepaliveReceived{});
  fail_once(h);
  EXPECT_EQ(h.fsm.failures(), 2u);
  h.handle(TimerExpired{TimerId::idle_hold});
  h.handle(TcpConnectionConfirmed{});
  h.handle(OpenReceived{peer_open()});
  h.handle(KeepaliveReceived{});
  ASSERT_EQ(h.fsm.state(), State::established);
  EXPECT_EQ(h.fsm.failures(), 0u);
  EXPECT_EQ(backoff_of(h.handle(TimerExpired{TimerId::hold})), kFirstBackoff);
}

TEST(SessionFsmBackoff, ManualStartResetsFailures) {
  Harness h;
  h.handle(ManualStart{});
  h.handle(KeepaliveReceived{});
  fail_once(h);
  h.handle(ManualStop{});
  h.handle(ManualStart{});
  EXPECT_EQ(h.fsm.failures(), 0u);
  EXPECT_EQ(backoff_of(h.handle(KeepaliveReceived{})), kFirstBackoff);
}

TEST(SessionFsmBackoff, ManualStopPreventsAutomaticRestart) {
  Harness h;
  h.reach(From::established);
  h.handle(ManualStop{});
  EXPECT_EQ(h.handle(AutomaticStart{}), std::vector<Action>{});
  EXPECT_EQ(h.handle(TimerExpired{TimerId::idle_hold}), std::vector<Action>{});
  EXPECT_EQ(h.fsm.state(), State::idle);
}

TEST(SessionFsmJitter, ConnectRetryAndKeepaliveAreJitteredHoldIsNot) {
  Harness h(test_config(), {0.5, 0.5});
  EXPECT_EQ(h.handle(ManualStart{}), (std::vector<Action>{start(TimerId::connect_retry, 4375ms), Connect{}}));
  h.handle(TcpConnectionConfirmed{});
  EXPECT_EQ(h.handle(OpenReceived{peer_open()}),
            (std::vector<Action>{send(wire::Keepalive{}), start(TimerId::keepalive, 26250ms),
                                 start(TimerId::hold, 90s)}));
}

TEST(SessionFsmJitter, WithoutRandomSourceThereIsNoJitter) {
  SessionFsm fsm(test_config(), nullptr);
  EXPECT_EQ(fsm.handle(ManualStart{}, kNow), (std::vector<Action>{start(TimerId::connect_retry, 5s), Connect{}}));
}

// ---- Whole sessions --------------------------------------------------------------------------

TEST(SessionFsmSession, NegotiatedLivesFromOpenConfirmUntilIdle) {
  Harness h;
  h.reach(From::open_sent);
  EXPECT_FALSE(h.fsm.negotiated());
  h.handle(OpenReceived{peer_open()});
  EXPECT_EQ(h.fsm.negotiated(), expected_negotiated());
  h.handle(KeepaliveReceived{});
  EXPECT_EQ(h.fsm.negotiated(), expected_negotiated());
  h.handle(TcpConnectionFails{});
  EXPECT_FALSE(h.fsm.negotiated());
}

TEST(SessionFsmSession, PassivePeerNeverConnects) {
  FsmConfig config = test_config();
  config.passive = true;
  Harness h(config);
  for (const auto& e : std::vector<Event>{ManualStart{}, TimerExpired{TimerId::connect_retry},
                                          TimerExpired{TimerId::connect_retry}}) {
    for (const auto& a : h.handle(e)) EXPECT_FALSE(std::holds_alternative<Connect>(a)) << a;
    EXPECT_EQ(h.fsm.state(), State::active);
  }
  h.handle(TcpConnectionConfirmed{});
  h.handle(OpenReceived{peer_open()});
  h.handle(KeepaliveReceived{});
  EXPECT_EQ(h.fsm.state(), State::established);
}

TEST(SessionFsmSession, StoppedTimersDoNotFire) {
  Harness h;
  h.reach(From::open_sent);  // connect_retry was stopped on the way
  EXPECT_EQ(h.handle(TimerExpired{TimerId::connect_retry}), std::vector<Action>{});
  EXPECT_EQ(h.handle(TimerExpired{TimerId::keepalive}), std::vector<Action>{});
  EXPECT_EQ(h.fsm.state(), State::open_sent);
}

// ---- Names and printers ----------------------------------------------------------------------

TEST(SessionFsmPrinting, StateAndTimerNamesAreTheRfcs) {
  EXPECT_STREQ(to_string(State::idle), "Idle");
  EXPECT_STREQ(to_string(State::connect), "Connect");
  EXPECT_STREQ(to_string(State::active), "Active");
  EXPECT_STREQ(to_string(State::open_sent), "OpenSent");
  EXPECT_STREQ(to_string(State::open_confirm), "OpenConfirm");
  EXPECT_STREQ(to_string(State::established), "Established");
  EXPECT_STREQ(to_string(TimerId::connect_retry), "ConnectRetryTimer");
  EXPECT_STREQ(to_string(TimerId::hold), "HoldTimer");
  EXPECT_STREQ(to_string(TimerId::keepalive), "KeepaliveTimer");
  EXPECT_STREQ(to_string(TimerId::idle_hold), "IdleHoldTimer");
}

template <typename T>
std::string printed(const T& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

TEST(SessionFsmPrinting, ActionsAndEventsReadWell) {
  EXPECT_EQ(printed(Action{start(TimerId::hold, 90s)}), "StartTimer(HoldTimer, 90000ms)");
  EXPECT_EQ(printed(Action{stop(TimerId::keepalive)}), "StopTimer(KeepaliveTimer)");
  EXPECT_EQ(printed(Action{Connect{}}), "Connect");
  EXPECT_EQ(printed(Action{SessionDown{"hold timer expired"}}), "SessionDown(\"hold timer expired\")");
  EXPECT_EQ(printed(Event{TimerExpired{TimerId::connect_retry}}), "TimerExpired(ConnectRetryTimer)");
  EXPECT_EQ(printed(Event{KeepaliveReceived{}}), "KeepaliveReceived");
  EXPECT_EQ(printed(Action{send(wire::Keepalive{})}), "Send(" + printed(wire::Message{wire::Keepalive{}}) + ")");
  std::string up = printed(Action{SessionUp{expected_negotiated()}});
  EXPECT_NE(up.find("peer AS 65001"), std::string::npos) << up;
  EXPECT_NE(up.find("10.0.0.2"), std::string::npos) << up;
}

}  // namespace
