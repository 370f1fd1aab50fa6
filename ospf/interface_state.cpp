#include "ospf/interface_state.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

namespace ospf {

namespace {

// An address's label is the interface name, or "name:alias" for an aliased (secondary) address.
bool label_matches(const char* label, const std::string& name) {
  if (label == nullptr) return false;
  const std::size_t n = name.size();
  return std::strncmp(label, name.c_str(), n) == 0 && (label[n] == '\0' || label[n] == ':');
}

std::optional<std::uint32_t> read_mtu(const std::string& name) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  ifreq req{};
  std::strncpy(req.ifr_name, name.c_str(), IFNAMSIZ - 1);
  const int rc = ::ioctl(fd, SIOCGIFMTU, &req);
  ::close(fd);
  if (rc != 0 || req.ifr_mtu <= 0) return std::nullopt;
  return static_cast<std::uint32_t>(req.ifr_mtu);
}

}  // namespace

InterfaceReading read_interface(const std::string& name) {
  InterfaceReading r;
  if (name.empty() || name.size() >= IFNAMSIZ) {
    r.why_not = "bad interface name";
    return r;
  }
  const unsigned ifindex = ::if_nametoindex(name.c_str());
  if (ifindex == 0) {
    r.why_not = "absent";
    return r;
  }
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    r.why_not = std::string("getifaddrs: ") + std::strerror(errno);
    return r;
  }
  bool seen = false;
  unsigned flags = 0;
  std::optional<std::pair<std::uint32_t, unsigned>> primary, aliased;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (!label_matches(a->ifa_name, name)) continue;
    const bool exact = std::strcmp(a->ifa_name, name.c_str()) == 0;
    if (exact) {
      seen = true;
      flags = a->ifa_flags;
    }
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    sockaddr_in addr;
    std::memcpy(&addr, a->ifa_addr, sizeof(addr));
    unsigned length = 32;
    if (a->ifa_netmask != nullptr && a->ifa_netmask->sa_family == AF_INET) {
      sockaddr_in mask;
      std::memcpy(&mask, a->ifa_netmask, sizeof(mask));
      length = static_cast<unsigned>(std::popcount(ntohl(mask.sin_addr.s_addr)));
    }
    // The first unaliased address is the primary one (the kernel lists primaries first).
    auto& slot = exact ? primary : aliased;
    if (!slot) slot = std::make_pair(ntohl(addr.sin_addr.s_addr), length);
  }
  ::freeifaddrs(list);
  if (!primary) primary = aliased;
  if (!seen && !primary) {
    r.why_not = "absent";
    return r;
  }
  if (!(flags & IFF_UP)) {
    r.why_not = "down";
    return r;
  }
  if (!(flags & IFF_RUNNING)) {
    r.why_not = "no carrier";
    return r;
  }
  if (!primary) {
    r.why_not = "no IPv4 address";
    return r;
  }
  InterfaceInfo info;
  info.ifindex = static_cast<int>(ifindex);
  info.address = primary->first;
  info.prefix_length = primary->second;
  info.mtu = read_mtu(name).value_or(1500);
  r.info = info;
  return r;
}

}  // namespace ospf
