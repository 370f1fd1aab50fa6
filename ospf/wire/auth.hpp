// OSPFv2 authentication (RFC 2328 appendix D, RFC 5709): the interface's settings and the
// digests of the two cryptographic schemes. The codec (packet_codec.hpp) places and checks them.
#pragma once
#include <array>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace ospf::wire {

// The AuType field (D.1 and D.2; RFC 5709 uses 2 as well).
enum class AuType : std::uint16_t { null = 0, simple_password = 1, cryptographic = 2 };

struct AuthConfig {
  enum class Type : std::uint8_t { none, simple, md5, hmac_sha256 };
  Type type = Type::none;
  std::uint8_t key_id = 0;  // cryptographic only
  std::string key;          // simple: up to 8 bytes (longer is cut); md5: up to 16; hmac: any
  bool operator==(const AuthConfig&) const = default;
};

const char* to_string(AuthConfig::Type);
std::ostream& operator<<(std::ostream&, AuthConfig::Type);
// Never prints the key.
std::ostream& operator<<(std::ostream&, const AuthConfig&);

AuType au_type(AuthConfig::Type);
// Bytes of digest appended after the packet: 0, 0, 16 or 32.
std::size_t digest_size(AuthConfig::Type);

constexpr std::size_t kMd5DigestSize = 16;
constexpr std::size_t kSha256DigestSize = 32;
constexpr std::uint32_t kApadWord = 0x878fe1f3;  // RFC 5709 §3.3

// The 8-byte authentication field for simple passwords: the key, zero-padded or cut to 8.
std::array<std::uint8_t, 8> simple_password_field(const std::string& key);

// RFC 2328 D.4.3: MD5 over the packet (length-field bytes, header's auth fields filled in)
// followed by the key zero-padded (or cut) to 16 bytes.
std::array<std::uint8_t, kMd5DigestSize> md5_digest(std::span<const std::uint8_t> packet, const std::string& key);

// RFC 5709 §3.3: HMAC-SHA-256 keyed with the key prepared to 32 bytes (zero-padded when shorter,
// SHA-256 of it when longer), over the packet followed by 32 bytes of Apad.
std::array<std::uint8_t, kSha256DigestSize> hmac_sha256_digest(std::span<const std::uint8_t> packet,
                                                               const std::string& key);

// Constant-time comparison, so a forger learns nothing from timing.
bool digests_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

}  // namespace ospf::wire
