// Bytes <-> OSPFv2 packets (RFC 2328 appendix A.3 and D). Pure: no I/O, no logging.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "net/expected.hpp"
#include "ospf/wire/auth.hpp"
#include "ospf/wire/decode_error.hpp"
#include "ospf/wire/packet.hpp"

namespace ospf::wire {

// Decodes one OSPF packet as received after the IP header: the packet, then for cryptographic
// authentication the digest it carries (not counted in the packet length). Bytes after those
// (IP padding) are ignored. Checks, in order: version, length, type, AuType against `auth`,
// checksum (not for cryptographic auth, D.4.3), password or key ID and digest, then the body;
// every LSA in an LS Update must decode (bad_lsa / bad_lsa_checksum drop the whole packet).
// The cryptographic sequence number is returned, not checked: that needs per-neighbor state.
net::Expected<Packet, DecodeError> decode_packet(std::span<const std::uint8_t> ip_payload, const AuthConfig& auth);

// Encodes the packet with the header's length, checksum and authentication computed; for
// cryptographic auth `crypto_sequence` goes in the header and the digest is appended after the
// packet. LSAs in an LS Update are written as held (see finalize_lsa).
std::vector<std::uint8_t> encode_packet(const Packet& packet, const AuthConfig& auth,
                                        std::uint32_t crypto_sequence = 0);

}  // namespace ospf::wire
