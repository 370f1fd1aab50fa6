// Rate limiting for a warning a peer can trigger at will (one per UPDATE it sends): the first
// line, then at most one per interval, each saying how many were left out since the last.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>

namespace bgp {

class WarningLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit WarningLimiter(Clock::duration interval) : interval_(interval) {}

  // Whether to log now: nullopt to stay quiet, else how many were suppressed since the last line.
  std::optional<std::uint64_t> allow(Clock::time_point now) {
    if (last_ && now - *last_ < interval_) {
      ++suppressed_;
      return std::nullopt;
    }
    last_ = now;
    auto suppressed = suppressed_;
    suppressed_ = 0;
    return suppressed;
  }

 private:
  Clock::duration interval_;
  std::optional<Clock::time_point> last_;
  std::uint64_t suppressed_ = 0;
};

}  // namespace bgp
