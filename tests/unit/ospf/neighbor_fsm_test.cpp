#include "ospf/neighbor_fsm.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace ospf;
using namespace std::chrono_literals;

namespace {

const Clock::time_point kNow{};
constexpr std::uint32_t kSelfId = 0x02020202;    // 2.2.2.2
constexpr std::uint32_t kSelfAddr = 0xc0a80102;  // 192.168.1.2
constexpr std::uint32_t kHighId = 0x03030303;    // above us: master of the exchange
constexpr std::uint32_t kLowId = 0x01010101;     // below us: slave
constexpr std::uint32_t kNbrAddr = 0xc0a80109;   // 192.168.1.9
constexpr std::uint32_t kOtherAddr = 0xc0a80107;  // some third router
constexpr std::uint32_t kOurSeq = 1000;          // what the injected source hands out
constexpr std::uint32_t kTheirSeq = 5000;
constexpr std::uint8_t kE = wire::option::e;

NeighborConfig config(InterfaceType type) {
  NeighborConfig c;
  c.type = type;
  c.router_id = kSelfId;
  c.address = kSelfAddr;
  c.mtu = 1500;
  c.options = kE;
  c.dead_interval = 40s;
  c.rxmt_interval = 5s;
  return c;
}

wire::LsaHeader header(std::uint32_t id) {
  wire::LsaHeader h;
  h.type = wire::lsa_type::as_external;
  h.ls_id = id;
  h.advertising_router = id;
  h.options = kE;
  h.length = 36;
  return h;
}
const wire::LsaHeader kH1 = header(0x0a000001);  // ours
const wire::LsaHeader kH2 = header(0x0a000002);  // the neighbor's, which we lack
const wire::LsaRequest kR2{kH2.type, kH2.ls_id, kH2.advertising_router};

HelloReceived hello(bool lists_us, DesignatedRouters interface = {}, std::uint32_t dr = 0, std::uint32_t bdr = 0,
                    std::uint8_t prio = 1) {
  wire::Hello h;
  h.network_mask = 0xffffff00;
  h.options = kE;
  h.priority = prio;
  h.designated_router = dr;
  h.backup_designated_router = bdr;
  if (lists_us) h.neighbors = {0x07070707, kSelfId};
  return {kNbrAddr, h, interface};
}

wire::DatabaseDescription dd(bool i, bool m, bool ms, std::uint32_t seq, std::vector<wire::LsaHeader> headers = {},
                             std::uint16_t mtu = 1500, std::uint8_t options = kE) {
  wire::DatabaseDescription d;
  d.interface_mtu = mtu;
  d.options = options;
  d.init = i;
  d.more = m;
  d.master = ms;
  d.sequence_number = seq;
  d.lsa_headers = std::move(headers);
  return d;
}
wire::DatabaseDescription initial(std::uint32_t seq) { return dd(true, true, true, seq); }

NeighborAction changed(NeighborState from, NeighborState to, std::string event) {
  return NeighborStateChanged{from, to, std::move(event)};
}
NeighborAction start(TimerId t, Duration d) { return StartTimer{t, d}; }
NeighborAction stop(TimerId t) { return StopTimer{t}; }
NeighborAction send(wire::DatabaseDescription d) { return SendDd{std::move(d)}; }
NeighborAction request(std::vector<wire::LsaRequest> r) { return SendLsRequest{{std::move(r)}}; }
const NeighborAction kNeighborChange = ScheduleInterfaceEvent{InterfaceEventKind::neighbor_change};
const NeighborAction kBackupSeen = ScheduleInterfaceEvent{InterfaceEventKind::backup_seen};
const NeighborAction kInactivity = start(TimerId::inactivity, 40s);
const NeighborAction kDdRxmt = start(TimerId::dd_retransmit, 5s);

using S = NeighborState;

// A DdReceived with the fields a case does not care about left empty.
DdReceived received(wire::DatabaseDescription d, std::vector<wire::LsaHeader> wanted = {}, bool invalid = false,
                    std::vector<wire::LsaHeader> summary = {}) {
  return {std::move(d), std::move(wanted), invalid, std::move(summary)};
}

// Starting points, each with the neighbor it is reached with and the events that reach it.
enum class From {
  down, init, two_way_broadcast, ex_start_master_side, ex_start_slave_side, exchange_master, exchange_slave,
  loading_master, loading_slave, full_master, full_slave, full_broadcast
};

struct Path {
  InterfaceType type;
  std::uint32_t neighbor_id;
  std::vector<NeighborEvent> events;
  S state;
};

Path path_to(From from) {
  const auto p2p = InterfaceType::point_to_point, broadcast = InterfaceType::broadcast;
  // Slave side (neighbor above us): its initial DD, then its last DD describing kH2.
  const NeighborEvent master_initial = received(initial(kTheirSeq), {}, false, {kH1});
  const NeighborEvent master_last = received(dd(false, false, true, kTheirSeq + 1, {kH2}), {kH2});
  // Master side (neighbor below us): its answer to our initial DD describing kH2, then its empty
  // answer to our DD 1001.
  const NeighborEvent slave_first = received(dd(false, false, false, kOurSeq, {kH2}), {kH2}, false, {kH1});
  const NeighborEvent slave_last = received(dd(false, false, false, kOurSeq + 1));
  // Master side with nothing to request.
  const NeighborEvent slave_first_empty = received(dd(false, false, false, kOurSeq), {}, false, {kH1});
  switch (from) {
    case From::down: return {p2p, kHighId, {}, S::down};
    case From::init: return {p2p, kHighId, {hello(false)}, S::init};
    case From::two_way_broadcast: return {broadcast, kLowId, {hello(false), hello(true)}, S::two_way};
    case From::ex_start_master_side: return {p2p, kLowId, {hello(true)}, S::ex_start};
    case From::ex_start_slave_side: return {p2p, kHighId, {hello(true)}, S::ex_start};
    case From::exchange_master: return {p2p, kLowId, {hello(true), slave_first}, S::exchange};
    case From::exchange_slave: return {p2p, kHighId, {hello(true), master_initial}, S::exchange};
    case From::loading_master: return {p2p, kLowId, {hello(true), slave_first, slave_last}, S::loading};
    case From::loading_slave: return {p2p, kHighId, {hello(true), master_initial, master_last}, S::loading};
    case From::full_master: return {p2p, kLowId, {hello(true), slave_first_empty, slave_last}, S::full};
    case From::full_slave:
      return {p2p, kHighId, {hello(true), master_initial, master_last, RequestedLsasReceived{{kR2}}}, S::full};
    case From::full_broadcast: {
      // The neighbor is DR; we are DR Other.
      DesignatedRouters d{kNbrAddr, 0};
      return {broadcast, kLowId, {hello(true, d, kNbrAddr), AdjOk{d}, slave_first_empty, slave_last}, S::full};
    }
  }
  return {};
}

struct Harness {
  explicit Harness(From from) : path(path_to(from)), fsm(config(path.type), path.neighbor_id, kNbrAddr, [] {
    return kOurSeq;
  }) {
    for (const auto& e : path.events) fsm.handle(e, kNow);
  }
  std::vector<NeighborAction> handle(const NeighborEvent& e) { return fsm.handle(e, kNow); }
  Path path;
  NeighborFsm fsm;
};

struct Case {
  std::string name;
  From from;
  NeighborEvent event;
  S next;
  std::vector<NeighborAction> actions;
};
std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

std::vector<Case> cases() {
  const DesignatedRouters nbr_is_dr{kNbrAddr, 0};
  const DesignatedRouters other_is_dr{kOtherAddr, 0};
  const NeighborEvent inactivity = TimerExpired{TimerId::inactivity};
  return {
      // Down, Init, 2-Way
      {"Down_Hello_Init", From::down, hello(false), S::init,
       {changed(S::down, S::init, "HelloReceived"), kInactivity}},
      {"Down_Dd_Rejected", From::down, received(initial(kTheirSeq)), S::down, {}},
      {"Init_HelloWithoutUs_StaysInit", From::init, hello(false), S::init, {kInactivity}},
      {"Init_HelloWithUsPointToPoint_ExStart", From::init, hello(true), S::ex_start,
       {kInactivity, changed(S::init, S::ex_start, "2-WayReceived"), send(initial(kOurSeq)), kDdRxmt}},
      {"Init_KillNbr_Down", From::init, KillNbr{}, S::down,
       {changed(S::init, S::down, "KillNbr"), stop(TimerId::inactivity)}},
      {"Init_InactivityTimer_Down", From::init, inactivity, S::down, {changed(S::init, S::down, "InactivityTimer")}},
      {"Init_DdFromMaster_TwoWayThenSlave", From::init, received(initial(kTheirSeq), {}, false, {kH1}),
       S::exchange,
       {changed(S::init, S::ex_start, "2-WayReceived"), send(initial(kOurSeq)), kDdRxmt,
        changed(S::ex_start, S::exchange, "NegotiationDone"), stop(TimerId::dd_retransmit),
        send(dd(false, false, false, kTheirSeq, {kH1}))}},
      {"TwoWay_HelloBetweenDrOthers_Stays", From::two_way_broadcast, hello(true, other_is_dr), S::two_way,
       {kInactivity}},
      {"TwoWay_AdjOkNeighborBecameDr_ExStart", From::two_way_broadcast, AdjOk{nbr_is_dr}, S::ex_start,
       {changed(S::two_way, S::ex_start, "AdjOK?"), send(initial(kOurSeq)), kDdRxmt}},
      {"TwoWay_AdjOkWeBecameBdr_ExStart", From::two_way_broadcast, AdjOk{{kOtherAddr, kSelfAddr}}, S::ex_start,
       {changed(S::two_way, S::ex_start, "AdjOK?"), send(initial(kOurSeq)), kDdRxmt}},
      {"TwoWay_AdjOkOthersOnly_Stays", From::two_way_broadcast, AdjOk{other_is_dr}, S::two_way, {}},
      {"TwoWay_HelloWithoutUs_OneWayToInit", From::two_way_broadcast, hello(false), S::init,
       {kInactivity, changed(S::two_way, S::init, "1-WayReceived"), kNeighborChange}},
      {"TwoWay_NeighborDeclaresItselfBdr_TellsInterface", From::two_way_broadcast,
       hello(true, {}, kOtherAddr, kNbrAddr), S::two_way, {kInactivity, kNeighborChange, kBackupSeen}},
      {"TwoWay_PriorityChange_NeighborChange", From::two_way_broadcast, hello(true, {}, 0, 0, 9), S::two_way,
       {kInactivity, kNeighborChange}},
      {"TwoWay_KillNbr_Down", From::two_way_broadcast, KillNbr{}, S::down,
       {changed(S::two_way, S::down, "KillNbr"), stop(TimerId::inactivity), kNeighborChange}},
      {"TwoWay_Dd_Ignored", From::two_way_broadcast, received(initial(kTheirSeq)), S::two_way, {}},

      // ExStart
      {"ExStart_MasterInitialDd_BecomesSlave", From::ex_start_slave_side,
       received(initial(kTheirSeq), {}, false, {kH1}), S::exchange,
       {changed(S::ex_start, S::exchange, "NegotiationDone"), stop(TimerId::dd_retransmit),
        send(dd(false, false, false, kTheirSeq, {kH1}))}},
      {"ExStart_SlaveAnswer_BecomesMaster", From::ex_start_master_side,
       received(dd(false, false, false, kOurSeq, {kH2}), {kH2}, false, {kH1}), S::exchange,
       {changed(S::ex_start, S::exchange, "NegotiationDone"), send(dd(false, false, true, kOurSeq + 1, {kH1})),
        kDdRxmt, request({kR2}), start(TimerId::ls_request_retransmit, 5s)}},
      {"ExStart_InitialDdFromLowerId_Ignored", From::ex_start_master_side, received(initial(kTheirSeq)),
       S::ex_start, {}},
      {"ExStart_AnswerWithWrongSequence_Ignored", From::ex_start_master_side,
       received(dd(false, false, false, kOurSeq + 7)), S::ex_start, {}},
      {"ExStart_InitialDdWithHeaders_Ignored", From::ex_start_slave_side,
       received(dd(true, true, true, kTheirSeq, {kH2})), S::ex_start, {}},
      {"ExStart_LargerMtu_Rejected", From::ex_start_slave_side,
       received(dd(true, true, true, kTheirSeq, {}, 9000)), S::ex_start,
       {DdRejected{"interface MTU 9000 larger than ours (1500)"}}},
      {"ExStart_SmallerMtu_Accepted", From::ex_start_slave_side,
       received(dd(true, true, true, kTheirSeq, {}, 1400)), S::exchange,
       {changed(S::ex_start, S::exchange, "NegotiationDone"), stop(TimerId::dd_retransmit),
        send(dd(false, false, false, kTheirSeq))}},
      {"ExStart_RetransmitTimer_ResendsInitial", From::ex_start_master_side, TimerExpired{TimerId::dd_retransmit},
       S::ex_start, {send(initial(kOurSeq)), kDdRxmt}},
      {"ExStart_SeqNumberMismatch_Ignored", From::ex_start_master_side, SeqNumberMismatch{}, S::ex_start, {}},
      {"ExStart_BadLsReq_Ignored", From::ex_start_master_side, BadLsReq{}, S::ex_start, {}},

      // Exchange as slave
      {"ExchangeSlave_DuplicateFromMaster_ResendsLast", From::exchange_slave, received(initial(kTheirSeq)),
       S::exchange, {send(dd(false, false, false, kTheirSeq, {kH1}))}},
      {"ExchangeSlave_NextDd_AnswersAndLoads", From::exchange_slave,
       received(dd(false, false, true, kTheirSeq + 1, {kH2}), {kH2}), S::loading,
       {send(dd(false, false, false, kTheirSeq + 1)), changed(S::exchange, S::loading, "ExchangeDone"),
        start(TimerId::dd_hold, 40s), request({kR2}), start(TimerId::ls_request_retransmit, 5s)}},
      {"ExchangeSlave_MoreToCome_AnswersOnly", From::exchange_slave,
       received(dd(false, true, true, kTheirSeq + 1)), S::exchange, {send(dd(false, false, false, kTheirSeq + 1))}},
      {"ExchangeSlave_NothingWanted_Full", From::exchange_slave, received(dd(false, false, true, kTheirSeq + 1)),
       S::full,
       {send(dd(false, false, false, kTheirSeq + 1)), changed(S::exchange, S::full, "ExchangeDone"),
        start(TimerId::dd_hold, 40s)}},
      {"ExchangeSlave_SkippedSequence_SeqNumberMismatch", From::exchange_slave,
       received(dd(false, false, true, kTheirSeq + 2)), S::ex_start,
       {changed(S::exchange, S::ex_start, "SeqNumberMismatch"), ClearLsRetransmissionList{},
        send(initial(kTheirSeq + 1)), kDdRxmt}},
      {"ExchangeSlave_MasterBitClear_SeqNumberMismatch", From::exchange_slave,
       received(dd(false, false, false, kTheirSeq + 1)), S::ex_start,
       {changed(S::exchange, S::ex_start, "SeqNumberMismatch"), ClearLsRetransmissionList{},
        send(initial(kTheirSeq + 1)), kDdRxmt}},
      {"ExchangeSlave_InitBitSet_SeqNumberMismatch", From::exchange_slave,
       received(dd(true, true, true, kTheirSeq + 1)), S::ex_start,
       {changed(S::exchange, S::ex_start, "SeqNumberMismatch"), ClearLsRetransmissionList{},
        send(initial(kTheirSeq + 1)), kDdRxmt}},
      {"ExchangeSlave_OptionsChanged_SeqNumberMismatch", From::exchange_slave,
       received(dd(false, false, true, kTheirSeq + 1, {}, 1500, 0)), S::ex_start,
       {changed(S::exchange, S::ex_start, "SeqNumberMismatch"), ClearLsRetransmissionList{},
        send(initial(kTheirSeq + 1)), kDdRxmt}},
      {"ExchangeSlave_InvalidLsType_SeqNumberMismatch", From::exchange_slave,
       received(dd(false, false, true, kTheirSeq + 1, {kH2}), {}, true), S::ex_start,
       {changed(S::exchange, S::ex_start, "SeqNumberMismatch"), ClearLsRetransmissionList{},
        send(initial(kTheirSeq + 1)), kDdRxmt}},
      {"ExchangeSlave_LargerMtu_Rejected", From::exchange_slave,
       received(dd(false, false, true, kTheirSeq + 1, {}, 1501)), S::exchange,
       {DdRejected{"interface MTU 1501 larger than ours (1500)"}}},
      {"ExchangeSlave_NoRetransmitTimer", From::exchange_slave, TimerExpired{TimerId::dd_retransmit}, S::exchange,
       {}},

      // Exchange as master
      {"ExchangeMaster_DuplicateFromSlave_Discarded", From::exchange_master,
       received(dd(false, false, false, kOurSeq, {kH2}), {kH2}), S::exchange, {}},
      {"ExchangeMaster_RetransmitTimer_ResendsLastDd", From::exchange_master, TimerExpired{TimerId::dd_retransmit},
       S::exchange, {send(dd(false, false, true, kOurSeq + 1, {kH1})), kDdRxmt}},
      {"ExchangeMaster_LastAnswer_Loading", From::exchange_master, received(dd(false, false, false, kOurSeq + 1)),
       S::loading, {changed(S::exchange, S::loading, "ExchangeDone"), stop(TimerId::dd_retransmit)}},
      {"ExchangeMaster_SlaveHasMore_SendsEmptyDd", From::exchange_master,
       received(dd(false, true, false, kOurSeq + 1)), S::exchange,
       {send(dd(false, false, true, kOurSeq + 2)), kDdRxmt}},
      {"ExchangeMaster_OldSequence_SeqNumberMismatch", From::exchange_master,
       received(dd(false, false, false, kOurSeq + 5)), S::ex_start,
       {changed(S::exchange, S::ex_start, "SeqNumberMismatch"), stop(TimerId::ls_request_retransmit),
        ClearLsRetransmissionList{}, send(initial(kOurSeq + 2)), kDdRxmt}},
      {"ExchangeMaster_MasterBitSet_SeqNumberMismatch", From::exchange_master,
       received(dd(false, false, true, kOurSeq + 1)), S::ex_start,
       {changed(S::exchange, S::ex_start, "SeqNumberMismatch"), stop(TimerId::ls_request_retransmit),
        ClearLsRetransmissionList{}, send(initial(kOurSeq + 2)), kDdRxmt}},
      {"ExchangeMaster_RequestAnswered_StaysExchange", From::exchange_master, RequestedLsasReceived{{kR2}},
       S::exchange, {stop(TimerId::ls_request_retransmit)}},
      {"ExchangeMaster_BadLsReq_ExStart", From::exchange_master, BadLsReq{}, S::ex_start,
       {changed(S::exchange, S::ex_start, "BadLSReq"), stop(TimerId::ls_request_retransmit),
        ClearLsRetransmissionList{}, send(initial(kOurSeq + 2)), kDdRxmt}},

      // Loading
      {"LoadingMaster_RequestsAnswered_LoadingDone", From::loading_master, RequestedLsasReceived{{kR2}}, S::full,
       {stop(TimerId::ls_request_retransmit), changed(S::loading, S::full, "LoadingDone")}},
      {"LoadingMaster_OtherLsaArrives_StillLoading", From::loading_master,
       RequestedLsasReceived{{{5, 1, 1}}}, S::loading, {}},
      {"LoadingMaster_RequestTimer_ResendsRequest", From::loading_master,
       TimerExpired{TimerId::ls_request_retransmit}, S::loading,
       {request({kR2}), start(TimerId::ls_request_retransmit, 5s)}},
      {"LoadingMaster_DuplicateFromSlave_Discarded", From::loading_master,
       received(dd(false, false, false, kOurSeq + 1)), S::loading, {}},
      {"LoadingSlave_DuplicateFromMaster_ResendsLast", From::loading_slave,
       received(dd(false, false, true, kTheirSeq + 1, {kH2})), S::loading,
       {send(dd(false, false, false, kTheirSeq + 1))}},
      {"LoadingSlave_NewDd_SeqNumberMismatch", From::loading_slave,
       received(dd(false, false, true, kTheirSeq + 2)), S::ex_start,
       {changed(S::loading, S::ex_start, "SeqNumberMismatch"), stop(TimerId::ls_request_retransmit),
        stop(TimerId::dd_hold), ClearLsRetransmissionList{}, send(initial(kTheirSeq + 2)), kDdRxmt}},
      {"LoadingSlave_BadLsReq_ExStart", From::loading_slave, BadLsReq{}, S::ex_start,
       {changed(S::loading, S::ex_start, "BadLSReq"), stop(TimerId::ls_request_retransmit), stop(TimerId::dd_hold),
        ClearLsRetransmissionList{}, send(initial(kTheirSeq + 2)), kDdRxmt}},

      // Full
      {"FullMaster_Hello_RestartsInactivity", From::full_master, hello(true), S::full, {kInactivity}},
      {"FullMaster_InactivityTimer_Down", From::full_master, inactivity, S::down,
       {changed(S::full, S::down, "InactivityTimer"), ClearLsRetransmissionList{}}},
      {"FullMaster_LlDown_Down", From::full_master, LlDown{}, S::down,
       {changed(S::full, S::down, "LLDown"), stop(TimerId::inactivity), ClearLsRetransmissionList{}}},
      {"FullMaster_OneWay_Init", From::full_master, hello(false), S::init,
       {kInactivity, changed(S::full, S::init, "1-WayReceived"), ClearLsRetransmissionList{}}},
      // The master counted 1000, 1001 and 1002 (one past the last DD accepted); the next attempt is 1003.
      {"FullMaster_SeqNumberMismatch_ExStart", From::full_master, SeqNumberMismatch{}, S::ex_start,
       {changed(S::full, S::ex_start, "SeqNumberMismatch"), ClearLsRetransmissionList{},
        send(initial(kOurSeq + 3)), kDdRxmt}},
      {"FullSlave_DuplicateWhileHeld_ResendsLast", From::full_slave,
       received(dd(false, false, true, kTheirSeq + 1, {kH2})), S::full,
       {send(dd(false, false, false, kTheirSeq + 1))}},
      {"FullSlave_KillNbr_Down", From::full_slave, KillNbr{}, S::down,
       {changed(S::full, S::down, "KillNbr"), stop(TimerId::inactivity), stop(TimerId::dd_hold),
        ClearLsRetransmissionList{}}},
      {"FullBroadcast_AdjOkNoLongerDr_TwoWay", From::full_broadcast, AdjOk{other_is_dr}, S::two_way,
       {changed(S::full, S::two_way, "AdjOK?"), ClearLsRetransmissionList{}}},
      {"FullBroadcast_AdjOkStillDr_Stays", From::full_broadcast, AdjOk{nbr_is_dr}, S::full, {}},
      {"FullBroadcast_InactivityTimer_TellsInterface", From::full_broadcast, inactivity, S::down,
       {changed(S::full, S::down, "InactivityTimer"), ClearLsRetransmissionList{}, kNeighborChange}},
  };
}

class NeighborTransition : public testing::TestWithParam<Case> {};

TEST_P(NeighborTransition, GivesNextStateAndActions) {
  const Case& c = GetParam();
  Harness h(c.from);
  ASSERT_EQ(h.fsm.state(), h.path.state) << "setup did not reach the starting state";
  EXPECT_EQ(h.handle(c.event), c.actions) << "event: " << c.event;
  EXPECT_EQ(h.fsm.state(), c.next);
}

INSTANTIATE_TEST_SUITE_P(NeighborFsm, NeighborTransition, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

// ---- Scenarios ---------------------------------------------------------------------------------

TEST(NeighborFsm, FirstHelloDeclaringDrWithoutBdrRaisesBackupSeen) {
  NeighborFsm fsm(config(InterfaceType::broadcast), kLowId, kNbrAddr, [] { return kOurSeq; });
  auto actions = fsm.handle(hello(false, {}, kNbrAddr, 0), kNow);
  std::vector<NeighborAction> expected{changed(S::down, S::init, "HelloReceived"), kInactivity, kNeighborChange,
                                       kBackupSeen};
  EXPECT_EQ(actions, expected);
  EXPECT_EQ(fsm.snapshot(), (NeighborSnapshot{kLowId, kNbrAddr, 1, kNbrAddr, 0, false}));
}

TEST(NeighborFsm, SlaveFreesLastDdAfterHoldThenDuplicateIsMismatch) {
  Harness h(From::full_slave);
  EXPECT_TRUE(h.handle(TimerExpired{TimerId::dd_hold}).empty());
  std::vector<NeighborAction> expected{changed(S::full, S::ex_start, "SeqNumberMismatch"),
                                       ClearLsRetransmissionList{}, send(initial(kTheirSeq + 2)), kDdRxmt};
  EXPECT_EQ(h.handle(received(dd(false, false, true, kTheirSeq + 1, {kH2}))), expected);
}

TEST(NeighborFsm, StaleTimerIsIgnored) {
  Harness h(From::full_master);
  EXPECT_TRUE(h.handle(TimerExpired{TimerId::dd_retransmit}).empty());
  EXPECT_TRUE(h.handle(TimerExpired{TimerId::ls_request_retransmit}).empty());
}

TEST(NeighborFsm, SummaryIsSplitAcrossDdsWithTheMoreBit) {
  NeighborConfig c = config(InterfaceType::point_to_point);
  c.dd_headers_per_packet = 2;
  NeighborFsm fsm(c, kLowId, kNbrAddr, [] { return kOurSeq; });
  fsm.handle(hello(true), kNow);
  ASSERT_TRUE(fsm.needs_database_summary());
  std::vector<wire::LsaHeader> summary{header(1), header(2), header(3)};
  auto a = fsm.handle(received(dd(false, false, false, kOurSeq), {}, false, summary), kNow);
  ASSERT_GE(a.size(), 2u);
  EXPECT_EQ(a[1], send(dd(false, true, true, kOurSeq + 1, {header(1), header(2)})));
  a = fsm.handle(received(dd(false, false, false, kOurSeq + 1)), kNow);
  EXPECT_EQ(a, (std::vector<NeighborAction>{send(dd(false, false, true, kOurSeq + 2, {header(3)})), kDdRxmt}));
  a = fsm.handle(received(dd(false, false, false, kOurSeq + 2)), kNow);
  EXPECT_EQ(a, (std::vector<NeighborAction>{changed(S::exchange, S::full, "ExchangeDone"),
                                            stop(TimerId::dd_retransmit)}));
}

TEST(NeighborFsm, RequestsGoOutInBatches) {
  NeighborConfig c = config(InterfaceType::point_to_point);
  c.requests_per_packet = 2;
  NeighborFsm fsm(c, kHighId, kNbrAddr, [] { return kOurSeq; });
  fsm.handle(hello(true), kNow);
  fsm.handle(received(initial(kTheirSeq), {}, false, {}), kNow);
  std::vector<wire::LsaHeader> wanted{header(1), header(2), header(3)};
  fsm.handle(received(dd(false, false, true, kTheirSeq + 1, wanted), wanted), kNow);
  ASSERT_EQ(fsm.state(), S::loading);
  auto r = [](std::uint32_t id) { return wire::LsaRequest{wire::lsa_type::as_external, id, id}; };
  // The first batch went out with the answer; only once both arrived does the next go.
  EXPECT_TRUE(fsm.handle(RequestedLsasReceived{{r(1)}}, kNow).empty());
  EXPECT_EQ(fsm.handle(RequestedLsasReceived{{r(2)}}, kNow),
            (std::vector<NeighborAction>{request({r(3)}), start(TimerId::ls_request_retransmit, 5s)}));
  EXPECT_EQ(fsm.handle(RequestedLsasReceived{{r(3)}}, kNow),
            (std::vector<NeighborAction>{stop(TimerId::ls_request_retransmit),
                                         changed(S::loading, S::full, "LoadingDone")}));
}

// Two machines wired back to back reach Full on both sides, whichever is master.
TEST(NeighborFsm, TwoRoutersReachFull) {
  NeighborConfig a_config = config(InterfaceType::point_to_point);
  NeighborConfig b_config = a_config;
  b_config.router_id = kHighId;
  b_config.address = kNbrAddr;
  NeighborFsm a(a_config, kHighId, kNbrAddr, [] { return 77u; });   // a sees b
  NeighborFsm b(b_config, kSelfId, kSelfAddr, [] { return 900u; });  // b sees a
  wire::LsaHeader only_a = header(0xa), only_b = header(0xb);
  auto deliver = [](NeighborFsm& to, const std::vector<NeighborAction>& from, wire::LsaHeader mine,
                    wire::LsaHeader theirs) {
    std::vector<NeighborAction> out;
    for (const auto& action : from) {
      const auto* send = std::get_if<SendDd>(&action);
      if (!send) continue;
      DdReceived e = received(send->dd);
      for (const auto& h : send->dd.lsa_headers) {
        if (h == theirs) e.wanted.push_back(h);
      }
      if (to.needs_database_summary()) e.database_summary = {mine};
      auto more = to.handle(e, kNow);
      out.insert(out.end(), more.begin(), more.end());
    }
    return out;
  };
  wire::Hello ha;
  ha.neighbors = {kHighId};
  wire::Hello hb;
  hb.neighbors = {kSelfId};
  auto from_a = a.handle(HelloReceived{kNbrAddr, hb, {}}, kNow);
  auto from_b = b.handle(HelloReceived{kSelfAddr, ha, {}}, kNow);
  for (int round = 0; round < 10 && !(from_a.empty() && from_b.empty()); ++round) {
    auto to_a = deliver(b, from_a, only_b, only_a);
    auto to_b = deliver(a, from_b, only_a, only_b);
    from_a = to_b;
    from_b = to_a;
  }
  EXPECT_FALSE(a.is_master());
  EXPECT_TRUE(b.is_master());
  ASSERT_EQ(a.state(), S::loading);
  ASSERT_EQ(b.state(), S::loading);
  EXPECT_EQ(a.request_list(), std::deque<wire::LsaHeader>{only_b});
  EXPECT_EQ(b.request_list(), std::deque<wire::LsaHeader>{only_a});
  a.handle(RequestedLsasReceived{{{only_b.type, only_b.ls_id, only_b.advertising_router}}}, kNow);
  b.handle(RequestedLsasReceived{{{only_a.type, only_a.ls_id, only_a.advertising_router}}}, kNow);
  EXPECT_EQ(a.state(), S::full);
  EXPECT_EQ(b.state(), S::full);
}

}  // namespace
