#include "config/prefix_list.hpp"

#include <gtest/gtest.h>

#include "config/config.hpp"

namespace config {
namespace {

net::Prefix P(const char* text) { return *net::Prefix::parse(text); }

TEST(PrefixList, CopiesOfAConfigShareTheStaticLists) {
  Config a;
  std::vector<net::Prefix> many;
  for (std::uint32_t i = 0; i < 1000; ++i) many.push_back(net::Prefix(net::Address::v4(0x0a000000u + i), 32));
  a.advertise.static_file_prefixes = many;
  a.advertise.static_prefixes = {P("192.0.2.0/24")};
  const Config b = a;
  EXPECT_EQ(&b.advertise.static_file_prefixes.items(), &a.advertise.static_file_prefixes.items());
  EXPECT_EQ(&b.advertise.static_prefixes.items(), &a.advertise.static_prefixes.items());
  EXPECT_EQ(a, b);
}

TEST(PrefixList, ListsReadApartCompareByContent) {
  PrefixList a{P("192.0.2.0/24"), P("198.51.100.7/32")};
  PrefixList b{P("192.0.2.0/24"), P("198.51.100.7/32")};
  PrefixList c{P("192.0.2.0/24")};
  EXPECT_NE(&a.items(), &b.items());
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == c);
  EXPECT_EQ(PrefixList{}, PrefixList(std::vector<net::Prefix>{}));
  EXPECT_TRUE(PrefixList{}.empty());
  EXPECT_EQ(a, (std::vector<net::Prefix>{P("192.0.2.0/24"), P("198.51.100.7/32")}));
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.back(), P("198.51.100.7/32"));
}

}  // namespace
}  // namespace config
