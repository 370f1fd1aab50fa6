#include "bgp/received_prefixes.hpp"

namespace bgp {

std::size_t ReceivedPrefixes::Hash::operator()(const net::Prefix& p) const noexcept {
  // FNV-1a over the significant octets and the length: prefixes are short and well spread.
  std::uint64_t h = 1469598103934665603ull;
  const auto& bytes = p.address().bytes();
  const std::size_t octets = (p.length() + 7) / 8;
  for (std::size_t i = 0; i < octets; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  h = (h ^ p.length()) * 1099511628211ull;
  return static_cast<std::size_t>(h);
}

bool ReceivedPrefixes::announce(const net::Prefix& prefix) {
  auto& s = set(prefix.family());
  if (limit_ != 0 && s.size() >= limit_ && !s.contains(prefix)) return false;
  s.insert(prefix);
  return true;
}

std::optional<net::Family> ReceivedPrefixes::apply(const wire::Update& update) {
  const auto& a = update.attributes;
  withdraw(update.withdrawn);
  if (a.mp_unreach) withdraw(a.mp_unreach->withdrawn);
  for (const auto& prefix : update.nlri)
    if (!announce(prefix)) return prefix.family();
  if (a.mp_reach)
    for (const auto& prefix : a.mp_reach->nlri)
      if (!announce(prefix)) return prefix.family();
  return std::nullopt;
}

wire::Notification ReceivedPrefixes::cease(net::Family family) const {
  return wire::max_prefixes_reached(family == net::Family::ipv4 ? wire::kIpv4Unicast : wire::kIpv6Unicast, limit_);
}

void ReceivedPrefixes::withdraw(const std::vector<net::Prefix>& prefixes) {
  for (const auto& prefix : prefixes) set(prefix.family()).erase(prefix);
}

void ReceivedPrefixes::clear() {
  // Give the memory back, not just the entries: a flood must not leave a large table behind.
  Set().swap(ipv4_);
  Set().swap(ipv6_);
}

std::size_t ReceivedPrefixes::count(net::Family family) const {
  return family == net::Family::ipv4 ? ipv4_.size() : ipv6_.size();
}

}  // namespace bgp
