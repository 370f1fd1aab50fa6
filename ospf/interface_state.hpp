// What the kernel says about an OSPF interface right now: ifindex, primary IPv4 address and prefix,
// MTU, and whether it is usable (up, carrier, an IPv4 address). Read through kernel/netlink.
#pragma once
#include <optional>
#include <string>

#include "kernel/netlink.hpp"
#include "ospf/instance.hpp"

namespace ospf {

struct InterfaceReading {
  std::optional<InterfaceInfo> info;  // set when the interface is usable for OSPF
  std::string why_not;                // otherwise, for the log: "absent", "down", "no carrier", "no IPv4 address"
};

InterfaceReading read_interface(const std::string& name);
// The same, from what netlink read (pure).
InterfaceReading reading_of(const netlink::Interface& interface);

}  // namespace ospf
