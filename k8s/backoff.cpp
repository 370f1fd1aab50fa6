#include "k8s/backoff.hpp"

#include <algorithm>
#include <memory>
#include <random>

namespace k8s {

Backoff::Backoff(Duration initial, Duration max, double jitter, std::function<double()> random01)
    : initial_(initial), max_(max), jitter_(jitter), random01_(std::move(random01)) {}

Backoff Backoff::standard() {
  auto engine = std::make_shared<std::minstd_rand>(std::random_device{}());
  return Backoff(Duration(800), Duration(30000), 0.4, [engine] {
    return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
  });
}


Backoff::Duration Backoff::next() {
  double base = static_cast<double>(initial_.count());
  for (unsigned i = 0; i < attempt_ && base < static_cast<double>(max_.count()); ++i) base *= 2;
  base = std::min(base, static_cast<double>(max_.count()));
  ++attempt_;
  // Spread over [base*(1-j/2), base*(1+j/2)).
  double factor = 1.0 - jitter_ / 2 + jitter_ * random01_();
  return std::min(max_, Duration(static_cast<Duration::rep>(base * factor)));
}

}  // namespace k8s
