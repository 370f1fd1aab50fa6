// OSPFv2 packets as plain values (RFC 2328 appendix A.3). No I/O here: see packet_codec.hpp.
#pragma once
#include <cstdint>
#include <optional>
#include <ostream>
#include <variant>
#include <vector>

#include "ospf/wire/lsa.hpp"

namespace ospf::wire {

constexpr std::uint8_t kVersion = 2;
constexpr std::size_t kPacketHeaderSize = 24;

enum class PacketType : std::uint8_t {
  hello = 1,
  database_description = 2,
  link_state_request = 3,
  link_state_update = 4,
  link_state_ack = 5,
};

// All IDs, addresses and masks are IPv4 values in host order.
struct Hello {  // §A.3.2
  std::uint32_t network_mask = 0;
  std::uint16_t hello_interval = 10;
  std::uint8_t options = 0;
  std::uint8_t priority = 1;
  std::uint32_t dead_interval = 40;
  std::uint32_t designated_router = 0;
  std::uint32_t backup_designated_router = 0;
  std::vector<std::uint32_t> neighbors;
  bool operator==(const Hello&) const = default;
};

struct DatabaseDescription {  // §A.3.3
  std::uint16_t interface_mtu = 0;
  std::uint8_t options = 0;
  bool init = false;    // I
  bool more = false;    // M
  bool master = false;  // MS
  std::uint32_t sequence_number = 0;
  std::vector<LsaHeader> lsa_headers;
  bool operator==(const DatabaseDescription&) const = default;
};

struct LsaRequest {  // one entry of a Link State Request (§A.3.4); the type is 32 bits there
  std::uint32_t type = 0;
  std::uint32_t ls_id = 0;
  std::uint32_t advertising_router = 0;
  bool operator==(const LsaRequest&) const = default;
};

struct LinkStateRequest {
  std::vector<LsaRequest> requests;
  bool operator==(const LinkStateRequest&) const = default;
};

struct LinkStateUpdate {  // §A.3.5
  std::vector<Lsa> lsas;
  bool operator==(const LinkStateUpdate&) const = default;
};

struct LinkStateAck {  // §A.3.6
  std::vector<LsaHeader> lsa_headers;
  bool operator==(const LinkStateAck&) const = default;
};

using PacketBody = std::variant<Hello, DatabaseDescription, LinkStateRequest, LinkStateUpdate, LinkStateAck>;

// The header's remaining fields (version, type, length, checksum, AuType, authentication) are
// derived on encode and checked on decode; see packet_codec.hpp.
struct Packet {
  std::uint32_t router_id = 0;
  std::uint32_t area_id = 0;
  PacketBody body;
  // Set on decode for cryptographic authentication: the sender's sequence number, which the
  // caller checks is non-decreasing per neighbor (RFC 2328 D.5.2). Ignored on encode.
  std::optional<std::uint32_t> crypto_sequence;
  // PacketBody lists the bodies in type-code order, so the index gives the type.
  PacketType type() const { return static_cast<PacketType>(body.index() + 1); }
  bool operator==(const Packet&) const = default;
};

const char* to_string(PacketType);

std::ostream& operator<<(std::ostream&, PacketType);
std::ostream& operator<<(std::ostream&, const Hello&);
std::ostream& operator<<(std::ostream&, const DatabaseDescription&);
std::ostream& operator<<(std::ostream&, const LsaRequest&);
std::ostream& operator<<(std::ostream&, const LinkStateRequest&);
std::ostream& operator<<(std::ostream&, const LinkStateUpdate&);
std::ostream& operator<<(std::ostream&, const LinkStateAck&);
std::ostream& operator<<(std::ostream&, const Packet&);

}  // namespace ospf::wire
