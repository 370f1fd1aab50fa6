// Why an OSPF packet or LSA was rejected. RFC 2328 §8.2 and §13 have one reaction for all of
// these: drop the packet silently (the caller logs the description and counts the kind).
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

#include "net/expected.hpp"

namespace ospf::wire {

struct DecodeError {
  enum class Kind : std::uint8_t {
    truncated,         // fewer bytes than a fixed part needs
    bad_version,       // not OSPF version 2
    bad_type,          // packet type not 1..5
    bad_length,        // length field inconsistent with the bytes or the body
    bad_checksum,      // packet IP checksum wrong
    bad_auth_type,     // AuType differs from the interface's
    bad_auth,          // wrong password, key ID, digest length or digest
    bad_lsa,           // malformed LSA (length, body layout, link type)
    bad_lsa_checksum,  // LSA Fletcher checksum wrong
  };
  Kind kind = Kind::truncated;
  std::string description;
  bool operator==(const DecodeError&) const = default;
};

const char* to_string(DecodeError::Kind);
std::ostream& operator<<(std::ostream&, DecodeError::Kind);
std::ostream& operator<<(std::ostream&, const DecodeError&);

inline net::Unexpected<DecodeError> decode_failure(DecodeError::Kind kind, std::string description) {
  return net::Unexpected{DecodeError{kind, std::move(description)}};
}

}  // namespace ospf::wire
