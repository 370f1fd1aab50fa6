// How much event-loop time each remote client address of the HTTP endpoint may spend on requests
// (docs/security.md, "The HTTP endpoint"): a token bucket per address, refilled at `per_second`
// of work each second up to `burst`. An address that has used it up gets no new connection until
// it has refilled, so no LAN host can keep the loop busy with back-to-back /status requests.
// Pure: time is passed in.
#pragma once
#include <chrono>
#include <map>

#include "io/asio.hpp"

namespace cisd {

class WorkBudget {
 public:
  using Clock = std::chrono::steady_clock;
  WorkBudget(Clock::duration per_second, Clock::duration burst) : per_second_(per_second), burst_(burst) {}

  // Whether `client` has any budget left now.
  bool available(const asio::ip::address& client, Clock::time_point now);
  // `client` used `work` of the loop's time.
  void charge(const asio::ip::address& client, Clock::duration work, Clock::time_point now);
  // Addresses with less than a full bucket (the others are forgotten: memory stays bounded).
  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    Clock::duration left;
    Clock::time_point at;
  };
  Clock::duration refilled(const Bucket& b, Clock::time_point now) const;
  void forget_full(Clock::time_point now);

  Clock::duration per_second_;
  Clock::duration burst_;
  std::map<asio::ip::address, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace cisd
