// OPEN decoding details and errors (RFC 4271 §4.2, §6.2; RFC 5492; RFC 4724; RFC 9072).
#include <gtest/gtest.h>

#include "bgp/wire/codec.hpp"

namespace bgp::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

// An OPEN from AS 65001, hold time 90, identifier 10.0.0.1 with the given optional parameters
// (the length fields are computed: they are not what these tests are about).
Bytes open_with(const Bytes& parameters, std::uint8_t version = 4) {
  Bytes bytes(16, 0xff);
  const std::size_t length = 29 + parameters.size();
  bytes.insert(bytes.end(), {static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length), 0x01});
  bytes.insert(bytes.end(), {version, 0xfd, 0xe9, 0x00, 0x5a, 0x0a, 0x00, 0x00, 0x01});
  bytes.push_back(static_cast<std::uint8_t>(parameters.size()));
  bytes.insert(bytes.end(), parameters.begin(), parameters.end());
  return bytes;
}

Open decode_open_ok(const Bytes& bytes) {
  auto result = decode(bytes, {});
  EXPECT_TRUE(result.has_value()) << result.error();
  if (!result) return {};
  return std::get<Open>(*result);
}

void expect_open_error(const Bytes& bytes, std::uint8_t sub, const Bytes& data = {}) {
  auto result = decode(bytes, {});
  ASSERT_FALSE(result.has_value()) << std::get<Open>(result.value());
  EXPECT_EQ(result.error().code, ErrorCode::open_message) << result.error();
  EXPECT_EQ(result.error().subcode, sub) << result.error();
  EXPECT_EQ(result.error().data, data);
  EXPECT_EQ(result.error().reaction, Reaction::session_reset);
}

TEST(WireOpen, UnsupportedVersionNamesVersionFour) {
  expect_open_error(open_with({}, 3), subcode::unsupported_version, {0x00, 0x04});
  expect_open_error(open_with({}, 5), subcode::unsupported_version, {0x00, 0x04});
}

TEST(WireOpen, NonCapabilityParameterIsUnsupported) {
  expect_open_error(open_with({0x01, 0x02, 0xaa, 0xbb}), subcode::unsupported_optional_parameter);
}

TEST(WireOpen, MalformedParametersAreUnspecificOpenErrors) {
  expect_open_error(open_with({0x02}), 0);                          // truncated parameter header
  expect_open_error(open_with({0x02, 0x05, 0x02, 0x00}), 0);        // parameter overruns
  expect_open_error(open_with({0x02, 0x02, 0x41, 0x04}), 0);        // capability overruns its parameter
  expect_open_error(open_with({0x02, 0x01, 0x41}), 0);              // truncated capability header
  expect_open_error(open_with({0x02, 0x04, 0x01, 0x02, 0x00, 0x01}), 0);  // MP capability of 2 octets
  expect_open_error(open_with({0x02, 0x03, 0x02, 0x01, 0x00}), 0);        // route refresh with a value
  expect_open_error(open_with({0x02, 0x05, 0x40, 0x03, 0x00, 0x78, 0x00}), 0);  // GR of 3 octets
  expect_open_error(open_with({0x02, 0x04, 0x41, 0x02, 0x00, 0x01}), 0);        // 4-octet AS of 2 octets

  // Optional parameters length disagreeing with the message length.
  Bytes bytes = open_with({0x02, 0x02, 0x02, 0x00});
  bytes[28] = 0x03;
  expect_open_error(bytes, 0);
}

TEST(WireOpen, SeveralCapabilityParametersAndCapabilitiesPerParameter) {
  const Open split = decode_open_ok(open_with({
      0x02, 0x06, 0x01, 0x04, 0x00, 0x01, 0x00, 0x01,  // parameter 1: MP IPv4
      0x02, 0x08, 0x01, 0x04, 0x00, 0x02, 0x00, 0x01,  // parameter 2: MP IPv6 and route refresh
      0x02, 0x00,
  }));
  const Open joined = decode_open_ok(open_with({
      0x02, 0x0e, 0x01, 0x04, 0x00, 0x01, 0x00, 0x01, 0x01, 0x04, 0x00, 0x02, 0x00, 0x01, 0x02, 0x00,
  }));
  EXPECT_EQ(split, joined);
  EXPECT_EQ(split.capabilities.multiprotocol, (std::vector<AfiSafi>{kIpv4Unicast, kIpv6Unicast}));
  EXPECT_TRUE(split.capabilities.route_refresh);
  EXPECT_EQ(split.my_as, 65001);
  EXPECT_EQ(split.hold_time, 90);
  EXPECT_EQ(split.bgp_identifier, 0x0a000001u);
}

TEST(WireOpen, GracefulRestartBits) {
  const Open open = decode_open_ok(open_with({
      0x02, 0x0c, 0x40, 0x0a,  // Capabilities of 12 octets: GR, 10 octets
      0x4f, 0xff,              // N bit, restart time 4095
      0x00, 0x01, 0x01, 0x00,  // IPv4 unicast, no forwarding state
      0x00, 0x02, 0x01, 0x80,  // IPv6 unicast, forwarding preserved
  }));
  ASSERT_TRUE(open.capabilities.graceful_restart);
  const auto& gr = *open.capabilities.graceful_restart;
  EXPECT_FALSE(gr.restart_state);
  EXPECT_TRUE(gr.notification);
  EXPECT_EQ(gr.restart_time, 4095);
  EXPECT_EQ(gr.families, (std::vector<GracefulRestartCapability::Family>{{kIpv4Unicast, false}, {kIpv6Unicast, true}}));
}

TEST(WireOpen, UnknownCapabilitiesAreKeptVerbatimAndEncodedLast) {
  const Bytes parameters{
      0x02, 0x0e,
      0x46, 0x00,                    // enhanced route refresh (70): not modelled
      0x49, 0x04, 0x01, 'n', 0x01, 'd',  // FQDN (73): not modelled
      0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9,  // 4-octet AS 65001
  };
  const Open open = decode_open_ok(open_with(parameters));
  EXPECT_EQ(open.capabilities.four_octet_as, 65001u);
  EXPECT_EQ(open.capabilities.unknown,
            (std::vector<UnknownCapability>{{70, {}}, {73, {0x01, 'n', 0x01, 'd'}}}));
  // Re-encoded in the documented order: 4-octet AS before the unknown ones.
  const Bytes reordered{0x02, 0x0e, 0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9, 0x46, 0x00, 0x49, 0x04, 0x01, 'n', 0x01, 'd'};
  EXPECT_EQ(encode(open, {}), open_with(reordered));
}

TEST(WireOpen, ExtendedOptionalParametersOfRfc9072) {
  const Open open = decode_open_ok(open_with({
      0xff, 0x00, 0x09,              // non-ext type 255, extended length 9
      0x02, 0x00, 0x06,              // Capabilities, 2-octet length 6
      0x41, 0x04, 0x00, 0x03, 0x0d, 0x40,  // 4-octet AS 200000
  }));
  EXPECT_EQ(open.asn(), 200000u);
  expect_open_error(open_with({0xff, 0x00, 0x09, 0x02, 0x00}), 0);
}

TEST(WireOpen, LargeCapabilitySetIsEncodedInExtendedFormatAndReadBack) {
  Open open;
  open.my_as = 65001;
  for (std::uint8_t code = 100; code < 130; ++code) open.capabilities.unknown.push_back({code, Bytes(8, code)});
  const Bytes bytes = encode(open, {});
  EXPECT_EQ(bytes[28], 0xff);  // RFC 9072: optional parameters length 255 ...
  EXPECT_EQ(bytes[29], 0xff);  // ... and the non-ext type 255
  auto decoded = decode(bytes, {});
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(std::get<Open>(*decoded), open);
}

}  // namespace
}  // namespace bgp::wire
