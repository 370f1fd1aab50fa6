#include "daemon/withdraw_damper.hpp"

namespace cisd {

net::RouteSet WithdrawDamper::apply(const net::RouteSet& planned, Clock::time_point now) {
  if (delay_.count() <= 0) return planned;  // nothing to hold: no bookkeeping either
  // Newly missing routes start their delay; routes back in the plan are no longer held.
  for (const auto& [prefix, route] : advertised_)
    if (!planned.contains(prefix) && !held_.count(prefix)) held_.emplace(prefix, Held{route, now});
  std::erase_if(held_, [&](const auto& entry) {
    return planned.contains(entry.first) || now - entry.second.since >= delay_;
  });
  net::RouteSet out = planned;
  for (const auto& [prefix, h] : held_) out.insert(h.route);
  return advertised_ = std::move(out);
}

void WithdrawDamper::set_delay(std::chrono::milliseconds delay) {
  delay_ = delay;
  if (delay_.count() > 0) return;
  // apply() will pass the plan through without bookkeeping: what it knows now would go stale.
  held_.clear();
  advertised_ = {};
}

net::RouteSet WithdrawDamper::withdraw_all() {
  held_.clear();
  advertised_ = {};
  return {};
}

net::RouteSet routes_to_advertise(WithdrawDamper& damper, const Plan& plan, WithdrawDamper::Clock::time_point now) {
  if (!plan.withheld.empty()) return damper.withdraw_all();
  return damper.apply(plan.routes, now);
}

std::optional<WithdrawDamper::Clock::time_point> WithdrawDamper::next_expiry() const {
  std::optional<Clock::time_point> next;
  for (const auto& [prefix, h] : held_)
    if (!next || h.since + delay_ < *next) next = h.since + delay_;
  return next;
}

}  // namespace cisd
