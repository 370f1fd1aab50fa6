// Digests checked against python3's hashlib/hmac (tests/unit/ospf/wire_reference.py), which
// implements RFC 2328 D.4.3 and RFC 5709 §3.3 on its own.
#include <gtest/gtest.h>

#include "ospf/wire/auth.hpp"

namespace ospf::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes hex(std::string_view text) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  return out;
}

// A Hello with AuType 2, key ID 7, auth data length 32, sequence 0x5f000001 (RFC 2328 D.3 layout).
const Bytes kHmacHello{
    0x02, 0x01, 0x00, 0x2c, 0xc0, 0x00, 0x02, 0x01,  // v2 Hello, length 44, router 192.0.2.1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  // area 0, checksum 0, AuType 2
    0x00, 0x00, 0x07, 0x20, 0x5f, 0x00, 0x00, 0x01,  // 0, key ID 7, length 32, sequence
    0xff, 0xff, 0xff, 0x00, 0x00, 0x0a, 0x02, 0x01,  // mask, hello 10, options E, priority 1
    0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00,  // dead 40, DR none
    0x00, 0x00, 0x00, 0x00,                          // BDR none
};

TEST(Auth, HmacSha256ShortKeyIsZeroPadded) {
  // python3 wire_reference.py: "hello hmac" (key b"hmac-key").
  const auto digest = hmac_sha256_digest(kHmacHello, "hmac-key");
  EXPECT_EQ(Bytes(digest.begin(), digest.end()),
            hex("98e5beb162778d48e19fade7cf67dda215fed41291bf23e84ab35cf761ded080"));
}

TEST(Auth, HmacSha256LongKeyIsHashedFirst) {
  // A 40-byte key: RFC 5709 uses SHA-256(key) as the HMAC key where plain HMAC would use the key.
  // python3 wire_reference.py: "hello hmac long key"; plain HMAC gives ebd45bbb...
  const std::string key = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
  const auto digest = hmac_sha256_digest(kHmacHello, key);
  EXPECT_EQ(Bytes(digest.begin(), digest.end()),
            hex("96e1a4a57cf14ae767fba6e08c8aed44d7e23693804841304690313bde4ddacd"));
}

TEST(Auth, HmacSha256OfEmptyKeyAndMessage) {
  // HMAC-SHA-256 with a 32-byte zero key over 32 bytes of Apad:
  // python3 -c 'import hmac,hashlib;print(hmac.new(bytes(32),bytes.fromhex("878FE1F3")*8,hashlib.sha256).hexdigest())'
  const auto digest = hmac_sha256_digest({}, "");
  EXPECT_EQ(Bytes(digest.begin(), digest.end()),
            hex("a36de5ceb5f2c78afd2429faf0dae6849605e3e6c8a9aa5650c0437d5ca20f4d"));
}

TEST(Auth, Md5AppendsTheKeyPaddedTo16) {
  // MD5(packet || "abc" + 13 zero bytes). Independent:
  // python3 -c 'import hashlib;print(hashlib.md5(b"\x02\x01"+b"abc".ljust(16,b"\0")).hexdigest())'
  // and printf '\x02\x01abc\0\0\0\0\0\0\0\0\0\0\0\0\0' | openssl dgst -md5 agree.
  const auto digest = md5_digest(Bytes{0x02, 0x01}, "abc");
  EXPECT_EQ(Bytes(digest.begin(), digest.end()), hex("d1ba58610b6345176a935813ac0369b6"));
}

TEST(Auth, SimplePasswordFieldIsPaddedOrCut) {
  EXPECT_EQ(simple_password_field("abc"), (std::array<std::uint8_t, 8>{'a', 'b', 'c', 0, 0, 0, 0, 0}));
  EXPECT_EQ(simple_password_field("0123456789"), (std::array<std::uint8_t, 8>{'0', '1', '2', '3', '4', '5', '6', '7'}));
}

TEST(Auth, TypesMapToAuTypeAndDigestSize) {
  EXPECT_EQ(au_type(AuthConfig::Type::none), AuType::null);
  EXPECT_EQ(au_type(AuthConfig::Type::simple), AuType::simple_password);
  EXPECT_EQ(au_type(AuthConfig::Type::md5), AuType::cryptographic);
  EXPECT_EQ(au_type(AuthConfig::Type::hmac_sha256), AuType::cryptographic);
  EXPECT_EQ(digest_size(AuthConfig::Type::md5), 16u);
  EXPECT_EQ(digest_size(AuthConfig::Type::hmac_sha256), 32u);
  EXPECT_EQ(digest_size(AuthConfig::Type::simple), 0u);
}

TEST(Auth, PrinterHidesTheKey) {
  std::ostringstream os;
  os << AuthConfig{AuthConfig::Type::md5, 3, "topsecret"};
  EXPECT_EQ(os.str(), "auth{md5 key_id 3}");
}

}  // namespace
}  // namespace ospf::wire
