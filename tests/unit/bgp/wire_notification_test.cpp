// NOTIFICATION helpers: RFC 9003 shutdown messages, End-of-RIB, human-readable names.
#include <gtest/gtest.h>

#include <sstream>

#include "bgp/wire/codec.hpp"

namespace bgp::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(WireNotification, ShutdownMessageIsTruncatedOnACharacterBoundary) {
  // 254 ASCII octets then "é" (2 octets): the "é" would straddle octet 255, so it goes.
  std::string text(254, 'a');
  text += "\xc3\xa9";
  const Notification n = administrative_shutdown(text);
  ASSERT_EQ(n.data.size(), 255u);
  EXPECT_EQ(n.data[0], 254);
  EXPECT_EQ(shutdown_message(n), std::string(254, 'a'));

  // Exactly 255 octets fit.
  const Notification full = administrative_shutdown(std::string(256, 'b'));
  ASSERT_EQ(full.data.size(), 256u);
  EXPECT_EQ(full.data[0], 255);
  EXPECT_EQ(shutdown_message(full), std::string(255, 'b'));

  // A 3-octet character ending exactly at octet 255 is kept.
  std::string euro(252, 'c');
  euro += "\xe2\x82\xac";  // €
  euro += "tail";
  EXPECT_EQ(shutdown_message(administrative_shutdown(euro)), std::string(252, 'c') + "\xe2\x82\xac");
}

TEST(WireNotification, EmptyShutdownMessage) {
  const Notification n = administrative_shutdown("");
  EXPECT_EQ(n, (Notification{ErrorCode::cease, subcode::administrative_shutdown, {0x00}}));
  EXPECT_EQ(shutdown_message(n), "");
}

TEST(WireNotification, ShutdownMessageNeedsAConsistentLengthAndValidUtf8) {
  EXPECT_EQ(shutdown_message({ErrorCode::cease, subcode::administrative_reset, {0x02, 'h', 'i'}}), "hi");
  EXPECT_EQ(shutdown_message({ErrorCode::cease, subcode::administrative_shutdown, {}}), std::nullopt);
  EXPECT_EQ(shutdown_message({ErrorCode::cease, subcode::administrative_shutdown, {0x03, 'h', 'i'}}), std::nullopt);
  EXPECT_EQ(shutdown_message({ErrorCode::cease, subcode::peer_deconfigured, {0x02, 'h', 'i'}}), std::nullopt);
  EXPECT_EQ(shutdown_message({ErrorCode::fsm, subcode::administrative_shutdown, {0x02, 'h', 'i'}}), std::nullopt);
  for (const Bytes& bad : {Bytes{0x01, 0xff}, Bytes{0x02, 0xc0, 0x80} /* overlong */, Bytes{0x01, 0xc3} /* cut */,
                           Bytes{0x03, 0xed, 0xa0, 0x80} /* surrogate */, Bytes{0x04, 0xf4, 0x90, 0x80, 0x80}}) {
    EXPECT_EQ(shutdown_message({ErrorCode::cease, subcode::administrative_shutdown, bad}), std::nullopt);
  }
}

TEST(WireNotification, DescribeNamesCodeAndSubcode) {
  EXPECT_EQ(describe({ErrorCode::open_message, subcode::unsupported_version, {0x00, 0x04}}),
            "OPEN Message Error/Unsupported Version Number (data 00 04)");
  EXPECT_EQ(describe({ErrorCode::update_message, subcode::malformed_as_path, {}}),
            "UPDATE Message Error/Malformed AS_PATH");
  EXPECT_EQ(describe({ErrorCode::hold_timer_expired, 0, {}}), "Hold Timer Expired/Unspecific");
  EXPECT_EQ(describe({ErrorCode::cease, 42, {}}), "Cease/subcode 42");
  EXPECT_EQ(describe({static_cast<ErrorCode>(99), 1, {}}), "error code 99/subcode 1");
  EXPECT_EQ(describe({ErrorCode::fsm, subcode::fsm_unexpected_in_openconfirm, {}}),
            "Finite State Machine Error/Receive Unexpected Message in OpenConfirm State");
}

TEST(WireNotification, UnknownCodesDecode) {
  const Bytes bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                    0x00, 0x17, 0x03, 0x63, 0x07, 0xaa, 0xbb};
  auto decoded = decode(bytes, {});
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(std::get<Notification>(*decoded), (Notification{static_cast<ErrorCode>(0x63), 7, {0xaa, 0xbb}}));
}

TEST(WireNotification, EndOfRibRecognition) {
  EXPECT_EQ(end_of_rib(kIpv4Unicast), Update{});
  EXPECT_EQ(end_of_rib_family(end_of_rib(kIpv6Unicast)), kIpv6Unicast);
  Update not_eor = end_of_rib(kIpv6Unicast);
  not_eor.attributes.origin = Origin::igp;
  EXPECT_EQ(end_of_rib_family(not_eor), std::nullopt);
  Update withdrawal;
  withdrawal.withdrawn = {*net::Prefix::parse("10.0.0.0/8")};
  EXPECT_EQ(end_of_rib_family(withdrawal), std::nullopt);
}

TEST(WireNotification, MaximumNumberOfPrefixesReachedCarriesTheRfc4486Data) {
  EXPECT_EQ(max_prefixes_reached(kIpv4Unicast, 100000),
            (Notification{ErrorCode::cease, subcode::max_prefixes, {0x00, 0x01, 0x01, 0x00, 0x01, 0x86, 0xa0}}));
  EXPECT_EQ(max_prefixes_reached(kIpv6Unicast, 0xfffffffe).data,
            (std::vector<std::uint8_t>{0x00, 0x02, 0x01, 0xff, 0xff, 0xff, 0xfe}));
  EXPECT_EQ(describe(max_prefixes_reached(kIpv4Unicast, 5)),
            "Cease/Maximum Number of Prefixes Reached (data 00 01 01 00 00 00 05)");
}

TEST(WireNotification, PrintersAreReadable) {
  std::ostringstream os;
  os << Message{administrative_shutdown("bye")} << ' ' << Message{Keepalive{}} << ' '
     << Message{RouteRefresh{kIpv6Unicast, 0}} << ' ' << Message{end_of_rib(kIpv6Unicast)};
  EXPECT_EQ(os.str(),
            "NOTIFICATION{Cease/Administrative Shutdown: \"bye\"} KEEPALIVE ROUTE-REFRESH{ipv6-unicast subtype 0} "
            "UPDATE{End-of-RIB ipv6-unicast}");
  DecodeError error;
  error.code = ErrorCode::update_message;
  error.subcode = subcode::missing_wellknown_attribute;
  error.data = {1};
  error.reaction = Reaction::treat_as_withdraw;
  error.description = "missing ORIGIN";
  error.withdrawn = {*net::Prefix::parse("10.0.0.0/8")};
  std::ostringstream es;
  es << error;
  EXPECT_EQ(es.str(),
            "UPDATE Message Error/Missing Well-known Attribute (data 01) [treat-as-withdraw]: missing ORIGIN "
            "(withdraws 10.0.0.0/8)");
}

}  // namespace
}  // namespace bgp::wire
