#include "daemon/service_events.hpp"

#include <gtest/gtest.h>

#include "daemon/event_rate_limiter.hpp"
#include "daemon/event_recorder.hpp"

using namespace cisd;
using net::Prefix;

namespace {

Prefix P(const char* s) { return *Prefix::parse(s); }

net::RouteSet routes(std::vector<net::Route> list) {
  net::RouteSet out;
  for (auto& r : list) out.insert(std::move(r));
  return out;
}

net::Route cluster_ip(const char* prefix, const char* reason) {
  return {P(prefix), {}, net::RouteKind::cluster_ip, reason};
}

using Kind = ServiceEvent::Kind;

}  // namespace

TEST(ServiceEvents, ServicesNamedInAReason) {
  EXPECT_EQ(services_named_in("cluster_ip of Service default/web"), (std::vector<std::string>{"default/web"}));
  EXPECT_EQ(services_named_in("external_ip of Service a/x (Local policy, endpoint on this node); external_ip of "
                              "Service b/y; load_balancer_ip of Service a/x"),
            (std::vector<std::string>{"a/x", "b/y"}));
  EXPECT_TRUE(services_named_in("Service CIDR (config)").empty());
}

TEST(ServiceEvents, AddedRemovedAndChangingHands) {
  const net::Route cidr{P("10.96.0.0/12"), {}, net::RouteKind::service_cidr, "Service CIDR (config)"};
  auto before = routes({cidr, cluster_ip("10.96.0.10/32", "cluster_ip of Service kube-system/dns"),
                        cluster_ip("10.96.0.20/32", "cluster_ip of Service default/web"),
                        {P("192.0.2.1/32"), {}, net::RouteKind::external_ip, "external_ip of Service a/x"}});
  auto after = routes({cidr, cluster_ip("10.96.0.20/32", "cluster_ip of Service default/web"),
                       cluster_ip("10.96.0.30/32", "cluster_ip of Service default/api"),
                       {P("192.0.2.1/32"), {}, net::RouteKind::external_ip,
                        "external_ip of Service a/x; external_ip of Service b/y"},
                       {P("203.0.113.0/24"), {}, net::RouteKind::static_prefix, "advertise.static"}});
  EXPECT_EQ(service_events(before, after),
            (std::vector<ServiceEvent>{
                {Kind::withdrawn, "kube-system/dns", P("10.96.0.10/32"), net::RouteKind::cluster_ip},
                {Kind::advertised, "default/api", P("10.96.0.30/32"), net::RouteKind::cluster_ip},
                {Kind::advertised, "b/y", P("192.0.2.1/32"), net::RouteKind::external_ip},
            }));
  EXPECT_TRUE(service_events(after, after).empty());
}

TEST(EventRateLimiter, BurstThenOnePerRefill) {
  EventRateLimiter limiter({.burst = 2, .refill = std::chrono::seconds(10), .max_services = 100});
  const auto t0 = EventRateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(limiter.admit("a/web", t0));
  EXPECT_TRUE(limiter.admit("a/web", t0));
  EXPECT_FALSE(limiter.admit("a/web", t0));
  EXPECT_TRUE(limiter.admit("a/other", t0));  // per Service
  EXPECT_FALSE(limiter.admit("a/web", t0 + std::chrono::seconds(9)));
  EXPECT_TRUE(limiter.admit("a/web", t0 + std::chrono::seconds(10)));
  EXPECT_FALSE(limiter.admit("a/web", t0 + std::chrono::seconds(10)));
  EXPECT_TRUE(limiter.admit("a/web", t0 + std::chrono::hours(1)));  // refills up to the burst only
  EXPECT_TRUE(limiter.admit("a/web", t0 + std::chrono::hours(1)));
  EXPECT_FALSE(limiter.admit("a/web", t0 + std::chrono::hours(1)));
}

TEST(EventRateLimiter, MemoryIsBounded) {
  EventRateLimiter limiter({.burst = 1, .refill = std::chrono::seconds(10), .max_services = 2});
  const auto t0 = EventRateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(limiter.admit("s1", t0));
  EXPECT_TRUE(limiter.admit("s2", t0));
  EXPECT_FALSE(limiter.admit("s3", t0));  // both buckets busy: no room for a third
  EXPECT_EQ(limiter.tracked(), 2u);
  EXPECT_TRUE(limiter.admit("s3", t0 + std::chrono::seconds(10)));  // full buckets are forgotten
  EXPECT_LE(limiter.tracked(), 2u);
}

TEST(EventRecorder, EventObjectAsPosted) {
  const ServiceEvent e{Kind::advertised, "default/web", P("10.96.0.20/32"), net::RouteKind::cluster_ip};
  const auto t = std::chrono::system_clock::time_point{} + std::chrono::seconds(1796655000) +
                 std::chrono::microseconds(123456);
  auto j = event_object(e, "uid-1", "node-a", t, "18f0");
  EXPECT_EQ(j.dump(), nlohmann::json::parse(R"j({
    "apiVersion": "events.k8s.io/v1", "kind": "Event",
    "metadata": {"name": "web.18f0", "namespace": "default"},
    "eventTime": "2026-12-07T14:50:00.123456Z",
    "reportingController": "clusterip-speaker", "reportingInstance": "node-a",
    "action": "Advertise", "reason": "Advertised", "type": "Normal",
    "regarding": {"kind": "Service", "apiVersion": "v1", "namespace": "default", "name": "web", "uid": "uid-1"},
    "note": "Node node-a advertises 10.96.0.20 (ClusterIP)"})j").dump());
  const ServiceEvent w{Kind::withdrawn, "x/lb", P("198.51.100.7/32"), net::RouteKind::load_balancer_ip};
  auto k = event_object(w, "", "node-b", t, "1");
  EXPECT_EQ(k["reason"], "Withdrawn");
  EXPECT_EQ(k["note"], "Node node-b no longer advertises 198.51.100.7 (LoadBalancer IP)");
  EXPECT_FALSE(k["regarding"].contains("uid"));
}
