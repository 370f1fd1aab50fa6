#include "net/route_set.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

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

TEST(RouteSet, PrefixIsEighteenBytes) {
  // Route tables hold 100k of them; the length is one byte.
  EXPECT_EQ(sizeof(Prefix), 18u);
}

TEST(RouteSet, CopiesAreIndependentValues) {
  // Copies share one table until one of them changes: the other must not see the change.
  RouteSet a{route("10.0.0.1/32"), route("10.0.0.2/32")};
  RouteSet b = a;
  EXPECT_EQ(a, b);
  b.insert(route("10.0.0.3/32"));
  b.insert(route("10.0.0.1/32", {7}));
  EXPECT_EQ(a.size(), 2u);
  EXPECT_TRUE(a.find(*Prefix::parse("10.0.0.1/32"))->attributes.communities.empty());
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b.find(*Prefix::parse("10.0.0.1/32"))->attributes.communities, std::vector<Community>{7});
  RouteSet c = a;
  EXPECT_TRUE(c.erase(*Prefix::parse("10.0.0.2/32")));
  EXPECT_FALSE(c.erase(*Prefix::parse("10.0.0.2/32")));
  EXPECT_TRUE(a.contains(*Prefix::parse("10.0.0.2/32")));
  EXPECT_FALSE(c.contains(*Prefix::parse("10.0.0.2/32")));
  EXPECT_NE(a, c);
}

TEST(RouteSet, RoutesWithTheSameDetailsShareThem) {
  RouteSet s;
  for (int i = 0; i < 100; ++i)
    s.insert(Route{Prefix::host(Address::v4(0x0a000000u + static_cast<std::uint32_t>(i))), {}, RouteKind::static_prefix,
                   "advertise.static"});
  s.insert(Route{*Prefix::parse("192.0.2.0/24"), {{1}, {}}, RouteKind::service_cidr, "other"});
  const RouteAttributes* first = nullptr;
  std::size_t same = 0;
  for (const auto& [prefix, r] : s) {
    if (r.kind != RouteKind::static_prefix) continue;
    if (!first) first = &r.attributes;
    same += &r.attributes == first;
    EXPECT_EQ(r.reason, "advertise.static");
    EXPECT_EQ(r.prefix, prefix);
  }
  EXPECT_EQ(same, 100u);
  // Replacing one route's details leaves its neighbours' alone.
  s.insert(Route{*Prefix::parse("10.0.0.5/32"), {{2}, {}}, RouteKind::static_prefix, "changed"});
  EXPECT_EQ(s.find(*Prefix::parse("10.0.0.4/32"))->reason, "advertise.static");
  EXPECT_EQ(s.find(*Prefix::parse("10.0.0.5/32"))->reason, "changed");
  EXPECT_EQ(s.find(*Prefix::parse("10.0.0.6/32"))->attributes.communities, std::vector<Community>{});
  EXPECT_EQ(s.find(*Prefix::parse("192.0.2.0/24"))->kind, RouteKind::service_cidr);
}

TEST(RouteSet, IterationInPrefixOrderAndRouteViewCopies) {
  RouteSet s{route("10.0.0.9/32"), route("10.0.0.1/32", {3}), route("fd00::/64")};
  std::vector<Route> seen;
  for (const auto& [prefix, r] : s) seen.push_back(r);
  EXPECT_EQ(seen, (std::vector<Route>{route("10.0.0.1/32", {3}), route("10.0.0.9/32"), route("fd00::/64")}));
  EXPECT_FALSE(s.find(*Prefix::parse("10.0.0.2/32")).has_value());
}

TEST(RouteSet, EqualityComparesContentNotSharing) {
  RouteSet a{route("10.0.0.1/32")}, b{route("10.0.0.1/32")};
  EXPECT_EQ(a, b);
  EXPECT_EQ(RouteSet{}, RouteSet{});
  b.insert(Route{*Prefix::parse("10.0.0.1/32"), {}, RouteKind::cluster_ip, ""});
  EXPECT_NE(a, b);  // a kind change is a different route, though not a different advertisement
  EXPECT_TRUE(RouteSet::diff(a, b).empty());
}

TEST(RouteSet, CountChangesMatchesDiff) {
  RouteSet from{route("10.96.0.0/12"), route("10.96.0.10/32"), route("10.96.0.12/32"), route("fd00::/112")};
  RouteSet to{route("10.96.0.0/12", {1}), route("10.96.0.11/32"), route("fd00::/112"), route("fd00::1/128")};
  auto d = RouteSet::diff(from, to);
  auto c = RouteSet::count_changes(from, to);
  EXPECT_EQ(c.added, d.added.size());
  EXPECT_EQ(c.removed, d.removed.size());
  EXPECT_EQ(c.changed, d.changed.size());
  EXPECT_EQ(c.added, 2u);
  EXPECT_EQ(c.removed, 2u);
  EXPECT_EQ(c.changed, 1u);
  EXPECT_EQ(RouteSet::count_changes(to, to).total(), 0u);
}

// The chunked copy-on-write table against a plain std::map, over random inserts, replacements
// and erases on copies of copies: contents, sizes, lookups and diffs must agree at every step,
// and a copy must never see its original's later changes.
TEST(RouteSet, ChunkedTableMatchesAPlainMap) {
  std::mt19937 random(7);
  auto host = [](std::uint32_t i) { return Prefix::host(Address::v4((10u << 24) | i)); };
  using Reference = std::map<Prefix, std::vector<Community>>;
  auto as_set_diff = [](const Reference& from, const Reference& to) {
    RouteDiffCounts c;
    for (const auto& [p, tags] : from) {
      auto it = to.find(p);
      if (it == to.end()) ++c.removed;
      else if (it->second != tags) ++c.changed;
    }
    for (const auto& [p, tags] : to) c.added += from.count(p) == 0;
    return c;
  };
  RouteSet set;
  Reference ref;
  std::vector<std::pair<RouteSet, Reference>> snapshots;
  for (int step = 0; step < 4000; ++step) {
    const std::uint32_t i = random() % 1500;  // dense enough to split chunks and empty some
    const int op = static_cast<int>(random() % 10);
    if (op < 6) {
      std::vector<Community> tags{static_cast<Community>(random() % 3)};
      set.insert(Route{host(i), {tags, {}}, RouteKind::cluster_ip, "svc"});
      ref[host(i)] = tags;
    } else {
      EXPECT_EQ(set.erase(host(i)), ref.erase(host(i)) > 0);
    }
    if (step % 250 == 0) snapshots.emplace_back(set, ref);
  }
  for (int step = 0; step < 1500; ++step) set.erase(host(static_cast<std::uint32_t>(step)));  // empties chunks
  ref.clear();
  snapshots.emplace_back(set, ref);
  for (std::size_t k = 0; k < snapshots.size(); ++k) {
    const auto& [s, r] = snapshots[k];
    ASSERT_EQ(s.size(), r.size());
    auto it = r.begin();
    for (const auto& [prefix, route] : s) {
      ASSERT_EQ(prefix, it->first);
      EXPECT_EQ(route.attributes.communities, it->second);
      ++it;
    }
    EXPECT_LE(s.chunk_count(), s.size());  // no chunk is ever empty
    if (k > 0) {
      const auto& [before, before_ref] = snapshots[k - 1];
      auto counts = RouteSet::count_changes(before, s);
      auto expected = as_set_diff(before_ref, r);
      EXPECT_EQ(counts.added, expected.added);
      EXPECT_EQ(counts.removed, expected.removed);
      EXPECT_EQ(counts.changed, expected.changed);
    }
  }
}

TEST(RouteSet, AListReadInOrderFillsItsChunks) {
  RouteSet s;
  for (std::uint32_t i = 0; i < 10 * RouteSet::kChunk; ++i)
    s.insert(Route{Prefix::host(Address::v4((10u << 24) | i)), {}, RouteKind::static_prefix, "x"});
  EXPECT_EQ(s.chunk_count(), 10u);
  // A copy changed in one place shares every other chunk: the diff sees just the change.
  RouteSet t = s;
  t.erase(Prefix::host(Address::v4((10u << 24) | 5)));
  EXPECT_EQ(s.size(), 10 * RouteSet::kChunk);
  EXPECT_EQ(RouteSet::diff(s, t).removed, (std::vector<Prefix>{Prefix::host(Address::v4((10u << 24) | 5))}));
}
