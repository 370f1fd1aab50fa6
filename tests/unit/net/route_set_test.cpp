#include "net/route_set.hpp"

#include <gtest/gtest.h>

using namespace net;

namespace {
Route route(const char* prefix, std::vector<Community> communities = {}) {
  return Route{*Prefix::parse(prefix), RouteAttributes{std::move(communities), {}}, RouteKind::static_prefix, ""};
}
}  // namespace

TEST(RouteSet, InsertReplacesByPrefix) {
  RouteSet s;
  s.insert(route("10.96.0.0/12"));
  s.insert(route("10.96.0.0/12", {0xffff0000}));
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.find(*Prefix::parse("10.96.0.0/12"))->attributes.communities, std::vector<Community>{0xffff0000});
  EXPECT_TRUE(s.erase(*Prefix::parse("10.96.0.0/12")));
  EXPECT_TRUE(s.empty());
}

TEST(RouteSet, DiffReportsAddedRemovedChanged) {
  RouteSet from{route("10.96.0.0/12"), route("10.96.0.10/32"), route("fd00::/112")};
  RouteSet to{route("10.96.0.0/12", {1}), route("10.96.0.11/32"), route("fd00::/112")};
  auto d = RouteSet::diff(from, to);
  EXPECT_EQ(d.added, (std::vector<Route>{route("10.96.0.11/32")}));
  EXPECT_EQ(d.removed, (std::vector<Prefix>{*Prefix::parse("10.96.0.10/32")}));
  EXPECT_EQ(d.changed, (std::vector<Route>{route("10.96.0.0/12", {1})}));
}

TEST(RouteSet, DiffIgnoresReasonAndKind) {
  auto a = route("10.96.0.0/12");
  auto b = a;
  b.reason = "service CIDR from config";
  b.kind = RouteKind::service_cidr;
  EXPECT_TRUE(RouteSet::diff(RouteSet{a}, RouteSet{b}).empty());
}

TEST(RouteSet, DiffOfEmptySets) {
  RouteSet none, some{route("10.0.0.0/8")};
  EXPECT_TRUE(RouteSet::diff(none, none).empty());
  EXPECT_EQ(RouteSet::diff(none, some).added.size(), 1u);
  EXPECT_EQ(RouteSet::diff(some, none).removed.size(), 1u);
}
