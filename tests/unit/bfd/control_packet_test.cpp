// The BFD Control packet codec (RFC 5880 §4.1) and the packet-only reception checks of §6.8.6.
#include "bfd/control_packet.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace bfd {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Byte offsets in the mandatory section (§4.1).
constexpr std::size_t kVersDiag = 0, kFlags = 1, kDetectMult = 2, kLength = 3, kMyDiscr = 4, kYourDiscr = 8;

// State Up, diag 0, P bit, Detect Mult 3, My Discriminator 0x01020304, Your Discriminator
// 0x0a0b0c0d, Desired Min TX 300 ms, Required Min RX 250 ms, Required Min Echo RX 0.
const Bytes kUpPollBytes{
    0x20,                    // Vers 1, Diag 0
    0xe0,                    // Sta 3 (Up), P
    0x03,                    // Detect Mult
    0x18,                    // Length 24
    0x01, 0x02, 0x03, 0x04,  // My Discriminator
    0x0a, 0x0b, 0x0c, 0x0d,  // Your Discriminator
    0x00, 0x04, 0x93, 0xe0,  // Desired Min TX Interval 300000 us
    0x00, 0x03, 0xd0, 0x90,  // Required Min RX Interval 250000 us
    0x00, 0x00, 0x00, 0x00,  // Required Min Echo RX Interval
};

ControlPacket up_poll_packet() {
  return {.diagnostic = Diagnostic::none, .state = State::up, .poll = true, .detect_multiplier = 3,
          .my_discriminator = 0x01020304, .your_discriminator = 0x0a0b0c0d, .desired_min_tx_us = 300'000,
          .required_min_rx_us = 250'000, .required_min_echo_rx_us = 0};
}

// State AdminDown, diag 7 (administratively down), F bit, Detect Mult 5, Your Discriminator 0,
// Desired Min TX 1 s, Required Min RX 0 (send us nothing), Required Min Echo RX 50 ms.
const Bytes kAdminDownFinalBytes{
    0x27,                    // Vers 1, Diag 7
    0x10,                    // Sta 0 (AdminDown), F
    0x05,                    // Detect Mult
    0x18,                    // Length 24
    0xff, 0xff, 0xff, 0xfe,  // My Discriminator
    0x00, 0x00, 0x00, 0x00,  // Your Discriminator
    0x00, 0x0f, 0x42, 0x40,  // Desired Min TX Interval 1000000 us
    0x00, 0x00, 0x00, 0x00,  // Required Min RX Interval 0
    0x00, 0x00, 0xc3, 0x50,  // Required Min Echo RX Interval 50000 us
};

ControlPacket admin_down_final_packet() {
  return {.diagnostic = Diagnostic::administratively_down, .state = State::admin_down, .final = true,
          .detect_multiplier = 5, .my_discriminator = 0xfffffffe, .your_discriminator = 0,
          .desired_min_tx_us = 1'000'000, .required_min_rx_us = 0, .required_min_echo_rx_us = 50'000};
}

void expect_dropped(const Bytes& bytes, DecodeError expected) {
  const auto decoded = decode(bytes);
  ASSERT_FALSE(decoded.has_value()) << "accepted " << decoded.value();
  EXPECT_EQ(decoded.error(), expected) << "got '" << to_string(decoded.error()) << "', expected '"
                                       << to_string(expected) << "'";
}

void put_u32(Bytes& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
}

// ---- Golden bytes ----------------------------------------------------------------------------

TEST(BfdControlPacket, EncodesUpPollPacketToGoldenBytes) { EXPECT_EQ(encode(up_poll_packet()), kUpPollBytes); }

TEST(BfdControlPacket, DecodesUpPollGoldenBytes) {
  const auto decoded = decode(kUpPollBytes);
  ASSERT_TRUE(decoded.has_value()) << to_string(decoded.error());
  EXPECT_EQ(*decoded, up_poll_packet());
}

TEST(BfdControlPacket, EncodesAdminDownFinalPacketToGoldenBytes) {
  EXPECT_EQ(encode(admin_down_final_packet()), kAdminDownFinalBytes);
}

TEST(BfdControlPacket, DecodesAdminDownFinalGoldenBytes) {
  const auto decoded = decode(kAdminDownFinalBytes);
  ASSERT_TRUE(decoded.has_value()) << to_string(decoded.error());
  EXPECT_EQ(*decoded, admin_down_final_packet());
}

TEST(BfdControlPacket, EachFlagHasItsOwnBit) {
  // Byte 1 is Sta(2) P F C A D M; state Down is 01 in the top two bits.
  struct Case {
    void (*set)(ControlPacket&);
    std::uint8_t flags;
  };
  const Case cases[] = {
      {[](ControlPacket&) {}, 0x40},
      {[](ControlPacket& p) { p.poll = true; }, 0x60},
      {[](ControlPacket& p) { p.final = true; }, 0x50},
      {[](ControlPacket& p) { p.control_plane_independent = true; }, 0x48},
      {[](ControlPacket& p) { p.authentication_present = true; }, 0x44},
      {[](ControlPacket& p) { p.demand = true; }, 0x42},
  };
  for (const Case& c : cases) {
    ControlPacket p;
    p.state = State::down;
    p.my_discriminator = 7;
    c.set(p);
    EXPECT_EQ(encode(p)[kFlags], c.flags) << p;
  }
}

TEST(BfdControlPacket, StatesAndDiagnosticsTakeTheirWireValues) {
  ControlPacket p = up_poll_packet();
  p.poll = false;
  const std::pair<State, std::uint8_t> states[] = {
      {State::admin_down, 0x00}, {State::down, 0x40}, {State::init, 0x80}, {State::up, 0xc0}};
  for (const auto& [state, bits] : states) {
    p.state = state;
    EXPECT_EQ(encode(p)[kFlags], bits) << to_string(state);
  }
  for (std::uint8_t diag = 0; diag <= 8; ++diag) {
    p.diagnostic = static_cast<Diagnostic>(diag);
    EXPECT_EQ(encode(p)[kVersDiag], 0x20 | diag) << to_string(p.diagnostic);
  }
}

// ---- Roundtrip -------------------------------------------------------------------------------

TEST(BfdControlPacket, EveryStateDiagnosticAndFlagRoundtrips) {
  const State states[] = {State::admin_down, State::down, State::init, State::up};
  for (State state : states) {
    for (std::uint8_t diag = 0; diag <= 8; ++diag) {
      for (int flags = 0; flags < 16; ++flags) {  // P, F, C, D (A is dropped on receipt: no auth)
        ControlPacket p;
        p.state = state;
        p.diagnostic = static_cast<Diagnostic>(diag);
        p.poll = flags & 1;
        p.final = flags & 2;
        p.control_plane_independent = flags & 4;
        p.demand = flags & 8;
        p.detect_multiplier = static_cast<std::uint8_t>(1 + diag * 30);
        p.my_discriminator = 0x80000000u + diag;
        p.your_discriminator = 0xdeadbeef;
        p.desired_min_tx_us = 0xffffffff;
        p.required_min_rx_us = 3'300;
        p.required_min_echo_rx_us = 1;
        const Bytes bytes = encode(p);
        EXPECT_EQ(bytes.size(), kMandatoryLength);
        const auto decoded = decode(bytes);
        ASSERT_TRUE(decoded.has_value()) << p << ": " << to_string(decoded.error());
        EXPECT_EQ(*decoded, p);
      }
    }
  }
}

TEST(BfdControlPacket, PrintsEveryField) {
  std::ostringstream os;
  os << up_poll_packet();
  EXPECT_EQ(os.str(),
            "{state Up, diag none, P, mult 3, my 16909060, your 168496141, tx 300000us, rx 250000us, echo 0us}");
}

// ---- §6.8.6: packets dropped without looking at any session ---------------------------------

TEST(BfdControlPacket, VersionOtherThanOneIsDropped) {
  for (std::uint8_t version : {0, 2, 7}) {
    Bytes bytes = kUpPollBytes;
    bytes[kVersDiag] = static_cast<std::uint8_t>(version << 5);
    expect_dropped(bytes, DecodeError::bad_version);
  }
}

TEST(BfdControlPacket, LengthFieldBelowTwentyFourIsDropped) {
  for (std::uint8_t length : {0, 1, 23}) {
    Bytes bytes = kUpPollBytes;
    bytes[kLength] = length;
    expect_dropped(bytes, DecodeError::bad_length);
  }
}

TEST(BfdControlPacket, LengthFieldBeyondTheBytesReceivedIsDropped) {
  Bytes bytes = kUpPollBytes;
  bytes[kLength] = 25;
  expect_dropped(bytes, DecodeError::too_short);
  bytes[kLength] = 255;
  bytes.resize(254);
  expect_dropped(bytes, DecodeError::too_short);
}

TEST(BfdControlPacket, FewerBytesThanTheMandatorySectionAreDropped) {
  for (std::size_t size : {0, 1, 4, 23}) {
    const Bytes bytes(kUpPollBytes.begin(), kUpPollBytes.begin() + static_cast<std::ptrdiff_t>(size));
    expect_dropped(bytes, DecodeError::too_short);
  }
}

TEST(BfdControlPacket, ZeroDetectMultIsDropped) {
  Bytes bytes = kUpPollBytes;
  bytes[kDetectMult] = 0;
  expect_dropped(bytes, DecodeError::zero_detect_multiplier);
}

TEST(BfdControlPacket, MultipointBitIsDropped) {
  Bytes bytes = kUpPollBytes;
  bytes[kFlags] |= 0x01;
  expect_dropped(bytes, DecodeError::multipoint);
}

TEST(BfdControlPacket, ZeroMyDiscriminatorIsDropped) {
  for (const Bytes& golden : {kUpPollBytes, kAdminDownFinalBytes}) {
    Bytes bytes = golden;
    put_u32(bytes, kMyDiscr, 0);
    expect_dropped(bytes, DecodeError::zero_my_discriminator);
  }
}

TEST(BfdControlPacket, ZeroYourDiscriminatorInInitOrUpIsDropped) {
  for (std::uint8_t state_bits : {0x80, 0xc0}) {  // Init, Up
    Bytes bytes = kUpPollBytes;
    bytes[kFlags] = state_bits;
    put_u32(bytes, kYourDiscr, 0);
    expect_dropped(bytes, DecodeError::zero_your_discriminator_when_up);
  }
}

TEST(BfdControlPacket, ZeroYourDiscriminatorInDownOrAdminDownIsAccepted) {
  // A system that has not heard from its peer yet does not know the peer's discriminator.
  for (State state : {State::down, State::admin_down}) {
    ControlPacket p = up_poll_packet();
    p.state = state;
    p.your_discriminator = 0;
    const auto decoded = decode(encode(p));
    ASSERT_TRUE(decoded.has_value()) << p << ": " << to_string(decoded.error());
    EXPECT_EQ(*decoded, p);
  }
}

TEST(BfdControlPacket, AuthenticationPresentIsDropped) {
  // We configure no authentication, so a packet with the A bit is dropped (§6.8.6), here with a
  // well-formed Simple Password section (Auth Type 1, Auth Len 7, Key ID 1, "abcd").
  Bytes bytes = kUpPollBytes;
  bytes[kFlags] |= 0x04;
  bytes[kLength] = 31;
  bytes.insert(bytes.end(), {0x01, 0x07, 0x01, 'a', 'b', 'c', 'd'});
  expect_dropped(bytes, DecodeError::authentication_unsupported);
}

TEST(BfdControlPacket, AuthenticationPresentWithoutRoomForItsSectionIsDropped) {
  Bytes bytes = kUpPollBytes;
  bytes[kFlags] |= 0x04;
  expect_dropped(bytes, DecodeError::bad_length);  // the A bit needs a Length of at least 26
}

TEST(BfdControlPacket, BytesBeyondTheLengthFieldAreIgnored) {
  Bytes bytes = kUpPollBytes;
  bytes.insert(bytes.end(), {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01});
  const auto decoded = decode(bytes);
  ASSERT_TRUE(decoded.has_value()) << to_string(decoded.error());
  EXPECT_EQ(*decoded, up_poll_packet());
}

TEST(BfdControlPacket, LengthFieldAboveTwentyFourWithoutAuthenticationIsAccepted) {
  Bytes bytes = kUpPollBytes;
  bytes[kLength] = 28;
  bytes.insert(bytes.end(), 4, 0x00);
  const auto decoded = decode(bytes);
  ASSERT_TRUE(decoded.has_value()) << to_string(decoded.error());
  EXPECT_EQ(*decoded, up_poll_packet());
}

TEST(BfdControlPacket, DemandBitIsLeftToTheSession) {
  // Demand mode is the session's business (it only matters when both ends are Up).
  Bytes bytes = kUpPollBytes;
  bytes[kFlags] |= 0x02;
  const auto decoded = decode(bytes);
  ASSERT_TRUE(decoded.has_value()) << to_string(decoded.error());
  ControlPacket expected = up_poll_packet();
  expected.demand = true;
  EXPECT_EQ(*decoded, expected);
}

}  // namespace
}  // namespace bfd
