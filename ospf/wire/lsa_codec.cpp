// LSA header and bodies (RFC 2328 §A.4). Every read is bounds-checked by net::ByteReader.
#include "ospf/wire/lsa_codec.hpp"

#include <optional>
#include <string>
#include <type_traits>

#include "ospf/wire/checksum.hpp"

namespace ospf::wire {

namespace {

constexpr std::uint8_t kFlagV = 0x04, kFlagE = 0x02, kFlagB = 0x01;
constexpr std::uint8_t kExternalE = 0x80;
constexpr std::size_t kRouterLinkSize = 12, kTosSize = 4, kExternalEntrySize = 12;

net::Unexpected<DecodeError> bad_lsa(const std::string& why) { return decode_failure(DecodeError::Kind::bad_lsa, why); }

void write_u24(net::ByteWriter& out, std::uint32_t v) {
  out.u8(static_cast<std::uint8_t>(v >> 16));
  out.u16(static_cast<std::uint16_t>(v));
}

// ---- router-LSA (§A.4.2) ----

net::Expected<LsaBody, DecodeError> decode_router(net::ByteReader& in) {
  RouterLsa lsa;
  auto flags = in.u8();
  auto zero = in.u8();
  auto count = in.u16();
  if (!flags || !zero || !count) return bad_lsa("router-LSA shorter than its fixed part");
  lsa.virtual_link_endpoint = *flags & kFlagV;
  lsa.as_boundary_router = *flags & kFlagE;
  lsa.area_border_router = *flags & kFlagB;
  lsa.other_flags = *flags & ~(kFlagV | kFlagE | kFlagB);
  lsa.reserved = *zero;
  // Each link is at least 12 bytes: don't let a forged count reserve memory we'll never fill.
  if (*count > in.remaining() / kRouterLinkSize) return bad_lsa("router-LSA link count exceeds its length");
  lsa.links.reserve(*count);
  for (unsigned i = 0; i < *count; ++i) {
    RouterLink link;
    auto id = in.u32();
    auto data = in.u32();
    auto type = in.u8();
    auto tos_count = in.u8();
    auto metric = in.u16();
    if (!id || !data || !type || !tos_count || !metric)
      return bad_lsa("router-LSA link " + std::to_string(i) + " truncated");
    if (*type < 1 || *type > 4)
      return bad_lsa("router-LSA link " + std::to_string(i) + " has type " + std::to_string(*type));
    link.id = *id;
    link.data = *data;
    link.type = static_cast<RouterLinkType>(*type);
    link.metric = *metric;
    for (unsigned t = 0; t < *tos_count; ++t) {
      auto tos = in.u8();
      auto pad = in.u8();
      auto tos_metric = in.u16();
      if (!tos || !pad || !tos_metric) return bad_lsa("router-LSA link " + std::to_string(i) + " TOS truncated");
      link.tos.push_back({*tos, *tos_metric, *pad});
    }
    lsa.links.push_back(std::move(link));
  }
  if (!in.empty()) return bad_lsa("router-LSA has " + std::to_string(in.remaining()) + " bytes after its links");
  return LsaBody{std::move(lsa)};
}

void encode_router(const RouterLsa& lsa, net::ByteWriter& out) {
  out.u8(static_cast<std::uint8_t>((lsa.virtual_link_endpoint ? kFlagV : 0) | (lsa.as_boundary_router ? kFlagE : 0) |
                                   (lsa.area_border_router ? kFlagB : 0) | lsa.other_flags));
  out.u8(lsa.reserved);
  out.u16(static_cast<std::uint16_t>(lsa.links.size()));
  for (const auto& link : lsa.links) {
    out.u32(link.id);
    out.u32(link.data);
    out.u8(static_cast<std::uint8_t>(link.type));
    out.u8(static_cast<std::uint8_t>(link.tos.size()));
    out.u16(link.metric);
    for (const auto& tos : link.tos) {
      out.u8(tos.tos);
      out.u8(tos.reserved);
      out.u16(tos.metric);
    }
  }
}

// ---- network-LSA (§A.4.3) ----

net::Expected<LsaBody, DecodeError> decode_network(net::ByteReader& in) {
  NetworkLsa lsa;
  auto mask = in.u32();
  if (!mask) return bad_lsa("network-LSA shorter than its mask");
  if (in.remaining() % 4 != 0) return bad_lsa("network-LSA router list is not a whole number of IDs");
  lsa.network_mask = *mask;
  while (!in.empty()) lsa.attached_routers.push_back(*in.u32());
  return LsaBody{std::move(lsa)};
}

void encode_network(const NetworkLsa& lsa, net::ByteWriter& out) {
  out.u32(lsa.network_mask);
  for (auto router : lsa.attached_routers) out.u32(router);
}

// ---- AS-external-LSA (§A.4.5) ----

net::Expected<LsaBody, DecodeError> decode_external(net::ByteReader& in) {
  AsExternalLsa lsa;
  auto mask = in.u32();
  if (!mask) return bad_lsa("AS-external-LSA shorter than its mask");
  if (in.remaining() == 0 || in.remaining() % kExternalEntrySize != 0)
    return bad_lsa("AS-external-LSA metric entries are not a whole number of 12-byte entries");
  lsa.network_mask = *mask;
  bool first = true;
  while (!in.empty()) {  // whole entries remain: the reads below cannot fail
    const std::uint32_t word = *in.u32();
    ExternalTos entry;
    entry.external_type2 = (word >> 24) & kExternalE;
    entry.tos = (word >> 24) & 0x7f;
    entry.metric = word & 0xffffff;
    entry.forwarding_address = *in.u32();
    entry.route_tag = *in.u32();
    if (first) {
      if (entry.tos != 0) return bad_lsa("AS-external-LSA does not start with its TOS 0 metric");
      lsa.external_type2 = entry.external_type2;
      lsa.metric = entry.metric;
      lsa.forwarding_address = entry.forwarding_address;
      lsa.route_tag = entry.route_tag;
      first = false;
    } else {
      lsa.tos.push_back(entry);
    }
  }
  return LsaBody{std::move(lsa)};
}

void encode_external_entry(bool e, std::uint8_t tos, std::uint32_t metric, std::uint32_t forwarding,
                           std::uint32_t tag, net::ByteWriter& out) {
  out.u8(static_cast<std::uint8_t>((e ? kExternalE : 0) | (tos & 0x7f)));
  write_u24(out, metric);
  out.u32(forwarding);
  out.u32(tag);
}

void encode_external(const AsExternalLsa& lsa, net::ByteWriter& out) {
  out.u32(lsa.network_mask);
  encode_external_entry(lsa.external_type2, 0, lsa.metric, lsa.forwarding_address, lsa.route_tag, out);
  for (const auto& t : lsa.tos)
    encode_external_entry(t.external_type2, t.tos, t.metric, t.forwarding_address, t.route_tag, out);
}

std::size_t body_size(const LsaBody& body) {
  struct {
    std::size_t operator()(const RouterLsa& r) const {
      std::size_t size = 4;
      for (const auto& link : r.links) size += kRouterLinkSize + kTosSize * link.tos.size();
      return size;
    }
    std::size_t operator()(const NetworkLsa& n) const { return 4 + 4 * n.attached_routers.size(); }
    std::size_t operator()(const AsExternalLsa& e) const { return 4 + kExternalEntrySize * (1 + e.tos.size()); }
    std::size_t operator()(const OpaqueLsaBody& o) const { return o.bytes.size(); }
  } size_of;
  return std::visit(size_of, body);
}

}  // namespace

std::optional<LsaHeader> read_lsa_header(net::ByteReader& in) {
  if (in.remaining() < kLsaHeaderSize) return std::nullopt;
  LsaHeader h;
  h.age = *in.u16();
  h.options = *in.u8();
  h.type = *in.u8();
  h.ls_id = *in.u32();
  h.advertising_router = *in.u32();
  h.sequence_number = static_cast<std::int32_t>(*in.u32());
  h.checksum = *in.u16();
  h.length = *in.u16();
  return h;
}

void write_lsa_header(const LsaHeader& h, net::ByteWriter& out) {
  out.u16(h.age);
  out.u8(h.options);
  out.u8(h.type);
  out.u32(h.ls_id);
  out.u32(h.advertising_router);
  out.u32(static_cast<std::uint32_t>(h.sequence_number));
  out.u16(h.checksum);
  out.u16(h.length);
}

net::Expected<Lsa, DecodeError> decode_lsa(std::span<const std::uint8_t> bytes) {
  net::ByteReader in(bytes);
  auto header = read_lsa_header(in);
  if (!header) return decode_failure(DecodeError::Kind::truncated, "LSA shorter than its 20-byte header");
  if (header->length < kLsaHeaderSize)
    return bad_lsa("LSA length " + std::to_string(header->length) + " is shorter than its header");
  if (header->length > bytes.size())
    return decode_failure(DecodeError::Kind::truncated, "LSA length " + std::to_string(header->length) + " but only " +
                                                            std::to_string(bytes.size()) + " bytes");
  const auto whole = bytes.first(header->length);
  if (!lsa_checksum_ok(whole))
    return decode_failure(DecodeError::Kind::bad_lsa_checksum, "LSA checksum does not verify");

  net::ByteReader body(whole.subspan(kLsaHeaderSize));
  net::Expected<LsaBody, DecodeError> decoded = LsaBody{OpaqueLsaBody{}};
  switch (header->type) {
    case lsa_type::router: decoded = decode_router(body); break;
    case lsa_type::network: decoded = decode_network(body); break;
    case lsa_type::as_external: decoded = decode_external(body); break;
    default: {
      auto rest = body.rest();
      decoded = LsaBody{OpaqueLsaBody{{rest.begin(), rest.end()}}};
    }
  }
  if (!decoded) return net::Unexpected{decoded.error()};
  return Lsa{*header, std::move(*decoded)};
}

std::size_t encoded_size(const Lsa& lsa) { return kLsaHeaderSize + body_size(lsa.body); }

void encode_lsa(const Lsa& lsa, net::ByteWriter& out) {
  LsaHeader header = lsa.header;
  header.length = static_cast<std::uint16_t>(encoded_size(lsa));
  write_lsa_header(header, out);
  std::visit(
      [&out](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, RouterLsa>) {
          encode_router(body, out);
        } else if constexpr (std::is_same_v<T, NetworkLsa>) {
          encode_network(body, out);
        } else if constexpr (std::is_same_v<T, AsExternalLsa>) {
          encode_external(body, out);
        } else {
          out.bytes(body.bytes);
        }
      },
      lsa.body);
}

std::vector<std::uint8_t> encode_lsa(const Lsa& lsa) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(encoded_size(lsa));
  net::ByteWriter out(bytes);
  encode_lsa(lsa, out);
  return bytes;
}

void finalize_lsa(Lsa& lsa) {
  auto bytes = encode_lsa(lsa);
  set_lsa_checksum(bytes);
  lsa.header.length = static_cast<std::uint16_t>(bytes.size());
  lsa.header.checksum = static_cast<std::uint16_t>((bytes[kLsaChecksumOffset] << 8) | bytes[kLsaChecksumOffset + 1]);
}

}  // namespace ospf::wire
