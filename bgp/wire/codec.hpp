// Bytes <-> BGP messages. Pure: no I/O, no logging. Every decode failure carries what the RFC
// says to do about it.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bgp/wire/message.hpp"
#include "net/byte_writer.hpp"
#include "net/expected.hpp"

namespace bgp::wire {

// What the session negotiated that changes the encoding.
struct DecodeContext {
  bool four_octet_as = true;  // AS_PATH carries 4-octet ASNs (both sides sent capability 65)
};
struct EncodeContext {
  bool four_octet_as = true;
};

// What the receiver must do about a bad message.
enum class Reaction : std::uint8_t {
  session_reset,      // send the NOTIFICATION (code, subcode, data), close (RFC 4271 §6)
  treat_as_withdraw,  // RFC 7606 §2: the UPDATE's NLRI are withdrawn, the session stays
  attribute_discard,  // RFC 7606 §2: drop the bad attribute, keep the rest
};

struct DecodeError {
  ErrorCode code = ErrorCode::message_header;
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;
  Reaction reaction = Reaction::session_reset;
  std::string description;                // for the log line
  std::vector<net::Prefix> withdrawn;     // treat_as_withdraw: every NLRI the UPDATE carried
  Notification notification() const { return {code, subcode, data}; }
  bool operator==(const DecodeError&) const = default;
};

std::ostream& operator<<(std::ostream&, const DecodeError&);

// An attribute left out of an UPDATE that otherwise stands: RFC 7606 attribute-discard, or a
// repeat of an attribute already seen (§3 g, the first one stands). For the log and counters.
struct DiscardedAttribute {
  std::uint8_t type = 0;
  std::string reason;
  bool operator==(const DiscardedAttribute&) const = default;
};

// A decoded message, and what decoding dropped from it on the way.
struct Decoded {
  Message message;
  std::vector<DiscardedAttribute> discarded;  // only ever for an UPDATE
  bool operator==(const Decoded&) const = default;
};

// Framing: with fewer than 19 bytes buffered, 0 (need more). Otherwise the length from the
// header (19..4096), or a Message Header Error (bad marker, bad length). 4096 is the limit
// because we never advertise the Extended Message capability (RFC 8654 §4): a peer must not
// send us more, and a length of 4097 or above is Bad Message Length (1/2) from the header alone,
// before any of the body is buffered.
net::Expected<std::size_t, DecodeError> frame_length(std::span<const std::uint8_t> buffered);

// Decodes one whole message (header included, exactly frame_length bytes).
net::Expected<Message, DecodeError> decode(std::span<const std::uint8_t> message, const DecodeContext& ctx);
// The same, also telling which attributes were discarded: what a receiver logs and counts.
net::Expected<Decoded, DecodeError> decode_with_discards(std::span<const std::uint8_t> message,
                                                         const DecodeContext& ctx);

// Appends one whole message (header included).
void encode(const Message& message, const EncodeContext& ctx, net::ByteWriter& out);
std::vector<std::uint8_t> encode(const Message& message, const EncodeContext& ctx);

// Size in bytes of the path attributes as encoded (for UPDATE packing).
std::size_t encoded_size(const PathAttributes& attributes, const EncodeContext& ctx);
// Size in bytes of one prefix in NLRI encoding: 1 + ceil(length / 8).
inline std::size_t encoded_size(const net::Prefix& p) { return 1 + (p.length() + 7) / 8; }

}  // namespace bgp::wire
