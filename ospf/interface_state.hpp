// What the kernel says about an OSPF interface right now: ifindex, primary IPv4 address and prefix,
// MTU, and whether it is usable (up, carrier, an IPv4 address). Read-only.
// Kernel state is meant to be read in daemon/netlink only; that module offers addresses
// but not ifindex, MTU or link flags, and the ospf library cannot depend on daemon_core, so this one
// small reader uses getifaddrs(3), if_nametoindex(3) and SIOCGIFMTU. Move it behind daemon/netlink
// when that grows a link reader.
#pragma once
#include <optional>
#include <string>

#include "ospf/instance.hpp"

namespace ospf {

struct InterfaceReading {
  std::optional<InterfaceInfo> info;  // set when the interface is usable for OSPF
  std::string why_not;                // otherwise, for the log: "absent", "down", "no carrier", "no IPv4 address"
};

InterfaceReading read_interface(const std::string& name);

}  // namespace ospf
