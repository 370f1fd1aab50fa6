#include <gtest/gtest.h>

#include "config/config.hpp"

namespace config {
namespace {

TEST(ResolveNodeName, ConfigFirst) {
  EXPECT_EQ(resolve_node_name(NodeConfig{"from-config", {}}, "from-env", "host"), "from-config");
}

TEST(ResolveNodeName, ThenEnvironment) {
  EXPECT_EQ(resolve_node_name(NodeConfig{}, "from-env", "host"), "from-env");
}

TEST(ResolveNodeName, ThenHostname) {
  EXPECT_EQ(resolve_node_name(NodeConfig{}, nullptr, "host"), "host");
  EXPECT_EQ(resolve_node_name(NodeConfig{}, "", "host"), "host");  // NODE_NAME set but empty
}

}  // namespace
}  // namespace config
