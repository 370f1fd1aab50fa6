#include "kernel/default_gateway.hpp"

namespace netlink {

std::optional<net::Address> choose_default_gateway(const std::vector<KernelRoute>& routes) {
  constexpr std::uint32_t kMainTable = 254;
  const KernelRoute* best = nullptr;
  for (const auto& r : routes) {
    if (r.table != kMainTable || r.destination_length != 0 || !r.unicast || !r.gateway) continue;
    if (!best || r.metric < best->metric) best = &r;
  }
  if (!best) return std::nullopt;
  return best->gateway;
}

}  // namespace netlink
