#include "config/community.hpp"

#include <array>
#include <charconv>
#include <cstdint>

namespace config {

namespace {
struct WellKnown {
  std::string_view name;
  net::Community value;
};
// RFC 1997, RFC 3765 (no-peer is not offered), RFC 8326, RFC 7999.
constexpr std::array<WellKnown, 5> kWellKnown{{
    {"no-export", 0xFFFFFF01},
    {"no-advertise", 0xFFFFFF02},
    {"no-export-subconfed", 0xFFFFFF03},
    {"graceful-shutdown", 0xFFFF0000},
    {"blackhole", 0xFFFF029A},
}};

// A plain decimal number no greater than max: digits only, no sign, no spaces.
std::optional<std::uint64_t> parse_part(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}
}  // namespace

std::optional<net::Community> parse_community(std::string_view text) {
  for (const auto& w : kWellKnown)
    if (w.name == text) return w.value;
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto high = parse_part(text.substr(0, colon), 0xFFFF);
  auto low = parse_part(text.substr(colon + 1), 0xFFFF);
  if (!high || !low) return std::nullopt;
  return static_cast<net::Community>((*high << 16) | *low);
}

std::optional<net::LargeCommunity> parse_large_community(std::string_view text) {
  auto first = text.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = text.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto a = parse_part(text.substr(0, first), 0xFFFFFFFF);
  auto b = parse_part(text.substr(first + 1, second - first - 1), 0xFFFFFFFF);
  auto c = parse_part(text.substr(second + 1), 0xFFFFFFFF);  // a third colon fails here
  if (!a || !b || !c) return std::nullopt;
  return net::LargeCommunity{static_cast<std::uint32_t>(*a), static_cast<std::uint32_t>(*b),
                             static_cast<std::uint32_t>(*c)};
}

std::optional<CommunityPattern> parse_community_pattern(std::string_view text) {
  CommunityPattern p;
  p.text = std::string(text);
  if (auto named = parse_community(text); named && text.find(':') == std::string_view::npos) {
    p.parts = {*named >> 16, *named & 0xFFFF, std::nullopt};
    return p;
  }
  std::array<std::string_view, 3> pieces;
  std::size_t count = 0;
  for (std::size_t start = 0;;) {
    auto colon = text.find(':', start);
    if (count == pieces.size()) return std::nullopt;  // a fourth part
    pieces[count++] = text.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (count < 2) return std::nullopt;
  p.large = count == 3;
  const std::uint64_t max = p.large ? 0xFFFFFFFF : 0xFFFF;
  for (std::size_t i = 0; i < count; ++i) {
    if (pieces[i] == "*") continue;
    auto v = parse_part(pieces[i], max);
    if (!v) return std::nullopt;
    p.parts[i] = static_cast<std::uint32_t>(*v);
  }
  return p;
}

bool CommunityPattern::matches(net::Community c) const {
  auto fits = [](const std::optional<std::uint32_t>& part, std::uint32_t v) { return !part || *part == v; };
  return !large && fits(parts[0], c >> 16) && fits(parts[1], c & 0xFFFF);
}

bool CommunityPattern::matches(const net::LargeCommunity& c) const {
  auto fits = [](const std::optional<std::uint32_t>& part, std::uint32_t v) { return !part || *part == v; };
  return large && fits(parts[0], c.global_admin) && fits(parts[1], c.local1) && fits(parts[2], c.local2);
}

std::string format_community(net::Community c) {
  for (const auto& w : kWellKnown)
    if (w.value == c) return std::string(w.name);
  return std::to_string(c >> 16) + ":" + std::to_string(c & 0xFFFF);
}

std::string format_large_community(const net::LargeCommunity& c) {
  return std::to_string(c.global_admin) + ":" + std::to_string(c.local1) + ":" + std::to_string(c.local2);
}

}  // namespace config
