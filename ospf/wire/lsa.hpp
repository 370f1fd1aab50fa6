// OSPFv2 link state advertisements as plain values (RFC 2328 §12, appendix A.4). No I/O here:
// see lsa_codec.hpp for bytes.
#pragma once
#include <cstdint>
#include <ostream>
#include <variant>
#include <vector>

namespace ospf::wire {

constexpr std::size_t kLsaHeaderSize = 20;
constexpr std::int32_t kInitialSequenceNumber = static_cast<std::int32_t>(0x80000001);  // §12.1.6
constexpr std::int32_t kMaxSequenceNumber = 0x7fffffff;
constexpr std::uint16_t kMaxAge = 3600;  // seconds, §B

namespace lsa_type {  // LS type codes (§A.4.1)
constexpr std::uint8_t router = 1, network = 2, summary_network = 3, summary_asbr = 4, as_external = 5;
}

namespace option {  // the Options field (§A.2); held as the raw byte everywhere
constexpr std::uint8_t e = 0x02, mc = 0x04, np = 0x08, ea = 0x10, dc = 0x20, o = 0x40;
}

// All IDs, addresses and masks are IPv4 values in host order.
struct LsaHeader {  // §A.4.1
  std::uint16_t age = 0;
  std::uint8_t options = 0;
  std::uint8_t type = 0;
  std::uint32_t ls_id = 0;
  std::uint32_t advertising_router = 0;
  std::int32_t sequence_number = kInitialSequenceNumber;
  std::uint16_t checksum = 0;
  std::uint16_t length = 0;  // whole LSA, header included; encode_lsa computes it from the body
  bool operator==(const LsaHeader&) const = default;
};

struct TosMetric {  // one TOS entry of a router-LSA link (§A.4.2); parsed and kept, never used
  std::uint8_t tos = 0;
  std::uint16_t metric = 0;
  std::uint8_t reserved = 0;  // the zero byte between them, kept as received (see RouterLsa)
  bool operator==(const TosMetric&) const = default;
};

enum class RouterLinkType : std::uint8_t { point_to_point = 1, transit = 2, stub = 3, virtual_link = 4 };

struct RouterLink {
  std::uint32_t id = 0;
  std::uint32_t data = 0;
  RouterLinkType type = RouterLinkType::stub;
  std::uint16_t metric = 0;
  std::vector<TosMetric> tos;
  bool operator==(const RouterLink&) const = default;
};

struct RouterLsa {  // §A.4.2
  bool virtual_link_endpoint = false;  // V
  bool as_boundary_router = false;     // E
  bool area_border_router = false;     // B
  // The flag bits other than V/E/B (e.g. RFC 3101's Nt) and the zero byte after the flags, kept
  // as received: encode_lsa(decode_lsa(b)) == b for every LSA, so what we flood on still matches
  // its checksum.
  std::uint8_t other_flags = 0;
  std::uint8_t reserved = 0;
  std::vector<RouterLink> links;
  bool operator==(const RouterLsa&) const = default;
};

struct NetworkLsa {  // §A.4.3
  std::uint32_t network_mask = 0;
  std::vector<std::uint32_t> attached_routers;
  bool operator==(const NetworkLsa&) const = default;
};

struct ExternalTos {  // one extra TOS entry of an AS-external-LSA; parsed and kept, never used
  bool external_type2 = false;  // E
  std::uint8_t tos = 0;         // 7 bits
  std::uint32_t metric = 0;     // 24 bits
  std::uint32_t forwarding_address = 0;
  std::uint32_t route_tag = 0;
  bool operator==(const ExternalTos&) const = default;
};

struct AsExternalLsa {  // §A.4.5; the fields are the TOS 0 entry, which comes first
  std::uint32_t network_mask = 0;
  bool external_type2 = true;  // E bit: type 2 metric
  std::uint32_t metric = 0;    // 24 bits
  std::uint32_t forwarding_address = 0;
  std::uint32_t route_tag = 0;
  std::vector<ExternalTos> tos;
  bool operator==(const AsExternalLsa&) const = default;
};

struct OpaqueLsaBody {  // any other LS type (summaries, opaque LSAs), carried as bytes
  std::vector<std::uint8_t> bytes;
  bool operator==(const OpaqueLsaBody&) const = default;
};

using LsaBody = std::variant<RouterLsa, NetworkLsa, AsExternalLsa, OpaqueLsaBody>;

struct Lsa {
  LsaHeader header;
  LsaBody body;
  bool operator==(const Lsa&) const = default;
};

std::ostream& operator<<(std::ostream&, const LsaHeader&);
std::ostream& operator<<(std::ostream&, const RouterLsa&);
std::ostream& operator<<(std::ostream&, const NetworkLsa&);
std::ostream& operator<<(std::ostream&, const AsExternalLsa&);
std::ostream& operator<<(std::ostream&, const OpaqueLsaBody&);
std::ostream& operator<<(std::ostream&, const Lsa&);

}  // namespace ospf::wire
