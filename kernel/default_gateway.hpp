// Which of the kernel's routes is "the default gateway" that `address: gateway` peers with:
// a pure choice over routes already read from netlink, so that it can be tested without a kernel.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "net/address.hpp"

namespace netlink {

// One route of a netlink dump, reduced to what the choice reads.
struct KernelRoute {
  std::uint32_t table = 254;        // RT_TABLE_MAIN
  unsigned destination_length = 0;  // 0: a default route
  bool unicast = true;              // RTN_UNICAST (not blackhole, unreachable, ...)
  std::uint32_t metric = 0;         // RTA_PRIORITY: lower wins
  std::optional<net::Address> gateway;  // the first next hop's gateway; none for an on-link route
  bool operator==(const KernelRoute&) const = default;
};

// The gateway of the main table's unicast default route with the lowest metric that has one;
// nullopt when there is none. Ties go to the route listed first, as the kernel would use it.
std::optional<net::Address> choose_default_gateway(const std::vector<KernelRoute>& routes);

}  // namespace netlink
