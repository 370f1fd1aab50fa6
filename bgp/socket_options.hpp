// The few socket options a BGP session needs that Asio does not wrap: TCP MD5 (RFC 2385),
// the outgoing TTL for (multi-hop) eBGP and GTSM's minimum incoming TTL (RFC 5082).
#pragma once
#include <string>
#include <string_view>

#include "net/address.hpp"

namespace bgp {

// Each returns "" on success, else the reason.
std::string set_tcp_md5(int fd, const net::Address& peer, std::string_view key);
std::string set_ttl(int fd, net::Family family, int ttl);
std::string set_min_ttl(int fd, net::Family family, int min_ttl);

}  // namespace bgp
