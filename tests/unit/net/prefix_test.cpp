#include "net/prefix.hpp"

#include <gtest/gtest.h>

using net::Address;
using net::Prefix;

TEST(Prefix, ParsesAndPrints) {
  auto p = Prefix::parse("10.96.0.0/12");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->length(), 12u);
  EXPECT_EQ(p->to_string(), "10.96.0.0/12");
  EXPECT_EQ(Prefix::parse("fd00:10:96::/112")->to_string(), "fd00:10:96::/112");
}

TEST(Prefix, BareAddressIsAHostPrefix) {
  EXPECT_EQ(Prefix::parse("10.96.0.10")->length(), 32u);
  EXPECT_EQ(Prefix::parse("fd00::1")->length(), 128u);
}

TEST(Prefix, RejectsHostBitsAndBadLengths) {
  for (const char* bad : {"10.96.0.1/12", "10.96.0.0/33", "10.96.0.0/", "10.96.0.0/-1", "10.96.0.0/1x",
                          "fd00::/129", "fd00::1/64", "/12", "10.96.0.0/0012"})
    EXPECT_FALSE(Prefix::parse(bad)) << bad;
}

TEST(Prefix, ConstructorMasksHostBits) {
  Prefix p(*Address::parse("10.111.22.33"), 12);
  EXPECT_EQ(p.to_string(), "10.96.0.0/12");
  Prefix q(*Address::parse("fd00:10:96::ffff"), 112);
  EXPECT_EQ(q.to_string(), "fd00:10:96::/112");
  EXPECT_EQ(Prefix(*Address::parse("1.2.3.4"), 0).to_string(), "0.0.0.0/0");
}

TEST(Prefix, Contains) {
  auto cidr = *Prefix::parse("10.96.0.0/12");
  EXPECT_TRUE(cidr.contains(*Address::parse("10.96.0.10")));
  EXPECT_TRUE(cidr.contains(*Address::parse("10.111.255.255")));
  EXPECT_FALSE(cidr.contains(*Address::parse("10.112.0.0")));
  EXPECT_FALSE(cidr.contains(*Address::parse("::a60:a")));  // other family
  EXPECT_TRUE(cidr.contains(*Prefix::parse("10.96.0.10/32")));
  EXPECT_TRUE(cidr.contains(cidr));
  EXPECT_FALSE(cidr.contains(*Prefix::parse("10.0.0.0/8")));
}

TEST(Prefix, OrdersByAddressThenLength) {
  EXPECT_LT(*Prefix::parse("10.96.0.0/12"), *Prefix::parse("10.96.0.0/32"));
  EXPECT_LT(*Prefix::parse("10.96.0.0/32"), *Prefix::parse("10.96.0.1/32"));
}
