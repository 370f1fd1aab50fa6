#include "daemon/local_addresses.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace cisd {

bool is_shared_interface(std::string_view name) {
  for (std::string_view prefix : {"kube-ipvs", "docker", "cni", "flannel", "cali", "cilium", "vxlan", "tunl", "kube-bridge"})
    if (name.substr(0, prefix.size()) == prefix) return true;
  return false;
}

std::optional<net::Address> source_address_toward(const net::Address& peer) {
  // connect() on a UDP socket only looks the route up and fixes the source address.
  const int family = peer.is_v4() ? AF_INET : AF_INET6;
  const int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  std::optional<net::Address> out;
  sockaddr_storage remote{};
  socklen_t length;
  if (peer.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&remote);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(179);
    std::memcpy(&sin->sin_addr, peer.bytes().data(), 4);
    length = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&remote);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(179);
    std::memcpy(&sin6->sin6_addr, peer.bytes().data(), 16);
    length = sizeof(sockaddr_in6);
  }
  sockaddr_storage local{};
  socklen_t local_length = sizeof local;
  if (connect(fd, reinterpret_cast<sockaddr*>(&remote), length) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) == 0) {
    if (peer.is_v4()) {
      std::array<std::uint8_t, 4> b{};
      std::memcpy(b.data(), &reinterpret_cast<sockaddr_in*>(&local)->sin_addr, 4);
      out = net::Address::v4(b);
    } else {
      std::array<std::uint8_t, 16> b{};
      std::memcpy(b.data(), &reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr, 16);
      out = net::Address::v6(b);
    }
  }
  close(fd);
  if (out && out->is_unspecified()) out.reset();
  return out;
}

std::optional<net::Address> first_global_ipv4() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<net::Address> best;
  for (auto* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP)) continue;
    if (i->ifa_flags & IFF_LOOPBACK || is_shared_interface(i->ifa_name)) continue;
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

namespace cisd {

std::vector<net::Address> own_addresses() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::vector<net::Address> out;
  for (auto* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || i->ifa_flags & IFF_LOOPBACK || is_shared_interface(i->ifa_name))
      continue;
    std::optional<net::Address> a;
    if (i->ifa_addr->sa_family == AF_INET) {
      std::array<std::uint8_t, 4> b{};
      std::memcpy(b.data(), &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
      a = net::Address::v4(b);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      std::array<std::uint8_t, 16> b{};
      std::memcpy(b.data(), &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
      a = net::Address::v6(b);
    }
    if (a && !a->is_link_local() && !a->is_unspecified()) out.push_back(*a);
  }
  freeifaddrs(list);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace cisd
