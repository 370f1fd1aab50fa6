// An IP prefix: an address whose bits past the length are zero.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "net/address.hpp"

namespace net {

class Prefix {
 public:
  Prefix() = default;
  // Masks the host bits off; length is clamped to the family's width.
  Prefix(Address address, unsigned length);
  static Prefix host(Address a) { return Prefix(a, a.bits()); }
  // "10.96.0.0/12", "fd00::/64"; a bare address is a host prefix. Rejects set host bits.
  static std::optional<Prefix> parse(std::string_view text);

  const Address& address() const { return address_; }
  unsigned length() const { return length_; }
  Family family() const { return address_.family(); }

  bool contains(const Address& a) const;
  bool contains(const Prefix& p) const;

  std::string to_string() const;

  auto operator<=>(const Prefix&) const = default;
  bool operator==(const Prefix&) const = default;

 private:
  Address address_;
  std::uint8_t length_ = 0;  // one byte, so a Prefix is 18 bytes: route tables hold 100k of them
};

std::ostream& operator<<(std::ostream&, const Prefix&);

}  // namespace net
