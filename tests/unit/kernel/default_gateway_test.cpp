#include "kernel/default_gateway.hpp"

#include <gtest/gtest.h>

namespace netlink {
namespace {

net::Address A(const char* s) { return *net::Address::parse(s); }

TEST(DefaultGateway, LowestMetricMainTableUnicastWithAGateway) {
  KernelRoute lan{254, 24, true, 0, std::nullopt};             // on-link subnet route
  KernelRoute backup{254, 0, true, 200, A("192.168.1.254")};
  KernelRoute primary{254, 0, true, 100, A("192.168.1.1")};
  KernelRoute other_table{100, 0, true, 0, A("10.0.0.1")};     // policy routing table
  KernelRoute blackhole{254, 0, false, 0, std::nullopt};
  KernelRoute onlink_default{254, 0, true, 0, std::nullopt};   // a default route out of a device
  EXPECT_EQ(choose_default_gateway({lan, backup, primary, other_table, blackhole, onlink_default}), A("192.168.1.1"));
  EXPECT_EQ(choose_default_gateway({backup}), A("192.168.1.254"));
  EXPECT_EQ(choose_default_gateway({lan, other_table, blackhole, onlink_default}), std::nullopt);
  EXPECT_EQ(choose_default_gateway({}), std::nullopt);
  KernelRoute tie{254, 0, true, 100, A("192.168.1.2")};
  EXPECT_EQ(choose_default_gateway({primary, tie}), A("192.168.1.1"));  // the first listed
}

}  // namespace
}  // namespace netlink
