#include "net/address.hpp"

#include <gtest/gtest.h>

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
