#include "kernel/local_addresses.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "kernel/netlink.hpp"

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

namespace {

bool is_loopback(const net::Address& a) {
  return a.is_v4() ? (a.v4_value() >> 24) == 127 : a == net::Address::v6(std::array<std::uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
}

// Addresses that identify this host: on interfaces that are up, not loopback and not shared.
std::vector<net::Address> identity_addresses() {
  auto interfaces = netlink::read_interfaces();
  if (!interfaces) return {};
  std::vector<net::Address> out;
  for (const auto& i : *interfaces) {
    if (!i.link.up || i.link.loopback || is_shared_interface(i.link.name)) continue;
    for (const auto& a : i.addresses)
      if (!a.address.is_link_local() && !a.address.is_unspecified() && !is_loopback(a.address)) out.push_back(a.address);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::optional<net::Address> first_global_ipv4() {
  for (const auto& a : identity_addresses())  // sorted: the lowest first
    if (a.is_v4()) return a;
  return std::nullopt;
}

std::vector<net::Address> own_addresses() { return identity_addresses(); }

}  // namespace cisd
