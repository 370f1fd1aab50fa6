// Private to bgp_wire: the per-message body codecs that codec.cpp dispatches to. Each decoder
// gets the body (the bytes after the 19-octet header), already length-checked per type.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgp/wire/codec.hpp"
#include "net/byte_writer.hpp"
#include "net/expected.hpp"

namespace bgp::wire {

// A decode failure with what to do about it; most are session resets.
inline net::Unexpected<DecodeError> failure(ErrorCode code, std::uint8_t subcode, std::string description,
                                            std::vector<std::uint8_t> data = {},
                                            Reaction reaction = Reaction::session_reset) {
  DecodeError error;
  error.code = code;
  error.subcode = subcode;
  error.data = std::move(data);
  error.reaction = reaction;
  error.description = std::move(description);
  return net::Unexpected<DecodeError>{std::move(error)};
}

net::Expected<Open, DecodeError> decode_open(std::span<const std::uint8_t> body);
void encode_open_body(const Open& open, net::ByteWriter& out);

// Attributes dropped under RFC 7606 attribute-discard (and repeats) are appended to `discarded`.
net::Expected<Update, DecodeError> decode_update(std::span<const std::uint8_t> body, const DecodeContext& ctx,
                                                 std::vector<DiscardedAttribute>& discarded);
void encode_update_body(const Update& update, const EncodeContext& ctx, net::ByteWriter& out);

// The path attribute section alone (no length field). Session-reset errors come back as the
// error; a treat-as-withdraw error is kept beside the attributes so the caller can still
// collect the UPDATE's NLRI (RFC 7606 §2); attribute-discard attributes are left out and listed.
struct DecodedAttributes {
  PathAttributes attributes;
  std::optional<DecodeError> withdraw_error;  // the first one met
  std::vector<DiscardedAttribute> discarded;
};
net::Expected<DecodedAttributes, DecodeError> decode_path_attributes(std::span<const std::uint8_t> section,
                                                                     const DecodeContext& ctx);

// Writes them in type-code order.
void encode_path_attributes(const PathAttributes& attributes, const EncodeContext& ctx, net::ByteWriter& out);

}  // namespace bgp::wire
