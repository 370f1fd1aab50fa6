// The programmed-state readers against the real kernel, inside a network namespace this process
// makes for itself (unshare(CLONE_NEWNET) before any thread starts, so every thread and every
// child - ip, nft, iptables-restore - lives in it and nothing leaks when the process exits).
// Needs root and the tools `ip`, `nft`, `iptables-restore`, `ip6tables-restore`; without them it
// fails, it never skips.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "daemon/kube_proxy_programmed.hpp"
#include "kernel/netlink.hpp"

namespace cisd {
namespace {

using namespace std::chrono_literals;

net::Address A(const char* s) { return *net::Address::parse(s); }

void sh(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  ASSERT_EQ(rc, 0) << "command failed: " << cmd;
}

std::string write_temp(const std::string& text) {
  char path[] = "/tmp/cis-programmed-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

// Runs the io_context until `done()` or the deadline; true if done.
template <typename Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(20ms);
  }
  return done();
}

TEST(ProgrammedIpvs, ReadsKubeIpvs0AndFollowsNetlinkEvents) {
  // No kube-ipvs0 yet: kube-proxy has programmed nothing, which is a known answer.
  auto before = read_ipvs_programmed("kube-ipvs0");
  ASSERT_TRUE(before) << before.error();
  EXPECT_TRUE(before->empty());
  auto missing = netlink::read_interface("kube-ipvs0");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().no_such_interface);

  sh("ip link add kube-ipvs0 type bridge");
  sh("ip addr add 10.96.0.10/32 dev kube-ipvs0");
  sh("ip addr add 10.96.0.1/32 dev kube-ipvs0");
  sh("ip addr add fd00:10:96::a/128 dev kube-ipvs0 nodad");
  // Another interface's addresses are not kube-proxy's.
  sh("ip link add other0 type bridge && ip addr add 10.96.99.99/32 dev other0");

  auto ips = read_ipvs_programmed("kube-ipvs0");
  ASSERT_TRUE(ips) << ips.error();
  EXPECT_EQ(*ips, (AddressSet{A("10.96.0.10"), A("10.96.0.1"), A("fd00:10:96::a")}));

  // The source: a periodic re-read an hour away, so every change below comes from netlink events.
  asio::io_context io;
  KubeProxyProgrammedOptions opt;
  opt.interval = 3600s;
  int changes = 0;
  Programmed last;
  auto source = KubeProxyProgrammed::create(io.get_executor(), opt, [&](const Programmed& p) {
    ++changes;
    last = p;
  });
  source->start();
  ASSERT_TRUE(run_until(io, [&] { return changes == 1; }));
  EXPECT_FALSE(last) << "mode unknown must mean unknown";

  source->set_mode(ProxyMode::ipvs);
  ASSERT_TRUE(run_until(io, [&] { return last.has_value(); }));
  EXPECT_EQ(*last, (AddressSet{A("10.96.0.10"), A("10.96.0.1"), A("fd00:10:96::a")}));

  sh("ip addr del 10.96.0.10/32 dev kube-ipvs0");
  ASSERT_TRUE(run_until(io, [&] { return last && !last->count(A("10.96.0.10")); }))
      << "removal not seen through netlink events";
  EXPECT_EQ(*last, (AddressSet{A("10.96.0.1"), A("fd00:10:96::a")}));

  sh("ip addr add 10.96.0.42/32 dev kube-ipvs0 && ip addr del fd00:10:96::a/128 dev kube-ipvs0");
  ASSERT_TRUE(run_until(io, [&] { return last && *last == AddressSet{A("10.96.0.1"), A("10.96.0.42")}; }))
      << "addition/IPv6 removal not seen through netlink events";

  // kube-ipvs0 going away takes its addresses with it.
  sh("ip link del kube-ipvs0");
  ASSERT_TRUE(run_until(io, [&] { return last && last->empty(); }));

  // Unknown mode again: nullopt at once.
  source->set_mode(ProxyMode::unknown);
  ASSERT_TRUE(run_until(io, [&] { return !last.has_value(); }));
  source->stop();
  sh("ip link del other0");
}

constexpr const char* kKubeProxyNft = R"(table ip kube-proxy {
  comment "rules for kube-proxy"
  map service-ips {
    type ipv4_addr . inet_proto . inet_service : verdict
    comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"
    elements = { 10.96.0.10 . tcp . 53 comment "kube-system/kube-dns:dns-tcp" : goto service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp,
                 10.96.0.10 . udp . 53 : goto service-FY5PMXPG-kube-system/kube-dns/udp/dns,
                 10.96.0.1 . tcp . 443 : goto service-X }
  }
  map service-nodeports {
    type inet_proto . inet_service : verdict
    elements = { tcp . 30080 : goto service-X }
  }
  chain service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp { }
  chain service-FY5PMXPG-kube-system/kube-dns/udp/dns { }
  chain service-X { }
}
table ip6 kube-proxy {
  map service-ips {
    type ipv6_addr . inet_proto . inet_service : verdict
    elements = { fd00:10:96::a . udp . 53 : goto service-X }
  }
  chain service-X { }
}
table ip decoy {
  map service-ips {
    type ipv4_addr . inet_proto . inet_service : verdict
    elements = { 10.99.0.1 . tcp . 80 : goto c }
  }
  chain c { }
}
)";

TEST(ProgrammedNftables, ReadsTheServiceIpsMaps) {
  auto before = read_nftables_programmed();
  ASSERT_TRUE(before) << before.error();
  EXPECT_TRUE(before->empty()) << "no kube-proxy table: nothing programmed";

  const auto file = write_temp(kKubeProxyNft);
  sh("nft -f " + file);
  std::remove(file.c_str());

  auto ips = read_nftables_programmed();
  ASSERT_TRUE(ips) << ips.error();
  EXPECT_EQ(*ips, (AddressSet{A("10.96.0.10"), A("10.96.0.1"), A("fd00:10:96::a")}));

  // Through the source, on its worker thread.
  asio::io_context io;
  Programmed last;
  int changes = 0;
  auto source = KubeProxyProgrammed::create(io.get_executor(), {}, [&](const Programmed& p) {
    ++changes;
    last = p;
  });
  source->set_mode(ProxyMode::nftables);
  source->start();
  ASSERT_TRUE(run_until(io, [&] { return last.has_value(); }));
  EXPECT_EQ(*last, *ips);

  sh("nft add element ip kube-proxy service-ips '{ 10.96.0.20 . tcp . 8080 : goto service-X }'");
  sh("nft delete element ip6 kube-proxy service-ips '{ fd00:10:96::a . udp . 53 }'");
  source->refresh();
  ASSERT_TRUE(run_until(io, [&] { return last && *last == AddressSet{A("10.96.0.10"), A("10.96.0.1"), A("10.96.0.20")}; }));

  sh("nft delete table ip kube-proxy && nft delete table ip6 kube-proxy && nft delete table ip decoy");
  source->refresh();
  ASSERT_TRUE(run_until(io, [&] { return last && last->empty(); }));
  source->stop();
}

constexpr const char* kIptablesNat = R"(*nat
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y
-A KUBE-SERVICES -d 10.96.0.0/12 -j KUBE-SVC-NPX46M4PTMTKRN6Y
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-TCOU7JCQXEZGVUNU ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-MARK-MASQ
COMMIT
)";

constexpr const char* kIp6tablesNat = R"(*nat
:KUBE-SERVICES - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
-A KUBE-SERVICES -d fd00:10:96::a/128 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
COMMIT
)";

TEST(ProgrammedIptables, ReadsKubeServicesThroughIptablesSave) {
  IptablesCommands commands;
  auto before = read_iptables_programmed(commands, 10s);
  ASSERT_TRUE(before) << before.error();
  EXPECT_TRUE(before->empty());

  const auto v4 = write_temp(kIptablesNat), v6 = write_temp(kIp6tablesNat);
  sh("iptables-restore < " + v4);
  sh("ip6tables-restore < " + v6);
  std::remove(v4.c_str());
  std::remove(v6.c_str());

  auto ips = read_iptables_programmed(commands, 10s);
  ASSERT_TRUE(ips) << ips.error();
  EXPECT_EQ(*ips, (AddressSet{A("10.96.0.10"), A("10.96.0.1"), A("fd00:10:96::a")}));

  asio::io_context io;
  Programmed last;
  auto source = KubeProxyProgrammed::create(io.get_executor(), {}, [&](const Programmed& p) { last = p; });
  source->set_mode(ProxyMode::iptables);
  source->start();
  ASSERT_TRUE(run_until(io, [&] { return last.has_value(); }, 15000ms));
  EXPECT_EQ(*last, *ips);

  sh("iptables -t nat -D KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "
     "\"default/kubernetes:https cluster IP\" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y");
  source->refresh();
  ASSERT_TRUE(run_until(io, [&] { return last && !last->count(A("10.96.0.1")); }, 15000ms));
  EXPECT_EQ(*last, (AddressSet{A("10.96.0.10"), A("fd00:10:96::a")}));
  source->stop();

  sh("iptables -t nat -F && iptables -t nat -X && ip6tables -t nat -F && ip6tables -t nat -X");
}

// A host whose kube-proxy uses iptables-legacy: the nft backend reads an empty table, and the
// rules are found in the legacy one (and the other way round).
TEST(ProgrammedIptables, ReadsTheBackendKubeProxyUsed) {
  const auto v4 = write_temp(kIptablesNat), v6 = write_temp(kIp6tablesNat);
  sh("iptables-legacy-restore < " + v4);
  sh("ip6tables-legacy-restore < " + v6);
  sh("iptables-nft -t nat -N KUBE-SERVICES");  // an empty leftover chain in the other backend
  IptablesCommands commands;
  std::string chosen;
  auto ips = read_iptables_programmed(commands, 10s, {}, &chosen);
  ASSERT_TRUE(ips) << ips.error();
  EXPECT_EQ(chosen, "legacy");
  EXPECT_EQ(*ips, (AddressSet{A("10.96.0.10"), A("10.96.0.1"), A("fd00:10:96::a")}));
  sh("iptables-legacy -t nat -F && iptables-legacy -t nat -X && ip6tables-legacy -t nat -F && "
     "ip6tables-legacy -t nat -X && iptables-nft -t nat -X KUBE-SERVICES");

  sh("iptables-nft-restore < " + v4);
  ips = read_iptables_programmed(commands, 10s, {}, &chosen);
  ASSERT_TRUE(ips) << ips.error();
  EXPECT_EQ(chosen, "nft");
  EXPECT_EQ(*ips, (AddressSet{A("10.96.0.10"), A("10.96.0.1")}));
  sh("iptables-nft -t nat -F && iptables-nft -t nat -X");
  std::remove(v4.c_str());
  std::remove(v6.c_str());
}

TEST(ProgrammedErrors, AFailingReaderIsUnknownNotACrash) {
  asio::io_context io;
  KubeProxyProgrammedOptions opt;
  opt.iptables.backends = {{"failing", {"sh", "-c", "echo '*nat'; exit 4"}, {}}};
  opt.interval = 50ms;
  Programmed last = AddressSet{};
  auto source = KubeProxyProgrammed::create(io.get_executor(), opt, [&](const Programmed& p) { last = p; });
  source->set_mode(ProxyMode::iptables);
  source->start();
  // Several periodic reads fail in a row; each is unknown, and the warning is logged once.
  ASSERT_TRUE(run_until(io, [&] { return source->reads() >= 3; }));
  EXPECT_FALSE(last);

  // A hung iptables-save is killed at the timeout.
  asio::io_context io2;
  KubeProxyProgrammedOptions slow;
  slow.iptables.backends = {{"hung", {"sleep", "30"}, {}}};
  slow.command_timeout = 200ms;
  bool reported = false;
  Programmed last2 = AddressSet{};
  auto source2 = KubeProxyProgrammed::create(io2.get_executor(), slow, [&](const Programmed& p) {
    reported = true;
    last2 = p;
  });
  source2->set_mode(ProxyMode::iptables);
  const auto t0 = std::chrono::steady_clock::now();
  source2->start();
  ASSERT_TRUE(run_until(io2, [&] { return reported; }));
  EXPECT_FALSE(last2);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);

  // stop() kills a running child, so destruction does not wait for it.
  source2->refresh();
  const auto t1 = std::chrono::steady_clock::now();
  io2.restart();
  io2.run_for(50ms);
  source2->stop();
  source2.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - t1, 2s);
  source->stop();
}

}  // namespace
}  // namespace cisd

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::cerr << "programmed_state_test: FAILED: needs root (network namespace, nft, iptables)\n";
    return 1;
  }
  for (const char* tool : {"ip", "nft", "iptables", "iptables-restore", "ip6tables", "ip6tables-restore",
                           "iptables-save", "ip6tables-save", "iptables-legacy-save", "ip6tables-legacy-save",
                           "iptables-nft-save", "ip6tables-nft-save", "iptables-legacy-restore"}) {
    if (std::system(("command -v " + std::string(tool) + " >/dev/null").c_str()) != 0) {
      std::cerr << "programmed_state_test: FAILED: " << tool << " not found (scripts/setup.sh installs it)\n";
      return 1;
    }
  }
  // Before any thread exists, so the whole process is in the new namespace and leaves no trace.
  if (unshare(CLONE_NEWNET) != 0) {
    std::perror("programmed_state_test: FAILED: unshare(CLONE_NEWNET)");
    return 1;
  }
  if (std::system("ip link set lo up") != 0) return 1;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
