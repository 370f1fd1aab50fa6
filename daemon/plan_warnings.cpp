#include "daemon/plan_warnings.hpp"

namespace cisd {

std::vector<std::string> PlanWarnings::newly_seen(const std::vector<std::string>& current) {
  std::vector<std::string> fresh;
  std::set<std::string> now;
  for (const auto& w : current)
    if (now.insert(w).second && !last_.contains(w)) fresh.push_back(w);
  last_ = std::move(now);
  return fresh;
}

}  // namespace cisd
