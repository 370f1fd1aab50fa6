#include "ospf/wire/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cassert>

namespace ospf::wire {

const char* to_string(AuthConfig::Type type) {
  switch (type) {
    case AuthConfig::Type::none: return "none";
    case AuthConfig::Type::simple: return "simple";
    case AuthConfig::Type::md5: return "md5";
    case AuthConfig::Type::hmac_sha256: return "hmac-sha-256";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, AuthConfig::Type type) { return os << to_string(type); }

std::ostream& operator<<(std::ostream& os, const AuthConfig& auth) {
  os << "auth{" << auth.type;
  if (auth.type == AuthConfig::Type::md5 || auth.type == AuthConfig::Type::hmac_sha256)
    os << " key_id " << unsigned{auth.key_id};
  return os << '}';
}

AuType au_type(AuthConfig::Type type) {
  switch (type) {
    case AuthConfig::Type::none: return AuType::null;
    case AuthConfig::Type::simple: return AuType::simple_password;
    case AuthConfig::Type::md5:
    case AuthConfig::Type::hmac_sha256: return AuType::cryptographic;
  }
  return AuType::null;
}

std::size_t digest_size(AuthConfig::Type type) {
  switch (type) {
    case AuthConfig::Type::md5: return kMd5DigestSize;
    case AuthConfig::Type::hmac_sha256: return kSha256DigestSize;
    default: return 0;
  }
}

std::array<std::uint8_t, 8> simple_password_field(const std::string& key) {
  std::array<std::uint8_t, 8> field{};
  std::copy_n(key.begin(), std::min(key.size(), field.size()), field.begin());
  return field;
}

std::array<std::uint8_t, kMd5DigestSize> md5_digest(std::span<const std::uint8_t> packet, const std::string& key) {
  std::array<std::uint8_t, kMd5DigestSize> padded_key{};
  std::copy_n(key.begin(), std::min(key.size(), padded_key.size()), padded_key.begin());

  std::array<std::uint8_t, kMd5DigestSize> digest{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int size = 0;
  const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, packet.data(), packet.size()) == 1 &&
                  EVP_DigestUpdate(ctx, padded_key.data(), padded_key.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, digest.data(), &size) == 1;
  EVP_MD_CTX_free(ctx);
  // Only allocation failure gets here; an all-zero digest then simply fails to verify.
  if (!ok || size != digest.size()) digest.fill(0);
  return digest;
}

std::array<std::uint8_t, kSha256DigestSize> hmac_sha256_digest(std::span<const std::uint8_t> packet,
                                                               const std::string& key) {
  // RFC 5709 §3.3 key preparation: Ks is K zero-padded to L (=32) bytes, or H(K) when K is longer
  // than L. This differs from plain HMAC only for keys of 33..64 bytes, which HMAC would use as is.
  std::array<std::uint8_t, kSha256DigestSize> ks{};
  if (key.size() > ks.size()) {
    unsigned int size = 0;
    if (EVP_Digest(key.data(), key.size(), ks.data(), &size, EVP_sha256(), nullptr) != 1) ks.fill(0);
  } else {
    std::copy(key.begin(), key.end(), ks.begin());
  }

  // The text is the packet with Apad in the authentication data that follows it.
  std::vector<std::uint8_t> text(packet.begin(), packet.end());
  for (std::size_t i = 0; i < kSha256DigestSize / 4; ++i) {
    text.push_back(static_cast<std::uint8_t>(kApadWord >> 24));
    text.push_back(static_cast<std::uint8_t>(kApadWord >> 16));
    text.push_back(static_cast<std::uint8_t>(kApadWord >> 8));
    text.push_back(static_cast<std::uint8_t>(kApadWord));
  }

  std::array<std::uint8_t, kSha256DigestSize> digest{};
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), ks.data(), static_cast<int>(ks.size()), text.data(), text.size(), digest.data(), &size) ||
      size != digest.size())
    digest.fill(0);
  return digest;
}

bool digests_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ospf::wire
