// This host's own addresses, read from the kernel (for router_id: auto).
#pragma once
#include <optional>

#include "net/address.hpp"

namespace cisd {
// The lowest global (not loopback, not link-local) IPv4 address on an interface that is up.
std::optional<net::Address> first_global_ipv4();
}
