#include "ospf/interface_fsm.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

using namespace ospf;
using namespace std::chrono_literals;

namespace {

const Clock::time_point kNow{};
constexpr std::uint32_t kSelfId = 0x02020202;    // 2.2.2.2
constexpr std::uint32_t kSelfAddr = 0xc0a80102;  // 192.168.1.2
constexpr std::uint32_t kMask = 0xffffff00;

// Neighbors whose addresses sort the other way round from their router IDs, so a test that picks
// by router ID cannot pass by picking by address.
constexpr std::uint32_t kId1 = 0x01010101, kAddr1 = 0xc0a80109;  // 1.1.1.1 at .9
constexpr std::uint32_t kId3 = 0x03030303, kAddr3 = 0xc0a80108;  // 3.3.3.3 at .8
constexpr std::uint32_t kId4 = 0x04040404, kAddr4 = 0xc0a80107;  // 4.4.4.4 at .7

InterfaceConfig config(std::uint8_t priority, InterfaceType type = InterfaceType::broadcast) {
  InterfaceConfig c;
  c.type = type;
  c.router_id = kSelfId;
  c.address = kSelfAddr;
  c.mask = kMask;
  c.priority = priority;
  c.hello_interval = 10s;
  c.dead_interval = 40s;
  c.rxmt_interval = 5s;
  c.options = wire::option::e;
  return c;
}

NeighborSnapshot nbr(std::uint32_t id, std::uint32_t addr, std::uint8_t prio, std::uint32_t dr = 0,
                     std::uint32_t bdr = 0, bool bidirectional = true) {
  return {id, addr, prio, dr, bdr, bidirectional};
}

// The Hello written out field by field, as §A.3.2 has it.
wire::Hello hello(std::uint8_t prio, std::uint32_t dr, std::uint32_t bdr, std::vector<std::uint32_t> neighbors,
                  std::uint32_t mask = kMask) {
  wire::Hello h;
  h.network_mask = mask;
  h.hello_interval = 10;
  h.options = wire::option::e;
  h.priority = prio;
  h.dead_interval = 40;
  h.designated_router = dr;
  h.backup_designated_router = bdr;
  h.neighbors = std::move(neighbors);
  return h;
}

InterfaceAction changed(InterfaceState from, InterfaceState to) { return InterfaceStateChanged{from, to}; }
InterfaceAction start(TimerId t, Duration d) { return StartTimer{t, d}; }
InterfaceAction stop(TimerId t) { return StopTimer{t}; }
InterfaceAction send(wire::Hello h) { return SendHello{std::move(h)}; }

using S = InterfaceState;

struct Case {
  std::string name;
  InterfaceConfig config;
  std::vector<InterfaceEvent> setup;  // from a fresh machine
  S from;
  InterfaceEvent event;
  S next;
  std::vector<InterfaceAction> actions;
};
std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

std::vector<Case> cases() {
  const InterfaceEvent wait_timer = TimerExpired{TimerId::wait};
  const InterfaceEvent hello_timer = TimerExpired{TimerId::hello};
  const auto p2p = config(1, InterfaceType::point_to_point);
  // A network whose DR is 3.3.3.3 and BDR 4.4.4.4, both in 2-Way with us.
  const NeighborSnapshots settled = {nbr(kId3, kAddr3, 1, kAddr3, kAddr4), nbr(kId4, kAddr4, 1, kAddr3, kAddr4)};
  return {
      // Down
      {"Down_InterfaceUpPriority0_DrOtherAtOnce", config(0), {}, S::down, InterfaceUp{}, S::dr_other,
       {changed(S::down, S::dr_other), send(hello(0, 0, 0, {})), start(TimerId::hello, 10s)}},
      {"Down_InterfaceUpEligible_Waits", config(1), {}, S::down, InterfaceUp{}, S::waiting,
       {changed(S::down, S::waiting), send(hello(1, 0, 0, {})), start(TimerId::hello, 10s),
        start(TimerId::wait, 40s)}},
      {"Down_InterfaceUpPointToPoint", p2p, {}, S::down, InterfaceUp{}, S::point_to_point,
       {changed(S::down, S::point_to_point), send(hello(1, 0, 0, {})), start(TimerId::hello, 10s)}},
      {"Down_NeighborChange_Ignored", config(1), {}, S::down, NeighborChange{settled}, S::down, {}},
      {"Down_LoopInd_Loopback", config(1), {}, S::down, LoopInd{}, S::loopback,
       {changed(S::down, S::loopback), KillAllNeighbors{}}},

      // Waiting
      {"Waiting_WaitTimerAlone_BecomesDr", config(1), {InterfaceUp{}}, S::waiting, wait_timer, S::dr,
       {changed(S::waiting, S::dr), JoinAllDRouters{}, DrChanged{kSelfAddr, 0}}},
      {"Waiting_WaitTimerWithDr_BecomesBackup", config(1),
       {InterfaceUp{}, NeighborsUpdated{{nbr(kId3, kAddr3, 1, kAddr3, 0)}}}, S::waiting, wait_timer, S::backup,
       {changed(S::waiting, S::backup), JoinAllDRouters{}, DrChanged{kAddr3, kSelfAddr}}},
      {"Waiting_WaitTimerWithDrAndBdr_BecomesDrOther", config(1), {InterfaceUp{}, NeighborsUpdated{settled}},
       S::waiting, wait_timer, S::dr_other, {changed(S::waiting, S::dr_other), DrChanged{kAddr3, kAddr4}}},
      {"Waiting_BackupSeen_ElectsEarly", config(1), {InterfaceUp{}}, S::waiting,
       BackupSeen{{nbr(kId3, kAddr3, 1, kAddr3, 0)}}, S::backup,
       {stop(TimerId::wait), changed(S::waiting, S::backup), JoinAllDRouters{}, DrChanged{kAddr3, kSelfAddr}}},
      {"Waiting_NeighborChange_NoElection", config(1), {InterfaceUp{}}, S::waiting, NeighborChange{settled},
       S::waiting, {}},
      {"Waiting_HelloTimer_SendsHello", config(1), {InterfaceUp{}, NeighborsUpdated{settled}}, S::waiting,
       hello_timer, S::waiting, {send(hello(1, 0, 0, {kId3, kId4})), start(TimerId::hello, 10s)}},
      {"Waiting_InterfaceDown", config(1), {InterfaceUp{}}, S::waiting, InterfaceDown{}, S::down,
       {changed(S::waiting, S::down), stop(TimerId::hello), stop(TimerId::wait), KillAllNeighbors{}}},

      // DR Other, Backup, DR
      {"DrOther_NeighborChange_LearnsDrAndBdr", config(0), {InterfaceUp{}}, S::dr_other, NeighborChange{settled},
       S::dr_other, {DrChanged{kAddr3, kAddr4}}},
      {"DrOther_NeighborChangeSameResult_Quiet", config(0), {InterfaceUp{}, NeighborChange{settled}}, S::dr_other,
       NeighborChange{settled}, S::dr_other, {}},
      {"DrOther_BackupSeen_Ignored", config(0), {InterfaceUp{}}, S::dr_other, BackupSeen{settled}, S::dr_other,
       {}},
      {"DrOther_HelloTimer_HelloCarriesDrBdrAndNeighbors", config(0),
       {InterfaceUp{}, NeighborChange{{nbr(kId3, kAddr3, 1, kAddr3, kAddr4), nbr(kId4, kAddr4, 1, kAddr3, kAddr4),
                                       nbr(kId1, kAddr1, 1, 0, 0, false)}}},
       S::dr_other, hello_timer, S::dr_other,
       {send(hello(0, kAddr3, kAddr4, {kId3, kId4, kId1})), start(TimerId::hello, 10s)}},
      {"DrOther_StaleWaitTimer_Ignored", config(0), {InterfaceUp{}}, S::dr_other, wait_timer, S::dr_other, {}},
      {"DrOther_LoopInd", config(0), {InterfaceUp{}}, S::dr_other, LoopInd{}, S::loopback,
       {changed(S::dr_other, S::loopback), stop(TimerId::hello), KillAllNeighbors{}}},
      {"DrOther_DrDies_OthersPromoted", config(0), {InterfaceUp{}, NeighborChange{settled}}, S::dr_other,
       NeighborChange{{nbr(kId4, kAddr4, 1, kAddr3, kAddr4)}}, S::dr_other, {DrChanged{kAddr4, kAddr4}}},
      {"Backup_DrDies_TakesOver", config(1),
       {InterfaceUp{}, NeighborsUpdated{{nbr(kId3, kAddr3, 1, kAddr3, 0)}}, wait_timer}, S::backup,
       NeighborChange{{}}, S::dr, {changed(S::backup, S::dr), DrChanged{kSelfAddr, 0}}},
      {"Dr_HigherPriorityArrives_StaysDr", config(1), {InterfaceUp{}, wait_timer}, S::dr,
       NeighborChange{{nbr(kId3, kAddr3, 200)}}, S::dr, {DrChanged{kSelfAddr, kAddr3}}},
      {"Dr_InterfaceDown_LeavesAllDRouters", config(1), {InterfaceUp{}, wait_timer}, S::dr, InterfaceDown{},
       S::down, {changed(S::dr, S::down), stop(TimerId::hello), LeaveAllDRouters{}, KillAllNeighbors{}}},
      {"Dr_OtherDrDeclaredWithHigherPriority_StepsDown", config(1), {InterfaceUp{}, wait_timer}, S::dr,
       NeighborChange{{nbr(kId3, kAddr3, 5, kAddr3, 0)}}, S::backup,
       {changed(S::dr, S::backup), DrChanged{kAddr3, kSelfAddr}}},

      // Point-to-point
      {"PointToPoint_NeighborChange_Ignored", p2p, {InterfaceUp{}}, S::point_to_point, NeighborChange{settled},
       S::point_to_point, {}},
      {"PointToPoint_HelloTimer", p2p, {InterfaceUp{}, NeighborsUpdated{{nbr(kId3, kAddr3, 1)}}},
       S::point_to_point, hello_timer, S::point_to_point,
       {send(hello(1, 0, 0, {kId3})), start(TimerId::hello, 10s)}},
      {"PointToPoint_InterfaceDown", p2p, {InterfaceUp{}}, S::point_to_point, InterfaceDown{}, S::down,
       {changed(S::point_to_point, S::down), stop(TimerId::hello), KillAllNeighbors{}}},

      // Loopback
      {"Loopback_UnloopInd_Down", config(1), {LoopInd{}}, S::loopback, UnloopInd{}, S::down,
       {changed(S::loopback, S::down)}},
      {"Loopback_InterfaceUp_Ignored", config(1), {LoopInd{}}, S::loopback, InterfaceUp{}, S::loopback, {}},
  };
}

class InterfaceTransition : public testing::TestWithParam<Case> {};

TEST_P(InterfaceTransition, GivesNextStateAndActions) {
  const Case& c = GetParam();
  InterfaceFsm fsm(c.config);
  for (const auto& e : c.setup) fsm.handle(e, kNow);
  ASSERT_EQ(fsm.state(), c.from) << "setup did not reach the starting state";
  EXPECT_EQ(fsm.handle(c.event, kNow), c.actions) << "event: " << c.event;
  EXPECT_EQ(fsm.state(), c.next);
}

INSTANTIATE_TEST_SUITE_P(InterfaceFsm, InterfaceTransition, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

// ---- §9.4 election, as a pure function ---------------------------------------------------------

struct ElectionCase {
  std::string name;
  NeighborSnapshot self;
  NeighborSnapshots neighbors;
  Election expected;
};
std::ostream& operator<<(std::ostream& os, const ElectionCase& c) { return os << c.name; }

NeighborSnapshot self(std::uint8_t prio, std::uint32_t dr = 0, std::uint32_t bdr = 0) {
  return {kSelfId, kSelfAddr, prio, dr, bdr, true};
}

std::vector<ElectionCase> election_cases() {
  return {
      {"Priority0Alone_NoDr", self(0), {}, {0, 0}},
      {"EligibleAlone_DrAfterSecondPass", self(1), {}, {kSelfAddr, 0}},
      {"Priority0_NeverElected", self(0), {nbr(kId1, kAddr1, 1, kAddr1, 0)}, {kAddr1, 0}},
      {"TwoEligibleNobodyDeclared_SecondPassGivesBdr", self(1), {nbr(kId1, kAddr1, 1)}, {kSelfAddr, kAddr1}},
      {"HigherPriorityWinsBdr", self(1), {nbr(kId3, kAddr3, 1, kAddr3, 0), nbr(kId1, kAddr1, 7, kAddr3, 0)},
       {kAddr3, kAddr1}},
      {"PriorityTie_HigherRouterIdNotAddress", self(1),
       {nbr(kId1, kAddr1, 1, kAddr1, 0), nbr(kId3, kAddr3, 1, kAddr1, 0), nbr(kId4, kAddr4, 1, kAddr1, 0)},
       {kAddr1, kAddr4}},
      {"ExistingDrKeptOverHigherPriority", self(0), {nbr(kId1, kAddr1, 1, kAddr1, 0), nbr(kId3, kAddr3, 100)},
       {kAddr1, kAddr3}},
      {"ExistingBdrKeptOverHigherPriority", self(0),
       {nbr(kId1, kAddr1, 1, kAddr1, kAddr3), nbr(kId3, kAddr3, 1, kAddr1, kAddr3), nbr(kId4, kAddr4, 100)},
       {kAddr1, kAddr3}},
      // A router declaring itself DR may not be BDR, so the loser leaves the BDR empty this round.
      {"TwoDeclaredDrs_HigherPriorityWins", self(0),
       {nbr(kId4, kAddr4, 1, kAddr4, 0), nbr(kId1, kAddr1, 2, kAddr1, 0)}, {kAddr1, 0}},
      {"TwoDeclaredDrsTie_HigherRouterIdWins", self(0),
       {nbr(kId4, kAddr4, 1, kAddr4, 0), nbr(kId1, kAddr1, 1, kAddr1, 0)}, {kAddr4, 0}},
      {"Priority0NeighborDeclaringDr_Ignored", self(1), {nbr(kId3, kAddr3, 0, kAddr3, 0)}, {kSelfAddr, 0}},
      {"NeighborNotTwoWay_Ignored", self(0), {nbr(kId3, kAddr3, 1, kAddr3, 0, false)}, {0, 0}},
      // Nobody declared and we are not in it: both roles fall on the best router until it declares.
      {"NobodyDeclaredNotUs_BothFallOnBest", self(0), {nbr(kId1, kAddr1, 1), nbr(kId3, kAddr3, 2)},
       {kAddr3, kAddr3}},
      // We were DR; a higher-priority DR shows up: the second pass makes us BDR.
      {"LosingDr_SecondPassMakesUsBdr", self(1, kSelfAddr, 0), {nbr(kId3, kAddr3, 5, kAddr3, 0)},
       {kAddr3, kSelfAddr}},
      // We were BDR and the DR left: DR, and the second pass picks a new BDR.
      {"BdrPromoted_SecondPassPicksNewBdr", self(1, kAddr4, kSelfAddr), {nbr(kId1, kAddr1, 1, kAddr4, kSelfAddr)},
       {kSelfAddr, kAddr1}},
  };
}

class DrElection : public testing::TestWithParam<ElectionCase> {};

TEST_P(DrElection, ChoosesDrAndBdr) {
  const ElectionCase& c = GetParam();
  EXPECT_EQ(elect_designated_routers(c.self, c.neighbors), c.expected);
}

INSTANTIATE_TEST_SUITE_P(InterfaceFsm, DrElection, testing::ValuesIn(election_cases()),
                         [](const testing::TestParamInfo<ElectionCase>& info) { return info.param.name; });

// ---- Hello checks (§10.5) ----------------------------------------------------------------------

TEST(HelloMismatch, AcceptsMatchingHello) { EXPECT_EQ(hello_mismatch(config(0), hello(1, 0, 0, {})), std::nullopt); }

TEST(HelloMismatch, RejectsEachMismatch) {
  auto h = hello(1, 0, 0, {});
  h.network_mask = 0xffff0000;
  EXPECT_EQ(hello_mismatch(config(0), h), "network mask mismatch");
  h = hello(1, 0, 0, {});
  h.hello_interval = 5;
  EXPECT_EQ(hello_mismatch(config(0), h), "HelloInterval mismatch");
  h = hello(1, 0, 0, {});
  h.dead_interval = 120;
  EXPECT_EQ(hello_mismatch(config(0), h), "RouterDeadInterval mismatch");
  h = hello(1, 0, 0, {});
  h.options = 0;
  EXPECT_EQ(hello_mismatch(config(0), h), "E bit (ExternalRoutingCapability) mismatch");
}

TEST(HelloMismatch, IgnoresMaskOnPointToPoint) {
  auto h = hello(1, 0, 0, {}, 0);
  EXPECT_EQ(hello_mismatch(config(0, InterfaceType::point_to_point), h), std::nullopt);
}

TEST(InterfaceFsm, HelloOptionsCarryEBit) {
  InterfaceFsm fsm(config(0));
  EXPECT_EQ(fsm.hello().options & wire::option::e, wire::option::e);
}

}  // namespace
