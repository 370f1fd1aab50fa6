#include "daemon/local_addresses.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstring>

namespace cisd {

std::optional<net::Address> first_global_ipv4() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<net::Address> best;
  for (auto* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP)) continue;
    std::array<std::uint8_t, 4> b{};
    std::memcpy(b.data(), &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
    auto a = net::Address::v4(b);
    if (b[0] == 127 || a.is_link_local() || a.is_unspecified()) continue;
    if (!best || a < *best) best = a;
  }
  freeifaddrs(list);
  return best;
}

}  // namespace cisd
