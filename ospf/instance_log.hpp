// The instance's lines for the operator's log, rate-limited per kind of problem so that a
// neighbor sending garbage ten times a second cannot flood the log: a kind of bad input gets a
// line naming the neighbor now and then, not one per packet. Pure: time comes in with each line.
#pragma once
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "ospf/architectural_constants.hpp"

namespace ospf {

class InstanceLog {
 public:
  explicit InstanceLog(Clock::duration interval = std::chrono::seconds(60), std::size_t max_lines = 1000)
      : interval_(interval), max_lines_(max_lines) {}

  // A problem: lines with the same `kind` (e.g. "drop eth0 10.0.0.2 bad checksum") go out at
  // most once per interval; the next one that does says how many were held back.
  void problem(const std::string& kind, std::string line, Clock::time_point now);
  // An event worth a line every time (neighbor state changes); rare by nature.
  void event(std::string line);

  std::vector<std::string> take();

 private:
  struct Kind {
    Clock::time_point last;
    std::size_t suppressed = 0;
  };
  void push(std::string line);

  Clock::duration interval_;
  std::size_t max_lines_;  // if nobody takes them, the oldest go
  std::map<std::string, Kind> kinds_;
  std::deque<std::string> lines_;
};

}  // namespace ospf
