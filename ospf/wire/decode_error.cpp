#include "ospf/wire/decode_error.hpp"

namespace ospf::wire {

const char* to_string(DecodeError::Kind kind) {
  using Kind = DecodeError::Kind;
  switch (kind) {
    case Kind::truncated: return "truncated";
    case Kind::bad_version: return "bad version";
    case Kind::bad_type: return "bad packet type";
    case Kind::bad_length: return "bad length";
    case Kind::bad_checksum: return "bad checksum";
    case Kind::bad_auth_type: return "bad AuType";
    case Kind::bad_auth: return "authentication failed";
    case Kind::bad_lsa: return "bad LSA";
    case Kind::bad_lsa_checksum: return "bad LSA checksum";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, DecodeError::Kind kind) { return os << to_string(kind); }

std::ostream& operator<<(std::ostream& os, const DecodeError& error) {
  return os << to_string(error.kind) << ": " << error.description;
}

}  // namespace ospf::wire
