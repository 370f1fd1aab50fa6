#include "ospf/interface_state.hpp"

#include <net/if.h>

namespace ospf {

InterfaceReading reading_of(const netlink::Interface& interface) {
  InterfaceReading r;
  if (!interface.link.up) {
    r.why_not = "down";
    return r;
  }
  if (!interface.link.carrier) {
    r.why_not = "no carrier";
    return r;
  }
  // The interface's address is its primary IPv4 address; a secondary one only if there is no other.
  const netlink::InterfaceAddress* chosen = nullptr;
  for (const auto& a : interface.addresses) {
    if (!a.address.is_v4()) continue;
    if (!chosen || (chosen->secondary && !a.secondary)) chosen = &a;
  }
  if (!chosen) {
    r.why_not = "no IPv4 address";
    return r;
  }
  InterfaceInfo info;
  info.ifindex = interface.link.ifindex;
  info.address = chosen->address.v4_value();
  info.prefix_length = chosen->prefix_length;
  info.mtu = interface.link.mtu ? interface.link.mtu : 1500;
  r.info = info;
  return r;
}

InterfaceReading read_interface(const std::string& name) {
  auto interface = netlink::read_interface(name);
  if (!interface) {
    InterfaceReading r;
    r.why_not = name.empty() || name.size() >= IFNAMSIZ ? "bad interface name"
                : interface.error().no_such_interface ? "absent"
                                                      : interface.error().message;
    return r;
  }
  return reading_of(*interface);
}

}  // namespace ospf
