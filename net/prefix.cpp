#include "net/prefix.hpp"

#include <charconv>

namespace net {

namespace {
std::array<std::uint8_t, 16> masked(const std::array<std::uint8_t, 16>& bytes, unsigned length) {
  std::array<std::uint8_t, 16> out{};
  for (unsigned i = 0; i < 16; ++i) {
    if (length >= 8 * (i + 1)) {
      out[i] = bytes[i];
    } else if (length > 8 * i) {
      out[i] = bytes[i] & static_cast<std::uint8_t>(0xff << (8 - (length - 8 * i)));
    }
  }
  return out;
}

Address with_bytes(Family f, const std::array<std::uint8_t, 16>& b) {
  if (f == Family::ipv6) return Address::v6(b);
  return Address::v4({b[0], b[1], b[2], b[3]});
}
}  // namespace

Prefix::Prefix(Address address, unsigned length)
    : address_(with_bytes(address.family(), masked(address.bytes(), std::min(length, address.bits())))),
      length_(static_cast<std::uint8_t>(std::min(length, address.bits()))) {}

std::optional<Prefix> Prefix::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = Address::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  unsigned length = addr->bits();
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc{} || end != digits.data() + digits.size() || length > addr->bits()) return std::nullopt;
  }
  Prefix p(*addr, length);
  if (p.address() != *addr) return std::nullopt;  // host bits set: almost always a typo
  return p;
}

bool Prefix::contains(const Address& a) const {
  return a.family() == family() && masked(a.bytes(), length_) == address_.bytes();
}

bool Prefix::contains(const Prefix& p) const { return p.length_ >= length_ && contains(p.address_); }

std::string Prefix::to_string() const { return address_.to_string() + "/" + std::to_string(length_); }

std::ostream& operator<<(std::ostream& os, const Prefix& p) { return os << p.to_string(); }

}  // namespace net
