// Packs many prefixes into as few UPDATE messages as fit the 4096-byte limit (RFC 4271 §4.3).
#pragma once
#include <span>
#include <vector>

#include "bgp/wire/codec.hpp"
#include "bgp/wire/message.hpp"

namespace bgp {

// UPDATEs that announce `prefixes` of `family` with `attributes`. For IPv6 the attributes must
// hold an MP_REACH_NLRI with the next hops (its NLRI list is filled here); for IPv4 a NEXT_HOP.
std::vector<wire::Update> pack_announcements(const wire::PathAttributes& attributes, wire::AfiSafi family,
                                             std::span<const net::Prefix> prefixes,
                                             const wire::EncodeContext& ctx);

// UPDATEs that withdraw `prefixes` of `family` (withdrawn routes field, or MP_UNREACH_NLRI).
std::vector<wire::Update> pack_withdrawals(wire::AfiSafi family, std::span<const net::Prefix> prefixes);

}  // namespace bgp
