// Path attributes (RFC 4271 §4.3 and §5, RFC 4760, RFC 1997, RFC 8092, RFC 6793) with the
// revised error handling of RFC 7606.
#include <algorithm>
#include <array>
#include <bitset>
#include <string>

#include "bgp/wire/message_codecs.hpp"
#include "bgp/wire/prefix_codec.hpp"
#include "net/byte_reader.hpp"

namespace bgp::wire {

namespace {

constexpr std::uint8_t kCategoryBits = flag::optional | flag::transitive;
constexpr std::uint8_t kWellKnown = flag::transitive;  // well-known attributes are always transitive
constexpr std::uint8_t kOptionalTransitive = flag::optional | flag::transitive;
constexpr std::uint8_t kOptionalNonTransitive = flag::optional;
constexpr std::size_t kMaxSegmentAsns = 255;  // the segment length field is one octet

// The Optional and Transitive bits a recognised attribute must carry; nullopt if unrecognised.
std::optional<std::uint8_t> expected_category(std::uint8_t type) {
  switch (type) {
    case attr::origin:
    case attr::as_path:
    case attr::next_hop:
    case attr::local_pref:
    case attr::atomic_aggregate:
      return kWellKnown;
    case attr::med:
    case attr::mp_reach_nlri:
    case attr::mp_unreach_nlri:
      return kOptionalNonTransitive;
    case attr::aggregator:
    case attr::communities:
    case attr::as4_path:
    case attr::as4_aggregator:
    case attr::large_communities:
      return kOptionalTransitive;
    default:
      return std::nullopt;
  }
}

// RFC 7606 §7.6, §7.7 and RFC 6793 §6: these are only informational; a bad one is dropped alone.
bool discard_when_malformed(std::uint8_t type) {
  return type == attr::atomic_aggregate || type == attr::aggregator || type == attr::as4_path ||
         type == attr::as4_aggregator;
}

struct RawAttribute {
  std::uint8_t flags = 0;
  std::uint8_t type = 0;
  std::span<const std::uint8_t> value;
  std::span<const std::uint8_t> whole;  // flags, type, length and value: NOTIFICATION data
};

std::vector<std::uint8_t> copy(std::span<const std::uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

DecodeError update_error(std::uint8_t subcode, Reaction reaction, std::string description,
                         std::vector<std::uint8_t> data = {}) {
  return failure(ErrorCode::update_message, subcode, std::move(description), std::move(data), reaction).error;
}

std::optional<std::vector<AsPathSegment>> decode_as_path(std::span<const std::uint8_t> value, bool four_octet_as) {
  const std::size_t asn_size = four_octet_as ? 4 : 2;
  net::ByteReader in(value);
  std::vector<AsPathSegment> segments;
  while (!in.empty()) {
    auto type = in.u8();
    auto count = in.u8();
    if (!count) return std::nullopt;  // a lone octet cannot start a segment (RFC 7606 §7.2)
    if (*type < 1 || *type > 4 || *count == 0) return std::nullopt;
    if (in.remaining() < *count * asn_size) return std::nullopt;
    AsPathSegment segment;
    segment.type = static_cast<AsPathSegment::Type>(*type);
    for (unsigned i = 0; i < *count; ++i) segment.asns.push_back(four_octet_as ? *in.u32() : *in.u16());
    segments.push_back(std::move(segment));
  }
  return segments;
}

std::optional<AfiSafi> modelled_family(std::uint16_t afi, std::uint8_t safi) {
  const AfiSafi family{static_cast<Afi>(afi), static_cast<Safi>(safi)};
  if (family == kIpv4Unicast || family == kIpv6Unicast) return family;
  return std::nullopt;
}

net::Family address_family(const AfiSafi& family) {
  return family.afi == Afi::ipv4 ? net::Family::ipv4 : net::Family::ipv6;
}

net::Address address_from(std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, 16> b{};
  std::copy(bytes.begin(), bytes.end(), b.begin());
  return bytes.size() == 4 ? net::Address::v4({b[0], b[1], b[2], b[3]}) : net::Address::v6(b);
}

// RFC 4760 §3 and RFC 2545 §3. Anything structurally wrong resets the session (RFC 7606 §7.11):
// without the attribute the NLRI it carries cannot be withdrawn.
std::optional<DecodeError> decode_mp_reach(const RawAttribute& raw, PathAttributes& out) {
  auto malformed = [&](const std::string& why) {
    return update_error(subcode::optional_attribute_error, Reaction::session_reset, "MP_REACH_NLRI " + why,
                        copy(raw.whole));
  };
  if (raw.value.size() < 5) return malformed("shorter than its fixed fields");  // AFI, SAFI, lengths, reserved
  net::ByteReader in(raw.value);
  const std::uint16_t afi = *in.u16();
  const std::uint8_t safi = *in.u8();
  const std::uint8_t next_hop_length = *in.u8();
  auto family = modelled_family(afi, safi);
  if (!family) {  // a family we never negotiate: keep it verbatim, it reaches no RIB
    out.unknown.push_back({static_cast<std::uint8_t>(raw.flags & ~flag::extended_length), raw.type, copy(raw.value)});
    return std::nullopt;
  }
  auto next_hop = in.bytes(next_hop_length);
  if (!next_hop) return malformed("next hop overruns the attribute");
  MpReachNlri reach;
  reach.family = *family;
  if (*family == kIpv4Unicast && next_hop->size() == 4) {
    reach.next_hops.push_back(address_from(*next_hop));
  } else if (*family == kIpv6Unicast && (next_hop->size() == 16 || next_hop->size() == 32)) {
    reach.next_hops.push_back(address_from(next_hop->first(16)));
    if (next_hop->size() == 32) reach.next_hops.push_back(address_from(next_hop->subspan(16)));  // link-local
  } else {
    return malformed("next hop length " + std::to_string(next_hop->size()));
  }
  if (!in.skip(1)) return malformed("has no reserved octet");
  auto nlri = decode_prefixes(in.rest(), address_family(*family));
  if (!nlri)
    return update_error(subcode::invalid_network_field, Reaction::session_reset, "MP_REACH_NLRI has a bad prefix");
  reach.nlri = std::move(*nlri);
  out.mp_reach = std::move(reach);
  return std::nullopt;
}

std::optional<DecodeError> decode_mp_unreach(const RawAttribute& raw, PathAttributes& out) {
  if (raw.value.size() < 3)  // AFI, SAFI
    return update_error(subcode::optional_attribute_error, Reaction::session_reset,
                        "MP_UNREACH_NLRI shorter than its fixed fields", copy(raw.whole));
  net::ByteReader in(raw.value);
  const std::uint16_t afi = *in.u16();
  const std::uint8_t safi = *in.u8();
  auto family = modelled_family(afi, safi);
  if (!family) {
    out.unknown.push_back({static_cast<std::uint8_t>(raw.flags & ~flag::extended_length), raw.type, copy(raw.value)});
    return std::nullopt;
  }
  auto withdrawn = decode_prefixes(in.rest(), address_family(*family));
  if (!withdrawn)
    return update_error(subcode::invalid_network_field, Reaction::session_reset, "MP_UNREACH_NLRI has a bad prefix");
  out.mp_unreach = MpUnreachNlri{*family, std::move(*withdrawn)};
  return std::nullopt;
}

// Decodes one attribute into `out`; returns what is wrong with it, if anything.
std::optional<DecodeError> decode_attribute(const RawAttribute& raw, const DecodeContext& ctx, PathAttributes& out) {
  const auto category = expected_category(raw.type);
  const std::string name = "attribute " + std::to_string(raw.type);
  if (!category) {
    if (!(raw.flags & flag::optional))  // RFC 4271 §6.3: a well-known attribute we do not know
      return update_error(subcode::unrecognized_wellknown_attribute, Reaction::session_reset,
                          "unrecognised well-known " + name, copy(raw.whole));
    // The extended-length bit is framing, set again on encode as the length needs it.
    out.unknown.push_back({static_cast<std::uint8_t>(raw.flags & ~flag::extended_length), raw.type, copy(raw.value)});
    return std::nullopt;
  }

  const Reaction soft = discard_when_malformed(raw.type) ? Reaction::attribute_discard : Reaction::treat_as_withdraw;
  auto length_error = [&] {
    return update_error(subcode::attribute_length_error, soft,
                        name + " has bad length " + std::to_string(raw.value.size()), copy(raw.whole));
  };
  std::optional<DecodeError> flags_error;
  if ((raw.flags & kCategoryBits) != *category) {
    // RFC 7606 §3 c. The value is still decoded below so that MP_REACH NLRI can be withdrawn.
    flags_error = update_error(subcode::attribute_flags_error, soft, name + " has wrong flags", copy(raw.whole));
    if (soft == Reaction::attribute_discard) return flags_error;
  }

  net::ByteReader in(raw.value);
  const std::size_t length = raw.value.size();
  switch (raw.type) {
    case attr::origin: {
      if (length != 1) return length_error();
      const std::uint8_t origin = *in.u8();
      if (origin > static_cast<std::uint8_t>(Origin::incomplete))
        return update_error(subcode::invalid_origin_attribute, soft, "ORIGIN value " + std::to_string(origin),
                            copy(raw.whole));
      out.origin = static_cast<Origin>(origin);
      break;
    }
    case attr::as_path: {
      auto segments = decode_as_path(raw.value, ctx.four_octet_as);
      if (!segments) return update_error(subcode::malformed_as_path, soft, "malformed AS_PATH");
      out.as_path = std::move(*segments);
      break;
    }
    case attr::next_hop:
      if (length != 4) return length_error();
      out.next_hop = address_from(raw.value);
      break;
    case attr::med:
      if (length != 4) return length_error();
      out.med = *in.u32();
      break;
    case attr::local_pref:
      if (length != 4) return length_error();
      out.local_pref = *in.u32();
      break;
    case attr::communities:  // RFC 7606 §7.8: a non-zero multiple of 4
      if (length == 0 || length % 4 != 0) return length_error();
      while (!in.empty()) out.communities.push_back(*in.u32());
      break;
    case attr::large_communities:  // RFC 8092 §5: a non-zero multiple of 12
      if (length == 0 || length % 12 != 0) return length_error();
      while (!in.empty()) {
        net::LargeCommunity community;
        community.global_admin = *in.u32();
        community.local1 = *in.u32();
        community.local2 = *in.u32();
        out.large_communities.push_back(community);
      }
      break;
    case attr::mp_reach_nlri:
      if (auto error = decode_mp_reach(raw, out)) return error;
      break;
    case attr::mp_unreach_nlri:
      if (auto error = decode_mp_unreach(raw, out)) return error;
      break;
    default: {  // recognised but kept verbatim: check only what decides between keep and discard
      bool well_formed = true;
      if (raw.type == attr::atomic_aggregate) well_formed = length == 0;
      if (raw.type == attr::aggregator) well_formed = length == (ctx.four_octet_as ? 8u : 6u);
      if (raw.type == attr::as4_aggregator) well_formed = length == 8;
      if (raw.type == attr::as4_path) well_formed = decode_as_path(raw.value, true).has_value();
      if (!well_formed) return length_error();
      out.unknown.push_back({static_cast<std::uint8_t>(raw.flags & ~flag::extended_length), raw.type, copy(raw.value)});
      break;
    }
  }
  return flags_error;
}

DecodeError malformed_attribute_list(std::string description) {
  return update_error(subcode::malformed_attribute_list, Reaction::session_reset, std::move(description));
}

}  // namespace

net::Expected<DecodedAttributes, DecodeError> decode_path_attributes(std::span<const std::uint8_t> section,
                                                                     const DecodeContext& ctx) {
  DecodedAttributes result;
  std::bitset<256> seen;
  net::ByteReader in(section);
  while (!in.empty()) {
    const std::size_t start = in.position();
    auto flags = in.u8();
    auto type = in.u8();
    std::optional<std::uint16_t> length;
    if (type && (*flags & flag::extended_length)) {
      length = in.u16();
    } else if (type) {
      if (auto short_length = in.u8()) length = *short_length;
    }
    // Overruns are session resets rather than RFC 7606 §4 treat-as-withdraw: the unparsed
    // rest might hide an MP_REACH_NLRI whose NLRI we could then not withdraw (§3, last paragraph).
    if (!length) return net::Unexpected{malformed_attribute_list("truncated path attribute header")};
    auto value = in.bytes(*length);
    if (!value)
      return net::Unexpected{malformed_attribute_list("attribute " + std::to_string(*type) +
                                                      " overruns the path attributes")};
    if (seen.test(*type)) {
      if (*type == attr::mp_reach_nlri || *type == attr::mp_unreach_nlri)  // RFC 7606 §3 g
        return net::Unexpected{malformed_attribute_list("attribute " + std::to_string(*type) + " appears twice")};
      // Every other repeat is discarded, the first one stands.
      result.discarded.push_back({*type, "attribute " + std::to_string(*type) + " repeated"});
      continue;
    }
    seen.set(*type);
    const RawAttribute raw{*flags, *type, *value, section.subspan(start, in.position() - start)};
    auto problem = decode_attribute(raw, ctx, result.attributes);
    if (!problem) continue;
    if (problem->reaction == Reaction::attribute_discard) {
      result.discarded.push_back({*type, std::move(problem->description)});
      continue;
    }
    if (problem->reaction == Reaction::session_reset) return net::Unexpected{std::move(*problem)};
    if (!result.withdraw_error) result.withdraw_error = std::move(problem);
  }
  // Type-code order, the order we send them in (RFC 4271 §5), so that a decoded value
  // encodes and decodes back to itself. Types are unique by now.
  auto& unknown = result.attributes.unknown;
  std::sort(unknown.begin(), unknown.end(), [](const auto& a, const auto& b) { return a.type < b.type; });
  return result;
}

namespace {

void write_attribute(std::uint8_t flags, std::uint8_t type, std::span<const std::uint8_t> value,
                     net::ByteWriter& out) {
  const bool extended = value.size() > 255;
  out.u8(static_cast<std::uint8_t>(extended ? flags | flag::extended_length : flags & ~flag::extended_length));
  out.u8(type);
  if (extended) {
    out.u16(static_cast<std::uint16_t>(value.size()));
  } else {
    out.u8(static_cast<std::uint8_t>(value.size()));
  }
  out.bytes(value);
}

void write_as_path(const std::vector<AsPathSegment>& segments, bool four_octet_as, net::ByteWriter& out) {
  for (const auto& segment : segments) {
    // A segment longer than its one-octet count is split into several of the same type.
    for (std::size_t first = 0; first < segment.asns.size(); first += kMaxSegmentAsns) {
      const std::size_t count = std::min(kMaxSegmentAsns, segment.asns.size() - first);
      out.u8(static_cast<std::uint8_t>(segment.type));
      out.u8(static_cast<std::uint8_t>(count));
      for (std::size_t i = first; i < first + count; ++i) {
        const std::uint32_t asn = segment.asns[i];
        if (four_octet_as) {
          out.u32(asn);
        } else {  // RFC 6793 §4.2.2: an ASN that does not fit is AS_TRANS
          out.u16(asn > 0xffff ? kAsTrans : static_cast<std::uint16_t>(asn));
        }
      }
    }
  }
}

// RFC 6793 §4.2.2: toward a peer without the 4-octet AS capability, an AS_PATH holding an ASN
// above 65535 goes out with AS_TRANS in its place, and AS4_PATH carries the real path so that the
// next 4-octet speaker can put it back together. Confederation segments stay out of AS4_PATH.
std::vector<AsPathSegment> as4_path_for_two_octet_peer(const PathAttributes& a, const EncodeContext& ctx) {
  std::vector<AsPathSegment> out;
  if (ctx.four_octet_as || !a.as_path) return out;
  bool wide = false;
  for (const auto& segment : *a.as_path)
    for (auto asn : segment.asns) wide = wide || asn > 0xffff;
  if (!wide) return out;
  for (const auto& segment : *a.as_path)
    if (segment.type == AsPathSegment::Type::as_sequence || segment.type == AsPathSegment::Type::as_set)
      out.push_back(segment);
  return out;
}

void write_address(const net::Address& address, net::ByteWriter& out) {
  out.bytes(std::span(address.bytes()).first(address.is_v4() ? 4 : 16));
}

// Writes the value of the modelled attribute `type`, if present; false if absent.
bool write_value(std::uint8_t type, const PathAttributes& a, const EncodeContext& ctx, net::ByteWriter& v) {
  switch (type) {
    case attr::origin:
      if (!a.origin) return false;
      v.u8(static_cast<std::uint8_t>(*a.origin));
      return true;
    case attr::as_path:
      if (!a.as_path) return false;
      write_as_path(*a.as_path, ctx.four_octet_as, v);
      return true;
    case attr::as4_path: {
      const auto segments = as4_path_for_two_octet_peer(a, ctx);
      if (segments.empty()) return false;
      write_as_path(segments, true, v);
      return true;
    }
    case attr::next_hop:
      if (!a.next_hop) return false;
      write_address(*a.next_hop, v);
      return true;
    case attr::med:
      if (!a.med) return false;
      v.u32(*a.med);
      return true;
    case attr::local_pref:
      if (!a.local_pref) return false;
      v.u32(*a.local_pref);
      return true;
    case attr::communities:
      if (a.communities.empty()) return false;
      for (auto community : a.communities) v.u32(community);
      return true;
    case attr::large_communities:
      if (a.large_communities.empty()) return false;
      for (const auto& community : a.large_communities) {
        v.u32(community.global_admin);
        v.u32(community.local1);
        v.u32(community.local2);
      }
      return true;
    case attr::mp_reach_nlri: {
      if (!a.mp_reach) return false;
      const auto& reach = *a.mp_reach;
      v.u16(static_cast<std::uint16_t>(reach.family.afi));
      v.u8(static_cast<std::uint8_t>(reach.family.safi));
      std::size_t next_hop_length = 0;
      for (const auto& hop : reach.next_hops) next_hop_length += hop.is_v4() ? 4 : 16;
      v.u8(static_cast<std::uint8_t>(next_hop_length));
      for (const auto& hop : reach.next_hops) write_address(hop, v);
      v.u8(0);  // reserved
      encode_prefixes(reach.nlri, v);
      return true;
    }
    case attr::mp_unreach_nlri:
      if (!a.mp_unreach) return false;
      v.u16(static_cast<std::uint16_t>(a.mp_unreach->family.afi));
      v.u8(static_cast<std::uint8_t>(a.mp_unreach->family.safi));
      encode_prefixes(a.mp_unreach->withdrawn, v);
      return true;
    default:
      return false;
  }
}

}  // namespace

void encode_path_attributes(const PathAttributes& attributes, const EncodeContext& ctx, net::ByteWriter& out) {
  std::vector<std::uint8_t> value;
  for (unsigned type = 0; type <= 255; ++type) {
    const auto code = static_cast<std::uint8_t>(type);
    value.clear();
    net::ByteWriter v(value);
    const bool written = write_value(code, attributes, ctx, v);
    if (written) write_attribute(*expected_category(code), code, value, out);
    // A received AS4_PATH gives way to the one made from our AS_PATH: never two of one type.
    const bool replaced = written && code == attr::as4_path;
    for (const auto& unknown : attributes.unknown)
      if (unknown.type == code && !replaced) write_attribute(unknown.flags, unknown.type, unknown.value, out);
  }
}

std::size_t encoded_size(const PathAttributes& attributes, const EncodeContext& ctx) {
  // Encoding is the only way to be sure the two never disagree; attributes are small.
  std::vector<std::uint8_t> scratch;
  net::ByteWriter out(scratch);
  encode_path_attributes(attributes, ctx, out);
  return scratch.size();
}

}  // namespace bgp::wire
