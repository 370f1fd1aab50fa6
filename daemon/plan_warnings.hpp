// Which of a plan's warnings to log: each one once while it holds, again if it comes back after
// it had gone. Remembers only the warnings of the last plan, so what it holds is bounded by
// what the cluster says now (one line per Service with a problem), not by every warning ever
// seen while Services are created, edited and deleted for months.
#pragma once
#include <set>
#include <string>
#include <vector>

namespace cisd {

class PlanWarnings {
 public:
  // The warnings of `current` (the whole list of a new plan) that the previous plan did not have.
  std::vector<std::string> newly_seen(const std::vector<std::string>& current);
  std::size_t remembered() const { return last_.size(); }

 private:
  std::set<std::string> last_;
};

}  // namespace cisd
