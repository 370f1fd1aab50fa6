// Helpers over message values: End-of-RIB, RFC 9003 shutdown messages, printers, names.
#include "bgp/wire/message.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace bgp::wire {

// ---- End-of-RIB (RFC 4724 §2) ---------------------------------------------------------------

Update end_of_rib(AfiSafi family) {
  Update update;
  if (family != kIpv4Unicast) update.attributes.mp_unreach = MpUnreachNlri{family, {}};
  return update;
}

std::optional<AfiSafi> end_of_rib_family(const Update& update) {
  if (!update.withdrawn.empty() || !update.nlri.empty()) return std::nullopt;
  const PathAttributes& attributes = update.attributes;
  if (attributes == PathAttributes{}) return kIpv4Unicast;
  if (!attributes.mp_unreach || !attributes.mp_unreach->withdrawn.empty()) return std::nullopt;
  PathAttributes only_unreach;
  only_unreach.mp_unreach = attributes.mp_unreach;
  if (attributes != only_unreach) return std::nullopt;
  return attributes.mp_unreach->family;
}

// ---- RFC 9003 ------------------------------------------------------------------------------

namespace {

constexpr std::size_t kMaxShutdownMessage = 255;

bool is_continuation(unsigned char c) { return (c & 0xc0) == 0x80; }

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra;
    std::uint32_t code_point;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xe0) == 0xc0) {
      extra = 1, code_point = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      extra = 2, code_point = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      extra = 3, code_point = lead & 0x07;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if (!is_continuation(c)) return false;
      code_point = (code_point << 6) | (c & 0x3f);
    }
    static constexpr std::uint32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallest[extra] || code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff))
      return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

Notification administrative_shutdown(std::string_view message) {
  std::size_t length = std::min(message.size(), kMaxShutdownMessage);
  // Back off so that the cut does not fall inside a multi-octet character.
  while (length > 0 && length < message.size() && is_continuation(static_cast<unsigned char>(message[length])))
    --length;
  std::vector<std::uint8_t> data(length + 1);
  data[0] = static_cast<std::uint8_t>(length);
  std::copy(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(length), data.begin() + 1);
  return Notification{ErrorCode::cease, subcode::administrative_shutdown, std::move(data)};
}

std::optional<std::string> shutdown_message(const Notification& notification) {
  if (notification.code != ErrorCode::cease) return std::nullopt;
  if (notification.subcode != subcode::administrative_shutdown &&
      notification.subcode != subcode::administrative_reset)
    return std::nullopt;
  const auto& data = notification.data;
  if (data.empty() || data[0] != data.size() - 1) return std::nullopt;
  std::string text(data.begin() + 1, data.end());
  if (!valid_utf8(text)) return std::nullopt;
  return text;
}

Notification max_prefixes_reached(AfiSafi family, std::uint32_t upper_bound) {
  const auto afi = static_cast<std::uint16_t>(family.afi);
  return Notification{ErrorCode::cease,
                      subcode::max_prefixes,
                      {static_cast<std::uint8_t>(afi >> 8), static_cast<std::uint8_t>(afi),
                       static_cast<std::uint8_t>(family.safi), static_cast<std::uint8_t>(upper_bound >> 24),
                       static_cast<std::uint8_t>(upper_bound >> 16), static_cast<std::uint8_t>(upper_bound >> 8),
                       static_cast<std::uint8_t>(upper_bound)}};
}

// ---- Names ---------------------------------------------------------------------------------

namespace {

const char* code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::message_header: return "Message Header Error";
    case ErrorCode::open_message: return "OPEN Message Error";
    case ErrorCode::update_message: return "UPDATE Message Error";
    case ErrorCode::hold_timer_expired: return "Hold Timer Expired";
    case ErrorCode::fsm: return "Finite State Machine Error";
    case ErrorCode::cease: return "Cease";
    case ErrorCode::route_refresh: return "ROUTE-REFRESH Message Error";
  }
  return nullptr;
}

// IANA "BGP Error (Notification) Codes" subcode registries.
const char* subcode_name(ErrorCode code, std::uint8_t sub) {
  if (sub == 0) return "Unspecific";
  switch (code) {
    case ErrorCode::message_header: {
      static constexpr const char* names[] = {nullptr, "Connection Not Synchronized", "Bad Message Length",
                                              "Bad Message Type"};
      return sub < std::size(names) ? names[sub] : nullptr;
    }
    case ErrorCode::open_message: {
      static constexpr const char* names[] = {nullptr,
                                              "Unsupported Version Number",
                                              "Bad Peer AS",
                                              "Bad BGP Identifier",
                                              "Unsupported Optional Parameter",
                                              "Authentication Failure (deprecated)",
                                              "Unacceptable Hold Time",
                                              "Unsupported Capability",
                                              nullptr,
                                              nullptr,
                                              nullptr,
                                              "Role Mismatch"};
      return sub < std::size(names) ? names[sub] : nullptr;
    }
    case ErrorCode::update_message: {
      static constexpr const char* names[] = {nullptr,
                                              "Malformed Attribute List",
                                              "Unrecognized Well-known Attribute",
                                              "Missing Well-known Attribute",
                                              "Attribute Flags Error",
                                              "Attribute Length Error",
                                              "Invalid ORIGIN Attribute",
                                              "AS Routing Loop (deprecated)",
                                              "Invalid NEXT_HOP Attribute",
                                              "Optional Attribute Error",
                                              "Invalid Network Field",
                                              "Malformed AS_PATH"};
      return sub < std::size(names) ? names[sub] : nullptr;
    }
    case ErrorCode::fsm: {
      static constexpr const char* names[] = {nullptr, "Receive Unexpected Message in OpenSent State",
                                              "Receive Unexpected Message in OpenConfirm State",
                                              "Receive Unexpected Message in Established State"};
      return sub < std::size(names) ? names[sub] : nullptr;
    }
    case ErrorCode::cease: {
      static constexpr const char* names[] = {nullptr,
                                              "Maximum Number of Prefixes Reached",
                                              "Administrative Shutdown",
                                              "Peer De-configured",
                                              "Administrative Reset",
                                              "Connection Rejected",
                                              "Other Configuration Change",
                                              "Connection Collision Resolution",
                                              "Out of Resources",
                                              "Hard Reset",
                                              "BFD Down"};
      return sub < std::size(names) ? names[sub] : nullptr;
    }
    case ErrorCode::route_refresh:
      return sub == 1 ? "Invalid Message Length" : nullptr;
    case ErrorCode::hold_timer_expired:
      return nullptr;
  }
  return nullptr;
}

void print_hex(std::ostream& os, const std::vector<std::uint8_t>& bytes) {
  const auto flags = os.flags();
  for (std::size_t i = 0; i < bytes.size(); ++i)
    os << (i ? " " : "") << std::hex << std::setw(2) << std::setfill('0') << unsigned{bytes[i]};
  os.flags(flags);
}

template <typename T>
void print_item(std::ostream& os, const T& item) {
  os << item;
}

template <typename T>
void print_list(std::ostream& os, const std::vector<T>& items) {
  os << '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) os << ' ';
    print_item(os, items[i]);
  }
  os << ']';
}

}  // namespace

std::string describe(const Notification& notification) {
  std::ostringstream os;
  if (const char* name = code_name(notification.code)) {
    os << name;
  } else {
    os << "error code " << unsigned{static_cast<std::uint8_t>(notification.code)};
  }
  if (const char* name = subcode_name(notification.code, notification.subcode)) {
    os << '/' << name;
  } else {
    os << "/subcode " << unsigned{notification.subcode};
  }
  if (auto message = shutdown_message(notification)) {
    os << ": \"" << *message << '"';
  } else if (!notification.data.empty()) {
    os << " (data ";
    print_hex(os, notification.data);
    os << ')';
  }
  return os.str();
}

// ---- Printers ------------------------------------------------------------------------------

std::ostream& operator<<(std::ostream& os, const AfiSafi& family) {
  if (family.afi == Afi::ipv4 || family.afi == Afi::ipv6) {
    os << (family.afi == Afi::ipv4 ? "ipv4" : "ipv6");
  } else {
    os << "afi " << static_cast<unsigned>(family.afi);
  }
  if (family.safi == Safi::unicast) return os << "-unicast";
  return os << "/safi " << unsigned{static_cast<std::uint8_t>(family.safi)};
}

namespace {

std::ostream& operator<<(std::ostream& os, const GracefulRestartCapability& gr) {
  os << "graceful-restart{" << (gr.restart_state ? "R " : "") << (gr.notification ? "N " : "") << "time "
     << gr.restart_time;
  for (const auto& family : gr.families) os << ' ' << family.family << (family.forwarding_preserved ? "(F)" : "");
  return os << '}';
}

template <>
void print_item(std::ostream& os, const AsPathSegment& segment) {
  const bool is_set = segment.type == AsPathSegment::Type::as_set || segment.type == AsPathSegment::Type::confed_set;
  const bool confed =
      segment.type == AsPathSegment::Type::confed_sequence || segment.type == AsPathSegment::Type::confed_set;
  os << (confed ? "confed" : "") << (is_set ? "{" : "(");
  for (std::size_t i = 0; i < segment.asns.size(); ++i) os << (i ? " " : "") << segment.asns[i];
  os << (is_set ? "}" : ")");
}

template <>
void print_item(std::ostream& os, const net::LargeCommunity& c) {
  os << c.global_admin << ':' << c.local1 << ':' << c.local2;
}

const char* origin_name(Origin origin) {
  switch (origin) {
    case Origin::igp: return "igp";
    case Origin::egp: return "egp";
    case Origin::incomplete: return "incomplete";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const PathAttributes& a) {
  os << '{';
  if (a.origin) os << " origin " << origin_name(*a.origin);
  if (a.as_path) {
    os << " as_path ";
    print_list(os, *a.as_path);
  }
  if (a.next_hop) os << " next_hop " << *a.next_hop;
  if (a.med) os << " med " << *a.med;
  if (a.local_pref) os << " local_pref " << *a.local_pref;
  if (!a.communities.empty()) {
    os << " communities [";
    for (std::size_t i = 0; i < a.communities.size(); ++i)
      os << (i ? " " : "") << (a.communities[i] >> 16) << ':' << (a.communities[i] & 0xffff);
    os << ']';
  }
  if (!a.large_communities.empty()) {
    os << " large_communities ";
    print_list(os, a.large_communities);
  }
  if (a.mp_reach) {
    os << " mp_reach{" << a.mp_reach->family << " next_hops ";
    print_list(os, a.mp_reach->next_hops);
    os << " nlri ";
    print_list(os, a.mp_reach->nlri);
    os << '}';
  }
  if (a.mp_unreach) {
    os << " mp_unreach{" << a.mp_unreach->family << " withdrawn ";
    print_list(os, a.mp_unreach->withdrawn);
    os << '}';
  }
  for (const auto& u : a.unknown) {
    os << " attribute{flags 0x" << std::hex << unsigned{u.flags} << std::dec << " type " << unsigned{u.type}
       << " value ";
    print_hex(os, u.value);
    os << '}';
  }
  return os << " }";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Open& open) {
  os << "OPEN{version " << unsigned{open.version} << " my_as " << open.my_as << " hold_time " << open.hold_time
     << " id " << net::Address::v4(open.bgp_identifier) << " capabilities{";
  const auto& caps = open.capabilities;
  for (const auto& family : caps.multiprotocol) os << " mp " << family;
  if (caps.route_refresh) os << " route-refresh";
  if (caps.graceful_restart) os << ' ' << *caps.graceful_restart;
  if (caps.four_octet_as) os << " as4 " << *caps.four_octet_as;
  for (const auto& u : caps.unknown) {
    os << " capability{code " << unsigned{u.code} << " value ";
    print_hex(os, u.value);
    os << '}';
  }
  return os << " }}";
}

std::ostream& operator<<(std::ostream& os, const Update& update) {
  if (auto family = end_of_rib_family(update)) return os << "UPDATE{End-of-RIB " << *family << '}';
  os << "UPDATE{withdrawn ";
  print_list(os, update.withdrawn);
  os << " attributes " << update.attributes << " nlri ";
  print_list(os, update.nlri);
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const Notification& notification) {
  return os << "NOTIFICATION{" << describe(notification) << '}';
}

std::ostream& operator<<(std::ostream& os, const Keepalive&) { return os << "KEEPALIVE"; }

std::ostream& operator<<(std::ostream& os, const RouteRefresh& refresh) {
  return os << "ROUTE-REFRESH{" << refresh.family << " subtype " << unsigned{refresh.subtype} << '}';
}

std::ostream& operator<<(std::ostream& os, const Message& message) {
  std::visit([&os](const auto& m) { os << m; }, message);
  return os;
}

}  // namespace bgp::wire
