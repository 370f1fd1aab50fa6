#include "net/address.hpp"

#include <arpa/inet.h>

namespace net {

const char* to_string(Family f) { return f == Family::ipv4 ? "ipv4" : "ipv6"; }

Address Address::v4(std::uint32_t host_order) {
  return v4({static_cast<std::uint8_t>(host_order >> 24), static_cast<std::uint8_t>(host_order >> 16),
             static_cast<std::uint8_t>(host_order >> 8), static_cast<std::uint8_t>(host_order)});
}

Address Address::v4(std::array<std::uint8_t, 4> bytes) {
  Address a;
  a.family_ = Family::ipv4;
  for (int i = 0; i < 4; ++i) a.bytes_[i] = bytes[i];
  return a;
}

Address Address::v6(std::array<std::uint8_t, 16> bytes) {
  Address a;
  a.family_ = Family::ipv6;
  a.bytes_ = bytes;
  return a;
}

namespace {

// Dotted-quad IPv4 as inet_pton(AF_INET) reads it (four decimal parts of 0-255, no leading zeros),
// without copying the text to make it NUL-terminated: long static lists are mostly IPv4.
std::optional<std::array<std::uint8_t, 4>> parse_v4(std::string_view text) {
  std::array<std::uint8_t, 4> bytes{};
  std::size_t i = 0;
  for (std::size_t part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i == text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
    const std::size_t start = i;
    unsigned value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3)
      value = value * 10 + static_cast<unsigned>(text[i++] - '0');
    const std::size_t digits = i - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
    bytes[part] = static_cast<std::uint8_t>(value);
  }
  if (i != text.size()) return std::nullopt;
  return bytes;
}

}  // namespace

std::optional<Address> Address::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  if (text.find(':') == std::string_view::npos) {
    auto b = parse_v4(text);
    if (!b) return std::nullopt;
    return v4(*b);
  }
  std::string s(text);
  std::array<std::uint8_t, 16> b{};
  if (inet_pton(AF_INET6, s.c_str(), b.data()) != 1) return std::nullopt;
  return v6(b);
}

std::uint32_t Address::v4_value() const {
  return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
         (std::uint32_t{bytes_[2]} << 8) | bytes_[3];
}

bool Address::is_unspecified() const {
  for (auto b : bytes_)
    if (b) return false;
  return true;
}

bool Address::is_link_local() const {
  if (is_v4()) return bytes_[0] == 169 && bytes_[1] == 254;
  return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

std::string Address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

std::ostream& operator<<(std::ostream& os, const Address& a) { return os << a.to_string(); }

std::string dotted(std::uint32_t host_order) { return Address::v4(host_order).to_string(); }

}  // namespace net
