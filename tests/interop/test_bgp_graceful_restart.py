"""Graceful restart (RFC 4724) as the restarting speaker, against BIRD 2 and FRR with their default
helper behaviour: a client keeps fetching a ClusterIP through the router while the node's daemon is
SIGTERMed and started again, several times.

    client 192.168.100.2 -- router (BIRD, or FRR bgpd+zebra) -- node1 10.0.1.2
                                                                 kube-ipvs0 10.96.0.10/32, HTTP on :80
                                                                 clusterip-speaker: 10.96.0.0/12

Restart: not one request fails; the route never leaves the router's kernel FIB; the router marks it
stale between the old instance's exit and the new instance's End-of-RIB, and no longer after; a prefix
dropped from the config while the daemon was down is gone after that End-of-RIB (it was never withdrawn).
Leave (`--on-sigterm leave`): the route is withdrawn, the router gets a Cease.
"""
import os
import re
import shutil
import threading
import time
import unittest

import netns
from lab import ROUTER_V4, LabTestCase, report, require
from poll import wait_for
from process import Adopted, Process
from routes import Peer, kernel_next_hops

ROUTER_ASN, NODE_ASN = 64512, 64513
SERVICE_CIDR, DROPPED = "10.96.0.0/12", "10.97.0.0/16"  # DROPPED leaves the config at the first restart
CLUSTER_IP = "10.96.0.10"
CLIENT_V4, CLIENT_GW = "192.168.100.2", "192.168.100.1"
RESTARTS = 3
DOWN_FOR = 2.0  # s between the old instance's exit and the new one's start (a rolling update's new pod)
MAX_REQUESTS, GAP = 5000, 0.02  # the client's loop: at most this many, one every GAP s (plus curl's time)
FIB_POLL = 0.02                  # the router's FIB is looked at this often while the daemon restarts
FIB_POLL_LIMIT = 300             # ... for at most this many seconds

# One request per line: seq, start, end (epoch seconds), curl's exit code, HTTP code. Stops at the
# count or when the stop file appears, whichever is first.
CLIENT_LOOP = r"""
i=0
while [ "$i" -lt "$1" ] && [ ! -e "$4" ]; do
  i=$((i + 1))
  t0=$(date +%s.%N)
  out=$(curl -sS --max-time 2 -o /dev/null -w '%{http_code}' "http://$3/" 2>&1 | tr '\n' ' ')
  rc=$?
  echo "$i $t0 $(date +%s.%N) $rc $out"
  sleep "$2"
done
echo done
"""


def setUpModule():
    require("bird", "speaker")
    require("frr", "speaker")
    if not shutil.which("curl"):
        raise RuntimeError("curl not found (apt-get install curl)")


class FibWatch:
    """Polls the router's kernel FIB for a prefix in a thread; counts the looks that found it missing."""

    def __init__(self, ns, prefix):
        self.ns, self.prefix = ns, prefix
        self.looks, self.missing = 0, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        deadline = time.monotonic() + FIB_POLL_LIMIT
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                hops = kernel_next_hops(self.ns, self.prefix)
            except Exception as e:  # a failed look is not a missing route, but it is reported
                hops = {f"error: {e}"}
            self.looks += 1
            if not hops:
                self.missing.append(time.time())
            self._stop.wait(FIB_POLL)

    def stop(self):
        self._stop.set()
        self._thread.join(10)


class GracefulRestartScenarios:
    """Mixed into a LabTestCase whose class sets router_kind (and bfd: BFD on both sides, the new
    instance started the moment the old one exits)."""
    router_kind = None
    bfd = False

    def build(self, on_sigterm=None):
        """Client, router and node1 with its ClusterIP and web server; the route in the router's FIB."""
        self.client = netns.Namespace("client")
        self.lab.namespaces.append(self.client)  # deleted with the others
        netns.veth(self.lab.router_ns, "client", self.client, "eth0")
        self.lab.router_ns.add_address("client", f"{CLIENT_GW}/24")
        self.client.add_address("eth0", f"{CLIENT_V4}/24")
        self.client.ip("route", "add", "default", "via", CLIENT_GW)

        self.host = self.lab.add_host()
        ns = self.host.ns
        ns.ip("link", "add", "kube-ipvs0", "type", "bridge")  # where kube-proxy (IPVS) puts ClusterIPs
        ns.add_address("kube-ipvs0", f"{CLUSTER_IP}/32")
        ns.link_up("kube-ipvs0")
        www = os.path.join(self.workdir, "www")
        os.makedirs(www)
        with open(os.path.join(www, "index.html"), "w") as f:
            f.write("served-by-node1")
        web = self.lab.adopt(Adopted("node1 web server", Process(
            ns, ["python3", "-m", "http.server", "80", "--bind", CLUSTER_IP, "--directory", www],
            os.path.join(self.workdir, "web.log"))))
        wait_for("node1's web server to listen", lambda: web.process.assert_running()
                 and ns.run("ss", "-ltnH", "sport = :80").strip(), timeout=15)

        self.peer = Peer(self.host.name, self.host.v4, ROUTER_V4, NODE_ASN)
        self.router = self.lab.start_router(self.router_kind, ROUTER_ASN, [self.peer],
                                            peer_options={self.host.v4: {"bfd": True}} if self.bfd else None)
        self.on_sigterm = on_sigterm
        self.node = self.start_node([SERVICE_CIDR, DROPPED])
        for prefix in (SERVICE_CIDR, DROPPED):
            wait_for(f"{prefix} in the router's kernel FIB", lambda p=prefix: kernel_next_hops(self.router.ns, p),
                     until=lambda hops: hops == {self.host.v4}, timeout=30)
        page = self.client.run("curl", "-sS", "--max-time", "5", f"http://{CLUSTER_IP}/")  # raises on failure
        self.assertEqual(page, "served-by-node1")
        if self.bfd:
            wait_for("BFD Up at the router", lambda: self.router.bfd_sessions(),
                     until=lambda s: s.get(self.host.v4, {}).get("state") == "Up", timeout=30)

    def start_node(self, prefixes):
        """The daemon on node1 with these prefixes (the config file is written anew each time)."""
        options = {"on_sigterm": self.on_sigterm} if self.on_sigterm else {}
        peer = {"address": ROUTER_V4, "asn": ROUTER_ASN}
        if self.bfd:
            peer["bfd"] = {"enabled": True, "min_rx": "300ms", "min_tx": "300ms", "multiplier": 3}
        return self.lab.start_node("speaker", self.host, NODE_ASN, [peer], prefixes, **options)

    def start_client_loop(self):
        self.loop_log = os.path.join(self.workdir, "client-loop.log")
        self.loop_stop = os.path.join(self.workdir, "client-loop.stop")
        self.loop = self.lab.adopt(Adopted("client request loop", Process(
            self.client, ["bash", "-c", CLIENT_LOOP, "loop", str(MAX_REQUESTS), str(GAP), CLUSTER_IP,
                          self.loop_stop], self.loop_log)))

    def client_lines(self):
        with open(self.loop_log, errors="replace") as f:
            return f.read().splitlines()

    def finish_client_loop(self):
        """Stops the loop; returns its requests as (start, end, curl exit code, HTTP code)."""
        open(self.loop_stop, "w").close()
        wait_for("the client's loop to finish", self.client_lines, until=lambda ls: ls and ls[-1] == "done",
                 timeout=30)
        rx = re.compile(r"^\d+ (\d+\.\d+) (\d+\.\d+) (\d+) (.*)$")
        requests = []
        for line in self.client_lines()[:-1]:
            m = rx.match(line)
            self.assertIsNotNone(m, f"unexpected line from the client's loop: {line!r}")
            requests.append((float(m.group(1)), float(m.group(2)), int(m.group(3)), m.group(4).strip()))
        return requests

    def test_restarts_keep_the_route(self):
        self.build()
        self.start_client_loop()
        wait_for("the client's first requests", lambda: self.loop.process.assert_running() and
                 len(self.client_lines()), until=lambda n: n >= 10, timeout=30, step=0.05)
        fib = FibWatch(self.router.ns, SERVICE_CIDR)
        self.addCleanup(fib.stop)
        gaps, prefixes = [], [SERVICE_CIDR, DROPPED]
        for i in range(RESTARTS):
            t_term_wall, t_term = time.time(), time.monotonic()
            self.node.graceful_stop()
            self.assertEqual(self.node.wait(20), 0, f"restart {i + 1}: exit status after SIGTERM")
            t_exit = time.monotonic()
            with open(self.node.log, errors="replace") as f:
                log = f.read()
            # One log file for every instance: one such line per restart so far.
            self.assertEqual(log.count(f"peer {ROUTER_V4}: restarting: routes kept at the router as stale"), i + 1,
                             f"restart {i + 1}: the daemon did not choose graceful restart")
            self.assertNotIn("sending NOTIFICATION", log, "a NOTIFICATION makes the router drop our routes")
            wait_for(f"restart {i + 1}: the router to keep {SERVICE_CIDR} as stale",
                     lambda: self.router.stale_peers(SERVICE_CIDR), until=lambda s: s == {self.host.v4}, timeout=15)
            if i == 0:
                # Dropped from the config while the daemon is down: the router still holds it (stale),
                # since nothing was withdrawn; only the next End-of-RIB can remove it.
                prefixes = [SERVICE_CIDR]
                self.assertEqual(self.router.stale_peers(DROPPED), {self.host.v4},
                                 f"{DROPPED} is not kept as stale after the exit")
            if not self.bfd:
                time.sleep(DOWN_FOR)
            self.node = self.start_node(prefixes)
            wait_for(f"restart {i + 1}: the session to come back",
                     lambda: self.node.process.assert_running() and self.router.established(self.host.v4),
                     timeout=30)
            wait_for(f"restart {i + 1}: {SERVICE_CIDR} no longer stale (End-of-RIB from the new instance)",
                     lambda: self.router.stale_peers(SERVICE_CIDR), until=lambda s: not s, timeout=30, step=0.05)
            self.assertEqual({p.next_hop for p in self.router.rib(SERVICE_CIDR)}, {self.host.v4})
            if self.bfd:
                wait_for(f"restart {i + 1}: BFD Up again at the router", lambda: self.router.bfd_sessions(),
                         until=lambda s: s.get(self.host.v4, {}).get("state") == "Up", timeout=30)
            t_fresh = time.monotonic()
            if i == 0:
                wait_for(f"{DROPPED} to leave the router's RIB after the new End-of-RIB",
                         lambda: self.router.rib(DROPPED), until=lambda ps: not ps, timeout=15)
                wait_for(f"{DROPPED} to leave the router's kernel FIB",
                         lambda: kernel_next_hops(self.router.ns, DROPPED), until=lambda hops: not hops, timeout=15)
            gaps.append((t_term_wall, t_exit - t_term, t_fresh - t_term))
        fib.stop()
        requests = self.finish_client_loop()

        self.assertGreater(fib.looks, 0, "the router's FIB was never looked at")
        self.assertEqual(fib.missing, [], f"{SERVICE_CIDR} was missing from the router's kernel FIB "
                                          f"{len(fib.missing)} of {fib.looks} looks")
        failed = [r for r in requests if r[2] != 0 or r[3] != "200"]
        self.assertEqual(failed, [], f"{len(failed)} of {len(requests)} requests failed: {failed[:10]}")
        in_gaps = [sum(1 for t0, _, _, _ in requests if term <= t0 <= term + fresh) for term, _, fresh in gaps]
        self.assertTrue(all(in_gaps), f"some restart had no request while the daemon was away: {in_gaps}")
        if self.bfd:
            # Each restart handed its Up BFD session to the next instance: the router never saw it go down.
            with open(self.node.log, errors="replace") as f:
                log = f.read()
            self.assertEqual(log.count("continuing the session the previous instance left Up"), RESTARTS, log[-3000:])
            self.assertNotIn("bfd", self.router.last_error(self.host.v4).lower())
            self.assertEqual(self.router.bfd_sessions().get(self.host.v4, {}).get("state"), "Up")
        report(f"{self.router_kind}{' with BFD' if self.bfd else ''} graceful restart x{RESTARTS}: {len(requests)} requests, 0 failed "
               f"({in_gaps} while restarting); FIB looked at {fib.looks} times, never missing; "
               + "; ".join(f"SIGTERM -> exit {e:.3f}s, -> not stale {s:.2f}s" for _, e, s in gaps))

    def test_leave_withdraws(self):
        self.build(on_sigterm="leave")
        self.assertTrue(self.router.established(self.host.v4))
        t_term = time.monotonic()
        self.node.graceful_stop()
        wait_for(f"{SERVICE_CIDR} to leave the router's RIB", lambda: self.router.rib(SERVICE_CIDR),
                 until=lambda ps: not ps, timeout=20, step=0.05)
        wait_for(f"{SERVICE_CIDR} to leave the router's kernel FIB", lambda: kernel_next_hops(self.router.ns,
                 SERVICE_CIDR), until=lambda hops: not hops, timeout=10)
        t_gone = time.monotonic()
        self.assertEqual(self.node.wait(20), 0, "exit status after SIGTERM")
        if self.bfd:
            # The AdminDown that follows the Cease becomes FRR's "last reset" reason: read the log instead.
            ceases = wait_for("the router to log the Cease it received",
                              lambda: [e.line for e in self.router.log_events(self.host.v4, SERVICE_CIDR)
                                       if e.kind == "cease"], timeout=10)
            self.assertIn("administrative shutdown", ceases[-1].lower())
        else:
            cease = wait_for("the router to report the Cease it received",
                             lambda: self.router.last_cease(self.host.v4), timeout=10)
            self.assertTrue(cease.is_admin_shutdown, f"expected Cease/Administrative Shutdown, router says {cease}")
        report(f"{self.router_kind} --on-sigterm leave: SIGTERM -> route gone from RIB and FIB {t_gone - t_term:.2f}s")


class Bird(GracefulRestartScenarios, LabTestCase):
    router_kind = "bird"


class Frr(GracefulRestartScenarios, LabTestCase):
    router_kind = "frr"


class BirdBfd(GracefulRestartScenarios, LabTestCase):
    """BFD on: the old instance says AdminDown, so BIRD keeps the routes as stale (no BFD failure)."""
    router_kind = "bird"
    bfd = True


class FrrBfd(GracefulRestartScenarios, LabTestCase):
    router_kind = "frr"
    bfd = True


if __name__ == "__main__":
    unittest.main(verbosity=2)
