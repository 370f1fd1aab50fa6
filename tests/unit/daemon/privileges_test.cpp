#include "daemon/privileges.hpp"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

using cisd::capabilities_needed;
using cisd::capability_bit;
using cisd::capability_names;
using cisd::CapabilityMask;
using cisd::reload_privilege_problems;

namespace {

const CapabilityMask kRaw = capability_bit(CAP_NET_RAW);
const CapabilityMask kAdmin = capability_bit(CAP_NET_ADMIN);
const CapabilityMask kBind = capability_bit(CAP_NET_BIND_SERVICE);

// Runs `body` in a child process (so this test binary keeps its own capabilities and user) and
// returns its exit code: the bits of what went wrong; -1 if it did not exit normally.
int in_child(const std::function<int()>& body) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

config::Config bgp_only() {
  config::Config c;
  c.kubernetes.enabled = false;
  c.bgp.peers.push_back({});
  c.bgp.peers.back().address = *net::Address::parse("192.0.2.1");
  return c;
}

}  // namespace

TEST(CapabilityNames, NamesInCapabilityOrder) {
  EXPECT_EQ(capability_names(0), "none");
  EXPECT_EQ(capability_names(kRaw | kAdmin | kBind), "NET_BIND_SERVICE, NET_ADMIN, NET_RAW");
  EXPECT_EQ(capability_names(capability_bit(CAP_SETPCAP)), "SETPCAP");
  EXPECT_EQ(capability_names(capability_bit(CAP_CHECKPOINT_RESTORE)), "CHECKPOINT_RESTORE");
  EXPECT_EQ(capability_names(capability_bit(50)), "CAP_50");
}

TEST(CapabilitiesNeeded, BgpAloneNeedsNothingOnceBound) {
  EXPECT_EQ(capabilities_needed(bgp_only()), 0u);
}

TEST(CapabilitiesNeeded, OspfKeepsNetRawForItsRawSockets) {
  auto c = bgp_only();
  c.ospf.enabled = true;
  EXPECT_EQ(capabilities_needed(c), kRaw);
}

TEST(CapabilitiesNeeded, RequireProgrammedWithKubernetesKeepsNetAdminAndNetRaw) {
  auto c = bgp_only();
  c.advertise.require_programmed = true;
  EXPECT_EQ(capabilities_needed(c), 0u) << "without Kubernetes nothing reads kube-proxy's state";
  c.kubernetes.enabled = true;
  EXPECT_EQ(capabilities_needed(c), kAdmin | kRaw);
  c.ospf.enabled = true;
  EXPECT_EQ(capabilities_needed(c), kAdmin | kRaw);
  c.advertise.require_programmed = false;
  EXPECT_EQ(capabilities_needed(c), kRaw) << "Kubernetes alone is HTTPS to the API server: no capability";
}

TEST(ReloadPrivilegeProblems, NoneForAnUnprivilegedChange) {
  auto running = bgp_only();
  auto next = running;
  next.bgp.peers.push_back(next.bgp.peers.front());
  next.bgp.peers.back().address = *net::Address::parse("192.0.2.2");
  next.bgp.peers.back().password = "secret";
  EXPECT_TRUE(reload_privilege_problems(running, next, 0, 1024).empty());
}

TEST(ReloadPrivilegeProblems, NewPrivilegedBgpPortIsNamed) {
  auto running = bgp_only();
  running.bgp.listen_port = 1179;
  auto next = running;
  next.bgp.listen_port = 179;
  auto problems = reload_privilege_problems(running, next, 0, 1024);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("bgp.listen_port 179 needs CAP_NET_BIND_SERVICE"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("restarted"), std::string::npos);
  // Still held (the drop failed, or it never happened): no problem.
  EXPECT_TRUE(reload_privilege_problems(running, next, kBind, 1024).empty());
  // The sysctl lets anyone bind 179 here.
  EXPECT_TRUE(reload_privilege_problems(running, next, 0, 0).empty());
}

TEST(ReloadPrivilegeProblems, FirstListenerAfterStartUpWithoutPeers) {
  auto running = bgp_only();
  running.bgp.peers.clear();  // nothing to listen for at start-up: port 179 was never bound
  auto next = bgp_only();
  EXPECT_EQ(reload_privilege_problems(running, next, 0, 1024).size(), 1u);
  // Port 179 bound at start-up stays open across reloads: adding peers needs no new bind.
  EXPECT_TRUE(reload_privilege_problems(next, next, 0, 1024).empty());
  auto disabled = next;
  disabled.bgp.listen_port = 0;
  EXPECT_TRUE(reload_privilege_problems(running, disabled, 0, 1024).empty());
}

TEST(ReloadPrivilegeProblems, NewPrivilegedHttpListen) {
  auto running = bgp_only();
  auto next = running;
  next.http.listen = "[::1]:80";
  auto problems = reload_privilege_problems(running, next, 0, 1024);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("http.listen [::1]:80 needs CAP_NET_BIND_SERVICE"), std::string::npos) << problems[0];
  next.http.listen = "127.0.0.1:9475";
  EXPECT_TRUE(reload_privilege_problems(running, next, 0, 1024).empty());
  next.http.listen = "";
  EXPECT_TRUE(reload_privilege_problems(running, next, 0, 1024).empty());
}

TEST(ReloadPrivilegeProblems, RequireProgrammedTurnedOnAfterTheDrop) {
  auto running = bgp_only();
  running.kubernetes.enabled = true;
  auto next = running;
  next.advertise.require_programmed = true;
  auto problems = reload_privilege_problems(running, next, 0, 1024);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("needs NET_ADMIN, NET_RAW"), std::string::npos) << problems[0];
  EXPECT_TRUE(reload_privilege_problems(running, next, kAdmin | kRaw, 1024).empty());
}

// The real drop, in a child process so this test binary keeps its own capabilities: whatever the
// user running the test holds, afterwards it holds at most the asked-for capability, nothing
// inheritable beyond it, and no_new_privs is set.
TEST(DropCapabilities, KeepsAtMostWhatIsAskedAndSetsNoNewPrivs) {
  const int code = in_child([] {
    cisd::drop_capabilities(kRaw);
    int bits = 0;
    if (cisd::held_capabilities() & ~kRaw) bits |= 1;
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) bits |= 2;
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap)
      if (cap != CAP_NET_RAW && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1) bits |= 4;
    if (geteuid() == 0 && prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0) bits |= 8;
    return bits;
  });
  EXPECT_EQ(code, 0) << "bits: 1 = more held, 2 = no no_new_privs, 4 = other ambient, "
                        "8 = SYS_ADMIN still in root's bounding set";
}

TEST(RunAs, NumbersAndNamesButNeverRoot) {
  EXPECT_EQ(*cisd::parse_run_as("65532"), (cisd::RunAs{65532, 65532}));
  EXPECT_EQ(*cisd::parse_run_as("65532:100"), (cisd::RunAs{65532, 100}));
  EXPECT_EQ(cisd::parse_run_as("nobody")->uid, 65534u);  // Debian's /etc/passwd
  EXPECT_EQ(cisd::parse_run_as("1000:nogroup")->gid, 65534u);
  for (const char* bad : {"0", "0:0", "root", "no-such-user-here", "65532:no-such-group-here", "", "65532:"})
    EXPECT_FALSE(cisd::parse_run_as(bad)) << bad;
}

// The switch, in a child: started as root it ends as uid/gid 65532 (that gid its only group)
// holding exactly the kept capability, effective and ambient; started as anyone else it stays who it is.
TEST(DropPrivileges, LeavesUidZeroKeepingWhatIsNeeded) {
  const bool root = geteuid() == 0;
  const uid_t uid_before = getuid();
  const int code = in_child([&] {
    cisd::drop_privileges(kRaw, cisd::RunAs{65532, 65532});
    int bits = 0;
    if (root) {
      gid_t groups[4];
      if (getuid() != 65532 || geteuid() != 65532 || getgid() != 65532 || getegid() != 65532) bits |= 1;
      if (getgroups(4, groups) != 1 || groups[0] != 65532) bits |= 2;
      if (cisd::held_capabilities() != kRaw) bits |= 4;
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0) != 1) bits |= 8;
      if (prctl(PR_CAPBSET_READ, CAP_SETUID, 0, 0, 0) != 0) bits |= 16;
    } else if (getuid() != uid_before) {
      bits |= 1;
    }
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) bits |= 32;
    return bits;
  });
  EXPECT_EQ(code, 0) << "bits: 1 = ids, 2 = groups, 4 = capabilities, 8 = ambient, 16 = bounding set, "
                        "32 = no_new_privs";
}
