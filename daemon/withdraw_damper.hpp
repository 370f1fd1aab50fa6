// Flap damping for advertise.withdraw_delay: a route that leaves the plan stays advertised for
// the delay, and is forgotten at once if it comes back. Pure: time is passed in.
#pragma once
#include <chrono>
#include <map>
#include <optional>

#include "net/route_set.hpp"

namespace cisd {

class WithdrawDamper {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WithdrawDamper(std::chrono::milliseconds delay) : delay_(delay) {}

  // What to advertise now: the plan, plus routes that left it less than `delay` ago.
  net::RouteSet apply(const net::RouteSet& planned, Clock::time_point now);
  // When apply() should run again to let a held route go; nullopt when nothing is held.
  std::optional<Clock::time_point> next_expiry() const;
  std::size_t held() const { return held_.size(); }

 private:
  struct Held {
    net::Route route;
    Clock::time_point since;
  };
  std::chrono::milliseconds delay_;
  net::RouteSet advertised_;
  std::map<net::Prefix, Held> held_;
};

}  // namespace cisd
