// What names one LSA in the link-state database (RFC 2328 §12.1): LS type, Link State ID and
// Advertising Router. Two LSAs with the same key are instances of the same LSA.
#pragma once
#include <compare>
#include <cstdint>
#include <ostream>

#include "ospf/wire/lsa.hpp"

namespace ospf {

struct LsaKey {
  std::uint8_t type = 0;
  std::uint32_t ls_id = 0;               // host order
  std::uint32_t advertising_router = 0;  // host order
  auto operator<=>(const LsaKey&) const = default;
  bool operator==(const LsaKey&) const = default;
};

inline LsaKey key_of(const wire::LsaHeader& h) { return {h.type, h.ls_id, h.advertising_router}; }

std::ostream& operator<<(std::ostream&, const LsaKey&);

}  // namespace ospf
