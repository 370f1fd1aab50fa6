// Flap damping for advertise.withdraw_delay: a route that leaves the plan stays advertised for
// the delay, and is forgotten at once if it comes back. Pure: time is passed in.
#pragma once
#include <chrono>
#include <map>
#include <optional>

#include "daemon/planner.hpp"
#include "net/route_set.hpp"

namespace cisd {

class WithdrawDamper {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WithdrawDamper(std::chrono::milliseconds delay) : delay_(delay) {}

  // A reload's new delay. Held routes stay held, now until their withdrawal is `delay` old; a
  // delay of 0 lets them go at the next apply(), and from then on nothing is tracked.
  void set_delay(std::chrono::milliseconds delay);

  // What to advertise now: the plan, plus routes that left it less than `delay` ago.
  net::RouteSet apply(const net::RouteSet& planned, Clock::time_point now);
  // When apply() should run again to let a held route go; nullopt when nothing is held.
  std::optional<Clock::time_point> next_expiry() const;
  std::size_t held() const { return held_.size(); }
  // Withdraws everything now, held routes included, and forgets them: returns the empty set.
  net::RouteSet withdraw_all();

 private:
  struct Held {
    net::Route route;
    Clock::time_point since;
  };
  std::chrono::milliseconds delay_;
  net::RouteSet advertised_;
  std::map<net::Prefix, Held> held_;
};

// What the speakers get for a plan. Gating beats damping: a withheld plan (kube-proxy down, the
// Node NotReady or cordoned) means this node cannot deliver, so it withdraws everything at once,
// whatever withdraw_delay says; only the churn of a plan that may go out is damped.
net::RouteSet routes_to_advertise(WithdrawDamper& damper, const Plan& plan, WithdrawDamper::Clock::time_point now);

}  // namespace cisd
