// Bytes <-> LSAs (RFC 2328 appendix A.4). Pure: no I/O, no logging.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"
#include "net/expected.hpp"
#include "ospf/wire/decode_error.hpp"
#include "ospf/wire/lsa.hpp"

namespace ospf::wire {

// Reads one 20-byte LSA header (as in DD and LS Ack packets); nullopt when fewer bytes remain.
std::optional<LsaHeader> read_lsa_header(net::ByteReader& in);
void write_lsa_header(const LsaHeader& header, net::ByteWriter& out);

// Decodes the LSA at the start of `bytes`; it occupies header.length bytes, and anything after
// that is ignored. The Fletcher checksum is verified (bad_lsa_checksum), the body must fill the
// length exactly (bad_lsa), and header.type chooses the body: 1, 2 and 5 are parsed, the rest
// kept as OpaqueLsaBody.
net::Expected<Lsa, DecodeError> decode_lsa(std::span<const std::uint8_t> bytes);

// Encodes the LSA as it is: the length field is computed from the body, every other header
// field (checksum included) is written as held. Use finalize_lsa for LSAs we originate.
void encode_lsa(const Lsa& lsa, net::ByteWriter& out);
std::vector<std::uint8_t> encode_lsa(const Lsa& lsa);

// Size in bytes of the encoded LSA (what header.length must be).
std::size_t encoded_size(const Lsa& lsa);

// Sets header.length and header.checksum from the body: call after building or changing an LSA.
void finalize_lsa(Lsa& lsa);

}  // namespace ospf::wire
