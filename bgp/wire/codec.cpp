// The BGP message header (RFC 4271 §4.1), framing, dispatch to the per-message codecs, and
// the bodies too small for a file of their own: NOTIFICATION, KEEPALIVE, ROUTE-REFRESH.
#include "bgp/wire/codec.hpp"

#include <algorithm>
#include <string>

#include "bgp/wire/message_codecs.hpp"
#include "net/byte_reader.hpp"

namespace bgp::wire {

namespace {

constexpr std::size_t kMarkerSize = 16;
constexpr std::size_t kLengthOffset = 16;
constexpr std::size_t kTypeOffset = 18;

// Smallest legal message of each type (RFC 4271 §4, RFC 2918 §3).
constexpr std::size_t kMinOpen = 29, kMinUpdate = 23, kKeepalive = 19, kMinNotification = 21, kRouteRefresh = 23;
// RFC 7313 §5: ROUTE-REFRESH Message Error subcode 1, Invalid Message Length; the subtype
// octet sits between the AFI and the SAFI.
constexpr std::uint8_t kInvalidRouteRefreshLength = 1;
constexpr std::size_t kRouteRefreshSubtypeOffset = 2;

std::vector<std::uint8_t> length_field(std::span<const std::uint8_t> message) {
  return {message[kLengthOffset], message[kLengthOffset + 1]};
}

net::Unexpected<DecodeError> bad_length(std::span<const std::uint8_t> message, const std::string& why) {
  return failure(ErrorCode::message_header, subcode::bad_message_length, why, length_field(message));
}

net::Expected<Message, DecodeError> decode_notification(std::span<const std::uint8_t> body) {
  net::ByteReader in(body);
  Notification notification;
  notification.code = static_cast<ErrorCode>(*in.u8());  // codes we do not know are kept as numbers
  notification.subcode = *in.u8();
  notification.data.assign(in.rest().begin(), in.rest().end());
  return Message{std::move(notification)};
}

net::Expected<Message, DecodeError> decode_route_refresh(std::span<const std::uint8_t> body) {
  net::ByteReader in(body);
  RouteRefresh refresh;
  // An AFI/SAFI we never advertised is kept as is; RFC 2918 §4 has the speaker ignore it.
  refresh.family.afi = static_cast<Afi>(*in.u16());
  refresh.subtype = *in.u8();
  refresh.family.safi = static_cast<Safi>(*in.u8());
  return Message{refresh};
}

template <typename T>
net::Expected<Message, DecodeError> as_message(net::Expected<T, DecodeError> decoded) {
  if (!decoded) return net::Unexpected{decoded.error()};
  return Message{std::move(*decoded)};
}

MessageType type_of(const Message& message) {
  struct Visitor {
    MessageType operator()(const Open&) const { return MessageType::open; }
    MessageType operator()(const Update&) const { return MessageType::update; }
    MessageType operator()(const Notification&) const { return MessageType::notification; }
    MessageType operator()(const Keepalive&) const { return MessageType::keepalive; }
    MessageType operator()(const RouteRefresh&) const { return MessageType::route_refresh; }
  };
  return std::visit(Visitor{}, message);
}

}  // namespace

net::Expected<std::size_t, DecodeError> frame_length(std::span<const std::uint8_t> buffered) {
  if (buffered.size() < kHeaderSize) return std::size_t{0};
  if (!std::all_of(buffered.begin(), buffered.begin() + kMarkerSize, [](std::uint8_t b) { return b == 0xff; }))
    return failure(ErrorCode::message_header, subcode::connection_not_synchronized, "header marker is not all ones");
  const std::size_t length = (std::size_t{buffered[kLengthOffset]} << 8) | buffered[kLengthOffset + 1];
  if (length < kHeaderSize || length > kMaxMessageSize)
    return bad_length(buffered, "message length " + std::to_string(length));
  return length;
}

net::Expected<Message, DecodeError> decode(std::span<const std::uint8_t> message, const DecodeContext& ctx) {
  auto decoded = decode_with_discards(message, ctx);
  if (!decoded) return net::Unexpected{decoded.error()};
  return std::move(decoded->message);
}

namespace {

net::Expected<Message, DecodeError> decode_checked(std::span<const std::uint8_t> message, const DecodeContext& ctx,
                                                   std::vector<DiscardedAttribute>& discarded) {
  auto framed = frame_length(message);
  if (!framed) return net::Unexpected{framed.error()};
  if (*framed == 0)
    return failure(ErrorCode::message_header, subcode::bad_message_length, "message shorter than its header");
  if (*framed != message.size())
    return bad_length(message, "length field " + std::to_string(*framed) + " but " + std::to_string(message.size()) +
                                   " octets given");

  const std::uint8_t type = message[kTypeOffset];
  const auto body = message.subspan(kHeaderSize);
  auto require = [&](bool ok, const char* name) {
    return ok ? std::optional<net::Unexpected<DecodeError>>{}
              : bad_length(message, std::string(name) + " of length " + std::to_string(message.size()));
  };
  switch (static_cast<MessageType>(type)) {
    case MessageType::open:
      if (auto error = require(message.size() >= kMinOpen, "OPEN")) return *error;
      return as_message(decode_open(body));
    case MessageType::update:
      if (auto error = require(message.size() >= kMinUpdate, "UPDATE")) return *error;
      return as_message(decode_update(body, ctx, discarded));
    case MessageType::notification:
      if (auto error = require(message.size() >= kMinNotification, "NOTIFICATION")) return *error;
      return decode_notification(body);
    case MessageType::keepalive:
      if (auto error = require(message.size() == kKeepalive, "KEEPALIVE")) return *error;
      return Message{Keepalive{}};
    case MessageType::route_refresh:
      // RFC 7313 §5: a BoRR or EoRR (subtype 1 or 2) of the wrong length has an error of its own,
      // carrying the whole message; any other subtype falls back on RFC 4271's Bad Message Length.
      if (message.size() != kRouteRefresh && body.size() > kRouteRefreshSubtypeOffset &&
          (body[kRouteRefreshSubtypeOffset] == 1 || body[kRouteRefreshSubtypeOffset] == 2))
        return failure(ErrorCode::route_refresh, kInvalidRouteRefreshLength,
                       "ROUTE-REFRESH subtype " + std::to_string(body[kRouteRefreshSubtypeOffset]) + " of length " +
                           std::to_string(message.size()),
                       // as much of it as a NOTIFICATION can carry (the message may be 4096 octets)
                       {message.begin(), message.begin() + std::min(message.size(), kMaxMessageSize - kMinNotification)});
      if (auto error = require(message.size() == kRouteRefresh, "ROUTE-REFRESH")) return *error;
      return decode_route_refresh(body);
  }
  return failure(ErrorCode::message_header, subcode::bad_message_type, "message type " + std::to_string(type),
                 {type});
}

}  // namespace

net::Expected<Decoded, DecodeError> decode_with_discards(std::span<const std::uint8_t> message,
                                                         const DecodeContext& ctx) {
  Decoded result;
  auto decoded = decode_checked(message, ctx, result.discarded);
  if (!decoded) return net::Unexpected{decoded.error()};
  result.message = std::move(*decoded);
  return result;
}

void encode(const Message& message, const EncodeContext& ctx, net::ByteWriter& out) {
  const std::size_t start = out.size();
  for (std::size_t i = 0; i < kMarkerSize; ++i) out.u8(0xff);
  out.u16(0);  // patched below
  out.u8(static_cast<std::uint8_t>(type_of(message)));

  if (const auto* open = std::get_if<Open>(&message)) {
    encode_open_body(*open, out);
  } else if (const auto* update = std::get_if<Update>(&message)) {
    encode_update_body(*update, ctx, out);
  } else if (const auto* notification = std::get_if<Notification>(&message)) {
    out.u8(static_cast<std::uint8_t>(notification->code));
    out.u8(notification->subcode);
    out.bytes(notification->data);
  } else if (const auto* refresh = std::get_if<RouteRefresh>(&message)) {
    out.u16(static_cast<std::uint16_t>(refresh->family.afi));
    out.u8(refresh->subtype);
    out.u8(static_cast<std::uint8_t>(refresh->family.safi));
  }  // KEEPALIVE: the header is the message

  // Keeping within 4096 octets is the sender's job (UPDATE packing); the field just records the size.
  out.patch_u16(start + kLengthOffset, static_cast<std::uint16_t>(out.size() - start));
}

std::vector<std::uint8_t> encode(const Message& message, const EncodeContext& ctx) {
  std::vector<std::uint8_t> bytes;
  net::ByteWriter out(bytes);
  encode(message, ctx, out);
  return bytes;
}

std::ostream& operator<<(std::ostream& os, const DecodeError& error) {
  static constexpr const char* kReactions[] = {"session reset", "treat-as-withdraw", "attribute discard"};
  os << describe(error.notification()) << " [" << kReactions[static_cast<int>(error.reaction) % 3] << "]";
  if (!error.description.empty()) os << ": " << error.description;
  if (!error.withdrawn.empty()) {
    os << " (withdraws";
    for (const auto& prefix : error.withdrawn) os << ' ' << prefix;
    os << ')';
  }
  return os;
}

}  // namespace bgp::wire
