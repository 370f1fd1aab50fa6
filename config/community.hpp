// BGP communities as the config writes them.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "net/route.hpp"

namespace config {

// "65000:1" (each half 0..65535) or a well-known name: no-export, no-advertise,
// no-export-subconfed, graceful-shutdown (65535:0), blackhole (65535:666).
std::optional<net::Community> parse_community(std::string_view);
// "a:b:c", each part 0..4294967295.
std::optional<net::LargeCommunity> parse_large_community(std::string_view);

// The well-known name when there is one, else "high:low".
std::string format_community(net::Community);
std::string format_large_community(const net::LargeCommunity&);

}  // namespace config
