#include "ospf/lsa_compare.hpp"

#include <cstdlib>

#include "ospf/architectural_constants.hpp"

namespace ospf {

const char* to_string(Recency r) {
  switch (r) {
    case Recency::newer: return "newer";
    case Recency::same: return "same";
    case Recency::older: return "older";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, Recency r) { return os << to_string(r); }

Recency compare(const wire::LsaHeader& a, const wire::LsaHeader& b) {
  // Sequence numbers are signed (§12.1.6: 0x80000001 is the smallest in use).
  if (a.sequence_number != b.sequence_number) return a.sequence_number > b.sequence_number ? Recency::newer : Recency::older;
  if (a.checksum != b.checksum) return a.checksum > b.checksum ? Recency::newer : Recency::older;
  // Ages above MaxAge (from a misbehaving neighbour) count as MaxAge.
  const bool a_max = a.age >= wire::kMaxAge, b_max = b.age >= wire::kMaxAge;
  if (a_max != b_max) return a_max ? Recency::newer : Recency::older;
  if (a_max) return Recency::same;
  const int diff = int(a.age) - int(b.age);
  if (std::abs(diff) > kMaxAgeDiff) return diff < 0 ? Recency::newer : Recency::older;
  return Recency::same;
}

}  // namespace ospf
