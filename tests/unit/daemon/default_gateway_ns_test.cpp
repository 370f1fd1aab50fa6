// `address: gateway` against the real kernel: netlink::default_gateway reads the main table's
// default route, and RouteWatcher reports a change. Runs in programmed_state_test's own network
// namespace (its main unshares one before any thread starts), so no route of the host is touched.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "kernel/netlink.hpp"

namespace cisd {
namespace {

using namespace std::chrono_literals;

net::Address A(const char* s) { return *net::Address::parse(s); }

void run(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << "command failed: " << cmd; }

std::optional<net::Address> gateway_v4() {
  auto g = netlink::default_gateway(net::Family::ipv4);
  EXPECT_TRUE(g) << (g ? "" : g.error().message);
  return g ? *g : std::nullopt;
}

TEST(DefaultGateway, ReadsTheMainTableAndSeesItChange) {
  run("ip link add gw0 type bridge && ip addr add 192.0.2.2/24 dev gw0 && ip link set gw0 up");
  EXPECT_EQ(gateway_v4(), std::nullopt);  // no default route yet: a known answer, not an error

  asio::io_context io;
  int changes = 0;
  auto watcher = netlink::InterfaceWatcher::create_for_routes(io.get_executor(), [&](const std::vector<netlink::InterfaceEvent>& events) {
    for (const auto& e : events)
      if (e.kind == netlink::InterfaceEvent::Kind::route) ++changes;
  });
  ASSERT_TRUE(watcher) << watcher.error().message;

  run("ip route add default via 192.0.2.1 dev gw0 onlink metric 100");
  run("ip route add default via 192.0.2.254 dev gw0 onlink metric 200");
  run("ip route add default via 192.0.2.77 dev gw0 onlink table 100");  // policy routing: not ours
  EXPECT_EQ(gateway_v4(), A("192.0.2.1"));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (changes == 0 && std::chrono::steady_clock::now() < deadline) io.run_for(20ms);
  EXPECT_GT(changes, 0) << "no route change reported";

  run("ip route del default via 192.0.2.1 dev gw0");
  EXPECT_EQ(gateway_v4(), A("192.0.2.254"));  // the next one by metric
  run("ip link del gw0");
  EXPECT_EQ(gateway_v4(), std::nullopt);
}

}  // namespace
}  // namespace cisd
