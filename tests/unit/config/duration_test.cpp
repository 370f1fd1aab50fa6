#include "config/duration.hpp"

#include <gtest/gtest.h>

namespace config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDuration, ReadsEachUnit) {
  EXPECT_EQ(parse_duration("90s"), seconds(90));
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("2h"), hours(2));
  EXPECT_EQ(parse_duration("5m"), minutes(5));
}

TEST(ParseDuration, ReadsCompounds) {
  EXPECT_EQ(parse_duration("1m30s"), seconds(90));
  EXPECT_EQ(parse_duration("1h2m3s4ms"), hours(1) + minutes(2) + seconds(3) + milliseconds(4));
  EXPECT_EQ(parse_duration("1s500ms"), milliseconds(1500));
  EXPECT_EQ(parse_duration("1h30s"), hours(1) + seconds(30));  // units may be skipped
}

TEST(ParseDuration, ZeroForms) {
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
  EXPECT_EQ(parse_duration("0ms"), milliseconds(0));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));  // the one unitless value that cannot be misread
  EXPECT_EQ(parse_duration("000s"), milliseconds(0));
}

TEST(ParseDuration, RejectsMalformed) {
  for (const char* bad : {"", "90", "s", "1", "-1s", "+1s", "1.5s", "1 s", " 1s", "1s ", "1S", "1sec", "1d", "1us",
                          "1s1m", "1s1s", "1ms1s", "1m1h", "ms", "1s2", "1m30", "0x10s", "1h-1s"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_EQ(parse_duration("99999999999999999999s"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372036854775807h"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372036854775807ms"), milliseconds(9223372036854775807LL));
  EXPECT_EQ(parse_duration("9223372036854775807ms1ms"), std::nullopt);
}

TEST(FormatDuration, WholeSecondsAndMilliseconds) {
  EXPECT_EQ(format_duration(seconds(90)), "90s");
  EXPECT_EQ(format_duration(seconds(120)), "120s");
  EXPECT_EQ(format_duration(milliseconds(500)), "500ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(hours(2)), "7200s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (const char* text : {"0s", "1ms", "999ms", "1s", "1m30s", "2h", "1h2m3s4ms", "4095s", "65535s", "3s1ms"}) {
    auto d = parse_duration(text);
    ASSERT_TRUE(d) << text;
    EXPECT_EQ(parse_duration(format_duration(*d)), d) << text;
  }
}

TEST(WholeSeconds, RoundsUpAndKeepsWholeSeconds) {
  EXPECT_EQ(whole_seconds(seconds(90)), 90u);
  EXPECT_EQ(whole_seconds(milliseconds(1500)), 2u);
  EXPECT_EQ(whole_seconds(milliseconds(1)), 1u);
  EXPECT_EQ(whole_seconds(milliseconds(0)), 0u);
  EXPECT_EQ(whole_seconds(seconds(65535)), 65535u);
}

}  // namespace
}  // namespace config
