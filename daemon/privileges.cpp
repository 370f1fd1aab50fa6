#include "daemon/privileges.hpp"

#include "config/listen_address.hpp"

#include <linux/capability.h>
#include <linux/securebits.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

namespace cisd {

namespace {

struct CapabilitySets {
  CapabilityMask effective = 0, permitted = 0, inheritable = 0;
};

// capget/capset directly (no libcap): version 3 splits each 64-bit set into two 32-bit words.
std::optional<CapabilitySets> get_sets() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return std::nullopt;
  auto join = [](std::uint32_t low, std::uint32_t high) { return CapabilityMask{low} | CapabilityMask{high} << 32; };
  return CapabilitySets{join(data[0].effective, data[1].effective), join(data[0].permitted, data[1].permitted),
                        join(data[0].inheritable, data[1].inheritable)};
}

bool set_sets(const CapabilitySets& s) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (int word = 0; word < 2; ++word) {
    const int shift = 32 * word;
    data[word].effective = static_cast<std::uint32_t>(s.effective >> shift);
    data[word].permitted = static_cast<std::uint32_t>(s.permitted >> shift);
    data[word].inheritable = static_cast<std::uint32_t>(s.inheritable >> shift);
  }
  return syscall(SYS_capset, &header, data) == 0;
}

std::string errno_text() { return std::strerror(errno); }

// The highest capability number this kernel knows: PR_CAPBSET_READ fails past it.
int last_capability() {
  int last = CAP_LAST_CAP;
  while (last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0) ++last;
  while (last > 0 && prctl(PR_CAPBSET_READ, last, 0, 0, 0) < 0) --last;
  return last;
}

int threads_in_process() {
  std::error_code ec;
  int n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/task", ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

}  // namespace

std::string capability_names(CapabilityMask mask) {
  static const char* const kNames[] = {
      "CHOWN",     "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",    "FSETID",       "KILL",     "SETGID",
      "SETUID",    "SETPCAP",      "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
      "IPC_LOCK",  "IPC_OWNER",    "SYS_MODULE",      "SYS_RAWIO", "SYS_CHROOT",   "SYS_PTRACE", "SYS_PACCT",
      "SYS_ADMIN", "SYS_BOOT",     "SYS_NICE",        "SYS_RESOURCE", "SYS_TIME",  "SYS_TTY_CONFIG", "MKNOD",
      "LEASE",     "AUDIT_WRITE",  "AUDIT_CONTROL",   "SETFCAP",   "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
      "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",    "PERFMON",   "BPF",          "CHECKPOINT_RESTORE"};
  constexpr int kNamed = static_cast<int>(sizeof kNames / sizeof kNames[0]);
  std::string out;
  for (int cap = 0; cap < 64; ++cap) {
    if (!(mask & capability_bit(cap))) continue;
    if (!out.empty()) out += ", ";
    out += cap < kNamed ? kNames[cap] : "CAP_" + std::to_string(cap);
  }
  return out.empty() ? "none" : out;
}

CapabilityMask capabilities_needed(const config::Config& c) {
  CapabilityMask needed = 0;
  if (c.ospf.enabled) needed |= capability_bit(CAP_NET_RAW);
  // The programmed-state reader only runs inside the Kubernetes source. nftables (libnftables in
  // process) and iptables-nft-save need NET_ADMIN; iptables-legacy-save also opens a raw socket.
  if (c.kubernetes.enabled && c.advertise.require_programmed)
    needed |= capability_bit(CAP_NET_ADMIN) | capability_bit(CAP_NET_RAW);
  return needed;
}

std::vector<std::string> reload_privilege_problems(const config::Config& running, const config::Config& next,
                                                   CapabilityMask held, int unprivileged_port_start) {
  std::vector<std::string> problems;
  const bool can_bind_low = held & capability_bit(CAP_NET_BIND_SERVICE);
  auto privileged = [&](int port) { return port > 0 && port < unprivileged_port_start && !can_bind_low; };

  // The BGP speaker listens again when its port changes, or for the first time when start-up had
  // no peer to listen for.
  const bool listened = running.bgp.enabled && running.bgp.listen_port != 0 && !running.bgp.peers.empty();
  const bool listens = next.bgp.enabled && next.bgp.listen_port != 0 && !next.bgp.peers.empty();
  if (listens && (!listened || next.bgp.listen_port != running.bgp.listen_port) && privileged(next.bgp.listen_port))
    problems.push_back("bgp.listen_port " + std::to_string(next.bgp.listen_port) +
                       " needs CAP_NET_BIND_SERVICE, dropped after start-up: BGP connects out only until "
                       "the daemon is restarted");

  const auto http = config::parse_listen_address(next.http.listen);
  if (next.http.listen != running.http.listen && http && privileged(http->port))
    problems.push_back("http.listen " + next.http.listen +
                       " needs CAP_NET_BIND_SERVICE, dropped after start-up: restart the daemon to apply it");

  if (const CapabilityMask missing = capabilities_needed(next) & ~held)
    problems.push_back("the new configuration needs " + capability_names(missing) +
                       ", dropped after start-up because the running one did not: restart the daemon to "
                       "apply it");
  return problems;
}

CapabilityMask held_capabilities() {
  auto sets = get_sets();
  return sets ? sets->effective : 0;
}

int unprivileged_port_start() {
  std::ifstream in("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  int port = 1024;
  if (!(in >> port)) return 1024;
  return port;
}

void drop_capabilities(CapabilityMask wanted) {
  auto before = get_sets();
  if (!before) {
    spdlog::warn("capabilities: cannot read them ({}); keeping whatever this process has", errno_text());
    return;
  }
  const CapabilityMask keep = wanted & before->permitted;
  if (const CapabilityMask missing = wanted & ~before->permitted)
    spdlog::warn("capabilities: the configuration needs {}, which this process does not have",
                 capability_names(missing));
  std::vector<std::string> failures;
  auto failed = [&](const std::string& step) { failures.push_back(step + ": " + errno_text()); };

  // Step 1: the kept ones also inheritable (the precondition for ambient); CAP_SETPCAP, if held,
  // stays effective until the bounding set and the securebits are done.
  const CapabilityMask setpcap = before->permitted & capability_bit(CAP_SETPCAP);
  if (!set_sets({keep | setpcap, keep | setpcap, keep})) failed("capset");

  // Step 2: ambient, so a non-root process keeps them across execve of iptables-save (a file
  // without file capabilities).
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) failed("clearing the ambient set");
  for (int cap = 0; cap < 64; ++cap)
    if ((keep & capability_bit(cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
      failed("raising ambient " + capability_names(capability_bit(cap)));

  // Step 3: the bounding set, which needs CAP_SETPCAP (root has it; a non-root user with file
  // capabilities has not, and its container runtime bounds the set instead).
  const bool have_setpcap = held_capabilities() & capability_bit(CAP_SETPCAP);
  bool bounding_dropped = false;
  if (have_setpcap) {
    bounding_dropped = true;
    for (int cap = 0, last = last_capability(); cap <= last; ++cap) {
      if ((keep & capability_bit(cap)) || prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1) continue;
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
        failed("dropping " + capability_names(capability_bit(cap)) + " from the bounding set");
        bounding_dropped = false;
      }
    }
    // Root regains no capability on execve (its children get the ambient ones only); ambient
    // raising stays allowed so that rule is the only one locked.
    if (getuid() == 0 || geteuid() == 0) {
      const int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
      if (bits < 0 || prctl(PR_SET_SECUREBITS, bits | SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0) != 0)
        failed("securebits");
    }
  } else {
    spdlog::debug("capabilities: bounding set left as it is: dropping from it needs CAP_SETPCAP, not held");
  }

  // Step 4: CAP_SETPCAP goes too; then no execve may ever grant anything again.
  if (!set_sets({keep, keep, keep})) failed("capset");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) failed("no_new_privs");

  // Capabilities belong to threads: one started before this call would keep the old ones.
  if (const int threads = threads_in_process(); threads > 1)
    failures.push_back(std::to_string(threads - 1) + " other thread(s) already running keep their capabilities");

  const auto after = get_sets();
  const CapabilityMask now = after ? after->permitted : before->permitted;
  for (const auto& f : failures) spdlog::warn("capabilities: {}", f);
  if (before->permitted == 0) {
    spdlog::info("capabilities: none held; no new privileges");
    return;
  }
  spdlog::info("capabilities: kept {}; dropped the rest{}", now ? capability_names(now) : "none",
               bounding_dropped ? " (the bounding set too)" : "");
}

}  // namespace cisd
