#include "bgp/departure.hpp"

#include <gtest/gtest.h>

using namespace bgp;

namespace {

// A session where both sides agreed on graceful restart, on a node that can deliver.
DepartureFacts helper_session() {
  DepartureFacts f;
  f.graceful_restart_enabled = true;
  f.peer_graceful_restart = true;
  f.established = true;
  f.can_deliver = true;
  return f;
}

TEST(Departure, AutomaticRestartsWhenEverythingHolds) {
  EXPECT_EQ(choose_departure(OnSigterm::automatic, helper_session()), Departure::restart);
}

TEST(Departure, AutomaticLeavesWhenAnyConditionFails) {
  // Each condition of the rule, broken on its own.
  for (auto breaks : {&DepartureFacts::graceful_restart_enabled, &DepartureFacts::peer_graceful_restart,
                      &DepartureFacts::established, &DepartureFacts::can_deliver}) {
    auto f = helper_session();
    f.*breaks = false;
    EXPECT_EQ(choose_departure(OnSigterm::automatic, f), Departure::leave);
  }
}

TEST(Departure, LeaveAlwaysLeaves) {
  EXPECT_EQ(choose_departure(OnSigterm::leave, helper_session()), Departure::leave);
}

TEST(Departure, RestartIgnoresWithheldPlanButNeedsAHelperSession) {
  auto withheld = helper_session();
  withheld.can_deliver = false;
  EXPECT_EQ(choose_departure(OnSigterm::restart, withheld), Departure::restart);
  for (auto breaks : {&DepartureFacts::graceful_restart_enabled, &DepartureFacts::peer_graceful_restart,
                      &DepartureFacts::established}) {
    auto f = helper_session();
    f.*breaks = false;
    EXPECT_EQ(choose_departure(OnSigterm::restart, f), Departure::leave);
  }
}

TEST(Departure, ParsesTheCommandLineWords) {
  EXPECT_EQ(parse_on_sigterm("auto"), OnSigterm::automatic);
  EXPECT_EQ(parse_on_sigterm("leave"), OnSigterm::leave);
  EXPECT_EQ(parse_on_sigterm("restart"), OnSigterm::restart);
  EXPECT_EQ(parse_on_sigterm("Restart"), std::nullopt);
  EXPECT_EQ(parse_on_sigterm(""), std::nullopt);
  for (auto p : {OnSigterm::automatic, OnSigterm::leave, OnSigterm::restart})
    EXPECT_EQ(parse_on_sigterm(to_string(p)), p);
}

}  // namespace
