// The raw socket adapter and the interface reader against the real kernel, in two network
// namespaces this process makes for itself (unshare(CLONE_NEWNET) before any thread starts; held
// only by file descriptors, so nothing is left behind when the process exits), joined by a veth
// pair: va 10.9.0.1/24 in namespace A <-> vb 10.9.0.2/24 in namespace B. (One namespace would not
// do: the kernel delivers traffic between two local addresses over lo, and drops a multicast whose
// source is one of its own addresses.) Needs root and `ip`; without them it fails, it never skips.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "ospf/interface_state.hpp"
#include "ospf/raw_socket.hpp"

namespace ospf {
// Set up by main() before any test runs.
int ns_a = -1, ns_b = -1;  // the two namespaces; the main thread sits in A
int pid_in_b = 0;           // a child parked in B, so that `ip link ... netns PID` can reach it

namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kA = 0x0a090001, kB = 0x0a090002;  // 10.9.0.1, 10.9.0.2
constexpr std::uint32_t kAllSpfRouters = 0xe0000005, kAllDRouters = 0xe0000006;

void sh(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << "command failed: " << cmd; }
// A command run in namespace B.
void sh_b(const std::string& cmd) { sh("nsenter --net=/proc/" + std::to_string(pid_in_b) + "/ns/net " + cmd); }

// Runs fn with the calling thread in namespace B (sockets stay in the namespace they were made in).
template <typename Fn>
auto in_b(Fn fn) {
  if (setns(ns_b, CLONE_NEWNET) != 0) std::abort();
  struct Back {
    ~Back() {
      if (setns(ns_a, CLONE_NEWNET) != 0) std::abort();
    }
  } back;
  return fn();
}

// The carrier follows the peer's state through the kernel's link watch, up to a second later.
InterfaceReading settled(const std::string& name, const std::string& want_why_not) {
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  for (;;) {
    auto r = read_interface(name);
    if (r.why_not == want_why_not || std::chrono::steady_clock::now() > deadline) return r;
    usleep(20000);
  }
}

struct Received {
  std::uint32_t source, destination;
  std::vector<std::uint8_t> payload;
};

template <typename Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit = 2000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(10ms);
  }
  return done();
}

class RawSocketNs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sh("ip link add va type veth peer name vb netns " + std::to_string(pid_in_b));
    sh("ip address add 10.9.0.1/24 dev va");
    sh_b("ip address add 10.9.0.2/24 dev vb");
    sh("ip link set va up");
    sh_b("ip link set vb up");
    settled("va", "");
    in_b([] { return settled("vb", ""); });
  }

  // A socket on va (in A) or on an interface of B.
  std::unique_ptr<RawSocket> open(const std::string& name, std::vector<Received>& into) {
    if (name != "va") return in_b([&] { return open_here(name, into); });
    return open_here(name, into);
  }
  std::unique_ptr<RawSocket> open_here(const std::string& name, std::vector<Received>& into) {
    auto r = settled(name, "");
    EXPECT_TRUE(r.info) << name << ": " << r.why_not;
    if (!r.info) return nullptr;
    auto s = RawSocket::open(
        io, name, r.info->ifindex, r.info->address,
        [&into](std::uint32_t src, std::uint32_t dst, std::span<const std::uint8_t> p) {
          into.push_back({src, dst, {p.begin(), p.end()}});
        },
        [](const std::string& e) { ADD_FAILURE() << e; });
    EXPECT_TRUE(s) << (s ? "" : s.error());
    return s ? std::move(*s) : nullptr;
  }

  asio::io_context io;
};

TEST_F(RawSocketNs, ReadsTheInterface) {
  auto r = read_interface("va");
  ASSERT_TRUE(r.info) << r.why_not;
  EXPECT_EQ(r.info->address, kA);
  EXPECT_EQ(r.info->prefix_length, 24u);
  EXPECT_EQ(r.info->mtu, 1500u);
  EXPECT_GT(r.info->ifindex, 0);
  EXPECT_EQ(read_interface("nonexistent0").why_not, "absent");
  EXPECT_EQ(read_interface("").why_not, "bad interface name");

  sh("ip link set va mtu 1400");
  EXPECT_EQ(read_interface("va").info->mtu, 1400u);
  sh("ip link set va mtu 1500");

  sh_b("ip link set vb down");  // va keeps IFF_UP but loses its carrier
  EXPECT_EQ(settled("va", "no carrier").why_not, "no carrier");
  EXPECT_EQ(in_b([] { return read_interface("vb").why_not; }), "down");
  sh_b("ip link set vb up");
  EXPECT_TRUE(settled("va", "").info);

  sh("ip link add vc type veth peer name vd && ip link set vc up && ip link set vd up");
  EXPECT_EQ(settled("vc", "no IPv4 address").why_not, "no IPv4 address");
  sh("ip address add 10.9.1.1/30 dev vc && ip address add 10.9.1.2/30 dev vc");  // the second is secondary
  auto c = read_interface("vc");
  ASSERT_TRUE(c.info) << c.why_not;
  EXPECT_EQ(c.info->address, 0x0a090101u);
  EXPECT_EQ(c.info->prefix_length, 30u);
  sh("ip link del vc");
}

TEST_F(RawSocketNs, MulticastReachesOnlyJoinedGroupsAndNotOurselves) {
  std::vector<Received> at_a, at_b;
  auto a = open("va", at_a);
  auto b = open("vb", at_b);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(b->set_groups({kAllSpfRouters}).empty());
  EXPECT_EQ(b->groups(), std::set<std::uint32_t>{kAllSpfRouters});

  const std::vector<std::uint8_t> hello = {2, 1, 0, 4};
  EXPECT_EQ(a->send(kAllDRouters, hello), "");   // b is not in 224.0.0.6
  EXPECT_EQ(a->send(kAllSpfRouters, hello), "");
  ASSERT_TRUE(run_until(io, [&] { return !at_b.empty(); }));
  run_until(io, [] { return false; }, 200ms);  // anything else that would arrive, arrives
  ASSERT_EQ(at_b.size(), 1u);
  EXPECT_EQ(at_b[0].source, kA);
  EXPECT_EQ(at_b[0].destination, kAllSpfRouters);
  EXPECT_EQ(at_b[0].payload, hello);
  EXPECT_TRUE(at_a.empty()) << "our own multicast came back (IP_MULTICAST_LOOP)";

  // Becoming DR: 224.0.0.6 too; then leaving both.
  EXPECT_TRUE(b->set_groups({kAllSpfRouters, kAllDRouters}).empty());
  at_b.clear();
  EXPECT_EQ(a->send(kAllDRouters, hello), "");
  ASSERT_TRUE(run_until(io, [&] { return !at_b.empty(); }));
  EXPECT_EQ(at_b[0].destination, kAllDRouters);

  EXPECT_TRUE(b->set_groups({}).empty());
  EXPECT_TRUE(b->groups().empty());
  at_b.clear();
  EXPECT_EQ(a->send(kAllSpfRouters, hello), "");
  run_until(io, [] { return false; }, 200ms);
  EXPECT_TRUE(at_b.empty());
}

TEST_F(RawSocketNs, UnicastBothWays) {
  std::vector<Received> at_a, at_b;
  auto a = open("va", at_a);
  auto b = open("vb", at_b);
  ASSERT_TRUE(a && b);
  const std::vector<std::uint8_t> dd(1400, 0x5a);  // a database description near the MTU
  EXPECT_EQ(a->send(kB, dd), "");
  EXPECT_EQ(b->send(kA, {{2, 5}}), "");
  ASSERT_TRUE(run_until(io, [&] { return !at_a.empty() && !at_b.empty(); }));
  EXPECT_EQ(at_b[0].source, kA);
  EXPECT_EQ(at_b[0].destination, kB);
  EXPECT_EQ(at_b[0].payload, dd);
  EXPECT_EQ(at_a[0].source, kB);
  EXPECT_EQ(at_a[0].payload, (std::vector<std::uint8_t>{2, 5}));
  EXPECT_EQ(b->counters().received, 1u);
  EXPECT_EQ(a->counters().sent, 1u);
}

TEST_F(RawSocketNs, PacketsLeaveWithTtl1AndInternetworkControl) {
  // A plain raw socket in B sees the IP header the kernel built for us.
  const int fd = in_b([] { return ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, kIpProtocolOspf); });
  ASSERT_GE(fd, 0);
  timeval two_seconds{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof(two_seconds));
  std::vector<Received> at_a;
  auto a = open("va", at_a);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->send(kB, {{2, 1, 0, 4}}), "");
  std::array<std::uint8_t, 256> buf{};
  const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
  close(fd);
  ASSERT_GT(n, 0);
  auto d = parse_ip_datagram(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ttl, 1);
  EXPECT_EQ(buf[1], 0xc0) << "TOS";
  EXPECT_EQ(d->protocol, 89);
  EXPECT_EQ(d->source, kA);
  EXPECT_EQ(d->payload.size(), 4u);
}

TEST_F(RawSocketNs, BoundToItsInterface) {
  // A socket on vc sees nothing of what arrives on vb.
  sh_b("ip link add vc type veth peer name vd");
  sh_b("ip link set vc up");
  sh_b("ip link set vd up");
  sh_b("ip address add 10.9.2.1/24 dev vc");
  in_b([] { return settled("vc", ""); });
  std::vector<Received> at_b, at_c;
  auto b = open("vb", at_b);
  auto c = open("vc", at_c);
  ASSERT_TRUE(b && c);
  c->set_groups({kAllSpfRouters});
  b->set_groups({kAllSpfRouters});
  auto sender = RawSocket::open(io, "va", static_cast<int>(read_interface("va").info->ifindex), kA,
                                [](auto, auto, auto) {}, [](const std::string&) {});
  ASSERT_TRUE(sender);
  EXPECT_EQ((*sender)->send(kAllSpfRouters, {{1}}), "");
  EXPECT_EQ((*sender)->send(kB, {{2}}), "");
  ASSERT_TRUE(run_until(io, [&] { return at_b.size() == 2; }));
  run_until(io, [] { return false; }, 200ms);
  EXPECT_TRUE(at_c.empty());
  c.reset();
  sh_b("ip link del vc");
}

TEST_F(RawSocketNs, ClosingWithAPendingReadIsSafe) {
  std::vector<Received> at_b;
  {
    auto b = open("vb", at_b);
    ASSERT_TRUE(b);
    io.restart();
    io.run_for(10ms);
  }
  io.restart();
  io.run_for(20ms);  // the aborted wait completes and touches nothing
  SUCCEED();
}

TEST_F(RawSocketNs, OpenFailsCleanlyOnABadInterface) {
  auto s = RawSocket::open(io, "nonexistent0", 999, kA, [](auto, auto, auto) {}, [](const std::string&) {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("nonexistent0"), std::string::npos) << s.error();
  auto t = RawSocket::open(io, std::string(40, 'x'), 1, kA, [](auto, auto, auto) {}, [](const std::string&) {});
  ASSERT_FALSE(t);
}

}  // namespace
}  // namespace ospf

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::cerr << "ospf_raw_socket_test: FAILED: needs root (network namespace, raw sockets)\n";
    return 1;
  }
  if (std::system("command -v ip >/dev/null") != 0) {
    std::cerr << "ospf_raw_socket_test: FAILED: ip (iproute2) not found\n";
    return 1;
  }
  // Before any thread exists, so the whole process is in the new namespaces and leaves no trace.
  for (int* ns : {&ospf::ns_b, &ospf::ns_a}) {
    if (unshare(CLONE_NEWNET) != 0) {
      std::perror("ospf_raw_socket_test: FAILED: unshare(CLONE_NEWNET)");
      return 1;
    }
    if (std::system("ip link set lo up") != 0) return 1;
    *ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (*ns < 0) return 1;
    if (ns == &ospf::ns_b) {
      ospf::pid_in_b = fork();
      if (ospf::pid_in_b < 0) return 1;
      if (ospf::pid_in_b == 0) {  // parked in B until the end
        pause();
        _exit(0);
      }
    }
  }
  const int rc = [&] {
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
  }();
  kill(ospf::pid_in_b, SIGKILL);
  waitpid(ospf::pid_in_b, nullptr, 0);
  return rc;
}
