// "ADDRESS:PORT" as the config writes a listening socket (http.listen, the CLI's --http):
// 127.0.0.1:9474 or [::1]:9474. The one reader of that form, for the loader, the HTTP server,
// the CLI client and the privilege check alike.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "net/address.hpp"

namespace config {

struct ListenAddress {
  net::Address address;
  std::uint16_t port = 0;  // 0 = any free port (tests); the config asks for 1-65535
  bool operator==(const ListenAddress&) const = default;
};

// An IPv4 address, or an IPv6 one in brackets, then ':' and a decimal port 0-65535; nullopt for
// anything else ("" included).
std::optional<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace config
