"""One test's world, and the TestCase base that builds it and always tears it down.

    router namespace: bridge "lan" 10.0.1.1/24 fd00:1::1/64, forwarding on
      |-- veth node1 <-> uplink in node1 namespace: 10.0.1.2/24 fd00:1::2/64
      |-- veth node2 <-> uplink in node2 namespace: 10.0.1.3/24 fd00:1::3/64
      |-- veth hop 10.0.3.1/24 <-> north in hop namespace 10.0.3.2/24, forwarding on   (add_host_behind_hop)
                                     south 10.0.2.1/24 <-> uplink in a node namespace: 10.0.2.2/24
"""
import os
import shutil
import sys
import tempfile
import unittest
from dataclasses import dataclass

import netns
from bird import BirdRouter
from frr import FrrRouter
from gobgp_node import GobgpNode
from routes import Peer
from speaker import SpeakerNode, binary

ROUTER_V4, ROUTER_V6 = "10.0.1.1", "fd00:1::1"
HOP_ROUTER_V4, HOP_V4, HOP_NODE_NET = "10.0.3.1", "10.0.3.2", "10.0.2.0/24"
ROUTERS = {"bird": BirdRouter, "frr": FrrRouter}
NODES = {"speaker": SpeakerNode, "gobgp": GobgpNode}
TOOLS = {"bird": ["bird", "birdc"], "frr": ["vtysh", "/usr/lib/frr/zebra", "/usr/lib/frr/bgpd"],
         "gobgp": ["gobgpd", "gobgp"], "speaker": []}


def require(router_kind, node_kind):
    """Fail loudly (never skip) when this machine cannot run the tests; then clear stale leftovers."""
    problems = [] if os.geteuid() == 0 else ["must run as root (network namespaces)"]
    for tool in ["ip"] + TOOLS[router_kind] + TOOLS[node_kind]:
        if not (shutil.which(tool) or os.access(tool, os.X_OK)):
            problems.append(f"{tool} not found")
    if node_kind == "speaker":
        try:
            binary()
        except RuntimeError as e:
            problems.append(str(e))
    if problems:
        raise RuntimeError("interop tests cannot run: " + "; ".join(problems))
    netns.remove_stale()


@dataclass
class Host:
    """A node's namespace on the router's LAN."""
    name: str
    ns: netns.Namespace
    v4: str
    v6: str


class Lab:
    def __init__(self, workdir):
        self.workdir = workdir
        self.namespaces, self.hosts, self._running = [], [], []
        self.router_ns = self._namespace("router")
        self.router_ns.add_bridge("lan")
        self.router_ns.add_address("lan", f"{ROUTER_V4}/24")
        self.router_ns.add_address("lan", f"{ROUTER_V6}/64")
        self.router_ns.sysctl("net.ipv4.ip_forward", 1)
        self.router_ns.sysctl("net.ipv6.conf.all.forwarding", 1)

    def _namespace(self, role):
        ns = netns.Namespace(role)
        self.namespaces.append(ns)
        return ns

    def add_host(self):
        i = len(self.hosts) + 1
        name = f"node{i}"
        ns = self._namespace(name)
        netns.veth(self.router_ns, name, ns, "uplink")
        self.router_ns.ip("link", "set", name, "master", "lan")
        host = Host(name, ns, f"10.0.1.{i + 1}", f"fd00:1::{i + 1}")
        ns.add_address("uplink", f"{host.v4}/24")
        ns.add_address("uplink", f"{host.v6}/64")
        ns.ip("route", "add", "default", "via", ROUTER_V4)
        ns.ip("-6", "route", "add", "default", "via", ROUTER_V6)
        self.hosts.append(host)
        return host

    def add_host_behind_hop(self):
        """A node one routed hop away from the router (for eBGP multihop): router -- hop -- node.
        The router itself is given no route to HOP_NODE_NET: its config must route it via HOP_V4."""
        hop = self._namespace("hop")
        netns.veth(self.router_ns, "hop", hop, "north")
        self.router_ns.add_address("hop", f"{HOP_ROUTER_V4}/24")
        hop.add_address("north", f"{HOP_V4}/24")
        hop.sysctl("net.ipv4.ip_forward", 1)
        i = len(self.hosts) + 1
        name = f"node{i}"
        ns = self._namespace(name)
        netns.veth(hop, "south", ns, "uplink")
        hop.add_address("south", "10.0.2.1/24")
        host = Host(name, ns, "10.0.2.2", "")
        ns.add_address("uplink", f"{host.v4}/24")
        ns.ip("route", "add", "default", "via", "10.0.2.1")
        self.hosts.append(host)
        return host

    def start_router(self, kind, asn, peers, router_id=ROUTER_V4, **options):
        """options go to the router class (e.g. peer_options, static_routes for BIRD)."""
        router = ROUTERS[kind](self.router_ns, self.workdir, asn, router_id, peers, **options)
        self._running.append(router)  # before start(): a half-started router is stopped too
        router.start()
        return router

    def start_node(self, kind, host, asn, peers, prefixes, drain_time="1s", **options):
        """options go to the node class (e.g. listen_port for clusterip-speaker)."""
        node = NODES[kind](host, self.workdir, asn, peers, prefixes, drain_time, **options)
        self._running.append(node)
        node.start()
        return node

    def adopt(self, thing):
        """Something the test started itself (start/stop/logs, like a router): stopped and shown with the rest."""
        self._running.append(thing)
        return thing

    def logs(self):
        return [entry for thing in self._running for entry in thing.logs()]

    def close(self):
        for thing in reversed(self._running):
            try:
                thing.stop()
            except Exception as e:
                print(f"stopping {thing!r} failed: {e}", file=sys.stderr)
        for ns in reversed(self.namespaces):
            ns.delete()


def print_logs(entries, max_lines=300):
    for title, path in entries:
        print(f"\n----- {title}: {path}", file=sys.stderr)
        try:
            with open(path, errors="replace") as f:
                lines = f.readlines()
        except OSError as e:
            print(f"(unreadable: {e})", file=sys.stderr)
            continue
        if len(lines) > max_lines:
            print(f"(last {max_lines} of {len(lines)} lines)", file=sys.stderr)
        sys.stderr.write("".join(lines[-max_lines:]))
    sys.stderr.flush()


def report(text):
    """Measurements are printed, never asserted."""
    print(f"\n    TIMING {text}", file=sys.stderr, flush=True)


class LabTestCase(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix=f"cis-interop-{self._testMethodName}-")
        os.chmod(self.workdir, 0o755)  # FRR runs as user frr and must reach its directory inside
        self.lab = Lab(self.workdir)
        self.addCleanup(self.lab.close)

    def run(self, result=None):
        result = result or self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        super().run(result)
        lab, workdir = getattr(self, "lab", None), getattr(self, "workdir", None)
        if len(result.failures) + len(result.errors) > before:
            # The processes are gone by now, their logs are not: show them, and keep the directory.
            if lab:
                print_logs(lab.logs())
            print(f"\n----- logs kept in {workdir}", file=sys.stderr, flush=True)
        elif workdir and not os.environ.get("CIS_KEEP_LOGS"):
            shutil.rmtree(workdir, ignore_errors=True)
        return result
