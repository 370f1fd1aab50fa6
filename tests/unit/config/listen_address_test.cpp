// ADDRESS:PORT, the one reader of http.listen and --http.
#include "config/listen_address.hpp"

#include <gtest/gtest.h>

namespace config {
namespace {

TEST(ListenAddress, Ipv4AndBracketedIpv6) {
  auto v4 = parse_listen_address("127.0.0.1:9474");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->address, *net::Address::parse("127.0.0.1"));
  EXPECT_EQ(v4->port, 9474);
  auto v6 = parse_listen_address("[::1]:80");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->address.is_v6());
  EXPECT_EQ(v6->port, 80);
  EXPECT_EQ(parse_listen_address("0.0.0.0:0")->port, 0);  // any free port: the caller decides whether that is fine
  EXPECT_EQ(parse_listen_address("10.0.0.1:65535")->port, 65535);
}

TEST(ListenAddress, AnythingElseIsRefused) {
  for (const char* text : {"", "127.0.0.1", "127.0.0.1:", ":9474", "localhost:9474", "127.0.0.1:65536",
                           "127.0.0.1:123456", "127.0.0.1:-1", "127.0.0.1:94a4", "::1:9474", "[::1]9474",
                           "[127.0.0.1]:9474", "[::1]:", "1.2.3.4:5:6"})
    EXPECT_FALSE(parse_listen_address(text)) << text;
}

}  // namespace
}  // namespace config
