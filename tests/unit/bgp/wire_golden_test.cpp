// Golden bytes both ways for every message type. Every byte below is written out by hand from
// the RFC layouts; none comes from our encoder.
#include <gtest/gtest.h>

#include "bgp/wire/codec.hpp"

namespace bgp::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

// RFC 4271 §4.1: sixteen octets of ones.
#define MARKER 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

net::Address ip(const char* text) { return *net::Address::parse(text); }
net::Prefix prefix(const char* text) { return *net::Prefix::parse(text); }

void expect_both_ways(const Bytes& bytes, const Message& message, const DecodeContext& dctx = {},
                      const EncodeContext& ectx = {}) {
  auto decoded = decode(bytes, dctx);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(*decoded, message);
  EXPECT_EQ(encode(message, ectx), bytes);
  auto framed = frame_length(bytes);
  ASSERT_TRUE(framed.has_value());
  EXPECT_EQ(*framed, bytes.size());
}

TEST(WireGolden, Keepalive) {
  const Bytes bytes{MARKER, 0x00, 0x13, /*type KEEPALIVE*/ 0x04};
  expect_both_ways(bytes, Keepalive{});
}

Open full_open() {
  Open open;
  open.my_as = 23456;  // AS_TRANS: the real ASN 200000 needs 4 octets
  open.hold_time = 90;
  open.bgp_identifier = 0xc0000201;  // 192.0.2.1
  open.capabilities.multiprotocol = {kIpv4Unicast, kIpv6Unicast};
  open.capabilities.route_refresh = true;
  GracefulRestartCapability gr;
  gr.restart_state = true;
  gr.restart_time = 120;
  gr.families = {{kIpv4Unicast, true}};
  open.capabilities.graceful_restart = gr;
  open.capabilities.four_octet_as = 200000;
  return open;
}

TEST(WireGolden, OpenWithCapabilities) {
  const Bytes bytes{
      MARKER, 0x00, 0x3b, 0x01,  // length 59, OPEN
      0x04,                      // version
      0x5b, 0xa0,                // my AS 23456
      0x00, 0x5a,                // hold time 90
      0xc0, 0x00, 0x02, 0x01,    // BGP identifier 192.0.2.1
      0x1e,                      // optional parameters length 30
      0x02, 0x1c,                // parameter: Capabilities, 28 octets
      0x01, 0x04, 0x00, 0x01, 0x00, 0x01,  // MP: AFI 1, reserved, SAFI 1
      0x01, 0x04, 0x00, 0x02, 0x00, 0x01,  // MP: AFI 2, reserved, SAFI 1
      0x02, 0x00,                          // route refresh
      0x40, 0x06, 0x80, 0x78,              // graceful restart: R bit, restart time 120
      0x00, 0x01, 0x01, 0x80,              //   AFI 1 SAFI 1, forwarding preserved
      0x41, 0x04, 0x00, 0x03, 0x0d, 0x40,  // 4-octet AS 200000
  };
  const Open open = full_open();
  expect_both_ways(bytes, open);
  EXPECT_EQ(open.asn(), 200000u);
}

TEST(WireGolden, OpenWithoutOptionalParameters) {
  Open open;
  open.my_as = 65001;
  open.hold_time = 3;
  open.bgp_identifier = 0x0a000001;
  const Bytes bytes{MARKER, 0x00, 0x1d, 0x01, 0x04, 0xfd, 0xe9, 0x00, 0x03, 0x0a, 0x00, 0x00, 0x01, 0x00};
  expect_both_ways(bytes, open);
}

TEST(WireGolden, NotificationHoldTimerExpired) {
  const Bytes bytes{MARKER, 0x00, 0x15, 0x03, /*code*/ 0x04, /*subcode*/ 0x00};
  expect_both_ways(bytes, Notification{ErrorCode::hold_timer_expired, 0, {}});
}

TEST(WireGolden, NotificationAdministrativeShutdownUtf8) {
  const Bytes bytes{
      MARKER, 0x00, 0x1e, 0x03,  // length 30, NOTIFICATION
      0x06, 0x02,                // Cease / Administrative Shutdown
      0x08,                      // RFC 9003 message length
      0x54, 0x73, 0x63, 0x68,    // "Tsch"
      0xc3, 0xbc, 0xc3, 0x9f,    // "üß"
  };
  const Notification shutdown = administrative_shutdown("Tsch\u00fc\u00df");
  expect_both_ways(bytes, shutdown);
  EXPECT_EQ(shutdown_message(shutdown), "Tsch\u00fc\u00df");
  EXPECT_EQ(describe(shutdown), "Cease/Administrative Shutdown: \"Tsch\u00fc\u00df\"");
}

TEST(WireGolden, RouteRefresh) {
  const Bytes bytes{MARKER, 0x00, 0x17, 0x05, /*AFI*/ 0x00, 0x02, /*subtype*/ 0x00, /*SAFI*/ 0x01};
  expect_both_ways(bytes, RouteRefresh{kIpv6Unicast, 0});
}

TEST(WireGolden, RouteRefreshEnhancedSubtype) {
  const Bytes bytes{MARKER, 0x00, 0x17, 0x05, 0x00, 0x01, /*BoRR*/ 0x01, 0x01};
  expect_both_ways(bytes, RouteRefresh{kIpv4Unicast, 1});
}

TEST(WireGolden, UpdateIpv4AllAttributes) {
  const Bytes bytes{
      MARKER, 0x00, 0x67, 0x02,  // length 103, UPDATE
      0x00, 0x03,                // withdrawn routes length
      0x10, 0x0a, 0x01,          //   10.1.0.0/16
      0x00, 0x40,                // total path attribute length 64
      0x40, 0x01, 0x01, 0x00,    // ORIGIN IGP
      0x40, 0x02, 0x0a,          // AS_PATH, 10 octets
      0x02, 0x02,                //   AS_SEQUENCE of 2
      0x00, 0x00, 0xfd, 0xe9,    //   65001
      0xfa, 0x56, 0xea, 0x00,    //   4200000000
      0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,  // NEXT_HOP 192.0.2.1
      0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x64,  // MED 100
      0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0xc8,  // LOCAL_PREF 200
      0xc0, 0x08, 0x08,                          // COMMUNITIES
      0xfd, 0xe8, 0x00, 0x64,                    //   65000:100
      0xfd, 0xe8, 0x00, 0xc8,                    //   65000:200
      0xc0, 0x20, 0x0c,                          // LARGE_COMMUNITIES
      0xfa, 0x56, 0xea, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,  // 4200000000:1:2
      0x0c, 0x0a, 0x60,                          // NLRI 10.96.0.0/12
      0x20, 0x0a, 0x60, 0x00, 0x0a,              //      10.96.0.10/32
      0x19, 0xc0, 0x00, 0x02, 0x80,              //      192.0.2.128/25
  };
  Update update;
  update.withdrawn = {prefix("10.1.0.0/16")};
  update.attributes.origin = Origin::igp;
  update.attributes.as_path = {{AsPathSegment::Type::as_sequence, {65001, 4200000000u}}};
  update.attributes.next_hop = ip("192.0.2.1");
  update.attributes.med = 100;
  update.attributes.local_pref = 200;
  update.attributes.communities = {0xfde80064, 0xfde800c8};
  update.attributes.large_communities = {{4200000000u, 1, 2}};
  update.nlri = {prefix("10.96.0.0/12"), prefix("10.96.0.10/32"), prefix("192.0.2.128/25")};
  expect_both_ways(bytes, update);
  // The attribute section is 64 octets.
  EXPECT_EQ(encoded_size(update.attributes, EncodeContext{}), 64u);
}

TEST(WireGolden, UpdateIpv6MpReachGlobalNextHop) {
  const Bytes bytes{
      MARKER, 0x00, 0x52, 0x02,  // length 82, UPDATE
      0x00, 0x00,                // no withdrawn routes
      0x00, 0x3b,                // total path attribute length 59
      0x40, 0x01, 0x01, 0x00,    // ORIGIN IGP
      0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,  // AS_PATH (65001)
      0x80, 0x0e, 0x2b,          // MP_REACH_NLRI, 43 octets
      0x00, 0x02, 0x01,          //   AFI 2, SAFI 1
      0x10,                      //   next hop length 16
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // 2001:db8::1
      0x00,                      //   reserved
      0x70, 0xfd, 0x00, 0x00, 0x10, 0x00, 0x96, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // fd00:10:96::/112
      0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,  // 2001:db8:1::/48
  };
  Update update;
  update.attributes.origin = Origin::igp;
  update.attributes.as_path = {{AsPathSegment::Type::as_sequence, {65001}}};
  update.attributes.mp_reach =
      MpReachNlri{kIpv6Unicast, {ip("2001:db8::1")}, {prefix("fd00:10:96::/112"), prefix("2001:db8:1::/48")}};
  expect_both_ways(bytes, update);
}

TEST(WireGolden, UpdateIpv6MpReachGlobalAndLinkLocalNextHop) {
  const Bytes bytes{
      MARKER, 0x00, 0x4f, 0x02,  // length 79, UPDATE
      0x00, 0x00,                // no withdrawn routes
      0x00, 0x38,                // total path attribute length 56
      0x40, 0x01, 0x01, 0x02,    // ORIGIN INCOMPLETE
      0x40, 0x02, 0x00,          // AS_PATH empty (iBGP)
      0x80, 0x0e, 0x2e,          // MP_REACH_NLRI, 46 octets
      0x00, 0x02, 0x01,          //   AFI 2, SAFI 1
      0x20,                      //   next hop length 32: global then link-local (RFC 2545)
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // 2001:db8::1
      0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // fe80::1
      0x00,                                                   //   reserved
      0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00,  //   2001:db8:2::/64
  };
  Update update;
  update.attributes.origin = Origin::incomplete;
  update.attributes.as_path = std::vector<AsPathSegment>{};
  update.attributes.mp_reach =
      MpReachNlri{kIpv6Unicast, {ip("2001:db8::1"), ip("fe80::1")}, {prefix("2001:db8:2::/64")}};
  expect_both_ways(bytes, update);
}

TEST(WireGolden, UpdateIpv6MpUnreach) {
  const Bytes bytes{
      MARKER, 0x00, 0x24, 0x02,  // length 36, UPDATE
      0x00, 0x00, 0x00, 0x0d,    // no withdrawn routes, 13 octets of attributes
      0x80, 0x0f, 0x0a,          // MP_UNREACH_NLRI, 10 octets
      0x00, 0x02, 0x01,          //   AFI 2, SAFI 1
      0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,  // 2001:db8:1::/48
  };
  Update update;
  update.attributes.mp_unreach = MpUnreachNlri{kIpv6Unicast, {prefix("2001:db8:1::/48")}};
  expect_both_ways(bytes, update);
  EXPECT_EQ(end_of_rib_family(update), std::nullopt);
}

TEST(WireGolden, EndOfRibIpv4) {
  const Bytes bytes{MARKER, 0x00, 0x17, 0x02, 0x00, 0x00, 0x00, 0x00};
  expect_both_ways(bytes, end_of_rib(kIpv4Unicast));
  EXPECT_EQ(end_of_rib_family(end_of_rib(kIpv4Unicast)), kIpv4Unicast);
}

TEST(WireGolden, EndOfRibIpv6) {
  const Bytes bytes{
      MARKER, 0x00, 0x1d, 0x02,  // length 29, UPDATE
      0x00, 0x00, 0x00, 0x06,    // no withdrawn routes, 6 octets of attributes
      0x80, 0x0f, 0x03, 0x00, 0x02, 0x01,  // MP_UNREACH_NLRI AFI 2 SAFI 1, nothing withdrawn
  };
  expect_both_ways(bytes, end_of_rib(kIpv6Unicast));
  auto decoded = decode(bytes, {});
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(end_of_rib_family(std::get<Update>(*decoded)), kIpv6Unicast);
}

TEST(WireGolden, TwoOctetAsPathContext) {
  const Bytes bytes{
      MARKER, 0x00, 0x2d, 0x02,  // length 45, UPDATE
      0x00, 0x00, 0x00, 0x14,    // no withdrawn routes, 20 octets of attributes
      0x40, 0x01, 0x01, 0x01,    // ORIGIN EGP
      0x40, 0x02, 0x06, 0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0,  // AS_PATH (65001 23456), 2-octet ASNs
      0x40, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x01,              // NEXT_HOP 10.0.0.1
      0x08, 0x0a,                                            // NLRI 10.0.0.0/8
  };
  const DecodeContext two_octet_decode{false};
  const EncodeContext two_octet_encode{false};
  Update update;
  update.attributes.origin = Origin::egp;
  update.attributes.as_path = {{AsPathSegment::Type::as_sequence, {65001, kAsTrans}}};
  update.attributes.next_hop = ip("10.0.0.1");
  update.nlri = {prefix("10.0.0.0/8")};
  expect_both_ways(bytes, update, two_octet_decode, two_octet_encode);
}

// RFC 6793 §4.2.2: toward a peer without the 4-octet capability an ASN wider than 16 bits goes
// in AS_PATH as AS_TRANS, and AS4_PATH (optional transitive, 4-octet ASNs) carries the real path.
TEST(WireGolden, WideAsnTowardATwoOctetPeerAddsAs4Path) {
  const Bytes bytes{
      MARKER, 0x00, 0x3a, 0x02,  // length 58, UPDATE
      0x00, 0x00, 0x00, 0x21,    // no withdrawn routes, 33 octets of attributes
      0x40, 0x01, 0x01, 0x01,    // ORIGIN EGP
      0x40, 0x02, 0x06, 0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0,  // AS_PATH (65001 23456), 2-octet ASNs
      0x40, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x01,              // NEXT_HOP 10.0.0.1
      0xc0, 0x11, 0x0a, 0x02, 0x02,                          // AS4_PATH, AS_SEQUENCE of 2
      0x00, 0x00, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00,        //   (65001 4200000000)
      0x08, 0x0a,                                            // NLRI 10.0.0.0/8
  };
  const EncodeContext two_octet{false};
  Update wide;
  wide.attributes.origin = Origin::egp;
  wide.attributes.as_path = {{AsPathSegment::Type::as_sequence, {65001, 4200000000u}}};
  wide.attributes.next_hop = ip("10.0.0.1");
  wide.nlri = {prefix("10.0.0.0/8")};
  EXPECT_EQ(encode(wide, two_octet), bytes);
  EXPECT_EQ(encoded_size(wide.attributes, two_octet), 33u);  // what UPDATE packing budgets with

  // A 2-octet receiver sees AS_TRANS in AS_PATH and AS4_PATH as an attribute it passes on.
  auto decoded = decode(bytes, DecodeContext{false});
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  const auto& got = std::get<Update>(*decoded).attributes;
  EXPECT_EQ(got.as_path, (std::vector<AsPathSegment>{{AsPathSegment::Type::as_sequence, {65001, kAsTrans}}}));
  ASSERT_EQ(got.unknown.size(), 1u);
  EXPECT_EQ(got.unknown[0].type, attr::as4_path);
  EXPECT_EQ(got.unknown[0].flags, flag::optional | flag::transitive);
  // Sent on as it came: one AS4_PATH, the received one.
  EXPECT_EQ(encode(std::get<Update>(*decoded), two_octet), bytes);

  // A path we build ourselves replaces a received AS4_PATH rather than adding a second one.
  Update both = wide;
  both.attributes.unknown = {{static_cast<std::uint8_t>(flag::optional | flag::transitive), attr::as4_path,
                              {0x02, 0x01, 0x00, 0x00, 0x00, 0x07}}};
  EXPECT_EQ(encode(both, two_octet), bytes);
}

TEST(WireGolden, As4PathOnlyWhenNeededAndWithoutConfederationSegments) {
  const EncodeContext two_octet{false};
  Update narrow;
  narrow.attributes.origin = Origin::igp;
  narrow.attributes.as_path = {{AsPathSegment::Type::as_sequence, {65001, 65002}}};
  narrow.attributes.next_hop = ip("10.0.0.1");
  narrow.nlri = {prefix("10.0.0.0/8")};
  auto has_as4_path = [](const Bytes& bytes) {
    auto decoded = decode(bytes, DecodeContext{false});
    EXPECT_TRUE(decoded.has_value());
    for (const auto& u : std::get<Update>(*decoded).attributes.unknown)
      if (u.type == attr::as4_path) return true;
    return false;
  };
  EXPECT_FALSE(has_as4_path(encode(narrow, two_octet)));  // every ASN fits: AS_PATH says it all

  // Between two 4-octet speakers there is no AS4_PATH (§4.1), however wide the ASNs.
  Update wide = narrow;
  wide.attributes.as_path = {{AsPathSegment::Type::confed_sequence, {4200000001u}},
                             {AsPathSegment::Type::as_sequence, {4200000000u}},
                             {AsPathSegment::Type::as_set, {7, 8}}};
  auto four = decode(encode(wide, EncodeContext{true}), DecodeContext{true});
  ASSERT_TRUE(four.has_value());
  EXPECT_TRUE(std::get<Update>(*four).attributes.unknown.empty());

  // Toward a 2-octet peer: AS4_PATH holds the AS_SEQUENCE and AS_SET, not the confederation segment.
  auto two = decode(encode(wide, two_octet), DecodeContext{false});
  ASSERT_TRUE(two.has_value());
  const auto& unknown = std::get<Update>(*two).attributes.unknown;
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].value, (Bytes{0x02, 0x01, 0xfa, 0x56, 0xea, 0x00,               // AS_SEQUENCE (4200000000)
                                     0x01, 0x02, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08}));  // AS_SET {7 8}
  EXPECT_EQ(std::get<Update>(*two).attributes.as_path,
            (std::vector<AsPathSegment>{{AsPathSegment::Type::confed_sequence, {kAsTrans}},
                                        {AsPathSegment::Type::as_sequence, {kAsTrans}},
                                        {AsPathSegment::Type::as_set, {7, 8}}}));
}

TEST(WireGolden, AsSetAndConfederationSegments) {
  const Bytes bytes{
      MARKER, 0x00, 0x3c, 0x02,  // length 60, UPDATE
      0x00, 0x00, 0x00, 0x24,    // no withdrawn routes, 36 octets of attributes
      0x40, 0x01, 0x01, 0x00,    // ORIGIN IGP
      0x40, 0x02, 0x16,          // AS_PATH, 22 octets
      0x03, 0x01, 0x00, 0x00, 0xfd, 0xe8,              //   AS_CONFED_SEQUENCE (65000)
      0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,              //   AS_SEQUENCE (65001)
      0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,  // AS_SET {1 2}
      0x40, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x01,        // NEXT_HOP 10.0.0.1
      0x00,                                            // NLRI 0.0.0.0/0
  };
  Update update;
  update.attributes.origin = Origin::igp;
  update.attributes.as_path = {{AsPathSegment::Type::confed_sequence, {65000}},
                               {AsPathSegment::Type::as_sequence, {65001}},
                               {AsPathSegment::Type::as_set, {1, 2}}};
  update.attributes.next_hop = ip("10.0.0.1");
  update.nlri = {prefix("0.0.0.0/0")};
  expect_both_ways(bytes, update);
}

}  // namespace
}  // namespace bgp::wire
