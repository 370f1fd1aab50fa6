#include "daemon/withdraw_damper.hpp"

#include <gtest/gtest.h>

using cisd::WithdrawDamper;
using namespace std::chrono_literals;

namespace {
net::Route R(const char* p) { return {*net::Prefix::parse(p), {}, net::RouteKind::cluster_ip, ""}; }
const WithdrawDamper::Clock::time_point t0{};
}  // namespace

TEST(WithdrawDamper, ZeroDelayPassesThePlanThrough) {
  WithdrawDamper d(0ms);
  EXPECT_EQ(d.apply({R("10.96.0.10/32")}, t0).size(), 1u);
  EXPECT_TRUE(d.apply({}, t0).empty());
  EXPECT_FALSE(d.next_expiry());
}

TEST(WithdrawDamper, HoldsAWithdrawalForTheDelay) {
  WithdrawDamper d(5s);
  d.apply({R("10.96.0.10/32"), R("10.96.0.11/32")}, t0);
  auto out = d.apply({R("10.96.0.11/32")}, t0 + 1s);
  EXPECT_TRUE(out.contains(*net::Prefix::parse("10.96.0.10/32")));
  EXPECT_EQ(d.next_expiry(), t0 + 6s);
  EXPECT_TRUE(d.apply({R("10.96.0.11/32")}, t0 + 5999ms).contains(*net::Prefix::parse("10.96.0.10/32")));
  out = d.apply({R("10.96.0.11/32")}, t0 + 6s);
  EXPECT_FALSE(out.contains(*net::Prefix::parse("10.96.0.10/32")));
  EXPECT_FALSE(d.next_expiry());
}

TEST(WithdrawDamper, AFlapInsideTheDelayIsNeverSeen) {
  WithdrawDamper d(5s);
  d.apply({R("10.96.0.10/32")}, t0);
  EXPECT_EQ(d.apply({}, t0 + 1s).size(), 1u);
  EXPECT_EQ(d.apply({R("10.96.0.10/32")}, t0 + 2s).size(), 1u);
  EXPECT_EQ(d.held(), 0u);
  // A later withdrawal starts a fresh delay.
  EXPECT_EQ(d.apply({}, t0 + 10s).size(), 1u);
  EXPECT_EQ(d.next_expiry(), t0 + 15s);
}

TEST(WithdrawDamper, NewRoutesAreAdvertisedAtOnce) {
  WithdrawDamper d(5s);
  EXPECT_EQ(d.apply({R("10.96.0.10/32")}, t0).size(), 1u);
}

// Gating beats damping: when the plan is withheld (kube-proxy down, the Node NotReady or
// cordoned) this node cannot deliver, so everything goes at once, held routes included.
TEST(WithdrawDamper, AWithheldPlanWithdrawsAtOnceWhateverTheDelay) {
  WithdrawDamper d(30s);
  cisd::Plan ok;
  ok.routes = {R("10.96.0.0/12"), R("10.96.0.10/32")};
  EXPECT_EQ(cisd::routes_to_advertise(d, ok, t0).size(), 2u);
  cisd::Plan smaller;
  smaller.routes = {R("10.96.0.0/12")};
  EXPECT_EQ(cisd::routes_to_advertise(d, smaller, t0 + 1s).size(), 2u);  // ordinary churn: damped
  cisd::Plan withheld;
  withheld.withheld = "kube-proxy on this node is unhealthy";
  EXPECT_TRUE(cisd::routes_to_advertise(d, withheld, t0 + 2s).empty());
  EXPECT_EQ(d.held(), 0u);
  EXPECT_FALSE(d.next_expiry());
  // Back to a plan that may go out: nothing from before the gate comes back with it.
  EXPECT_EQ(cisd::routes_to_advertise(d, smaller, t0 + 3s).size(), 1u);
}

TEST(WithdrawDamper, ANewDelayKeepsWhatIsHeld) {
  // A reload that changes withdraw_delay must not withdraw held routes at once.
  WithdrawDamper d(5s);
  d.apply({R("10.96.0.10/32"), R("10.96.0.11/32")}, t0);
  d.apply({R("10.96.0.11/32")}, t0 + 1s);  // .10 held until t0 + 6s
  d.set_delay(10s);
  EXPECT_EQ(d.next_expiry(), t0 + 11s);
  EXPECT_TRUE(d.apply({R("10.96.0.11/32")}, t0 + 8s).contains(*net::Prefix::parse("10.96.0.10/32")));
  EXPECT_FALSE(d.apply({R("10.96.0.11/32")}, t0 + 11s).contains(*net::Prefix::parse("10.96.0.10/32")));
}

TEST(WithdrawDamper, ADelayOfZeroLetsHeldRoutesGo) {
  WithdrawDamper d(5s);
  d.apply({R("10.96.0.10/32"), R("10.96.0.11/32")}, t0);
  d.apply({R("10.96.0.11/32")}, t0 + 1s);
  d.set_delay(0ms);
  EXPECT_FALSE(d.next_expiry());
  EXPECT_FALSE(d.apply({R("10.96.0.11/32")}, t0 + 2s).contains(*net::Prefix::parse("10.96.0.10/32")));
  // Back to a delay: nothing stale comes back.
  d.set_delay(5s);
  EXPECT_EQ(d.apply({R("10.96.0.11/32")}, t0 + 3s).size(), 1u);
}
