// This host's own addresses, read from the kernel (for router_id: auto).
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "net/address.hpp"

namespace cisd {

// The address the kernel would use as source toward `peer` (a route lookup; nothing is sent).
std::optional<net::Address> source_address_toward(const net::Address& peer);

// The lowest global IPv4 address on an interface that is up, leaving out interfaces whose
// addresses every node shares: kube-proxy's kube-ipvs0 (ClusterIPs), docker0 and CNI bridges.
std::optional<net::Address> first_global_ipv4();

// True for interfaces whose addresses are not this node's own identity.
bool is_shared_interface(std::string_view name);

// This host's own addresses, IPv4 and IPv6, on interfaces that are up, leaving out loopback,
// link-local addresses and the shared interfaces above (kube-ipvs0 holds the Service IPs
// themselves). A Service must never attract traffic for one of them.
std::vector<net::Address> own_addresses();

}  // namespace cisd
