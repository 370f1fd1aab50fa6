#include "bgp/wire/prefix_codec.hpp"

#include <algorithm>
#include <array>

#include "net/byte_reader.hpp"

namespace bgp::wire {

namespace {
unsigned octets_for(unsigned bits) { return (bits + 7) / 8; }
}  // namespace

std::optional<std::vector<net::Prefix>> decode_prefixes(std::span<const std::uint8_t> field, net::Family family) {
  const unsigned width = family == net::Family::ipv4 ? 32 : 128;
  net::ByteReader in(field);
  std::vector<net::Prefix> prefixes;
  while (!in.empty()) {
    const unsigned length = *in.u8();
    if (length > width) return std::nullopt;
    auto significant = in.bytes(octets_for(length));
    if (!significant) return std::nullopt;
    std::array<std::uint8_t, 16> bytes{};
    std::copy(significant->begin(), significant->end(), bytes.begin());
    const net::Address address = family == net::Family::ipv4
                                     ? net::Address::v4({bytes[0], bytes[1], bytes[2], bytes[3]})
                                     : net::Address::v6(bytes);
    // Be liberal: stray host bits are masked off by Prefix rather than rejected.
    prefixes.emplace_back(address, length);
  }
  return prefixes;
}

void encode_prefixes(const std::vector<net::Prefix>& prefixes, net::ByteWriter& out) {
  for (const auto& prefix : prefixes) {
    out.u8(static_cast<std::uint8_t>(prefix.length()));
    out.bytes(std::span(prefix.address().bytes()).first(octets_for(prefix.length())));
  }
}

}  // namespace bgp::wire
