// The two checksums of OSPFv2: the IP one's-complement checksum over packets (RFC 2328 D.4.2)
// and the Fletcher checksum over LSAs (RFC 2328 §12.1.7, RFC 905 annex B).
#pragma once
#include <cstdint>
#include <span>

namespace ospf::wire {

// The 16-bit one's-complement of the one's-complement sum of the bytes taken as big-endian
// 16-bit words (RFC 1071); an odd last byte is padded with zero. Over data that already holds a
// correct checksum the result is 0.
std::uint16_t ip_checksum(std::span<const std::uint8_t> bytes);

// Offset of the LS checksum field in an LSA, and of the first byte the Fletcher sum covers
// (the options field: LS age is left out so it can change in flight).
constexpr std::size_t kLsaChecksumOffset = 16;
constexpr std::size_t kLsaChecksumStart = 2;

// The Fletcher checksum of one whole LSA (`lsa` is exactly its bytes, header included): the
// value to place at kLsaChecksumOffset so that both sums verify to zero. The current contents of
// the checksum field are ignored. Needs lsa.size() >= 20.
std::uint16_t lsa_checksum(std::span<const std::uint8_t> lsa);

// Writes lsa_checksum(lsa) into the LSA's checksum field.
void set_lsa_checksum(std::span<std::uint8_t> lsa);

// True when the LSA's checksum field is correct: both Fletcher sums over options..end are zero.
bool lsa_checksum_ok(std::span<const std::uint8_t> lsa);

}  // namespace ospf::wire
