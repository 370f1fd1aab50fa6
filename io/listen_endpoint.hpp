// A listening address as the config and the command line write it ("127.0.0.1:9474",
// "[::1]:9474"), as an Asio endpoint: for the daemon's HTTP server and the status client alike.
#pragma once
#include <optional>
#include <string_view>

#include "io/asio.hpp"

// nullopt if malformed. Port 0 picks a free port.
std::optional<asio::ip::tcp::endpoint> parse_listen(std::string_view text);
