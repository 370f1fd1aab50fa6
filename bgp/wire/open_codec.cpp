// OPEN (RFC 4271 §4.2) with Capabilities (RFC 5492) and, on receipt, RFC 9072 extended
// optional parameters. Hold time, identifier and peer AS are checked by the FSM, not here.
#include <string>

#include "bgp/wire/message_codecs.hpp"
#include "net/byte_reader.hpp"

namespace bgp::wire {

namespace {

constexpr std::uint8_t kSupportedVersion = 4;
constexpr std::uint8_t kCapabilitiesParameter = 2;
constexpr std::uint8_t kExtendedParametersMarker = 255;  // RFC 9072 §2 non-ext parameter type

namespace capability {
constexpr std::uint8_t multiprotocol = 1, route_refresh = 2, graceful_restart = 64, four_octet_as = 65;
}

// RFC 4724 §3 bit positions.
constexpr std::uint16_t kRestartStateBit = 0x8000, kNotificationBit = 0x4000, kRestartTimeMask = 0x0fff;
constexpr std::uint8_t kForwardingPreservedBit = 0x80;

// Malformed parameter structure: RFC 4271 §6.2 leaves the subcode open, 0 is "unspecific".
net::Unexpected<DecodeError> malformed(std::string why) {
  return failure(ErrorCode::open_message, 0, "malformed OPEN optional parameters: " + why);
}

AfiSafi read_family(net::ByteReader& in, bool reserved_octet) {
  // Values we do not model are kept as cast enums; negotiation ignores them.
  const auto afi = static_cast<Afi>(*in.u16());
  if (reserved_octet) in.skip(1);
  const auto safi = static_cast<Safi>(*in.u8());
  return {afi, safi};
}

// Empty string on success, else why the capability is malformed.
std::string decode_capability(std::uint8_t code, std::span<const std::uint8_t> value, Capabilities& caps) {
  net::ByteReader in(value);
  switch (code) {
    case capability::multiprotocol:  // AFI(2), reserved(1), SAFI(1)
      if (value.size() != 4) return "multiprotocol capability length " + std::to_string(value.size());
      caps.multiprotocol.push_back(read_family(in, true));
      return {};
    case capability::route_refresh:
      if (!value.empty()) return "route refresh capability length " + std::to_string(value.size());
      caps.route_refresh = true;
      return {};
    case capability::graceful_restart: {  // flags+time(2), then AFI(2) SAFI(1) flags(1) per family
      if (value.size() < 2 || (value.size() - 2) % 4 != 0)
        return "graceful restart capability length " + std::to_string(value.size());
      GracefulRestartCapability gr;
      const std::uint16_t flags_and_time = *in.u16();
      gr.restart_state = flags_and_time & kRestartStateBit;
      gr.notification = flags_and_time & kNotificationBit;
      gr.restart_time = flags_and_time & kRestartTimeMask;
      while (!in.empty()) {
        GracefulRestartCapability::Family family;
        family.family = read_family(in, false);
        family.forwarding_preserved = *in.u8() & kForwardingPreservedBit;
        gr.families.push_back(family);
      }
      caps.graceful_restart = std::move(gr);  // RFC 5492 §4: a later instance replaces an earlier one
      return {};
    }
    case capability::four_octet_as:
      if (value.size() != 4) return "4-octet AS capability length " + std::to_string(value.size());
      caps.four_octet_as = *in.u32();
      return {};
    default:
      caps.unknown.push_back({code, {value.begin(), value.end()}});
      return {};
  }
}

std::string decode_capabilities(std::span<const std::uint8_t> parameter, Capabilities& caps) {
  net::ByteReader in(parameter);
  while (!in.empty()) {
    auto code = in.u8();
    auto length = in.u8();
    if (!length) return "truncated capability header";
    auto value = in.bytes(*length);
    if (!value) return "capability " + std::to_string(*code) + " overruns its parameter";
    if (auto why = decode_capability(*code, *value, caps); !why.empty()) return why;
  }
  return {};
}

}  // namespace

net::Expected<Open, DecodeError> decode_open(std::span<const std::uint8_t> body) {
  net::ByteReader in(body);  // the caller guarantees the 10 fixed octets
  Open open;
  open.version = *in.u8();
  if (open.version != kSupportedVersion)
    return failure(ErrorCode::open_message, subcode::unsupported_version,
                   "unsupported BGP version " + std::to_string(open.version), {0, kSupportedVersion});
  open.my_as = *in.u16();
  open.hold_time = *in.u16();
  open.bgp_identifier = *in.u32();
  const std::uint8_t parameters_length = *in.u8();
  // RFC 9072: a first parameter of type 255 announces a 2-octet total length and 2-octet
  // parameter lengths; the 1-octet length (255 by then) no longer counts.
  const bool extended = parameters_length != 0 && !in.empty() && in.rest()[0] == kExtendedParametersMarker;
  if (extended) {
    in.skip(1);
    auto extended_length = in.u16();
    if (!extended_length || *extended_length != in.remaining()) return malformed("bad extended parameters length");
  } else if (parameters_length != in.remaining()) {
    return malformed("optional parameters length " + std::to_string(parameters_length) + " but " +
                     std::to_string(in.remaining()) + " octets follow");
  }

  while (!in.empty()) {
    auto type = in.u8();
    std::optional<std::uint16_t> length;
    if (extended) {
      length = in.u16();
    } else if (auto short_length = in.u8()) {
      length = *short_length;
    }
    if (!type || !length) return malformed("truncated parameter header");
    auto value = in.bytes(*length);
    if (!value) return malformed("parameter " + std::to_string(*type) + " overruns the message");
    if (*type != kCapabilitiesParameter)
      return failure(ErrorCode::open_message, subcode::unsupported_optional_parameter,
                     "unsupported optional parameter " + std::to_string(*type));
    if (auto why = decode_capabilities(*value, open.capabilities); !why.empty()) return malformed(why);
  }
  return open;
}

namespace {

void write_family(const AfiSafi& family, net::ByteWriter& out, bool reserved_octet) {
  out.u16(static_cast<std::uint16_t>(family.afi));
  if (reserved_octet) out.u8(0);
  out.u8(static_cast<std::uint8_t>(family.safi));
}

void write_capability(std::uint8_t code, std::span<const std::uint8_t> value, net::ByteWriter& out) {
  out.u8(code);
  out.u8(static_cast<std::uint8_t>(value.size()));
  out.bytes(value);
}

std::vector<std::uint8_t> encode_capabilities(const Capabilities& caps) {
  std::vector<std::uint8_t> bytes;
  net::ByteWriter out(bytes);
  for (const auto& family : caps.multiprotocol) {
    std::vector<std::uint8_t> value;
    net::ByteWriter v(value);
    write_family(family, v, true);
    write_capability(capability::multiprotocol, value, out);
  }
  if (caps.route_refresh) write_capability(capability::route_refresh, {}, out);
  if (caps.graceful_restart) {
    const auto& gr = *caps.graceful_restart;
    std::vector<std::uint8_t> value;
    net::ByteWriter v(value);
    v.u16(static_cast<std::uint16_t>((gr.restart_state ? kRestartStateBit : 0) |
                                     (gr.notification ? kNotificationBit : 0) | (gr.restart_time & kRestartTimeMask)));
    for (const auto& family : gr.families) {
      write_family(family.family, v, false);
      v.u8(family.forwarding_preserved ? kForwardingPreservedBit : 0);
    }
    write_capability(capability::graceful_restart, value, out);
  }
  if (caps.four_octet_as) {
    std::vector<std::uint8_t> value;
    net::ByteWriter(value).u32(*caps.four_octet_as);
    write_capability(capability::four_octet_as, value, out);
  }
  for (const auto& unknown : caps.unknown) write_capability(unknown.code, unknown.value, out);
  return bytes;
}

}  // namespace

void encode_open_body(const Open& open, net::ByteWriter& out) {
  out.u8(open.version);
  out.u16(open.my_as);
  out.u16(open.hold_time);
  out.u32(open.bgp_identifier);
  const auto capabilities = encode_capabilities(open.capabilities);
  if (capabilities.empty()) {
    out.u8(0);
  } else if (capabilities.size() + 2 <= 255) {  // one Capabilities parameter
    out.u8(static_cast<std::uint8_t>(capabilities.size() + 2));
    out.u8(kCapabilitiesParameter);
    out.u8(static_cast<std::uint8_t>(capabilities.size()));
    out.bytes(capabilities);
  } else {  // RFC 9072 extended format, only when the capabilities do not fit otherwise
    out.u8(255);
    out.u8(kExtendedParametersMarker);
    out.u16(static_cast<std::uint16_t>(capabilities.size() + 3));
    out.u8(kCapabilitiesParameter);
    out.u16(static_cast<std::uint16_t>(capabilities.size()));
    out.bytes(capabilities);
  }
}

}  // namespace bgp::wire
