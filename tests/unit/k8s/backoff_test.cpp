#include "k8s/backoff.hpp"

#include <gtest/gtest.h>

namespace k8s {
namespace {

using ms = std::chrono::milliseconds;

TEST(Backoff, DoublesToTheCapWithoutJitterAtMidpoint) {
  Backoff b(ms(800), ms(30000), 0.4, [] { return 0.5; });  // 0.5 = no spread
  std::vector<long> got;
  for (int i = 0; i < 8; ++i) got.push_back(b.next().count());
  EXPECT_EQ(got, (std::vector<long>{800, 1600, 3200, 6400, 12800, 25600, 30000, 30000}));
  b.reset();
  EXPECT_EQ(b.next(), ms(800));
}

TEST(Backoff, JitterSpreadsWithinTwentyPercent) {
  std::vector<double> randoms{0.0, 0.999, 0.25, 0.0};
  std::size_t i = 0;
  Backoff b(ms(800), ms(30000), 0.4, [&] { return randoms[i++]; });
  EXPECT_EQ(b.next(), ms(640));   // 800 * 0.8
  EXPECT_EQ(b.next(), ms(1919));  // 1600 * 1.1996
  EXPECT_EQ(b.next(), ms(2880));  // 3200 * 0.9
  EXPECT_EQ(b.next(), ms(5120));  // 6400 * 0.8
}

TEST(Backoff, NeverAboveTheCap) {
  Backoff b(ms(800), ms(30000), 0.4, [] { return 0.99; });
  for (int i = 0; i < 20; ++i) EXPECT_LE(b.next(), ms(30000));
}

TEST(Backoff, StandardIsRandomisedAroundTheSchedule) {
  auto b = Backoff::standard();
  auto first = b.next();
  EXPECT_GE(first, ms(640));
  EXPECT_LE(first, ms(960));
}

}  // namespace
}  // namespace k8s
