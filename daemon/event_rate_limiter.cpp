#include "daemon/event_rate_limiter.hpp"

#include <algorithm>

namespace cisd {

double EventRateLimiter::tokens_at(const Bucket& b, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.at).count();
  const double per_second = 1.0 / std::chrono::duration<double>(limits_.refill).count();
  return std::min(limits_.burst, b.tokens + std::max(0.0, elapsed) * per_second);
}

// A full bucket is what a new one would be: forgetting it loses nothing.
void EventRateLimiter::forget_full(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& entry) { return tokens_at(entry.second, now) >= limits_.burst; });
}

bool EventRateLimiter::admit(const std::string& service, Clock::time_point now) {
  auto it = buckets_.find(service);
  if (it == buckets_.end()) {
    if (buckets_.size() >= limits_.max_services) forget_full(now);
    // Still full of busy Services: the new one waits its turn rather than grow the map.
    if (buckets_.size() >= limits_.max_services) return false;
    it = buckets_.emplace(service, Bucket{limits_.burst, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = tokens_at(b, now);
  b.at = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace cisd
