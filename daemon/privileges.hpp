// Least privilege: once start-up has bound its listeners, the daemon keeps only the capabilities
// its running parts still use and drops every other one for good (docs/security.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"

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

// Keeps `keep` (as far as it is held) in the effective, permitted, inheritable and ambient sets
// (ambient, so an iptables-save child keeps them across execve even as a non-root user), drops
// every other capability from them and, with CAP_SETPCAP, from the bounding set; as root also locks
// the securebits so root regains nothing on execve; sets no_new_privs. Logs one info line with
// the outcome. Never fails: what cannot be done is a warning. Call it from the only thread.
void drop_capabilities(CapabilityMask keep);

}  // namespace cisd
