#include "bgp/adj_rib_out.hpp"

#include <gtest/gtest.h>

#include "bgp/update_packer.hpp"

using namespace bgp;
using net::Prefix;

namespace {

Prefix P(const char* s) { return *Prefix::parse(s); }

net::Route R(const char* prefix, std::vector<net::Community> communities = {}) {
  return {P(prefix), {std::move(communities), {}}, net::RouteKind::static_prefix, ""};
}

OutboundPolicy ebgp_policy() {
  OutboundPolicy p;
  p.local_as = 64513;
  p.next_hop_v4 = net::Address::parse("10.0.1.2");
  p.next_hops_v6 = {*net::Address::parse("fd00:1::2")};
  return p;
}

std::vector<Prefix> all_nlri(const std::vector<wire::Update>& updates) {
  std::vector<Prefix> out;
  for (auto& u : updates) {
    out.insert(out.end(), u.nlri.begin(), u.nlri.end());
    if (u.attributes.mp_reach) out.insert(out.end(), u.attributes.mp_reach->nlri.begin(), u.attributes.mp_reach->nlri.end());
  }
  return out;
}

std::vector<Prefix> all_withdrawn(const std::vector<wire::Update>& updates) {
  std::vector<Prefix> out;
  for (auto& u : updates) {
    out.insert(out.end(), u.withdrawn.begin(), u.withdrawn.end());
    if (u.attributes.mp_unreach)
      out.insert(out.end(), u.attributes.mp_unreach->withdrawn.begin(), u.attributes.mp_unreach->withdrawn.end());
  }
  return out;
}

// Many /32s: 10.96.x.y
net::RouteSet many_host_routes(int n) {
  net::RouteSet s;
  for (int i = 0; i < n; ++i) s.insert(R(("10.96." + std::to_string(i / 256) + "." + std::to_string(i % 256) + "/32").c_str()));
  return s;
}

}  // namespace

TEST(OutboundPolicy, EbgpPrependsOurAsAndSetsNextHop) {
  auto a = ebgp_policy().attributes({}, wire::kIpv4Unicast);
  EXPECT_EQ(a.origin, wire::Origin::igp);
  ASSERT_TRUE(a.as_path);
  EXPECT_EQ(*a.as_path, (std::vector<wire::AsPathSegment>{{wire::AsPathSegment::Type::as_sequence, {64513}}}));
  EXPECT_EQ(a.next_hop, net::Address::parse("10.0.1.2"));
  EXPECT_FALSE(a.local_pref);  // never on eBGP
  EXPECT_FALSE(a.med);
}

TEST(OutboundPolicy, IbgpHasEmptyPathAndLocalPref) {
  auto p = ebgp_policy();
  p.ibgp = true;
  p.local_pref = 200;
  auto a = p.attributes({}, wire::kIpv4Unicast);
  EXPECT_TRUE(a.as_path->empty());
  EXPECT_EQ(a.local_pref, 200u);
}

TEST(OutboundPolicy, Ipv6UsesMpReachWithNextHop) {
  auto a = ebgp_policy().attributes({}, wire::kIpv6Unicast);
  EXPECT_FALSE(a.next_hop);
  ASSERT_TRUE(a.mp_reach);
  EXPECT_EQ(a.mp_reach->family, wire::kIpv6Unicast);
  EXPECT_EQ(a.mp_reach->next_hops, std::vector<net::Address>{*net::Address::parse("fd00:1::2")});
}

TEST(OutboundPolicy, MergesSortsAndDedupsCommunitiesAndTagsGracefulShutdown) {
  auto p = ebgp_policy();
  p.communities = {0xfde80002, 0xfde80001};
  p.graceful_shutdown = true;
  p.ibgp = true;
  auto a = p.attributes({{0xfde80001, 0x00010001}, {{1, 2, 3}}}, wire::kIpv4Unicast);
  EXPECT_EQ(a.communities, (std::vector<net::Community>{0x00010001, 0xfde80001, 0xfde80002, kGracefulShutdown}));
  EXPECT_EQ(a.large_communities, (std::vector<net::LargeCommunity>{{1, 2, 3}}));
  EXPECT_EQ(a.local_pref, 0u);  // RFC 8326 §5 for iBGP
}

TEST(AdjRibOut, FirstSyncAnnouncesEverythingInOneUpdate) {
  AdjRibOut rib;
  net::RouteSet routes{R("10.96.0.0/12"), R("10.96.0.10/32"), R("fd00:10:96::/112")};
  auto v4 = rib.sync(wire::kIpv4Unicast, routes, ebgp_policy(), {});
  ASSERT_EQ(v4.size(), 1u);
  EXPECT_EQ(v4[0].nlri, (std::vector<Prefix>{P("10.96.0.0/12"), P("10.96.0.10/32")}));
  auto v6 = rib.sync(wire::kIpv6Unicast, routes, ebgp_policy(), {});
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].attributes.mp_reach->nlri, std::vector<Prefix>{P("fd00:10:96::/112")});
  EXPECT_EQ(rib.size(wire::kIpv4Unicast), 2u);
  EXPECT_EQ(rib.size(wire::kIpv6Unicast), 1u);
}

TEST(AdjRibOut, SendsOnlyTheDifference) {
  AdjRibOut rib;
  auto policy = ebgp_policy();
  rib.sync(wire::kIpv4Unicast, {R("10.96.0.0/12"), R("10.96.0.10/32")}, policy, {});
  // Unchanged: nothing to send.
  EXPECT_TRUE(rib.sync(wire::kIpv4Unicast, {R("10.96.0.0/12"), R("10.96.0.10/32")}, policy, {}).empty());
  // One removed, one added, one re-tagged.
  auto updates = rib.sync(wire::kIpv4Unicast, {R("10.96.0.0/12", {0xfde80001}), R("10.96.0.11/32")}, policy, {});
  EXPECT_EQ(all_withdrawn(updates), std::vector<Prefix>{P("10.96.0.10/32")});
  auto nlri = all_nlri(updates);
  std::sort(nlri.begin(), nlri.end());
  EXPECT_EQ(nlri, (std::vector<Prefix>{P("10.96.0.0/12"), P("10.96.0.11/32")}));
  // Withdrawals go first; differently tagged prefixes travel in different UPDATEs.
  EXPECT_FALSE(updates.front().withdrawn.empty());
  EXPECT_EQ(updates.size(), 3u);
}

TEST(AdjRibOut, WithdrawsEverythingWhenTheTargetIsEmpty) {
  AdjRibOut rib;
  rib.sync(wire::kIpv6Unicast, {R("fd00:10:96::/112")}, ebgp_policy(), {});
  auto updates = rib.sync(wire::kIpv6Unicast, {}, ebgp_policy(), {});
  ASSERT_EQ(updates.size(), 1u);
  ASSERT_TRUE(updates[0].attributes.mp_unreach);
  EXPECT_EQ(updates[0].attributes.mp_unreach->withdrawn, std::vector<Prefix>{P("fd00:10:96::/112")});
  EXPECT_EQ(rib.size(wire::kIpv6Unicast), 0u);
}

TEST(AdjRibOut, ForgetResendsOnNextSync) {
  AdjRibOut rib;
  auto policy = ebgp_policy();
  net::RouteSet routes{R("10.96.0.0/12")};
  rib.sync(wire::kIpv4Unicast, routes, policy, {});
  rib.forget(wire::kIpv4Unicast);
  EXPECT_EQ(all_nlri(rib.sync(wire::kIpv4Unicast, routes, policy, {})).size(), 1u);
}

TEST(AdjRibOut, APolicyChangeReannouncesEveryPrefix) {
  AdjRibOut rib;
  auto policy = ebgp_policy();
  net::RouteSet routes{R("10.96.0.0/12"), R("10.96.0.10/32"), R("10.96.0.11/32", {0xfde80001})};
  auto first = rib.sync(wire::kIpv4Unicast, routes, policy, {});
  EXPECT_EQ(first.size(), 2u);  // one UPDATE per distinct set of tags
  policy.graceful_shutdown = true;  // draining: new attributes for all
  auto drained = rib.sync(wire::kIpv4Unicast, routes, policy, {});
  EXPECT_EQ(all_nlri(drained).size(), 3u);
  EXPECT_TRUE(all_withdrawn(drained).empty());
  for (const auto& u : drained)
    EXPECT_NE(std::find(u.attributes.communities.begin(), u.attributes.communities.end(), kGracefulShutdown),
              u.attributes.communities.end());
  // Same policy again: nothing.
  EXPECT_TRUE(rib.sync(wire::kIpv4Unicast, routes, policy, {}).empty());
}

TEST(AdjRibOut, OneChangeInABigTableSendsThatChangeOnly) {
  AdjRibOut rib;
  const auto policy = ebgp_policy();
  auto routes = many_host_routes(5000);
  routes.insert(R("fd00:10:96::/112"));
  rib.sync(wire::kIpv4Unicast, routes, policy, {});
  EXPECT_EQ(rib.size(wire::kIpv4Unicast), 5000u);
  auto next = routes;  // shares every chunk but the ones the edits touch
  next.erase(P("10.96.3.7/32"));
  next.insert(R("10.96.200.1/32", {0xfde80001}));
  next.insert(R("fd00:10:97::/112"));  // another family: not this sync's business
  auto updates = rib.sync(wire::kIpv4Unicast, next, policy, {});
  EXPECT_EQ(all_withdrawn(updates), std::vector<Prefix>{P("10.96.3.7/32")});
  EXPECT_EQ(all_nlri(updates), std::vector<Prefix>{P("10.96.200.1/32")});
  EXPECT_EQ(updates.back().attributes.communities, std::vector<net::Community>{0xfde80001});
  EXPECT_EQ(rib.size(wire::kIpv4Unicast), 5000u);
  EXPECT_EQ(rib.size(wire::kIpv6Unicast), 0u);
}

TEST(UpdatePacker, EveryUpdateFitsIn4096BytesAndNothingIsLost) {
  const int n = 5000;
  auto routes = many_host_routes(n);
  for (auto family : {wire::kIpv4Unicast}) {
    AdjRibOut rib;
    auto updates = rib.sync(family, routes, ebgp_policy(), {});
    EXPECT_EQ(all_nlri(updates).size(), static_cast<std::size_t>(n));
    for (auto& u : updates) EXPECT_LE(wire::encode(u, {}).size(), wire::kMaxMessageSize);
    // 5 bytes per /32: about 800 per UPDATE, so 7 UPDATEs, not thousands.
    EXPECT_LE(updates.size(), 8u);
    auto withdrawals = rib.sync(family, {}, ebgp_policy(), {});
    EXPECT_EQ(all_withdrawn(withdrawals).size(), static_cast<std::size_t>(n));
    for (auto& u : withdrawals) EXPECT_LE(wire::encode(u, {}).size(), wire::kMaxMessageSize);
  }
}

TEST(UpdatePacker, Ipv6UpdatesFitAndUseExtendedLength) {
  std::vector<Prefix> prefixes;
  for (int i = 0; i < 3000; ++i) {
    std::array<std::uint8_t, 16> b{0xfd, 0, 0, 0x10, 0, 0x96};
    b[14] = static_cast<std::uint8_t>(i >> 8);
    b[15] = static_cast<std::uint8_t>(i);
    prefixes.push_back(Prefix::host(net::Address::v6(b)));
  }
  auto attrs = ebgp_policy().attributes({}, wire::kIpv6Unicast);
  auto updates = pack_announcements(attrs, wire::kIpv6Unicast, prefixes, {});
  std::size_t total = 0;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    const auto& u = updates[i];
    auto bytes = wire::encode(u, {});
    EXPECT_LE(bytes.size(), wire::kMaxMessageSize);
    if (i + 1 < updates.size()) {
      EXPECT_GT(bytes.size(), 3900u);  // well filled, not one prefix each
    }
    total += u.attributes.mp_reach->nlri.size();
  }
  EXPECT_EQ(total, prefixes.size());
  auto withdrawals = pack_withdrawals(wire::kIpv6Unicast, prefixes);
  for (auto& u : withdrawals) EXPECT_LE(wire::encode(u, {}).size(), wire::kMaxMessageSize);
}
