// The plan's warnings: logged once while they hold, and never remembered longer than that.
#include "daemon/plan_warnings.hpp"

#include <gtest/gtest.h>

namespace cisd {
namespace {

using Lines = std::vector<std::string>;

TEST(PlanWarnings, EachWarningOnceWhileItHolds) {
  PlanWarnings w;
  EXPECT_EQ(w.newly_seen({"a: bad communities", "b: bad communities"}), (Lines{"a: bad communities", "b: bad communities"}));
  EXPECT_EQ(w.newly_seen({"a: bad communities", "b: bad communities"}), Lines{});
  EXPECT_EQ(w.newly_seen({"b: bad communities", "c: bad communities"}), Lines{"c: bad communities"});
  EXPECT_EQ(w.newly_seen({"c: bad communities", "c: bad communities"}), Lines{});  // duplicates: once
}

TEST(PlanWarnings, AWarningThatWentAwayAndCameBackIsLoggedAgain) {
  PlanWarnings w;
  w.newly_seen({"a: bad communities"});
  w.newly_seen({});  // the owner fixed the annotation
  EXPECT_EQ(w.newly_seen({"a: bad communities"}), Lines{"a: bad communities"});  // and broke it again
}

TEST(PlanWarnings, RemembersOnlyTheCurrentWarnings) {
  // Months of Services created with a bad annotation and deleted again: each warning is
  // remembered while it holds, none after.
  PlanWarnings w;
  for (int i = 0; i < 10000; ++i) {
    const std::string line = "ns/svc-" + std::to_string(i) + ": bad communities";
    EXPECT_EQ(w.newly_seen({"steady: bad communities", line}).size(), i == 0 ? 2u : 1u);
  }
  EXPECT_EQ(w.remembered(), 2u);
  w.newly_seen({});
  EXPECT_EQ(w.remembered(), 0u);
}

}  // namespace
}  // namespace cisd
