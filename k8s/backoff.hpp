// Retry delays for the list/watch loop: doubling from `initial` to `max`, each one spread by
// jitter so that every node of a cluster does not hit a recovering API server at once.
#pragma once
#include <chrono>
#include <functional>

namespace k8s {

class Backoff {
 public:
  using Duration = std::chrono::milliseconds;
  // random01 returns a value in [0, 1); tests inject a fixed sequence.
  Backoff(Duration initial, Duration max, double jitter, std::function<double()> random01);
  // 0.8 s doubling to 30 s, each delay randomised within ±20 %.
  static Backoff standard();

  Duration next();             // the delay before the next attempt
  void reset() { attempt_ = 0; }  // after a success
  unsigned attempts() const { return attempt_; }

 private:
  Duration initial_, max_;
  double jitter_;
  std::function<double()> random01_;
  unsigned attempt_ = 0;
};

}  // namespace k8s
