// Counting what a peer announces, and the RFC 4486 limit on it.
#include "bgp/received_prefixes.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bgp {
namespace {

using net::Family;
using wire::Update;

net::Prefix P(const std::string& s) { return *net::Prefix::parse(s); }

Update announce_v4(std::vector<net::Prefix> nlri) {
  Update u;
  u.attributes.origin = wire::Origin::igp;
  u.attributes.as_path = std::vector<wire::AsPathSegment>{};
  u.attributes.next_hop = net::Address::parse("192.0.2.1");
  u.nlri = std::move(nlri);
  return u;
}

Update announce_mp(wire::AfiSafi family, std::vector<net::Prefix> nlri) {
  Update u;
  u.attributes.origin = wire::Origin::igp;
  u.attributes.as_path = std::vector<wire::AsPathSegment>{};
  u.attributes.mp_reach = wire::MpReachNlri{family, {*net::Address::parse("2001:db8::1")}, std::move(nlri)};
  return u;
}

Update withdraw_v4(std::vector<net::Prefix> prefixes) {
  Update u;
  u.withdrawn = std::move(prefixes);
  return u;
}

Update withdraw_mp(wire::AfiSafi family, std::vector<net::Prefix> prefixes) {
  Update u;
  u.attributes.mp_unreach = wire::MpUnreachNlri{family, std::move(prefixes)};
  return u;
}

std::vector<net::Prefix> v4_slash32s(unsigned from, unsigned count) {
  std::vector<net::Prefix> out;
  for (unsigned i = from; i < from + count; ++i) out.push_back(net::Prefix::host(net::Address::v4(0x0a000000u + i)));
  return out;
}

TEST(ReceivedPrefixes, CountsWhatIsAnnouncedPerFamily) {
  ReceivedPrefixes r(0);
  EXPECT_EQ(r.apply(announce_v4({P("10.1.0.0/16"), P("10.2.0.0/16")})), std::nullopt);
  EXPECT_EQ(r.apply(announce_mp(wire::kIpv6Unicast, {P("2001:db8:1::/48")})), std::nullopt);
  // IPv4 in MP_REACH_NLRI is the same family as the IPv4 NLRI field.
  EXPECT_EQ(r.apply(announce_mp(wire::kIpv4Unicast, {P("10.3.0.0/16")})), std::nullopt);
  EXPECT_EQ(r.count(Family::ipv4), 3u);
  EXPECT_EQ(r.count(Family::ipv6), 1u);
}

TEST(ReceivedPrefixes, AReannouncementReplacesAndCountsOnce) {
  ReceivedPrefixes r(0);
  r.apply(announce_v4({P("10.1.0.0/16")}));
  r.apply(announce_v4({P("10.1.0.0/16"), P("10.1.0.0/16")}));
  EXPECT_EQ(r.count(Family::ipv4), 1u);
  // Same address, other length: another prefix.
  r.apply(announce_v4({P("10.1.0.0/24")}));
  EXPECT_EQ(r.count(Family::ipv4), 2u);
}

TEST(ReceivedPrefixes, WithdrawalsRemove) {
  ReceivedPrefixes r(0);
  r.apply(announce_v4({P("10.1.0.0/16"), P("10.2.0.0/16"), P("10.3.0.0/16")}));
  r.apply(announce_mp(wire::kIpv6Unicast, {P("2001:db8:1::/48"), P("2001:db8:2::/48")}));
  r.apply(withdraw_v4({P("10.1.0.0/16"), P("10.99.0.0/16")}));  // one never announced: no effect
  EXPECT_EQ(r.count(Family::ipv4), 2u);
  r.apply(withdraw_mp(wire::kIpv6Unicast, {P("2001:db8:1::/48")}));
  EXPECT_EQ(r.count(Family::ipv6), 1u);
  r.apply(withdraw_mp(wire::kIpv4Unicast, {P("10.2.0.0/16")}));
  EXPECT_EQ(r.count(Family::ipv4), 1u);
}

TEST(ReceivedPrefixes, WithdrawalsComeBeforeAnnouncementsInOneUpdate) {
  ReceivedPrefixes r(1);
  r.apply(announce_v4({P("10.1.0.0/16")}));
  Update swap = announce_v4({P("10.2.0.0/16")});
  swap.withdrawn = {P("10.1.0.0/16")};
  EXPECT_EQ(r.apply(swap), std::nullopt);  // at the limit of 1 throughout
  EXPECT_EQ(r.count(Family::ipv4), 1u);
}

TEST(ReceivedPrefixes, TreatAsWithdrawRemovesEveryPrefixOfTheUpdate) {
  ReceivedPrefixes r(0);
  r.apply(announce_v4({P("10.1.0.0/16"), P("10.2.0.0/16")}));
  r.apply(announce_mp(wire::kIpv6Unicast, {P("2001:db8:1::/48")}));
  r.withdraw({P("10.1.0.0/16"), P("2001:db8:1::/48"), P("10.50.0.0/16")});
  EXPECT_EQ(r.count(Family::ipv4), 1u);
  EXPECT_EQ(r.count(Family::ipv6), 0u);
}

TEST(ReceivedPrefixes, TheLimitItselfIsAllowed) {
  ReceivedPrefixes r(100);
  EXPECT_EQ(r.apply(announce_v4(v4_slash32s(0, 100))), std::nullopt);
  EXPECT_EQ(r.count(Family::ipv4), 100u);
  // Re-announcing what is held, and announcing after a withdrawal, stay within it.
  EXPECT_EQ(r.apply(announce_v4(v4_slash32s(0, 100))), std::nullopt);
  r.apply(withdraw_v4(v4_slash32s(0, 1)));
  EXPECT_EQ(r.apply(announce_v4(v4_slash32s(100, 1))), std::nullopt);
  EXPECT_EQ(r.count(Family::ipv4), 100u);
}

TEST(ReceivedPrefixes, OneMoreThanTheLimitIsCeaseWithTheRfc4486Data) {
  ReceivedPrefixes r(100);
  r.apply(announce_v4(v4_slash32s(0, 60)));
  EXPECT_EQ(r.apply(announce_v4(v4_slash32s(60, 41))), Family::ipv4);
  const auto cease = r.cease(Family::ipv4);
  EXPECT_EQ(cease.code, wire::ErrorCode::cease);
  EXPECT_EQ(cease.subcode, wire::subcode::max_prefixes);
  // AFI 1, SAFI 1, upper bound 100.
  EXPECT_EQ(cease.data, (std::vector<std::uint8_t>{0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x64}));
  // The set never grows past the limit, whatever the peer sends: that is the memory bound.
  EXPECT_EQ(r.count(Family::ipv4), 100u);
  EXPECT_EQ(r.apply(announce_v4(v4_slash32s(1000, 500))), Family::ipv4);
  EXPECT_EQ(r.count(Family::ipv4), 100u);
}

TEST(ReceivedPrefixes, TheLimitIsPerFamily) {
  ReceivedPrefixes r(2);
  r.apply(announce_v4({P("10.1.0.0/16"), P("10.2.0.0/16")}));
  EXPECT_EQ(r.apply(announce_mp(wire::kIpv6Unicast, {P("2001:db8:1::/48"), P("2001:db8:2::/48")})), std::nullopt);
  EXPECT_EQ(r.apply(announce_mp(wire::kIpv6Unicast, {P("2001:db8:3::/48")})), Family::ipv6);
  EXPECT_EQ(r.cease(Family::ipv6).data, (std::vector<std::uint8_t>{0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x02}));  // AFI 2
  EXPECT_EQ(r.count(Family::ipv4), 2u);
}

TEST(ReceivedPrefixes, ZeroMeansNoLimit) {
  ReceivedPrefixes r(0);
  for (unsigned i = 0; i < 20; ++i) EXPECT_EQ(r.apply(announce_v4(v4_slash32s(i * 1000, 1000))), std::nullopt);
  EXPECT_EQ(r.count(Family::ipv4), 20000u);
}

TEST(ReceivedPrefixes, ClearForgetsEverything) {
  ReceivedPrefixes r(3);
  r.apply(announce_v4({P("10.1.0.0/16"), P("10.2.0.0/16"), P("10.3.0.0/16")}));
  r.apply(announce_mp(wire::kIpv6Unicast, {P("2001:db8:1::/48")}));
  r.clear();
  EXPECT_EQ(r.count(Family::ipv4), 0u);
  EXPECT_EQ(r.count(Family::ipv6), 0u);
  EXPECT_EQ(r.apply(announce_v4({P("10.4.0.0/16"), P("10.5.0.0/16"), P("10.6.0.0/16")})), std::nullopt);
}

}  // namespace
}  // namespace bgp
