"""Network namespaces, veth pairs, bridges and addresses for one test run.

Every namespace is named cis-<pid>-<n>-<role>: concurrent runs never collide, and a later run can
tell (by the pid) which leftovers belong to a run that was killed before it could clean up.
"""
import atexit
import ctypes
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import time

PREFIX = f"cis-{os.getpid()}-"
_counter = itertools.count(1)
_live = {}  # name -> Namespace, everything this process still has to delete


def sh(*argv, check=True, timeout=30):
    """Run a short command and return its stdout; raise with its stderr when it fails."""
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` exited {r.returncode}: {(r.stderr or r.stdout).strip()}")
    return r.stdout


class Namespace:
    def __init__(self, role):
        self.name = f"{PREFIX}{next(_counter)}-{role}"
        sh("ip", "netns", "add", self.name)
        _live[self.name] = self
        self.ip("link", "set", "lo", "up")
        # No duplicate address detection: link-local addresses (FRR wants one on an IPv6 session's
        # interface) are usable the moment a link comes up, not a second or two later.
        for conf in ("all", "default"):
            self.sysctl(f"net.ipv6.conf.{conf}.accept_dad", 0)

    def argv(self, *argv):
        """The command line that runs argv inside this namespace (ip netns exec execs, so the pid is argv's)."""
        return ["ip", "netns", "exec", self.name, *argv]

    def run(self, *argv, check=True, timeout=30):
        return sh(*self.argv(*argv), check=check, timeout=timeout)

    def ip(self, *args, check=True):
        return sh("ip", "-n", self.name, *args, check=check)

    def ip_json(self, *args):
        out = sh("ip", "-j", "-n", self.name, *args)
        return json.loads(out) if out.strip() else []

    def link_up(self, ifname):
        self.ip("link", "set", ifname, "up")

    def add_address(self, ifname, cidr):
        # nodad: an IPv6 address is usable at once instead of after duplicate address detection.
        self.ip("address", "add", cidr, "dev", ifname, *(["nodad"] if ":" in cidr else []))

    def add_bridge(self, name):
        # STP stays off, so ports forward as soon as they are up.
        self.ip("link", "add", name, "type", "bridge")
        self.link_up(name)

    def sysctl(self, key, value):
        self.run("sysctl", "-qw", f"{key}={value}")

    def delete(self):
        _kill_everything_in(self.name)
        sh("ip", "netns", "del", self.name, check=False)
        _live.pop(self.name, None)


_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def socket_in_namespace(ns_name, family, sock_type, proto=0):
    """A socket that belongs to network namespace ns_name (named by `ip netns`); only this thread
    enters the namespace, and only while the socket is made."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{ns_name}", os.O_RDONLY)
    try:
        _setns(target)
        try:
            return socket.socket(family, sock_type, proto)
        finally:
            _setns(own)
    finally:
        os.close(own)
        os.close(target)


def veth(a, a_if, b, b_if):
    """A veth pair created directly inside the two namespaces, so its names never clash in the root one."""
    sh("ip", "link", "add", a_if, "netns", a.name, "type", "veth", "peer", "name", b_if, "netns", b.name)
    a.link_up(a_if)
    b.link_up(b_if)


def _kill_everything_in(name):
    """SIGKILL whatever still runs in the namespace (the last resort; tests stop their processes first)."""
    for _ in range(50):  # bounded: 5 s
        pids = [int(p) for p in sh("ip", "netns", "pids", name, check=False).split()]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)


def cleanup_all():
    for ns in list(_live.values()):
        try:
            ns.delete()
        except Exception as e:  # keep going: the other namespaces still have to go
            print(f"cleanup of {ns.name} failed: {e}", flush=True)


def remove_stale():
    """Delete namespaces left by earlier runs whose process no longer exists (e.g. killed by a timeout)."""
    for line in sh("ip", "netns", "list", check=False).splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(r"cis-(\d+)-", name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        if _alive(int(m.group(1))):
            continue  # that run is still going: not ours to touch
        _kill_everything_in(name)
        sh("ip", "netns", "del", name, check=False)


def _alive(pid):
    """Whether pid runs; a zombie (killed, not yet reaped) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def _on_signal(signum, _frame):
    cleanup_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


# The safety net: namespaces go away even when the run is interrupted between tearDowns.
atexit.register(cleanup_all)
for _sig in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


# A node that dies hard, as far as the network can tell: every packet in and out of the namespace
# dropped by nftables (loopback spared), no signal to anything running there.
_DEAD_RULES = ("table inet cis_dead {\n"
               " chain in { type filter hook input priority -300; policy drop; iifname \"lo\" accept; }\n"
               " chain out { type filter hook output priority -300; policy drop; oifname \"lo\" accept; }\n"
               "}\n")


def cut_off(ns):
    """Drops all of ns's traffic (see _DEAD_RULES); undo with reconnect(ns)."""
    subprocess.run(ns.argv("nft", "-f", "-"), input=_DEAD_RULES, text=True, check=True, timeout=30,
                   capture_output=True)


def reconnect(ns):
    ns.run("nft", "delete", "table", "inet", "cis_dead")
