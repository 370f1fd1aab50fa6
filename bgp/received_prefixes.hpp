// The prefixes a peer currently announces to us, per address family, and the per-peer limit on
// them (RFC 4486 Maximum Number of Prefixes). We never install what peers send: this only counts,
// so that /status can show it and a peer that floods us is stopped before it grows our memory.
// A family's set never holds more than `limit` prefixes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_set>
#include <vector>

#include "bgp/wire/message.hpp"
#include "net/prefix.hpp"

namespace bgp {

class ReceivedPrefixes {
 public:
  explicit ReceivedPrefixes(std::uint32_t limit) : limit_(limit) {}  // 0: no limit

  // One valid UPDATE: its withdrawals, then its announcements (an announcement of a prefix
  // already held replaces it and counts once). The family that would go over the limit, if one
  // would; its count then stays at the limit.
  std::optional<net::Family> apply(const wire::Update& update);
  // What to tell a peer that went over the limit in `family` (RFC 4486 data: AFI, SAFI, the limit).
  wire::Notification cease(net::Family family) const;
  // RFC 7606 treat-as-withdraw: the malformed UPDATE's prefixes are no longer announced.
  void withdraw(const std::vector<net::Prefix>& prefixes);
  // The session ended: the peer announces nothing any more.
  void clear();

  std::size_t count(net::Family family) const;
  std::uint32_t limit() const { return limit_; }

 private:
  struct Hash {
    std::size_t operator()(const net::Prefix& p) const noexcept;
  };
  using Set = std::unordered_set<net::Prefix, Hash>;

  Set& set(net::Family family) { return family == net::Family::ipv4 ? ipv4_ : ipv6_; }
  // Adds; false (and nothing added) when that would take the family over the limit.
  bool announce(const net::Prefix& prefix);

  std::uint32_t limit_;
  Set ipv4_, ipv6_;
};

}  // namespace bgp
