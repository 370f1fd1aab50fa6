// Framing and the message header (RFC 4271 §4.1, §6.1).
#include <gtest/gtest.h>

#include "bgp/wire/codec.hpp"

namespace bgp::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;
#define MARKER 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

void expect_error(const net::Expected<Message, DecodeError>& result, ErrorCode code, std::uint8_t sub,
                  const Bytes& data) {
  ASSERT_FALSE(result.has_value()) << result.value();
  EXPECT_EQ(result.error().code, code) << result.error();
  EXPECT_EQ(result.error().subcode, sub) << result.error();
  EXPECT_EQ(result.error().data, data) << result.error();
  EXPECT_EQ(result.error().reaction, Reaction::session_reset);
}

TEST(WireHeader, FrameLengthNeedsNineteenOctets) {
  const Bytes partial{MARKER, 0x00};
  auto framed = frame_length(partial);
  ASSERT_TRUE(framed.has_value());
  EXPECT_EQ(*framed, 0u);
  EXPECT_EQ(*frame_length(Bytes{}), 0u);
}

TEST(WireHeader, FrameLengthReadsTheLengthField) {
  const Bytes keepalive_and_more{MARKER, 0x00, 0x13, 0x04, MARKER};
  EXPECT_EQ(*frame_length(keepalive_and_more), 19u);
  const Bytes max{MARKER, 0x10, 0x00, 0x02};
  EXPECT_EQ(*frame_length(max), 4096u);
}

TEST(WireHeader, BadMarkerIsConnectionNotSynchronized) {
  Bytes bytes{MARKER, 0x00, 0x13, 0x04};
  bytes[7] = 0xfe;
  auto framed = frame_length(bytes);
  ASSERT_FALSE(framed.has_value());
  EXPECT_EQ(framed.error().code, ErrorCode::message_header);
  EXPECT_EQ(framed.error().subcode, subcode::connection_not_synchronized);
  EXPECT_EQ(framed.error().reaction, Reaction::session_reset);
  expect_error(decode(bytes, {}), ErrorCode::message_header, subcode::connection_not_synchronized, {});
}

TEST(WireHeader, LengthOutOfRangeIsBadMessageLength) {
  for (const Bytes& bytes : {Bytes{MARKER, 0x00, 0x12, 0x04}, Bytes{MARKER, 0x10, 0x01, 0x02},
                             Bytes{MARKER, 0x00, 0x00, 0x04}, Bytes{MARKER, 0xff, 0xff, 0x02}}) {
    auto framed = frame_length(bytes);
    ASSERT_FALSE(framed.has_value());
    EXPECT_EQ(framed.error().subcode, subcode::bad_message_length);
    EXPECT_EQ(framed.error().data, (Bytes{bytes[16], bytes[17]}));
  }
}

TEST(WireHeader, FourThousandNinetySevenOctetsAreBadMessageLength) {
  // We never advertise Extended Message (RFC 8654), so 4096 is the most a peer may send. The
  // header alone decides: the error comes before the rest of the message is buffered.
  Bytes message{MARKER, 0x10, 0x01, 0x02};
  message.resize(4097, 0x00);
  auto framed = frame_length(std::span(message).first(19));
  ASSERT_FALSE(framed.has_value());
  EXPECT_EQ(framed.error().subcode, subcode::bad_message_length);
  expect_error(decode(message, {}), ErrorCode::message_header, subcode::bad_message_length, {0x10, 0x01});
}

TEST(WireHeader, AnUpdateOfExactly4096OctetsDecodes) {
  // withdrawn length 0, one unknown optional transitive attribute with an extended length
  // filling the message up to 4096.
  const std::size_t value_length = 4096 - 19 - 2 - 2 - 4;
  Bytes message{MARKER, 0x10, 0x00, 0x02, 0x00, 0x00, static_cast<std::uint8_t>((value_length + 4) >> 8),
                static_cast<std::uint8_t>(value_length + 4), 0xd0, 0xfa,
                static_cast<std::uint8_t>(value_length >> 8), static_cast<std::uint8_t>(value_length)};
  message.resize(4096, 0xab);
  EXPECT_EQ(*frame_length(message), 4096u);
  auto decoded = decode(message, {});
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  const auto& unknown = std::get<Update>(*decoded).attributes.unknown;
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].value.size(), value_length);
}

TEST(WireHeader, DecodeRejectsASpanOfTheWrongSize) {
  const Bytes longer{MARKER, 0x00, 0x13, 0x04, 0x00};
  expect_error(decode(longer, {}), ErrorCode::message_header, subcode::bad_message_length, {0x00, 0x13});
  const Bytes shorter{MARKER, 0x00};
  auto result = decode(shorter, {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().subcode, subcode::bad_message_length);
}

TEST(WireHeader, UnknownTypeIsBadMessageType) {
  const Bytes bytes{MARKER, 0x00, 0x13, 0x06};
  expect_error(decode(bytes, {}), ErrorCode::message_header, subcode::bad_message_type, {0x06});
  const Bytes zero{MARKER, 0x00, 0x13, 0x00};
  expect_error(decode(zero, {}), ErrorCode::message_header, subcode::bad_message_type, {0x00});
}

TEST(WireHeader, PerTypeLengthsAreChecked) {
  // KEEPALIVE must be exactly 19.
  expect_error(decode(Bytes{MARKER, 0x00, 0x14, 0x04, 0x00}, {}), ErrorCode::message_header,
               subcode::bad_message_length, {0x00, 0x14});
  // OPEN at least 29: 28 octets here.
  expect_error(decode(Bytes{MARKER, 0x00, 0x1c, 0x01, 0x04, 0xfd, 0xe9, 0x00, 0x5a, 0x0a, 0x00, 0x00, 0x01}, {}),
               ErrorCode::message_header, subcode::bad_message_length, {0x00, 0x1c});
  // UPDATE at least 23: 22 octets here.
  expect_error(decode(Bytes{MARKER, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00}, {}), ErrorCode::message_header,
               subcode::bad_message_length, {0x00, 0x16});
  // NOTIFICATION at least 21: 20 octets here.
  expect_error(decode(Bytes{MARKER, 0x00, 0x14, 0x03, 0x06}, {}), ErrorCode::message_header,
               subcode::bad_message_length, {0x00, 0x14});
  // ROUTE-REFRESH exactly 23: 24 and 22 octets here.
  expect_error(decode(Bytes{MARKER, 0x00, 0x18, 0x05, 0x00, 0x01, 0x00, 0x01, 0x00}, {}),
               ErrorCode::message_header, subcode::bad_message_length, {0x00, 0x18});
  expect_error(decode(Bytes{MARKER, 0x00, 0x16, 0x05, 0x00, 0x01, 0x00}, {}), ErrorCode::message_header,
               subcode::bad_message_length, {0x00, 0x16});
}

TEST(WireHeader, EnhancedRouteRefreshOfTheWrongLengthIsRouteRefreshError) {
  // RFC 7313 §5: BoRR (1) and EoRR (2) of a length other than 23 get ROUTE-REFRESH Message Error /
  // Invalid Message Length (7/1) with the whole message as data, not the header's Bad Message Length.
  for (std::uint8_t subtype : {1, 2}) {
    const Bytes longer{MARKER, 0x00, 0x19, 0x05, 0x00, 0x01, subtype, 0x01, 0x00, 0x00};
    expect_error(decode(longer, {}), ErrorCode::route_refresh, 1, longer);
    const Bytes shorter{MARKER, 0x00, 0x16, 0x05, 0x00, 0x01, subtype};
    expect_error(decode(shorter, {}), ErrorCode::route_refresh, 1, shorter);
  }
  // The data never makes the NOTIFICATION longer than 4096 octets.
  Bytes longest{MARKER, 0x10, 0x00, 0x05, 0x00, 0x01, 0x02, 0x01};
  longest.resize(4096);
  auto too_long = decode(longest, {});
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, ErrorCode::route_refresh);
  EXPECT_EQ(too_long.error().data, Bytes(longest.begin(), longest.begin() + 4096 - 21));
  EXPECT_EQ(encode(too_long.error().notification(), {}).size(), 4096u);
  // Subtype 0 (and unknown ones) keep RFC 4271's header error.
  const Bytes plain{MARKER, 0x00, 0x18, 0x05, 0x00, 0x01, 0x00, 0x01, 0x00};
  expect_error(decode(plain, {}), ErrorCode::message_header, subcode::bad_message_length, {0x00, 0x18});
  const Bytes unknown{MARKER, 0x00, 0x18, 0x05, 0x00, 0x01, 0x07, 0x01, 0x00};
  expect_error(decode(unknown, {}), ErrorCode::message_header, subcode::bad_message_length, {0x00, 0x18});
  // A well-formed BoRR still decodes, subtype and all.
  auto borr = decode(Bytes{MARKER, 0x00, 0x17, 0x05, 0x00, 0x01, 0x01, 0x01}, {});
  ASSERT_TRUE(borr.has_value()) << borr.error();
  EXPECT_EQ(std::get<RouteRefresh>(*borr).subtype, 1);
}

}  // namespace
}  // namespace bgp::wire
