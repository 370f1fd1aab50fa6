#include "ospf/wire/checksum.hpp"

#include <cassert>

namespace ospf::wire {

std::uint16_t ip_checksum(std::span<const std::uint8_t> bytes) {
  std::uint32_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += (std::uint32_t{bytes[i]} << 8) | bytes[i + 1];
  if (i < bytes.size()) sum += std::uint32_t{bytes[i]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);  // end-around carry
  return static_cast<std::uint16_t>(~sum);
}

namespace {

struct FletcherSums {
  int c0 = 0;
  int c1 = 0;
};

// Sums over lsa[kLsaChecksumStart..], reading the checksum field as zero when asked to.
FletcherSums fletcher_sums(std::span<const std::uint8_t> lsa, bool zero_checksum_field) {
  FletcherSums s;
  for (std::size_t i = kLsaChecksumStart; i < lsa.size(); ++i) {
    const bool in_field = i == kLsaChecksumOffset || i == kLsaChecksumOffset + 1;
    const int byte = zero_checksum_field && in_field ? 0 : lsa[i];
    s.c0 = (s.c0 + byte) % 255;
    s.c1 = (s.c1 + s.c0) % 255;
  }
  return s;
}

}  // namespace

std::uint16_t lsa_checksum(std::span<const std::uint8_t> lsa) {
  assert(lsa.size() >= 20);
  const FletcherSums s = fletcher_sums(lsa, true);
  // With X at 1-based position n of the summed data (length L) and Y after it, the sums become
  // c0 + X + Y and c1 + (L-n+1)X + (L-n)Y; solving both for zero gives the two lines below.
  const int length = static_cast<int>(lsa.size() - kLsaChecksumStart);
  const int n = static_cast<int>(kLsaChecksumOffset - kLsaChecksumStart) + 1;
  int x = ((length - n) * s.c0 - s.c1) % 255;
  if (x <= 0) x += 255;  // 0 and 255 are the same mod 255; RFC 905 sends 255
  int y = 510 - s.c0 - x;  // c0 + X + Y == 0 (mod 255)
  y %= 255;
  if (y <= 0) y += 255;
  return static_cast<std::uint16_t>((x << 8) | y);
}

void set_lsa_checksum(std::span<std::uint8_t> lsa) {
  const std::uint16_t sum = lsa_checksum(lsa);
  lsa[kLsaChecksumOffset] = static_cast<std::uint8_t>(sum >> 8);
  lsa[kLsaChecksumOffset + 1] = static_cast<std::uint8_t>(sum);
}

bool lsa_checksum_ok(std::span<const std::uint8_t> lsa) {
  if (lsa.size() < 20) return false;
  const FletcherSums s = fletcher_sums(lsa, false);
  return s.c0 == 0 && s.c1 == 0;
}

}  // namespace ospf::wire
