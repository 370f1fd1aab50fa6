// Splitting LSAs and LSA headers over as many packets as it takes to keep each one within the
// interface's room for OSPF (RFC 2328 §13.3, §13.5: "as many as fit" in one packet). Pure.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ospf/wire/auth.hpp"
#include "ospf/wire/packet.hpp"

namespace ospf {

// Bytes one OSPF packet may take on an interface: the MTU less the IP header (20, no options)
// and the authentication trailer, which the packet length does not count. Never below a floor
// that still holds a header and one LSA header, so a silly MTU cannot stop us sending at all.
std::size_t ospf_packet_budget(std::uint32_t mtu, wire::AuthConfig::Type auth);

// LS Updates of at most `budget` bytes each (OSPF header included), in the given order. An LSA
// too big for any packet on its own still goes, alone (the kernel fragments it).
std::vector<wire::LinkStateUpdate> pack_updates(std::vector<wire::Lsa> lsas, std::size_t budget);

// LS Acks of at most `budget` bytes each.
std::vector<wire::LinkStateAck> pack_acks(const std::vector<wire::LsaHeader>& headers, std::size_t budget);

}  // namespace ospf
