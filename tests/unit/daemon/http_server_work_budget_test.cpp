#include "daemon/http_server_work_budget.hpp"

#include <gtest/gtest.h>

#include "daemon/http_server.hpp"

using namespace cisd;
using namespace std::chrono_literals;

namespace {
const WorkBudget::Clock::time_point t0{};
const auto kLan = asio::ip::make_address("192.0.2.9");
const auto kOther = asio::ip::make_address("192.0.2.10");
}  // namespace

TEST(WorkBudget, AnAddressThatUsedItsBurstWaitsForTheRefill) {
  WorkBudget b(200ms, 2000ms);
  EXPECT_TRUE(b.available(kLan, t0));
  for (int i = 0; i < 40; ++i) b.charge(kLan, 50ms, t0);  // 40 requests of 50 ms at once
  EXPECT_FALSE(b.available(kLan, t0));
  EXPECT_TRUE(b.available(kOther, t0));           // only that address
  EXPECT_TRUE(b.available(kLan, t0 + 10ms));      // 200 ms of work back per second: 2 ms already
  b.charge(kLan, 300ms, t0 + 10ms);               // a big request overdraws: 2 - 300 = -298 ms
  EXPECT_FALSE(b.available(kLan, t0 + 1s));       // -298 + 198
  EXPECT_TRUE(b.available(kLan, t0 + 1600ms));    // -298 + 318
}

TEST(WorkBudget, FullBucketsAreForgotten) {
  WorkBudget b(200ms, 2000ms);
  for (int i = 0; i < 100; ++i) b.charge(asio::ip::make_address_v4(0xC0000200u + i), 10ms, t0);
  EXPECT_EQ(b.tracked(), 100u);
  b.charge(kLan, 10ms, t0 + 2s);  // a sweep: the others have refilled
  EXPECT_EQ(b.tracked(), 1u);
}

// The endpoint's bookkeeping: a remote address over its budget gets no connection; this host's
// (the kubelet's probes) are never charged.
TEST(WorkBudget, ConnectionCountsRefuseARemoteAddressOverItsBudget) {
  HttpLimits limits;
  limits.remote_work_per_second = 100ms;
  limits.remote_work_burst = 100ms;
  ConnectionCounts counts(limits);
  const auto local = asio::ip::make_address("127.0.0.1");
  ASSERT_TRUE(counts.admit(kLan, false, t0));
  counts.charge(kLan, false, 150ms, t0);
  counts.release(kLan, false);
  EXPECT_FALSE(counts.admit(kLan, false, t0 + 100ms));
  EXPECT_TRUE(counts.admit(kLan, false, t0 + 600ms));
  ASSERT_TRUE(counts.admit(local, true, t0));
  counts.charge(local, true, 10s, t0);
  counts.release(local, true);
  EXPECT_TRUE(counts.admit(local, true, t0));
}
