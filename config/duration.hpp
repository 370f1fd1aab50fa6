// Durations as the config writes them: "90s", "500ms", "1m30s", "2h".
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace config {

using Duration = std::chrono::milliseconds;

// One or more <digits><unit> parts, units h, m, s, ms in decreasing order, each at most once
// ("1m30s"); a bare "0" is zero. Nothing negative, no fractions, no spaces.
std::optional<Duration> parse_duration(std::string_view);

// Whole seconds as "90s", anything else as "1500ms"; parse_duration reads it back exactly.
std::string format_duration(Duration);

// The duration in whole seconds, rounded up (1500ms -> 2): what a protocol field or a router's
// config that counts in seconds gets. Whole seconds, as most timers must be, stay as they are.
std::uint32_t whole_seconds(Duration);

}  // namespace config
