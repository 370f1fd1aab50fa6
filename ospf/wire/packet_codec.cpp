// The OSPF packet header, checksum and authentication (RFC 2328 §A.3.1, D.4), and the five
// packet bodies (§A.3.2-A.3.6). LSAs themselves are in lsa_codec.cpp.
#include "ospf/wire/packet_codec.hpp"

#include <algorithm>
#include <string>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"
#include "ospf/wire/checksum.hpp"
#include "ospf/wire/lsa_codec.hpp"

namespace ospf::wire {

namespace {

using Kind = DecodeError::Kind;

// Offsets in the 24-byte header.
constexpr std::size_t kLengthOffset = 2, kChecksumOffset = 12, kAuthOffset = 16, kAuthSize = 8;
// In the authentication field for cryptographic auth (D.3): 0x0000, key ID, length, sequence.
constexpr std::size_t kKeyIdOffset = 18, kAuthDataLengthOffset = 19, kCryptoSequenceOffset = 20;

constexpr std::uint8_t kFlagInit = 0x04, kFlagMore = 0x02, kFlagMaster = 0x01;
constexpr std::size_t kHelloFixed = 20, kDdFixed = 8, kRequestSize = 12;

std::string count_text(std::size_t n) { return std::to_string(n); }

// The packet's IP checksum with the authentication field taken as zero (D.4.1, D.4.2).
std::uint16_t packet_checksum(std::span<const std::uint8_t> packet) {
  std::vector<std::uint8_t> copy(packet.begin(), packet.end());
  std::fill_n(copy.begin() + kAuthOffset, kAuthSize, 0);
  return ip_checksum(copy);
}

// ---- bodies --------------------------------------------------------------------------------

net::Expected<PacketBody, DecodeError> decode_hello(net::ByteReader& in) {
  if (in.remaining() < kHelloFixed) return decode_failure(Kind::truncated, "Hello shorter than 20 bytes");
  Hello h;
  h.network_mask = *in.u32();
  h.hello_interval = *in.u16();
  h.options = *in.u8();
  h.priority = *in.u8();
  h.dead_interval = *in.u32();
  h.designated_router = *in.u32();
  h.backup_designated_router = *in.u32();
  if (in.remaining() % 4 != 0) return decode_failure(Kind::bad_length, "Hello neighbor list is not whole IDs");
  h.neighbors.reserve(in.remaining() / 4);
  while (!in.empty()) h.neighbors.push_back(*in.u32());
  return PacketBody{std::move(h)};
}

// A list of 20-byte LSA headers filling the rest of the packet (DD, LS Ack).
std::optional<std::vector<LsaHeader>> decode_lsa_headers(net::ByteReader& in) {
  if (in.remaining() % kLsaHeaderSize != 0) return std::nullopt;
  std::vector<LsaHeader> headers;
  headers.reserve(in.remaining() / kLsaHeaderSize);
  while (!in.empty()) headers.push_back(*read_lsa_header(in));
  return headers;
}

net::Expected<PacketBody, DecodeError> decode_dd(net::ByteReader& in) {
  if (in.remaining() < kDdFixed) return decode_failure(Kind::truncated, "Database Description shorter than 8 bytes");
  DatabaseDescription dd;
  dd.interface_mtu = *in.u16();
  dd.options = *in.u8();
  const std::uint8_t flags = *in.u8();
  dd.init = flags & kFlagInit;
  dd.more = flags & kFlagMore;
  dd.master = flags & kFlagMaster;
  dd.sequence_number = *in.u32();
  auto headers = decode_lsa_headers(in);
  if (!headers) return decode_failure(Kind::bad_length, "Database Description LSA headers are not whole headers");
  dd.lsa_headers = std::move(*headers);
  return PacketBody{std::move(dd)};
}

net::Expected<PacketBody, DecodeError> decode_request(net::ByteReader& in) {
  if (in.remaining() % kRequestSize != 0)
    return decode_failure(Kind::bad_length, "Link State Request is not whole 12-byte entries");
  LinkStateRequest lsr;
  lsr.requests.reserve(in.remaining() / kRequestSize);
  while (!in.empty()) lsr.requests.push_back({*in.u32(), *in.u32(), *in.u32()});
  return PacketBody{std::move(lsr)};
}

net::Expected<PacketBody, DecodeError> decode_update(net::ByteReader& in) {
  auto count = in.u32();
  if (!count) return decode_failure(Kind::truncated, "Link State Update shorter than its LSA count");
  if (*count > in.remaining() / kLsaHeaderSize)
    return decode_failure(Kind::bad_length, "Link State Update claims " + count_text(*count) + " LSAs in " +
                                                count_text(in.remaining()) + " bytes");
  LinkStateUpdate lsu;
  lsu.lsas.reserve(*count);
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto lsa = decode_lsa(in.rest());
    if (!lsa) {
      // An LSA running past the packet is as malformed as any other bad LSA.
      const Kind kind = lsa.error().kind == Kind::bad_lsa_checksum ? Kind::bad_lsa_checksum : Kind::bad_lsa;
      return decode_failure(kind, "LSA " + count_text(i) + " of " + count_text(*count) + ": " + lsa.error().description);
    }
    in.skip(lsa->header.length);
    lsu.lsas.push_back(std::move(*lsa));
  }
  if (!in.empty())
    return decode_failure(Kind::bad_length,
                          "Link State Update has " + count_text(in.remaining()) + " bytes after its LSAs");
  return PacketBody{std::move(lsu)};
}

net::Expected<PacketBody, DecodeError> decode_ack(net::ByteReader& in) {
  auto headers = decode_lsa_headers(in);
  if (!headers) return decode_failure(Kind::bad_length, "Link State Ack LSA headers are not whole headers");
  return PacketBody{LinkStateAck{std::move(*headers)}};
}

struct BodyEncoder {
  net::ByteWriter& out;
  void operator()(const Hello& h) const {
    out.u32(h.network_mask);
    out.u16(h.hello_interval);
    out.u8(h.options);
    out.u8(h.priority);
    out.u32(h.dead_interval);
    out.u32(h.designated_router);
    out.u32(h.backup_designated_router);
    for (auto neighbor : h.neighbors) out.u32(neighbor);
  }
  void operator()(const DatabaseDescription& dd) const {
    out.u16(dd.interface_mtu);
    out.u8(dd.options);
    out.u8(static_cast<std::uint8_t>((dd.init ? kFlagInit : 0) | (dd.more ? kFlagMore : 0) |
                                     (dd.master ? kFlagMaster : 0)));
    out.u32(dd.sequence_number);
    for (const auto& header : dd.lsa_headers) write_lsa_header(header, out);
  }
  void operator()(const LinkStateRequest& lsr) const {
    for (const auto& r : lsr.requests) {
      out.u32(r.type);
      out.u32(r.ls_id);
      out.u32(r.advertising_router);
    }
  }
  void operator()(const LinkStateUpdate& lsu) const {
    out.u32(static_cast<std::uint32_t>(lsu.lsas.size()));
    for (const auto& lsa : lsu.lsas) encode_lsa(lsa, out);
  }
  void operator()(const LinkStateAck& ack) const {
    for (const auto& header : ack.lsa_headers) write_lsa_header(header, out);
  }
};

}  // namespace

net::Expected<Packet, DecodeError> decode_packet(std::span<const std::uint8_t> ip_payload, const AuthConfig& auth) {
  net::ByteReader in(ip_payload);
  if (ip_payload.size() < kPacketHeaderSize)
    return decode_failure(Kind::truncated, "packet of " + count_text(ip_payload.size()) + " bytes has no whole header");
  const std::uint8_t version = *in.u8();
  const std::uint8_t type = *in.u8();
  const std::uint16_t length = *in.u16();
  Packet packet;
  packet.router_id = *in.u32();
  packet.area_id = *in.u32();
  in.skip(2);  // checksum, verified below over the raw bytes
  const std::uint16_t au_type_field = *in.u16();

  if (version != kVersion) return decode_failure(Kind::bad_version, "version " + count_text(version));
  if (length < kPacketHeaderSize) return decode_failure(Kind::bad_length, "length " + count_text(length));
  if (length > ip_payload.size())
    return decode_failure(Kind::truncated, "length " + count_text(length) + " but " +
                                               count_text(ip_payload.size()) + " bytes received");
  if (type < 1 || type > 5) return decode_failure(Kind::bad_type, "packet type " + count_text(type));
  const auto bytes = ip_payload.first(length);

  const AuType expected = au_type(auth.type);
  if (au_type_field != static_cast<std::uint16_t>(expected))
    return decode_failure(Kind::bad_auth_type, "AuType " + count_text(au_type_field) + ", expected " +
                                                   count_text(static_cast<std::uint16_t>(expected)));

  const auto auth_field = bytes.subspan(kAuthOffset, kAuthSize);
  switch (auth.type) {
    case AuthConfig::Type::none:
    case AuthConfig::Type::simple:
      if (packet_checksum(bytes) != 0) return decode_failure(Kind::bad_checksum, "packet checksum does not verify");
      if (auth.type == AuthConfig::Type::simple && !digests_equal(auth_field, simple_password_field(auth.key)))
        return decode_failure(Kind::bad_auth, "wrong password");
      break;
    case AuthConfig::Type::md5:
    case AuthConfig::Type::hmac_sha256: {
      // D.4.3: no checksum; key ID and digest length first, then the digest itself.
      const std::size_t size = digest_size(auth.type);
      if (bytes[kKeyIdOffset] != auth.key_id)
        return decode_failure(Kind::bad_auth, "key ID " + count_text(bytes[kKeyIdOffset]) + ", expected " +
                                                  count_text(auth.key_id));
      if (bytes[kAuthDataLengthOffset] != size)
        return decode_failure(Kind::bad_auth, "authentication data length " +
                                                  count_text(bytes[kAuthDataLengthOffset]) + ", expected " +
                                                  count_text(size));
      if (ip_payload.size() - length < size)
        return decode_failure(Kind::truncated, "digest missing after the packet");
      const auto received = ip_payload.subspan(length, size);
      const bool ok = auth.type == AuthConfig::Type::md5 ? digests_equal(received, md5_digest(bytes, auth.key))
                                                         : digests_equal(received, hmac_sha256_digest(bytes, auth.key));
      if (!ok) return decode_failure(Kind::bad_auth, "digest does not verify");
      net::ByteReader sequence(bytes.subspan(kCryptoSequenceOffset, 4));
      packet.crypto_sequence = *sequence.u32();
      break;
    }
  }

  net::ByteReader body(bytes.subspan(kPacketHeaderSize));
  net::Expected<PacketBody, DecodeError> decoded = PacketBody{};
  switch (static_cast<PacketType>(type)) {
    case PacketType::hello: decoded = decode_hello(body); break;
    case PacketType::database_description: decoded = decode_dd(body); break;
    case PacketType::link_state_request: decoded = decode_request(body); break;
    case PacketType::link_state_update: decoded = decode_update(body); break;
    case PacketType::link_state_ack: decoded = decode_ack(body); break;
  }
  if (!decoded) return net::Unexpected{decoded.error()};
  packet.body = std::move(*decoded);
  return packet;
}

std::vector<std::uint8_t> encode_packet(const Packet& packet, const AuthConfig& auth, std::uint32_t crypto_sequence) {
  std::vector<std::uint8_t> bytes;
  net::ByteWriter out(bytes);
  out.u8(kVersion);
  out.u8(static_cast<std::uint8_t>(packet.type()));
  out.u16(0);  // length, patched below
  out.u32(packet.router_id);
  out.u32(packet.area_id);
  out.u16(0);  // checksum, patched below
  out.u16(static_cast<std::uint16_t>(au_type(auth.type)));
  out.zeros(kAuthSize);
  std::visit(BodyEncoder{out}, packet.body);
  out.patch_u16(kLengthOffset, static_cast<std::uint16_t>(bytes.size()));

  switch (auth.type) {
    case AuthConfig::Type::none:
    case AuthConfig::Type::simple: {
      out.patch_u16(kChecksumOffset, packet_checksum(bytes));
      if (auth.type == AuthConfig::Type::simple) {
        const auto password = simple_password_field(auth.key);
        std::copy(password.begin(), password.end(), bytes.begin() + kAuthOffset);
      }
      break;
    }
    case AuthConfig::Type::md5:
    case AuthConfig::Type::hmac_sha256: {
      out.patch_u8(kKeyIdOffset, auth.key_id);
      out.patch_u8(kAuthDataLengthOffset, static_cast<std::uint8_t>(digest_size(auth.type)));
      out.patch_u16(kCryptoSequenceOffset, static_cast<std::uint16_t>(crypto_sequence >> 16));
      out.patch_u16(kCryptoSequenceOffset + 2, static_cast<std::uint16_t>(crypto_sequence));
      if (auth.type == AuthConfig::Type::md5) {
        const auto digest = md5_digest(bytes, auth.key);
        out.bytes(digest);
      } else {
        const auto digest = hmac_sha256_digest(bytes, auth.key);
        out.bytes(digest);
      }
      break;
    }
  }
  return bytes;
}

}  // namespace ospf::wire
