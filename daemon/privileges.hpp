// Least privilege: once start-up has bound its listeners, the daemon keeps only the capabilities
// its running parts still use and drops every other one for good (docs/security.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <optional>

#include "config/config.hpp"
#include "net/expected.hpp"

namespace cisd {

// A set of Linux capabilities, bit N = capability number N (CAP_NET_RAW = 13, ...).
using CapabilityMask = std::uint64_t;

constexpr CapabilityMask capability_bit(int capability) { return CapabilityMask{1} << capability; }

// "NET_ADMIN, NET_RAW" (ascending capability numbers; unnamed ones as "CAP_<n>"), "none" if empty.
std::string capability_names(CapabilityMask);

// What a daemon running `config` still needs once its listeners are bound: NET_RAW for OSPF's raw
// sockets (opened again whenever an interface comes back), NET_ADMIN and NET_RAW for reading
// kube-proxy's nftables table or iptables-save (advertise.require_programmed with Kubernetes on).
// Pure.
CapabilityMask capabilities_needed(const config::Config&);

// Why a reload from `running` to `next` cannot fully apply while holding only `held`: a listener
// on a port below `unprivileged_port_start` (net.ipv4.ip_unprivileged_port_start) that start-up
// had not bound, or a part that needs a capability no longer held. One sentence each, each saying
// a restart applies it. Pure.
std::vector<std::string> reload_privilege_problems(const config::Config& running, const config::Config& next,
                                                   CapabilityMask held, int unprivileged_port_start);

// The calling thread's effective capabilities (0 when they cannot be read).
CapabilityMask held_capabilities();

// net.ipv4.ip_unprivileged_port_start of this network namespace (1024 when unreadable).
int unprivileged_port_start();

// The user a daemon started as root switches to (`run --user`): uid 0 goes, the capabilities it
// still needs stay. The image passes --user 65532.
struct RunAs {
  unsigned uid = 0;
  unsigned gid = 0;
  bool operator==(const RunAs&) const = default;
};
// "65532" (gid = uid), "65532:65532", "nobody", "nobody:nogroup"; uid 0 is refused.
net::Expected<RunAs, std::string> parse_run_as(const std::string& text);

// Keeps `keep` (as far as it is held) in the effective, permitted, inheritable and ambient sets
// (ambient, so an iptables-save child keeps them across execve as a non-root user), drops every
// other capability from them and, with CAP_SETPCAP, from the bounding set. Started as root: with
// `run_as`, switches to that uid and gid (supplementary groups: only that gid) keeping `keep`;
// without it stays root but locks the NOROOT securebit so root regains nothing on execve. Sets
// no_new_privs. Uses libcap-ng. Logs one info line with the outcome. Never fails: what cannot be
// done is a warning. Call it from the only thread.
void drop_privileges(CapabilityMask keep, const std::optional<RunAs>& run_as);
void drop_capabilities(CapabilityMask keep);  // drop_privileges(keep, no user switch)

}  // namespace cisd
