"""clusterip-speaker's OSPFv2 against real routers: BIRD 2 and FRR ospfd, on a broadcast LAN and on a
point-to-point link, without and with MD5 authentication.

    router namespace: bridge "lan" 10.0.1.1/24 (the OSPF interface: broadcast, or ptp with one node)
      |-- node1 namespace: uplink 10.0.1.2/24, clusterip-speaker with ospf on uplink
      |-- node2 namespace: uplink 10.0.1.3/24 (the ECMP cases)

Each node advertises 10.96.0.0/12 as an AS-external (type 5, E2) LSA; the router computes its route and
installs it in its namespace's kernel FIB. Checked: the route (type E2, via the node) in the router's
OSPF table and FIB; ECMP with two nodes; SIGTERM takes the route away (premature aging) and the daemon
exits 0; a router restart re-forms the adjacency and the route comes back. Timings are printed as
TIMING lines, never asserted. A packet capture on the router's LAN (decoded on a failure) and the
router's log show what happened.
"""
import os
import subprocess
import time
import unittest

from bird import BirdOspfRouter
from frr import FrrOspfRouter
from lab import ROUTER_V4, LabTestCase, report, require
from poll import wait_for
from process import Process
from routes import kernel_next_hops
from speaker import SpeakerNode

SERVICE_V4 = "10.96.0.0/12"
KEY = "k"
ROUTERS = {"bird": BirdOspfRouter, "frr": FrrOspfRouter}
ROUTER_TOOLS = {"bird": ["bird", "birdc"], "frr": ["vtysh", "/usr/lib/frr/zebra", "/usr/lib/frr/ospfd"]}
DEAD_INTERVAL = 4.0


def setUpModule():
    require("bird", "speaker")
    require("frr", "speaker")
    for tool in ROUTER_TOOLS["frr"] + ["tcpdump"]:
        if not (os.access(tool, os.X_OK) or subprocess.run(["which", tool], capture_output=True).returncode == 0):
            raise RuntimeError(f"interop tests cannot run: {tool} not found")


def read_text(path):
    with open(path, errors="replace") as f:
        return f.read()


def ospf_config_yaml(name, router_id, interface, network, key, priority=None, bfd=False):
    """A config in the documented schema (docs/configuration.md): OSPF only (BGP and Kubernetes off), one
    static Service CIDR; bfd: BFD 300 ms x 3 with the interface's neighbours."""
    extra = f', auth: {{ type: md5, key_id: 1, key: "{key}" }}' if key is not None else ""
    extra += f", priority: {priority}" if priority is not None else ""
    if bfd:
        extra += ", bfd: { enabled: true, min_rx: 300ms, min_tx: 300ms, multiplier: 3 }"
    return (
        f'node: {{ name: {name}, router_id: "{router_id}" }}\n'
        f'advertise: {{ service_cidrs: ["{SERVICE_V4}"], static: [], cluster_ips: none, '
        'require_kube_proxy: false, require_node_ready: false }\n'
        "kubernetes: { enabled: false }\n"
        'http: { listen: "" }\n'
        "bgp: { enabled: false }\n"
        "ospf:\n"
        "  enabled: true\n"
        f'  router_id: "{router_id}"\n'
        "  interfaces:\n"
        f"    - {{ name: {interface}, network: {network}, hello_interval: 1s, dead_interval: 4s, "
        f"retransmit_interval: 1s{extra} }}\n"
        "log: { level: debug }\n")


class OspfSpeakerNode(SpeakerNode):
    """clusterip-speaker in a node namespace with an OSPF-only config (start/stop/logs as for BGP)."""

    def __init__(self, host, workdir, network, key, priority=None, bfd=False):
        self.host, self.name = host, host.name
        self.router_id = host.v4
        self.conf = os.path.join(workdir, f"{self.name}.yaml")
        self.log = os.path.join(workdir, f"{self.name}.log")
        with open(self.conf, "w") as f:
            f.write(ospf_config_yaml(self.name, host.v4, "uplink", network, key, priority, bfd))
        self.process = None


class Capture:
    """tcpdump of the OSPF packets on an interface, decoded into text when it stops (shown on a failure)."""

    def __init__(self, ns, interface, workdir):
        self.pcap = os.path.join(workdir, f"ospf-{interface}.pcap")
        self.text = self.pcap + ".txt"
        # -Z root: tcpdump would otherwise drop to its own user, who cannot write the test's directory.
        self.process = Process(ns, ["tcpdump", "-Z", "root", "-U", "-ni", interface, "-w", self.pcap, "ip proto 89"],
                               self.pcap + ".stderr")
        wait_for("tcpdump to listen",
                 lambda: self.process.assert_running() and "listening" in read_text(self.pcap + ".stderr"), timeout=10)

    def stop(self):
        self.process.stop()
        with open(self.text, "w") as out:
            subprocess.run(["tcpdump", "-nr", self.pcap, "-tttt", "-v"], stdout=out, stderr=subprocess.STDOUT,
                           timeout=30)

    def logs(self):
        return [("OSPF packets on the router's LAN", self.text)]


class OspfScenarios:
    """Mixed into a LabTestCase whose class sets router_kind, network and key."""
    router_kind = None
    network = "broadcast"   # the node's config: broadcast | point-to-point
    key = None              # MD5 key on both sides, or None

    def label(self):
        return f"{self.router_kind} {self.network}{' md5' if self.key else ''} {self._testMethodName}"

    def build(self, nodes=1, node_key="same"):
        hosts = [self.lab.add_host() for _ in range(nodes)]
        self.lab.adopt(Capture(self.lab.router_ns, "lan", self.workdir))
        router_type = "ptp" if self.network == "point-to-point" else "broadcast"
        router = self.lab.adopt(ROUTERS[self.router_kind](self.lab.router_ns, self.workdir, ROUTER_V4,
                                                          {"lan": {"type": router_type, "md5": self.key}}))
        router.start()
        started = []
        for h in hosts:
            node = self.lab.adopt(OspfSpeakerNode(h, self.workdir, self.network,
                                                  self.key if node_key == "same" else node_key))
            node.start()
            started.append(node)
        return router, started

    def wait_route(self, router, next_hops, nodes, timeout=60):
        """Until the router's OSPF table has SERVICE_V4 as an E2 route via exactly next_hops, and its
        kernel FIB too. Fails at once if a node exits meanwhile."""
        want = set(next_hops)

        def ospf_table():
            for n in nodes:
                self.assertTrue(n.running(), f"{n.name}'s clusterip-speaker exited with {n.wait(0)}")
            return router.ospf_route(SERVICE_V4)
        kind, _ = wait_for(f"{SERVICE_V4} via {sorted(want)} in {router.kind}'s OSPF routes", ospf_table,
                           until=lambda r: r[1] == want, timeout=timeout)
        self.assertEqual(kind, "E2", f"route type of {SERVICE_V4} at the router")
        wait_for(f"{SERVICE_V4} via {sorted(want)} in the router's kernel FIB",
                 lambda: kernel_next_hops(router.ns, SERVICE_V4), until=lambda hops: hops == want, timeout=timeout)

    def wait_full(self, router, node, timeout=60):
        def state():
            self.assertTrue(node.running(), f"{node.name}'s clusterip-speaker exited with {node.wait(0)}")
            return router.neighbors().get(node.router_id, "")
        return wait_for(f"{router.kind} to reach Full with {node.router_id}", state,
                        until=lambda s: s.lower().startswith("full"), timeout=timeout)

    def test_route_via_node(self):
        router, [node] = self.build()
        self.wait_route(router, {node.host.v4}, [node])
        report(f"{self.label()}: node start -> E2 route in router's OSPF table and FIB: "
               f"{time.monotonic() - node.started:.2f}s; neighbour state {router.neighbors().get(node.router_id)}")

    def test_sigterm_removes_route(self):
        router, [node] = self.build()
        self.wait_route(router, {node.host.v4}, [node])
        time.sleep(1.5)  # past MinLSArrival at the router, so the flush is not an instance "too soon"
        t_term, t_term_wall = time.monotonic(), time.time()
        node.graceful_stop()
        wait_for(f"{SERVICE_V4} to leave the router's kernel FIB", lambda: kernel_next_hops(router.ns, SERVICE_V4),
                 until=lambda hops: not hops, timeout=DEAD_INTERVAL + 20, step=0.02)
        t_gone = time.monotonic()
        self.assertEqual(node.wait(10), 0, "exit status after SIGTERM")
        # Gone sooner than the dead interval: the flushed LSA did it, not the router losing the neighbour.
        by = "the flush (before the dead interval)" if t_gone - t_term < DEAD_INTERVAL else "the dead interval?"
        report(f"{self.label()}: SIGTERM -> route gone from router's FIB {t_gone - t_term:.2f}s, "
               f"daemon exited (status 0) {node.exit_wall - t_term_wall:.3f}s; route left by {by}")

    def test_router_restart(self):
        router, [node] = self.build()
        self.wait_route(router, {node.host.v4}, [node])
        t_down = time.monotonic()
        router.restart()
        self.wait_full(router, node)
        t_full = time.monotonic()
        self.wait_route(router, {node.host.v4}, [node])
        report(f"{self.label()}: router restart -> adjacency Full {t_full - t_down:.2f}s, "
               f"route back in OSPF table and FIB {time.monotonic() - t_down:.2f}s")


class TwoNodesEcmp:
    """Only on the broadcast LAN: both nodes advertise the CIDR, the router has one route via both."""

    def test_two_nodes_ecmp(self):
        router, nodes = self.build(nodes=2)
        self.wait_route(router, {n.host.v4 for n in nodes}, nodes)
        report(f"{self.label()}: node start -> ECMP E2 route via both nodes in OSPF table and FIB: "
               f"{time.monotonic() - min(n.started for n in nodes):.2f}s")
        # One node leaves: the route narrows to the other, at once.
        t_term = time.monotonic()
        nodes[0].graceful_stop()
        wait_for(f"{SERVICE_V4} via {nodes[1].host.v4} only", lambda: kernel_next_hops(router.ns, SERVICE_V4),
                 until=lambda hops: hops == {nodes[1].host.v4}, timeout=DEAD_INTERVAL + 20, step=0.02)
        self.assertEqual(nodes[0].wait(10), 0, "exit status after SIGTERM")
        report(f"{self.label()}: SIGTERM on one node -> FIB via the other only {time.monotonic() - t_term:.2f}s")


class LinkFlap:
    """The node's link loses its carrier and gets it back: the daemon sees it (it re-reads the interface
    every second), takes the interface down and up, and the adjacency and the route come back."""

    def test_link_flap(self):
        router, [node] = self.build()
        self.wait_route(router, {node.host.v4}, [node])
        t_down = time.monotonic()
        self.lab.router_ns.ip("link", "set", node.name, "down")  # the router's end: the node loses carrier
        wait_for(f"{SERVICE_V4} to leave the router's kernel FIB", lambda: kernel_next_hops(router.ns, SERVICE_V4),
                 until=lambda hops: not hops, timeout=DEAD_INTERVAL + 20)
        t_gone = time.monotonic()
        wait_for("the daemon to notice the lost carrier", lambda: read_text(node.log),
                 until=lambda text: "interface uplink down" in text, timeout=10)
        t_up = time.monotonic()
        self.lab.router_ns.ip("link", "set", node.name, "up")
        self.wait_full(router, node)
        self.wait_route(router, {node.host.v4}, [node])
        report(f"{self.label()}: link down -> route gone {t_gone - t_down:.2f}s; "
               f"link up -> route back {time.monotonic() - t_up:.2f}s")


class WrongKey:
    """Only with MD5: a node with another key forms no adjacency, so the router learns nothing."""

    def test_wrong_key_no_adjacency(self):
        router, [node] = self.build(node_key="wrong")
        time.sleep(DEAD_INTERVAL + 2)
        self.assertTrue(node.running())
        state = router.neighbors().get(node.router_id, "")
        self.assertFalse(state.lower().startswith(("full", "exchange", "loading", "2-way", "init")),
                         f"the router has neighbour state {state!r} with a node using the wrong key")
        self.assertEqual(kernel_next_hops(router.ns, SERVICE_V4), set())


class DaemonIsTheDr(LabTestCase):
    """BIRD and FRR on one LAN, both at priority 0, the daemon at priority 1: the daemon is the only
    router that can be DR, so it must originate the segment's network-LSA (RFC 2328 §12.4.2). Without
    it every router-LSA's transit link points at nothing, SPF (§16.1) reaches no router on the LAN and
    neither router has a route to the Service CIDR.

        router namespace: bridge "lan" (no OSPF here, only the wire)
          |-- node1: uplink 10.0.1.2/24, clusterip-speaker, priority 1 (DR)
          |-- node2: uplink 10.0.1.3/24, BIRD, priority 0
          |-- node3: uplink 10.0.1.4/24, FRR (zebra + ospfd), priority 0
    """

    def setUp(self):
        super().setUp()
        require("bird", "speaker")
        require("frr", "speaker")

    def test_both_routers_route_via_the_dr_node(self):
        node_host, bird_host, frr_host = (self.lab.add_host() for _ in range(3))
        self.lab.adopt(Capture(self.lab.router_ns, "lan", self.workdir))
        lan = {"uplink": {"type": "broadcast", "md5": None, "priority": 0}}
        routers = [self.lab.adopt(BirdOspfRouter(bird_host.ns, self.workdir, bird_host.v4, lan)),
                   self.lab.adopt(FrrOspfRouter(frr_host.ns, self.workdir, frr_host.v4, lan))]
        for router in routers:
            router.start()
        node = self.lab.adopt(OspfSpeakerNode(node_host, self.workdir, "broadcast", None, priority=1))
        node.start()

        for router in routers:
            def ospf_table(router=router):
                self.assertTrue(node.running(), f"clusterip-speaker exited with {node.wait(0)}")
                return router.ospf_route(SERVICE_V4)
            kind, _ = wait_for(f"{SERVICE_V4} via {node_host.v4} in {router.kind}'s OSPF routes", ospf_table,
                               until=lambda r: r[1] == {node_host.v4}, timeout=60)
            self.assertEqual(kind, "E2", f"route type of {SERVICE_V4} at {router.kind}")
            wait_for(f"{SERVICE_V4} via {node_host.v4} in {router.kind}'s kernel FIB",
                     lambda router=router: kernel_next_hops(router.ns, SERVICE_V4),
                     until=lambda hops: hops == {node_host.v4}, timeout=30)
        report(f"daemon as DR for BIRD and FRR at priority 0: node start -> E2 route at both "
               f"{time.monotonic() - node.started:.2f}s")
        # What made it work: BIRD holds our network-LSA (type 2, LS ID = the DR's address), and sees
        # the daemon as DR.
        self.assertIn((2, node_host.v4, node_host.v4), routers[0].lsadb(), "no network-LSA from the daemon")
        self.assertTrue(routers[0].neighbors().get(node_host.v4, "").startswith("Full/DR"), routers[0].neighbors())

        # Leaving flushes it with the rest: the route goes from both, the daemon exits 0.
        node.graceful_stop()
        for router in routers:
            wait_for(f"{SERVICE_V4} to leave {router.kind}'s kernel FIB",
                     lambda router=router: kernel_next_hops(router.ns, SERVICE_V4), until=lambda hops: not hops,
                     timeout=DEAD_INTERVAL + 20)
        self.assertEqual(node.wait(10), 0, "exit status after SIGTERM")
        wait_for("the network-LSA to leave BIRD's database", lambda: routers[0].lsadb(),
                 until=lambda db: (2, node_host.v4, node_host.v4) not in db, timeout=DEAD_INTERVAL + 20)


class BirdBroadcast(TwoNodesEcmp, LinkFlap, OspfScenarios, LabTestCase):
    router_kind, network = "bird", "broadcast"


class BirdPointToPoint(OspfScenarios, LabTestCase):
    router_kind, network = "bird", "point-to-point"


class BirdMd5(WrongKey, OspfScenarios, LabTestCase):
    router_kind, network, key = "bird", "broadcast", KEY


class FrrBroadcast(TwoNodesEcmp, LinkFlap, OspfScenarios, LabTestCase):
    router_kind, network = "frr", "broadcast"


class FrrPointToPoint(OspfScenarios, LabTestCase):
    router_kind, network = "frr", "point-to-point"


class FrrMd5(WrongKey, OspfScenarios, LabTestCase):
    router_kind, network, key = "frr", "broadcast", KEY


if __name__ == "__main__":
    unittest.main(verbosity=2)
