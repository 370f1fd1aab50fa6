// Malformed and unauthentic packets: each is rejected with the expected kind, and no input
// (truncations, single-byte corruptions) makes the decoder crash or read out of bounds.
#include <gtest/gtest.h>

#include "ospf/wire/checksum.hpp"
#include "packet_goldens.hpp"

namespace ospf::wire {
namespace {

using namespace golden;
using Kind = DecodeError::Kind;

const AuthConfig kNoAuth{};

// Recomputes the packet checksum after a test edits a non-crypto packet (auth field excluded),
// over what the length field covers, or all the bytes when it claims more.
void fix_checksum(Bytes& bytes) {
  bytes[12] = bytes[13] = 0;
  Bytes copy = bytes;
  std::fill(copy.begin() + 16, copy.begin() + 24, 0);
  const std::size_t length = std::min<std::size_t>((copy[2] << 8) | copy[3], copy.size());
  const std::uint16_t sum = ip_checksum(std::span(copy).first(length));
  bytes[12] = static_cast<std::uint8_t>(sum >> 8);
  bytes[13] = static_cast<std::uint8_t>(sum);
}

void set_length(Bytes& bytes, std::size_t length) {
  bytes[2] = static_cast<std::uint8_t>(length >> 8);
  bytes[3] = static_cast<std::uint8_t>(length);
}

void expect_error(const Bytes& bytes, const AuthConfig& auth, Kind kind) {
  auto decoded = decode_packet(bytes, auth);
  ASSERT_FALSE(decoded.has_value()) << *decoded;
  EXPECT_EQ(decoded.error().kind, kind) << decoded.error();
  EXPECT_FALSE(decoded.error().description.empty());
}

TEST(Malformed, BadVersion) {
  Bytes bytes = kHello;
  bytes[0] = 3;
  expect_error(bytes, kNoAuth, Kind::bad_version);
}

TEST(Malformed, ShorterThanAHeader) {
  expect_error(Bytes(kHello.begin(), kHello.begin() + 23), kNoAuth, Kind::truncated);
  expect_error(Bytes{}, kNoAuth, Kind::truncated);
}

TEST(Malformed, LengthFieldBeyondTheBytes) {
  expect_error(Bytes(kHello.begin(), kHello.end() - 4), kNoAuth, Kind::truncated);
}

TEST(Malformed, LengthFieldShorterThanAHeader) {
  Bytes bytes = kHello;
  set_length(bytes, 20);
  expect_error(bytes, kNoAuth, Kind::bad_length);
}

TEST(Malformed, UnknownPacketType) {
  Bytes bytes = kHello;
  bytes[1] = 6;
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_type);
  bytes[1] = 0;
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_type);
}

TEST(Malformed, WrongChecksum) {
  Bytes bytes = kHello;
  bytes[13] ^= 0x01;
  expect_error(bytes, kNoAuth, Kind::bad_checksum);
  bytes = kLinkStateRequest;
  bytes[30] ^= 0x80;  // a body byte
  expect_error(bytes, kNoAuth, Kind::bad_checksum);
}

TEST(Malformed, ChecksumLeavesOutTheAuthField) {
  // The password may change without the checksum changing (D.4.2).
  Bytes bytes = kDatabaseDescription;
  bytes[16] = 'S';
  expect_error(bytes, kSimpleAuth, Kind::bad_auth);
  auto decoded = decode_packet(bytes, AuthConfig{AuthConfig::Type::simple, 0, "Secret"});
  EXPECT_TRUE(decoded.has_value());
}

TEST(Malformed, WrongAuType) {
  expect_error(kHello, kSimpleAuth, Kind::bad_auth_type);
  expect_error(kHello, kMd5Auth, Kind::bad_auth_type);
  expect_error(kDatabaseDescription, kNoAuth, Kind::bad_auth_type);
  expect_error(kLinkStateAckMd5, kNoAuth, Kind::bad_auth_type);
}

TEST(Malformed, WrongPassword) {
  expect_error(kDatabaseDescription, AuthConfig{AuthConfig::Type::simple, 0, "secreT"}, Kind::bad_auth);
  expect_error(kDatabaseDescription, AuthConfig{AuthConfig::Type::simple, 0, "secret1"}, Kind::bad_auth);
}

TEST(Malformed, WrongCryptographicKey) {
  expect_error(kLinkStateAckMd5, AuthConfig{AuthConfig::Type::md5, 1, "ospf-md5-kez"}, Kind::bad_auth);
  expect_error(kHelloHmac, AuthConfig{AuthConfig::Type::hmac_sha256, 7, "hmac-kez"}, Kind::bad_auth);
}

TEST(Malformed, WrongKeyId) {
  expect_error(kLinkStateAckMd5, AuthConfig{AuthConfig::Type::md5, 2, "ospf-md5-key"}, Kind::bad_auth);
  expect_error(kHelloHmac, AuthConfig{AuthConfig::Type::hmac_sha256, 8, "hmac-key"}, Kind::bad_auth);
}

TEST(Malformed, Md5PacketOnAnHmacInterface) {
  // Same AuType 2, but the auth data length says 16 where 32 is expected.
  expect_error(kLinkStateAckMd5, AuthConfig{AuthConfig::Type::hmac_sha256, 1, "ospf-md5-key"}, Kind::bad_auth);
}

TEST(Malformed, TamperedCryptographicPacket) {
  Bytes bytes = kLinkStateAckMd5;
  bytes[23] ^= 0x01;  // the sequence number is covered by the digest
  expect_error(bytes, kMd5Auth, Kind::bad_auth);
  bytes = kHelloHmac;
  bytes[30] = 0x00;  // options
  expect_error(bytes, kHmacAuth, Kind::bad_auth);
  bytes = kHelloHmac;
  bytes.back() ^= 0x01;  // the digest itself
  expect_error(bytes, kHmacAuth, Kind::bad_auth);
}

TEST(Malformed, MissingDigest) {
  expect_error(Bytes(kLinkStateAckMd5.begin(), kLinkStateAckMd5.end() - 1), kMd5Auth, Kind::truncated);
  expect_error(Bytes(kHelloHmac.begin(), kHelloHmac.begin() + 44), kHmacAuth, Kind::truncated);
}

TEST(Malformed, CryptographicPacketsIgnoreTheChecksumField) {
  // D.4.3: the checksum is not computed; a sender's stray value is not our business.
  Bytes bytes = kHelloHmac;
  bytes[12] = 0x12;  // but it is covered by the digest, so this must fail on the digest
  expect_error(bytes, kHmacAuth, Kind::bad_auth);
  auto decoded = decode_packet(kHelloHmac, kHmacAuth);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->crypto_sequence, 0x5f000001u);
}

TEST(Malformed, HelloShorterThanItsFixedPart) {
  Bytes bytes(kHello.begin(), kHello.begin() + 40);
  set_length(bytes, 40);
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::truncated);
}

TEST(Malformed, HelloNeighborListNotWholeIds) {
  Bytes bytes(kHello.begin(), kHello.end() - 2);
  set_length(bytes, bytes.size());
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_length);
}

TEST(Malformed, DdHeadersNotWhole) {
  Bytes bytes = kDatabaseDescription;
  bytes.resize(bytes.size() - 1);
  set_length(bytes, bytes.size());
  fix_checksum(bytes);
  expect_error(bytes, kSimpleAuth, Kind::bad_length);
}

TEST(Malformed, RequestNotWholeEntries) {
  Bytes bytes = kLinkStateRequest;
  bytes.resize(bytes.size() - 4);
  set_length(bytes, bytes.size());
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_length);
}

TEST(Malformed, TruncatedLsaInUpdate) {
  // The LSA says 40 bytes; the packet holds 36 of it.
  Bytes bytes = kLinkStateUpdate;
  bytes[kLsuLsaOffset + 19] = 40;
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_lsa);
  // Or the packet ends in the middle of the LSA header.
  bytes = Bytes(kLinkStateUpdate.begin(), kLinkStateUpdate.begin() + kLsuLsaOffset + 10);
  set_length(bytes, bytes.size());
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_length);  // 1 LSA cannot fit in 10 bytes
}

TEST(Malformed, LsaLengthShorterThanItsHeader) {
  Bytes bytes = kLinkStateUpdate;
  bytes[kLsuLsaOffset + 19] = 8;
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_lsa);
}

TEST(Malformed, BadLsaChecksumInUpdate) {
  Bytes bytes = kLinkStateUpdate;
  bytes[kLsuLsaOffset + 27] = 0x15;  // metric 21: the LSA no longer matches its checksum
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_lsa_checksum);
}

TEST(Malformed, LsaCountDisagreesWithTheBytes) {
  Bytes bytes = kLinkStateUpdate;
  bytes[27] = 2;  // two LSAs claimed, one present
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_length);
  bytes[27] = 0;  // none claimed, one present
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_length);
  bytes = kLinkStateUpdate;
  bytes[24] = 0xff;  // four billion claimed: refused before any allocation
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::bad_length);
}

TEST(Malformed, UpdateWithoutItsCount) {
  Bytes bytes(kLinkStateUpdate.begin(), kLinkStateUpdate.begin() + 26);
  set_length(bytes, bytes.size());
  fix_checksum(bytes);
  expect_error(bytes, kNoAuth, Kind::truncated);
}

// Every truncation and every single-byte change of every golden packet: an error or a packet,
// never a crash (run under ASan/UBSan in the sanitizer build).
TEST(Malformed, NoInputCrashes) {
  const std::vector<std::pair<const Bytes*, AuthConfig>> cases{
      {&kHello, kNoAuth},         {&kDatabaseDescription, kSimpleAuth}, {&kLinkStateRequest, kNoAuth},
      {&kLinkStateUpdate, kNoAuth}, {&kLinkStateAckMd5, kMd5Auth},      {&kHelloHmac, kHmacAuth}};
  for (const auto& [golden_bytes, auth] : cases) {
    for (std::size_t n = 0; n < golden_bytes->size(); ++n) {
      auto decoded = decode_packet(std::span(*golden_bytes).first(n), auth);
      (void)decoded;
    }
    for (std::size_t i = 0; i < golden_bytes->size(); ++i) {
      for (std::uint8_t value : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
        Bytes bytes = *golden_bytes;
        bytes[i] = value;
        if (auth.type == AuthConfig::Type::none) fix_checksum(bytes);  // so the body parsers are reached
        auto decoded = decode_packet(bytes, auth);
        if (decoded) {
          EXPECT_TRUE(decode_packet(encode_packet(*decoded, auth), auth).has_value()) << *decoded;
        }
      }
    }
  }
}

}  // namespace
}  // namespace ospf::wire
