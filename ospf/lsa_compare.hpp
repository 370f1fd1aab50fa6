// Which of two instances of the same LSA is more recent (RFC 2328 §13.1).
#pragma once
#include <ostream>

#include "ospf/wire/lsa.hpp"

namespace ospf {

enum class Recency { newer, same, older };  // how the first argument stands against the second
const char* to_string(Recency);
std::ostream& operator<<(std::ostream&, Recency);

// §13.1, in order: the larger sequence number (signed) wins; then the larger checksum; then an
// instance at MaxAge beats one that isn't; then, when the ages differ by more than MaxAgeDiff,
// the younger wins; otherwise they are the same instance. Ages must be current (a database
// copy's header age is its age at install time: use Lsdb::header_at for the current one).
Recency compare(const wire::LsaHeader& a, const wire::LsaHeader& b);

}  // namespace ospf
