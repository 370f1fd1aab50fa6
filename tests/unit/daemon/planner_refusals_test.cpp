#include "daemon/planner_refusals.hpp"

#include <gtest/gtest.h>

using namespace cisd;
using namespace std::chrono_literals;

namespace {
const RefusalReporter::Clock::time_point t0{};
Refusal refusal(const char* service, const char* ip) {
  return {service, net::Address::parse(ip), RefusalReason::external_ip_not_allowed, std::string(ip) + " is outside"};
}
}  // namespace

TEST(RefusalReporter, CountsEachRefusalOnceWhileItLasts) {
  RefusalReporter r(60s);
  auto first = r.update({refusal("t/a", "203.0.113.1")}, t0);
  EXPECT_EQ(first.added.size(), 1u);
  ASSERT_EQ(first.lines.size(), 1u);
  EXPECT_EQ(first.lines[0], "refused for Service t/a: 203.0.113.1 is outside (external_ip_not_allowed)");
  EXPECT_TRUE(r.update({refusal("t/a", "203.0.113.1")}, t0 + 1s).added.empty());  // the same plan again
  EXPECT_TRUE(r.update({}, t0 + 2s).added.empty());
  EXPECT_EQ(r.update({refusal("t/a", "203.0.113.1")}, t0 + 3s).added.size(), 1u);  // asked for again
}

// A tenant flipping a Service back and forth gets one line a minute, naming the Service.
TEST(RefusalReporter, LogsAtMostOncePerIntervalPerService) {
  RefusalReporter r(60s);
  EXPECT_EQ(r.update({refusal("t/a", "203.0.113.1")}, t0).lines.size(), 1u);
  std::size_t lines = 0;
  for (int i = 1; i <= 20; ++i) {
    auto ip = "203.0.113." + std::to_string(1 + i);
    lines += r.update({refusal("t/a", ip.c_str())}, t0 + std::chrono::seconds(i)).lines.size();
  }
  EXPECT_EQ(lines, 0u);
  // Another Service is not held back by the first one.
  EXPECT_EQ(r.update({refusal("t/b", "203.0.113.99")}, t0 + 30s).lines.size(), 1u);
  auto later = r.update({refusal("t/a", "203.0.113.77")}, t0 + 61s);
  ASSERT_EQ(later.lines.size(), 1u);
  EXPECT_NE(later.lines[0].find("(and 20 more for it not logged before)"), std::string::npos) << later.lines[0];
}

TEST(RefusalReporter, OneLinePerServiceForAllItAskedAtOnce) {
  RefusalReporter r(60s);
  auto report = r.update({refusal("t/a", "203.0.113.1"), refusal("t/a", "203.0.113.2"), refusal("t/b", "203.0.113.3")}, t0);
  EXPECT_EQ(report.added.size(), 3u);
  ASSERT_EQ(report.lines.size(), 2u);
  EXPECT_EQ(report.lines[0], "refused for Service t/a: 203.0.113.1 is outside (external_ip_not_allowed); "
                             "203.0.113.2 is outside (external_ip_not_allowed)");
}
