// How many Kubernetes Events one Service may get: a token bucket per Service (a burst, then one
// per refill interval), so a flapping Service cannot flood the API server or the Service's
// event list. Memory is bounded: at most max_services buckets are kept. Pure; time is passed in.
#pragma once
#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace cisd {

class EventRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    double burst = 5;                       // events a quiet Service may get at once
    std::chrono::milliseconds refill{30'000};  // then one more per this long
    std::size_t max_services = 4096;        // buckets kept; full buckets are forgotten first
  };

  EventRateLimiter() : EventRateLimiter(Limits{}) {}
  explicit EventRateLimiter(Limits limits) : limits_(limits) {}

  // Whether an event for `service` may go out at `now`; if so, it is counted against it.
  bool admit(const std::string& service, Clock::time_point now);
  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;  // when tokens was last brought up to date
  };
  double tokens_at(const Bucket& b, Clock::time_point now) const;
  void forget_full(Clock::time_point now);

  Limits limits_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace cisd
