#include "net/address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using net::Address;

TEST(Address, ParsesAndPrintsIpv4) {
  auto a = Address::parse("10.96.0.10");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_v4());
  EXPECT_EQ(a->v4_value(), 0x0a60000au);
  EXPECT_EQ(a->to_string(), "10.96.0.10");
  EXPECT_EQ(*a, Address::v4(0x0a60000au));
}

TEST(Address, ParsesAndPrintsIpv6Canonically) {
  auto a = Address::parse("FD00:10:96:0:0:0:0:a");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_v6());
  EXPECT_EQ(a->bits(), 128u);
  EXPECT_EQ(a->to_string(), "fd00:10:96::a");
}

TEST(Address, RejectsGarbage) {
  for (const char* bad : {"", "10.96.0", "10.96.0.256", "10.96.0.1 ", "1.2.3.4/32", "::g", "fd00:::1", "localhost"})
    EXPECT_FALSE(Address::parse(bad)) << bad;
}

TEST(Address, ReadsIpv4ExactlyAsInetPton) {
  // Dotted strings of one to three digits a part, half of them then mutated (a character
  // replaced, dropped or added), plus edge cases, compared with inet_pton(AF_INET): the parser
  // must accept and refuse the same texts.
  std::vector<std::string> texts = {"0.0.0.0", "255.255.255.255", "256.0.0.0", "01.2.3.4", "1.2.3.04", "1.2.3.",
                                    ".1.2.3", "1..2.3", "1.2.3.4.5", "1.2.3.0004", "1.2.3.4x", "1.2.3.-4", "1.2.3.+4",
                                    "1.2.3.4\n", "100.200.250.199", "1.2.3.299", "0.00.0.0", "9.99.100.0"};
  std::uint32_t seed = 12345;
  auto next = [&seed](std::uint32_t bound) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % bound;
  };
  const std::string alphabet = "0123456789. x";
  for (int n = 0; n < 100000; ++n) {
    std::string t;
    for (int part = 0, parts = 3 + static_cast<int>(next(3)); part < parts; ++part) {
      if (part) t += '.';
      for (std::uint32_t d = 0, digits = 1 + next(3); d < digits; ++d) t += static_cast<char>('0' + next(10));
    }
    switch (next(6)) {
      case 0: t[next(static_cast<std::uint32_t>(t.size()))] = alphabet[next(13)]; break;
      case 1: t.erase(next(static_cast<std::uint32_t>(t.size())), 1); break;
      case 2: t.insert(next(static_cast<std::uint32_t>(t.size()) + 1), 1, alphabet[next(13)]); break;
      default: break;
    }
    texts.push_back(t);
  }
  int accepted = 0;
  for (const auto& t : texts) {
    std::array<std::uint8_t, 4> expected{};
    const bool valid = inet_pton(AF_INET, t.c_str(), expected.data()) == 1;
    auto a = Address::parse(t);
    ASSERT_EQ(a.has_value(), valid) << '"' << t << '"';
    if (valid) {
      ++accepted;
      EXPECT_EQ(*a, Address::v4(expected)) << t;
    }
  }
  EXPECT_GT(accepted, 5000) << "the generator must make valid addresses too";
  EXPECT_FALSE(Address::parse(std::string_view("1.2.3.4\0junk", 12))) << "no text after a NUL";
}

TEST(Address, OrdersIpv4BeforeIpv6AndByValue) {
  EXPECT_LT(*Address::parse("10.0.0.1"), *Address::parse("10.0.0.2"));
  EXPECT_LT(*Address::parse("255.255.255.255"), *Address::parse("::"));
}

TEST(Address, KnowsLinkLocalAndUnspecified) {
  EXPECT_TRUE(Address::parse("fe80::1")->is_link_local());
  EXPECT_TRUE(Address::parse("169.254.1.1")->is_link_local());
  EXPECT_FALSE(Address::parse("fd00::1")->is_link_local());
  EXPECT_TRUE(Address::parse("0.0.0.0")->is_unspecified());
  EXPECT_TRUE(Address::parse("::")->is_unspecified());
}

TEST(Address, DottedTextOfAHostOrderNumber) {
  EXPECT_EQ(net::dotted(0xe0000005u), "224.0.0.5");
  EXPECT_EQ(net::dotted(0), "0.0.0.0");
  EXPECT_EQ(net::dotted(0xffffffffu), "255.255.255.255");
  EXPECT_EQ(net::dotted(0x0a000102u), "10.0.1.2");
}

TEST(Address, V4MaskOfAPrefixLength) {
  EXPECT_EQ(net::v4_mask(0), 0u);
  EXPECT_EQ(net::v4_mask(1), 0x80000000u);
  EXPECT_EQ(net::v4_mask(24), 0xffffff00u);
  EXPECT_EQ(net::v4_mask(30), 0xfffffffcu);
  EXPECT_EQ(net::v4_mask(32), 0xffffffffu);
  EXPECT_EQ(net::v4_mask(33), 0xffffffffu);
}
