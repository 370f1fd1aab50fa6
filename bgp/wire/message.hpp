// BGP-4 messages as plain values (RFC 4271 §4, RFC 4760, RFC 6793, RFC 2918, RFC 4724,
// RFC 1997, RFC 8092, RFC 9003). No I/O here: see codec.hpp for bytes.
#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/address.hpp"
#include "net/prefix.hpp"
#include "net/route.hpp"

namespace bgp::wire {

constexpr std::size_t kHeaderSize = 19;
constexpr std::size_t kMaxMessageSize = 4096;
constexpr std::uint16_t kAsTrans = 23456;  // RFC 6793

enum class MessageType : std::uint8_t { open = 1, update = 2, notification = 3, keepalive = 4, route_refresh = 5 };

enum class Afi : std::uint16_t { ipv4 = 1, ipv6 = 2 };
enum class Safi : std::uint8_t { unicast = 1 };

struct AfiSafi {
  Afi afi = Afi::ipv4;
  Safi safi = Safi::unicast;
  auto operator<=>(const AfiSafi&) const = default;
  bool operator==(const AfiSafi&) const = default;
};
constexpr AfiSafi kIpv4Unicast{Afi::ipv4, Safi::unicast};
constexpr AfiSafi kIpv6Unicast{Afi::ipv6, Safi::unicast};

// ---- OPEN ----------------------------------------------------------------------------------

struct GracefulRestartCapability {  // RFC 4724 §3
  struct Family {
    AfiSafi family;
    bool forwarding_preserved = false;
    bool operator==(const Family&) const = default;
  };
  bool restart_state = false;     // R bit
  bool notification = false;      // N bit (RFC 8538), parsed only
  std::uint16_t restart_time = 0; // seconds, 12 bits
  std::vector<Family> families;
  bool operator==(const GracefulRestartCapability&) const = default;
};

struct UnknownCapability {
  std::uint8_t code = 0;
  std::vector<std::uint8_t> value;
  bool operator==(const UnknownCapability&) const = default;
};

struct Capabilities {  // RFC 5492; encoded as one Capabilities optional parameter
  std::vector<AfiSafi> multiprotocol;            // code 1
  bool route_refresh = false;                    // code 2
  std::optional<GracefulRestartCapability> graceful_restart;  // code 64
  std::optional<std::uint32_t> four_octet_as;    // code 65
  std::vector<UnknownCapability> unknown;        // anything else, kept as received
  bool operator==(const Capabilities&) const = default;
};

struct Open {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;   // the 2-octet field; AS_TRANS when the real ASN is wider
  std::uint16_t hold_time = 0;
  std::uint32_t bgp_identifier = 0;
  Capabilities capabilities;
  // The speaker's real ASN: the 4-octet capability when present, else my_as.
  std::uint32_t asn() const { return capabilities.four_octet_as.value_or(my_as); }
  bool operator==(const Open&) const = default;
};

// ---- UPDATE --------------------------------------------------------------------------------

enum class Origin : std::uint8_t { igp = 0, egp = 1, incomplete = 2 };

struct AsPathSegment {
  enum class Type : std::uint8_t { as_set = 1, as_sequence = 2, confed_sequence = 3, confed_set = 4 };
  Type type = Type::as_sequence;
  std::vector<std::uint32_t> asns;
  bool operator==(const AsPathSegment&) const = default;
};

struct MpReachNlri {  // RFC 4760 §3; next_hops holds the global and, optionally, link-local (RFC 2545)
  AfiSafi family;
  std::vector<net::Address> next_hops;
  std::vector<net::Prefix> nlri;
  bool operator==(const MpReachNlri&) const = default;
};

struct MpUnreachNlri {  // RFC 4760 §4
  AfiSafi family;
  std::vector<net::Prefix> withdrawn;
  bool operator==(const MpUnreachNlri&) const = default;
};

struct UnknownAttribute {
  std::uint8_t flags = 0;
  std::uint8_t type = 0;
  std::vector<std::uint8_t> value;
  bool operator==(const UnknownAttribute&) const = default;
};

namespace attr {  // attribute type codes
constexpr std::uint8_t origin = 1, as_path = 2, next_hop = 3, med = 4, local_pref = 5, atomic_aggregate = 6,
                       aggregator = 7, communities = 8, mp_reach_nlri = 14, mp_unreach_nlri = 15,
                       as4_path = 17, as4_aggregator = 18, large_communities = 32;
}
namespace flag {
constexpr std::uint8_t optional = 0x80, transitive = 0x40, partial = 0x20, extended_length = 0x10;
}

struct PathAttributes {
  std::optional<Origin> origin;
  std::optional<std::vector<AsPathSegment>> as_path;  // ASNs always held as 4 octets
  std::optional<net::Address> next_hop;               // IPv4 NEXT_HOP attribute
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  std::vector<net::Community> communities;            // empty = absent
  std::vector<net::LargeCommunity> large_communities; // empty = absent
  std::optional<MpReachNlri> mp_reach;
  std::optional<MpUnreachNlri> mp_unreach;
  std::vector<UnknownAttribute> unknown;              // recognised-but-unmodelled and unknown, in order
  bool operator==(const PathAttributes&) const = default;
};

struct Update {
  std::vector<net::Prefix> withdrawn;  // IPv4 withdrawn routes field
  PathAttributes attributes;
  std::vector<net::Prefix> nlri;       // IPv4 NLRI field
  bool operator==(const Update&) const = default;
};

// RFC 4724 §2 End-of-RIB marker for a family, and the test for one.
Update end_of_rib(AfiSafi family);
std::optional<AfiSafi> end_of_rib_family(const Update&);

// ---- NOTIFICATION --------------------------------------------------------------------------

enum class ErrorCode : std::uint8_t {
  message_header = 1,
  open_message = 2,
  update_message = 3,
  hold_timer_expired = 4,
  fsm = 5,
  cease = 6,
  route_refresh = 7,  // RFC 7313
};

namespace subcode {
// Message Header Error (RFC 4271 §6.1)
constexpr std::uint8_t connection_not_synchronized = 1, bad_message_length = 2, bad_message_type = 3;
// OPEN Message Error (§6.2, RFC 5492)
constexpr std::uint8_t unsupported_version = 1, bad_peer_as = 2, bad_bgp_identifier = 3,
                       unsupported_optional_parameter = 4, unacceptable_hold_time = 6,
                       unsupported_capability = 7;
// UPDATE Message Error (§6.3)
constexpr std::uint8_t malformed_attribute_list = 1, unrecognized_wellknown_attribute = 2,
                       missing_wellknown_attribute = 3, attribute_flags_error = 4, attribute_length_error = 5,
                       invalid_origin_attribute = 6, invalid_next_hop_attribute = 8, optional_attribute_error = 9,
                       invalid_network_field = 10, malformed_as_path = 11;
// FSM Error (RFC 6608)
constexpr std::uint8_t fsm_unexpected_in_opensent = 1, fsm_unexpected_in_openconfirm = 2,
                       fsm_unexpected_in_established = 3;
// Cease (RFC 4486)
constexpr std::uint8_t max_prefixes = 1, administrative_shutdown = 2, peer_deconfigured = 3,
                       administrative_reset = 4, connection_rejected = 5, other_configuration_change = 6,
                       connection_collision_resolution = 7, out_of_resources = 8;
// Cease (RFC 9384)
constexpr std::uint8_t bfd_down = 10;
}  // namespace subcode

struct Notification {
  ErrorCode code = ErrorCode::cease;
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;
  bool operator==(const Notification&) const = default;
};

// RFC 9003: Cease/Administrative Shutdown carrying a UTF-8 message (truncated to 255 octets
// on a character boundary).
Notification administrative_shutdown(std::string_view message);
// The RFC 9003 message of a Cease/Administrative Shutdown or Reset, if it carries a valid one.
std::optional<std::string> shutdown_message(const Notification&);
// RFC 4486 §4: Cease/Maximum Number of Prefixes Reached with its data: AFI (2 octets), SAFI (1)
// and the prefix upper bound (4).
Notification max_prefixes_reached(AfiSafi family, std::uint32_t upper_bound);

// ---- KEEPALIVE, ROUTE-REFRESH --------------------------------------------------------------

struct Keepalive {
  bool operator==(const Keepalive&) const = default;
};

struct RouteRefresh {  // RFC 2918; subtype is RFC 7313's (0 = normal request)
  AfiSafi family;
  std::uint8_t subtype = 0;
  bool operator==(const RouteRefresh&) const = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

// Readable printers, so a failing test shows both whole messages.
std::ostream& operator<<(std::ostream&, const AfiSafi&);
std::ostream& operator<<(std::ostream&, const Open&);
std::ostream& operator<<(std::ostream&, const Update&);
std::ostream& operator<<(std::ostream&, const Notification&);
std::ostream& operator<<(std::ostream&, const Keepalive&);
std::ostream& operator<<(std::ostream&, const RouteRefresh&);
std::ostream& operator<<(std::ostream&, const Message&);
std::string describe(const Notification&);  // "Cease/Administrative Shutdown: \"msg\""

}  // namespace bgp::wire
