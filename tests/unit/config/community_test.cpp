#include "config/community.hpp"

#include <gtest/gtest.h>

namespace config {
namespace {

TEST(ParseCommunity, Numeric) {
  EXPECT_EQ(parse_community("65000:1"), (65000u << 16) | 1u);
  EXPECT_EQ(parse_community("0:0"), 0u);
  EXPECT_EQ(parse_community("65535:65535"), 0xFFFFFFFFu);
}

TEST(ParseCommunity, WellKnownNames) {
  EXPECT_EQ(parse_community("no-export"), 0xFFFFFF01u);
  EXPECT_EQ(parse_community("no-advertise"), 0xFFFFFF02u);
  EXPECT_EQ(parse_community("no-export-subconfed"), 0xFFFFFF03u);
  EXPECT_EQ(parse_community("graceful-shutdown"), 0xFFFF0000u);  // 65535:0, RFC 8326
  EXPECT_EQ(parse_community("blackhole"), 0xFFFF029Au);          // 65535:666, RFC 7999
}

TEST(ParseCommunity, RejectsMalformed) {
  for (const char* bad : {"", ":", "65000", "65000:", ":1", "65536:1", "1:65536", "-1:1", "1:-1", "a:b", "1:2:3",
                          " 1:2", "1:2 ", "NO-EXPORT", "no_export", "4294967295", "0x10:1", "+1:1",
                          "99999999999:1"}) {
    EXPECT_EQ(parse_community(bad), std::nullopt) << bad;
  }
}

TEST(ParseLargeCommunity, Valid) {
  EXPECT_EQ(parse_large_community("65000:1:2"), (net::LargeCommunity{65000, 1, 2}));
  EXPECT_EQ(parse_large_community("4294967295:4294967295:4294967295"),
            (net::LargeCommunity{4294967295u, 4294967295u, 4294967295u}));
  EXPECT_EQ(parse_large_community("0:0:0"), (net::LargeCommunity{0, 0, 0}));
}

TEST(ParseLargeCommunity, RejectsMalformed) {
  for (const char* bad : {"", "1:2", "1:2:3:4", "4294967296:0:0", "0:4294967296:0", "0:0:4294967296", "::",
                          "1::3", "a:b:c", "-1:0:0", "1:2:", "no-export"}) {
    EXPECT_EQ(parse_large_community(bad), std::nullopt) << bad;
  }
}

TEST(FormatCommunity, NamesWellKnownAndRoundTrips) {
  EXPECT_EQ(format_community(0xFFFFFF01u), "no-export");
  EXPECT_EQ(format_community(0xFFFF0000u), "graceful-shutdown");
  EXPECT_EQ(format_community((65000u << 16) | 7u), "65000:7");
  for (net::Community c : {0u, 1u, 0xFFFFFFFFu, 0xFFFF029Au, (64512u << 16) | 100u})
    EXPECT_EQ(parse_community(format_community(c)), c);
  net::LargeCommunity lc{1, 2, 4294967295u};
  EXPECT_EQ(format_large_community(lc), "1:2:4294967295");
  EXPECT_EQ(parse_large_community(format_large_community(lc)), lc);
}

}  // namespace
}  // namespace config

TEST(CommunityPattern, WildcardsExactValuesAndNames) {
  using config::parse_community_pattern;
  auto any_low = *parse_community_pattern("65000:*");
  EXPECT_TRUE(any_low.matches((65000u << 16) | 7));
  EXPECT_FALSE(any_low.matches((65001u << 16) | 7));
  EXPECT_FALSE(any_low.matches(net::LargeCommunity{65000, 7, 0}));  // two parts: standard only
  EXPECT_FALSE(any_low.matches(0xFFFF029Au));  // blackhole is 65535:666
  auto exact = *parse_community_pattern("65000:100");
  EXPECT_TRUE(exact.matches((65000u << 16) | 100));
  EXPECT_FALSE(exact.matches((65000u << 16) | 101));
  auto named = *parse_community_pattern("no-export");
  EXPECT_TRUE(named.matches(0xFFFFFF01u));
  EXPECT_FALSE(named.matches(0xFFFFFF02u));
  auto large = *parse_community_pattern("64513:1:*");
  EXPECT_TRUE(large.matches(net::LargeCommunity{64513, 1, 4000000000u}));
  EXPECT_FALSE(large.matches(net::LargeCommunity{64513, 2, 1}));
  EXPECT_FALSE(large.matches((64513u << 16) | 1));
  EXPECT_EQ(large.text, "64513:1:*");
  for (const char* bad : {"", "*", "65000", "65536:*", "1:2:3:4", "a:b", "65000:*x", "4294967296:1:1", ":1"})
    EXPECT_FALSE(parse_community_pattern(bad)) << bad;
}
