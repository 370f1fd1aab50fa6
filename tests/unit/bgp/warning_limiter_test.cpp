#include "bgp/warning_limiter.hpp"

#include <gtest/gtest.h>

namespace bgp {
namespace {

using std::chrono::seconds;

TEST(WarningLimiter, FirstLineThenOnePerIntervalWithTheCountLeftOut) {
  WarningLimiter limiter(seconds(60));
  const WarningLimiter::Clock::time_point t0{seconds(1000)};
  EXPECT_EQ(limiter.allow(t0), 0u);
  EXPECT_EQ(limiter.allow(t0), std::nullopt);
  EXPECT_EQ(limiter.allow(t0 + seconds(30)), std::nullopt);
  EXPECT_EQ(limiter.allow(t0 + seconds(59)), std::nullopt);
  EXPECT_EQ(limiter.allow(t0 + seconds(60)), 3u);
  EXPECT_EQ(limiter.allow(t0 + seconds(61)), std::nullopt);
  EXPECT_EQ(limiter.allow(t0 + seconds(500)), 1u);
  EXPECT_EQ(limiter.allow(t0 + seconds(1000)), 0u);
}

TEST(WarningLimiter, AFreshLimiterLogsAtOnce) {
  WarningLimiter limiter(seconds(60));
  limiter.allow(WarningLimiter::Clock::time_point{seconds(5)});
  limiter = WarningLimiter(seconds(60));  // what a new session does
  EXPECT_EQ(limiter.allow(WarningLimiter::Clock::time_point{seconds(6)}), 0u);
}

}  // namespace
}  // namespace bgp
