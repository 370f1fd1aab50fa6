// What the daemon does with the plan's refusals (a Service asking for an address or community the
// operator does not allow): each refusal that was not in the previous plan is counted once, and
// logged naming the Service: one line per Service for what it newly asked for, at most once per
// interval per Service, so that a tenant who flips a Service back and forth cannot flood the log.
// Pure: time is passed in.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/planner.hpp"

namespace cisd {

class RefusalReporter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RefusalReporter(Clock::duration interval = std::chrono::minutes(1)) : interval_(interval) {}

  struct Report {
    std::vector<Refusal> added;       // new since the last plan: count each once
    std::vector<std::string> lines;   // the warnings to log now
  };
  Report update(const std::vector<Refusal>& refused, Clock::time_point now);

 private:
  struct PerService {
    std::optional<Clock::time_point> last_logged;
    std::uint64_t suppressed = 0;
  };
  Clock::duration interval_;
  std::set<Refusal> current_;
  std::map<std::string, PerService> services_;
};

}  // namespace cisd
