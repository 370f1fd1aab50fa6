#include "daemon/planner_refusals.hpp"

#include <algorithm>

namespace cisd {

RefusalReporter::Report RefusalReporter::update(const std::vector<Refusal>& refused, Clock::time_point now) {
  Report report;
  std::set<Refusal> next(refused.begin(), refused.end());
  for (const auto& r : next)
    if (!current_.count(r)) report.added.push_back(r);
  current_ = std::move(next);

  // One line per Service for what it newly asked for (report.added is in Service order).
  for (auto first = report.added.begin(); first != report.added.end();) {
    auto last = std::find_if(first, report.added.end(), [&](const Refusal& r) { return r.service != first->service; });
    auto& s = services_[first->service];
    if (s.last_logged && now - *s.last_logged < interval_) {
      s.suppressed += static_cast<std::uint64_t>(last - first);
    } else {
      std::string line = "refused for Service " + first->service + ": ";
      for (auto r = first; r != last; ++r)
        line += (r == first ? "" : "; ") + r->detail + " (" + to_string(r->reason) + ")";
      if (s.suppressed > 0) line += " (and " + std::to_string(s.suppressed) + " more for it not logged before)";
      s.last_logged = now;
      s.suppressed = 0;
      report.lines.push_back(std::move(line));
    }
    first = last;
  }
  // Services with nothing refused and a quiet interval behind them are forgotten (bounded memory).
  std::erase_if(services_, [&](const auto& entry) {
    return entry.second.suppressed == 0 && entry.second.last_logged && now - *entry.second.last_logged >= interval_;
  });
  return report;
}

}  // namespace cisd
