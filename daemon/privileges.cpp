#include "daemon/privileges.hpp"

#include "config/listen_address.hpp"

#include <cap-ng.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

namespace cisd {

namespace {

// The calling thread's sets, through libcap-ng.
struct CapabilitySets {
  CapabilityMask effective = 0, permitted = 0, inheritable = 0;
};

std::optional<CapabilitySets> get_sets() {
  if (capng_get_caps_process() != 0) return std::nullopt;
  CapabilitySets s;
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    if (capng_have_capability(CAPNG_EFFECTIVE, cap)) s.effective |= capability_bit(cap);
    if (capng_have_capability(CAPNG_PERMITTED, cap)) s.permitted |= capability_bit(cap);
    if (capng_have_capability(CAPNG_INHERITABLE, cap)) s.inheritable |= capability_bit(cap);
  }
  return s;
}

// libcap-ng's working copy: `caps` in the effective and permitted sets, `inheritable` (never more
// than the bounding set allows) and `bounding`, nothing else.
void stage(CapabilityMask caps, CapabilityMask inheritable, CapabilityMask bounding = 0) {
  capng_clear(CAPNG_SELECT_ALL);
  const auto sets = static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED);
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    const auto c = static_cast<unsigned>(cap);
    if (caps & capability_bit(cap)) capng_update(CAPNG_ADD, sets, c);
    if (inheritable & capability_bit(cap)) capng_update(CAPNG_ADD, CAPNG_INHERITABLE, c);
    if (bounding & capability_bit(cap)) capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, c);
  }
}

// Ambient: a non-root process keeps them across execve of iptables-save (a file without file
// capabilities). The kernel clears the ambient set when uid 0 goes, so this comes last.
bool raise_ambient(CapabilityMask caps) {
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) return false;
  for (int cap = 0; cap < 64; ++cap)
    if ((caps & capability_bit(cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) return false;
  return true;
}

std::string errno_text() { return std::strerror(errno); }
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

net::Expected<RunAs, std::string> parse_run_as(const std::string& text) {
  auto number = [](std::string_view v) -> std::optional<unsigned> {
    unsigned n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
    return n;
  };
  const auto colon = text.find(':');
  const std::string user = text.substr(0, colon);
  RunAs out;
  if (auto uid = number(user)) {
    out.uid = *uid;
    out.gid = *uid;  // 65532 -> 65532:65532, as the image's user
  } else if (const passwd* pw = user.empty() ? nullptr : getpwnam(user.c_str())) {
    out.uid = pw->pw_uid;
    out.gid = pw->pw_gid;
  } else {
    return net::Unexpected("--user " + text + ": no such user (a name from /etc/passwd or a number, UID[:GID])");
  }
  if (colon != std::string::npos) {
    const std::string group_text = text.substr(colon + 1);
    if (auto gid = number(group_text))
      out.gid = *gid;
    else if (const struct group* gr = group_text.empty() ? nullptr : getgrnam(group_text.c_str()))
      out.gid = gr->gr_gid;
    else
      return net::Unexpected("--user " + text + ": no such group " + group_text);
  }
  if (out.uid == 0) return net::Unexpected("--user " + text + ": the point is to leave uid 0; name another user");
  return out;
}

void drop_capabilities(CapabilityMask wanted) { drop_privileges(wanted, std::nullopt); }

void drop_privileges(CapabilityMask wanted, const std::optional<RunAs>& run_as) {
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
  const bool root = getuid() == 0 || geteuid() == 0;
  const bool switch_user = run_as && root;
  if (run_as && !root && (getuid() != run_as->uid || getgid() != run_as->gid))
    spdlog::warn("--user {}:{}: not started as root, so staying uid {} gid {}", run_as->uid, run_as->gid, getuid(),
                 getgid());

  // Step 1: the bounding set, which needs CAP_SETPCAP (root has it; a non-root user with file
  // capabilities has not, and its container runtime bounds the set instead). While at it, what
  // step 2 needs stays effective: SETPCAP for the securebits, SETUID/SETGID for the switch.
  const CapabilityMask helpers =
      before->permitted & (capability_bit(CAP_SETPCAP) |
                           (switch_user ? capability_bit(CAP_SETUID) | capability_bit(CAP_SETGID) : 0));
  const bool have_setpcap = before->effective & capability_bit(CAP_SETPCAP);
  bool bounding_dropped = false;
  if (have_setpcap) {
    stage(keep | helpers, keep, keep);  // the helpers stay usable, but no execve can regain them
    bounding_dropped = capng_apply(CAPNG_SELECT_BOUNDS) == 0;
    if (!bounding_dropped) failed("dropping the rest from the bounding set");
  } else {
    spdlog::debug("capabilities: bounding set left as it is: dropping from it needs CAP_SETPCAP, not held");
  }
  stage(keep | helpers, keep);
  if (capng_apply(CAPNG_SELECT_CAPS) != 0) failed("capset");

  // Step 2: as root, either leave uid 0 for `run_as` (keeping the capabilities across the switch)
  // or stay root but lock the NOROOT securebit, so root regains nothing on execve.
  if (switch_user) {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) failed("keepcaps");
    const gid_t gid = run_as->gid;
    if (setgroups(1, &gid) != 0) failed("setgroups");
    if (setresgid(run_as->gid, run_as->gid, run_as->gid) != 0) failed("setresgid");
    if (setresuid(run_as->uid, run_as->uid, run_as->uid) != 0) failed("setresuid");
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  } else if (root && have_setpcap) {
    const int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
    if (bits < 0 || prctl(PR_SET_SECUREBITS, bits | SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0) != 0)
      failed("securebits");
  }

  // Step 3: only the kept ones, in effective (leaving uid 0 cleared it), permitted, inheritable
  // and ambient; then no execve may ever grant anything again.
  stage(keep, keep);
  if (capng_apply(CAPNG_SELECT_CAPS) != 0) failed("capset");
  if (!raise_ambient(keep)) failed("raising the ambient set");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) failed("no_new_privs");

  // Capabilities belong to threads: one started before this call would keep the old ones.
  if (const int threads = threads_in_process(); threads > 1)
    failures.push_back(std::to_string(threads - 1) + " other thread(s) already running keep their capabilities");

  const auto after = get_sets();
  const CapabilityMask now = after ? after->permitted : before->permitted;
  for (const auto& f : failures) spdlog::warn("capabilities: {}", f);
  const std::string user = switch_user ? "; running as uid " + std::to_string(getuid()) + " gid " + std::to_string(getgid())
                                       : root ? "; still uid 0 (run --user UID to leave it)" : "";
  if (before->permitted == 0) {
    spdlog::info("capabilities: none held; no new privileges{}", user);
    return;
  }
  spdlog::info("capabilities: kept {}; dropped the rest{}{}", now ? capability_names(now) : "none",
               bounding_dropped ? " (the bounding set too)" : "", user);
}

}  // namespace cisd
