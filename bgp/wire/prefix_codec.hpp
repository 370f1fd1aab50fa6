// NLRI prefix encoding shared by the UPDATE fields and MP_REACH/MP_UNREACH (RFC 4271 §4.3,
// RFC 4760 §5): one length octet, then the fewest octets that hold that many bits.
#pragma once
#include <optional>
#include <span>
#include <vector>

#include "net/byte_writer.hpp"
#include "net/prefix.hpp"

namespace bgp::wire {

// All prefixes of a field that must be consumed exactly; nullopt when a length exceeds the
// family's width or a prefix runs past the end. Bits past a prefix's length are masked off.
std::optional<std::vector<net::Prefix>> decode_prefixes(std::span<const std::uint8_t> field, net::Family family);

void encode_prefixes(const std::vector<net::Prefix>& prefixes, net::ByteWriter& out);

}  // namespace bgp::wire
