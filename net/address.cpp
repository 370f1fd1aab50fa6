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

std::optional<Address> Address::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);
  if (s.find(':') == std::string::npos) {
    std::array<std::uint8_t, 4> b{};
    if (inet_pton(AF_INET, s.c_str(), b.data()) != 1) return std::nullopt;
    return v4(b);
  }
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
