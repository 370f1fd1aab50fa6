#include "daemon/http_server_work_budget.hpp"

#include <algorithm>

namespace cisd {

WorkBudget::Clock::duration WorkBudget::refilled(const Bucket& b, Clock::time_point now) const {
  const auto elapsed = std::chrono::duration<double>(now - b.at).count();
  const auto gained = std::chrono::duration_cast<Clock::duration>(per_second_ * elapsed);
  return std::min(burst_, b.left + gained);
}

bool WorkBudget::available(const asio::ip::address& client, Clock::time_point now) {
  auto it = buckets_.find(client);
  return it == buckets_.end() || refilled(it->second, now) > Clock::duration::zero();
}

void WorkBudget::charge(const asio::ip::address& client, Clock::duration work, Clock::time_point now) {
  auto [it, added] = buckets_.try_emplace(client, Bucket{burst_, now});
  it->second.left = refilled(it->second, now) - work;  // may go below zero: a big request waits longer
  it->second.at = now;
  if (now - last_sweep_ >= std::chrono::seconds(1)) forget_full(now);
}

void WorkBudget::forget_full(Clock::time_point now) {
  last_sweep_ = now;
  std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second, now) >= burst_; });
}

}  // namespace cisd
