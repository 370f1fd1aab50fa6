// UPDATE (RFC 4271 §4.3): withdrawn routes, path attributes, NLRI; and the RFC 7606 choice
// between resetting the session and treating the UPDATE as a withdrawal.
#include <iterator>
#include <string>

#include "bgp/wire/message_codecs.hpp"
#include "bgp/wire/prefix_codec.hpp"
#include "net/byte_reader.hpp"

namespace bgp::wire {

namespace {

DecodeError missing_attribute(std::uint8_t type, const char* name) {
  return failure(ErrorCode::update_message, subcode::missing_wellknown_attribute,
                 std::string("missing well-known attribute ") + name, {type}, Reaction::treat_as_withdraw)
      .error;
}

// RFC 4271 §5 and RFC 4760 §3: an UPDATE that announces routes needs ORIGIN and AS_PATH, and
// NEXT_HOP when the routes are in the IPv4 NLRI field. LOCAL_PREF is iBGP-only: not checked.
std::optional<DecodeError> missing_mandatory(const Update& update) {
  const bool announces = !update.nlri.empty() || update.attributes.mp_reach.has_value();
  if (!announces) return std::nullopt;
  if (!update.attributes.origin) return missing_attribute(attr::origin, "ORIGIN");
  if (!update.attributes.as_path) return missing_attribute(attr::as_path, "AS_PATH");
  if (!update.nlri.empty() && !update.attributes.next_hop) return missing_attribute(attr::next_hop, "NEXT_HOP");
  return std::nullopt;
}

// Every route the UPDATE touched: its announcements and its own withdrawals alike must end up withdrawn.
std::vector<net::Prefix> all_routes(const Update& update) {
  std::vector<net::Prefix> routes = update.nlri;
  const auto& a = update.attributes;
  if (a.mp_reach) routes.insert(routes.end(), a.mp_reach->nlri.begin(), a.mp_reach->nlri.end());
  routes.insert(routes.end(), update.withdrawn.begin(), update.withdrawn.end());
  if (a.mp_unreach) routes.insert(routes.end(), a.mp_unreach->withdrawn.begin(), a.mp_unreach->withdrawn.end());
  return routes;
}

}  // namespace

net::Expected<Update, DecodeError> decode_update(std::span<const std::uint8_t> body, const DecodeContext& ctx,
                                                 std::vector<DiscardedAttribute>& discarded) {
  auto malformed_list = [](const std::string& why) {
    return failure(ErrorCode::update_message, subcode::malformed_attribute_list, why);
  };
  auto invalid_network = [](const std::string& why) {
    return failure(ErrorCode::update_message, subcode::invalid_network_field, why);
  };

  net::ByteReader in(body);  // the caller guarantees at least the two length fields
  const std::uint16_t withdrawn_length = *in.u16();
  auto withdrawn_field = in.bytes(withdrawn_length);
  if (!withdrawn_field)
    return malformed_list("withdrawn routes length " + std::to_string(withdrawn_length) + " overruns the message");
  auto attributes_length = in.u16();
  if (!attributes_length) return malformed_list("no room for the total path attribute length");
  auto attribute_section = in.bytes(*attributes_length);
  if (!attribute_section)
    return malformed_list("total path attribute length " + std::to_string(*attributes_length) +
                          " overruns the message");

  Update update;
  auto withdrawn = decode_prefixes(*withdrawn_field, net::Family::ipv4);
  if (!withdrawn) return invalid_network("bad prefix in withdrawn routes");
  update.withdrawn = std::move(*withdrawn);

  auto decoded = decode_path_attributes(*attribute_section, ctx);
  if (!decoded) return net::Unexpected{decoded.error()};
  update.attributes = std::move(decoded->attributes);
  discarded.insert(discarded.end(), std::make_move_iterator(decoded->discarded.begin()),
                   std::make_move_iterator(decoded->discarded.end()));

  auto nlri = decode_prefixes(in.rest(), net::Family::ipv4);
  if (!nlri) return invalid_network("bad prefix in NLRI");
  update.nlri = std::move(*nlri);

  auto withdraw_error = std::move(decoded->withdraw_error);
  if (!withdraw_error) withdraw_error = missing_mandatory(update);
  if (withdraw_error) {
    withdraw_error->withdrawn = all_routes(update);
    return net::Unexpected{std::move(*withdraw_error)};
  }
  return update;
}

void encode_update_body(const Update& update, const EncodeContext& ctx, net::ByteWriter& out) {
  const std::size_t withdrawn_length_at = out.size();
  out.u16(0);
  encode_prefixes(update.withdrawn, out);
  out.patch_u16(withdrawn_length_at, static_cast<std::uint16_t>(out.size() - withdrawn_length_at - 2));

  const std::size_t attributes_length_at = out.size();
  out.u16(0);
  encode_path_attributes(update.attributes, ctx, out);
  out.patch_u16(attributes_length_at, static_cast<std::uint16_t>(out.size() - attributes_length_at - 2));

  encode_prefixes(update.nlri, out);
}

}  // namespace bgp::wire
