#include "config/duration.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace config {

namespace {
struct Unit {
  std::string_view name;
  std::int64_t ms;
};
// Longest first within a shared prefix ("ms" before "m"); the order also fixes which may follow which.
constexpr std::array<Unit, 4> kUnits{{{"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};
}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text == "0") return Duration{0};
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // units must appear in decreasing size, each once
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t value = 0;
    std::size_t digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      if (value > (std::numeric_limits<std::int64_t>::max() - (text[i] - '0')) / 10) return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    if (digits == 0) return std::nullopt;
    std::size_t unit_end = i;
    while (unit_end < text.size() && text[unit_end] >= 'a' && text[unit_end] <= 'z') ++unit_end;
    std::string_view unit = text.substr(i, unit_end - i);
    std::size_t u = next_unit;
    while (u < kUnits.size() && kUnits[u].name != unit) ++u;
    if (u == kUnits.size()) return std::nullopt;
    if (value > (std::numeric_limits<std::int64_t>::max() - total) / kUnits[u].ms) return std::nullopt;
    total += value * kUnits[u].ms;
    next_unit = u + 1;
    i = unit_end;
  }
  return Duration{total};
}

std::string format_duration(Duration d) {
  auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::uint32_t whole_seconds(Duration d) {
  const auto ms = std::max<Duration::rep>(d.count(), 0);
  return static_cast<std::uint32_t>((ms + 999) / 1000);
}

}  // namespace config
