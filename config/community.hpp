// BGP communities as the config writes them.
#pragma once
#include <array>
#include <cstdint>
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

// An allow-list entry for communities set by Service owners (advertise.annotation_communities):
// "65000:*", "65000:100", "no-export" (a well-known name: exactly that one), or for large
// communities "64513:1:*"; "*" matches any value of its part.
struct CommunityPattern {
  bool large = false;                                  // three parts instead of two
  std::array<std::optional<std::uint32_t>, 3> parts;   // nullopt: "*"
  std::string text;                                    // as written, for printing
  bool matches(net::Community) const;
  bool matches(const net::LargeCommunity&) const;
  bool operator==(const CommunityPattern&) const = default;
};
std::optional<CommunityPattern> parse_community_pattern(std::string_view);

}  // namespace config
