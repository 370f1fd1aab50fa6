// IPv4 and IPv6 addresses as one value type.
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace net {

enum class Family : std::uint8_t { ipv4, ipv6 };

const char* to_string(Family);

class Address {
 public:
  Address() = default;  // 0.0.0.0
  static Address v4(std::uint32_t host_order);
  static Address v4(std::array<std::uint8_t, 4> bytes);
  static Address v6(std::array<std::uint8_t, 16> bytes);
  // Strict parse of dotted-quad or RFC 4291 text; nullopt on anything else.
  static std::optional<Address> parse(std::string_view text);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::ipv4; }
  bool is_v6() const { return family_ == Family::ipv6; }
  // Number of address bits: 32 or 128.
  unsigned bits() const { return is_v4() ? 32 : 128; }
  // Network-order bytes; 4 significant for IPv4, 16 for IPv6.
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  std::uint32_t v4_value() const;  // host order; only for IPv4
  bool is_unspecified() const;
  bool is_link_local() const;  // fe80::/10 or 169.254.0.0/16

  std::string to_string() const;

  auto operator<=>(const Address&) const = default;
  bool operator==(const Address&) const = default;

 private:
  Family family_ = Family::ipv4;
  std::array<std::uint8_t, 16> bytes_{};
};

// "a.b.c.d" of an IPv4 address or router ID held as a host-order number (OSPF and BGP IDs).
std::string dotted(std::uint32_t host_order);

// The host-order IPv4 netmask of a prefix length: 24 -> 255.255.255.0, 0 -> 0, 32 and above -> all ones.
constexpr std::uint32_t v4_mask(unsigned length) {
  return length == 0 ? 0 : length >= 32 ? ~std::uint32_t{0} : ~std::uint32_t{0} << (32 - length);
}

std::ostream& operator<<(std::ostream&, const Address&);

}  // namespace net
