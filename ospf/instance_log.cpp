#include "ospf/instance_log.hpp"

namespace ospf {

void InstanceLog::problem(const std::string& kind, std::string line, Clock::time_point now) {
  auto it = kinds_.find(kind);
  if (it != kinds_.end() && now - it->second.last < interval_) {
    ++it->second.suppressed;
    return;
  }
  if (it != kinds_.end() && it->second.suppressed > 0)
    line += " (" + std::to_string(it->second.suppressed) + " similar suppressed)";
  kinds_[kind] = Kind{now, 0};
  // Forget kinds that have been quiet a long while, so a scan of random sources can't grow this.
  if (kinds_.size() > max_lines_) std::erase_if(kinds_, [&](const auto& k) { return now - k.second.last >= interval_; });
  push(std::move(line));
}

void InstanceLog::event(std::string line) { push(std::move(line)); }

void InstanceLog::push(std::string line) {
  lines_.push_back(std::move(line));
  while (lines_.size() > max_lines_) lines_.pop_front();
}

std::vector<std::string> InstanceLog::take() {
  std::vector<std::string> out(std::make_move_iterator(lines_.begin()), std::make_move_iterator(lines_.end()));
  lines_.clear();
  return out;
}

}  // namespace ospf
