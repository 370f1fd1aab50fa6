"""clusterip-speaker's per-peer BGP options against real routers, and its config errors at the CLI.

Each case builds its own namespaces (lab.py), starts the router with the matching option on its side,
and checks what the router learned (RIB, kernel FIB, session state) or, for a negative case, that it
learned nothing for a while and the daemon kept running:
  TCP MD5 (BIRD, FRR with password_file; a wrong password), passive, connection collision,
  eBGP multihop through a routing hop (and TTL 1 dying there), GTSM, IPv6 routes over an IPv4
  session, GoBGP with 4-octet ASNs and (large) communities, BIRD without 4-octet AS support (AS4_PATH),
  and check-config / run on bad files.
"""
import json
import os
import re
import subprocess
import time
import unittest

from lab import HOP_NODE_NET, HOP_ROUTER_V4, HOP_V4, ROUTER_V4, LabTestCase, report, require
from netns import sh
from poll import wait_for
from process import Process
from routes import Peer, kernel_next_hops
from scenarios import SERVICE_V4, SERVICE_V6, BgpScenarios
from speaker import binary

ROUTER_ASN, NODE_ASN = 64512, 64513
PASSWORD = "s3cret"
# How the daemon says it resolved a connection collision (RFC 4271 §6.8): it kept one session, let
# the peer's connection win, or took the peer's connection because its own was not in OpenSent yet.
COLLISION_RESOLVED = r"connection collision, (?:keeping the existing session|the peer's connection wins)|" \
                     r"the peer connected first; using its connection"
NEGATIVE_WINDOW = 6.0  # seconds a session that must not come up is watched (connect retry is 1 s on both sides)


def setUpModule():
    require("bird", "speaker")
    require("frr", "speaker")
    require("gobgp", "speaker")


class GobgpRouter:
    """gobgpd as the upstream router (no kernel FIB: it installs nothing), asked through the gobgp CLI."""
    kind = "gobgp"
    API_PORT = "50052"  # on the router namespace's own loopback

    def __init__(self, ns, workdir, asn, router_id, peers):
        self.ns, self.asn, self.router_id, self.peers = ns, asn, router_id, peers
        self.dir = os.path.join(workdir, f"gobgp-{ns.name}")
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "gobgpd.toml")
        self.log = os.path.join(self.dir, "gobgpd.log")
        self.process = None

    def config_text(self):
        text = f'[global.config]\n  as = {self.asn}\n  router-id = "{self.router_id}"\n  port = 179\n'
        for p in self.peers:
            family = "ipv6-unicast" if ":" in p.address else "ipv4-unicast"
            text += (f'[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "{p.address}"\n'
                     f'    peer-as = {p.asn}\n'
                     f'  [neighbors.timers.config]\n    connect-retry = 1\n    hold-time = 9\n'
                     f'    keepalive-interval = 3\n'
                     f'  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n'
                     f'      afi-safi-name = "{family}"\n')
        return text

    def start(self):
        with open(self.conf, "w") as f:
            f.write(self.config_text())
        self.process = Process(self.ns, ["gobgpd", "-f", self.conf, "--api-hosts", f"127.0.0.1:{self.API_PORT}",
                                         "--log-level", "debug", "--pprof-disable"], self.log)
        wait_for("gobgpd's API", lambda: self.process.assert_running() and self.gobgp("global"), timeout=15)

    def stop(self):
        if self.process:
            self.process.stop()

    def logs(self):
        return [("gobgpd config", self.conf), ("gobgpd log", self.log)]

    def gobgp(self, *args):
        return sh(*self.ns.argv("gobgp", "-u", "127.0.0.1", "-p", self.API_PORT, *args), timeout=10)

    def rib(self, prefix):
        """The paths gobgpd holds for exactly this prefix, as its JSON gives them."""
        out = self.gobgp("global", "rib", "-a", "ipv6" if ":" in prefix else "ipv4", "-j")
        table = json.loads(out) if out.strip() else {}
        return table.get(prefix, [])

    def neighbor(self, address):
        return json.loads(self.gobgp("neighbor", address, "-j"))

    def established(self, address):
        return self.neighbor(address).get("state", {}).get("session_state") in (6, "established", "ESTABLISHED")


def _attr(path, type_code):
    return next((a for a in path.get("attrs", []) if a.get("type") == type_code), None)


class BgpOptions(LabTestCase):
    wait_route = BgpScenarios.wait_route  # RIB, then kernel FIB, through exactly the given next hops

    # ---- helpers ----------------------------------------------------------------------------------

    def one_node(self, router_kind, peer_options=None, node_peer=None, prefixes=(SERVICE_V4,), listen_port=0,
                 on_sigterm=None, **router_options):
        """A router and one node on its LAN; peer_options are the router's side, node_peer the daemon's."""
        host = self.lab.add_host()
        peer = Peer(host.name, host.v4, ROUTER_V4, NODE_ASN)
        if peer_options is not None:
            router_options["peer_options"] = {host.v4: peer_options}
        router = self.lab.start_router(router_kind, ROUTER_ASN, [peer], **router_options)
        node_cfg = {"address": ROUTER_V4, "asn": ROUTER_ASN, **(node_peer or {})}
        node = self.lab.start_node("speaker", host, NODE_ASN, [node_cfg], list(prefixes), listen_port=listen_port,
                                   on_sigterm=on_sigterm)
        return router, node, peer, host

    def route_up(self, router, node, prefix, next_hops, what):
        self.wait_route(router, prefix, next_hops, [node])
        report(f"{what}: node start -> {prefix} in the router's RIB and FIB {time.monotonic() - node.started:.2f}s")

    def assert_never_up(self, router, peer_address, node, prefixes, window=NEGATIVE_WINDOW):
        """For `window` seconds: the session never Established, none of prefixes in the router's RIB,
        and the daemon still running."""
        deadline = time.monotonic() + window
        while time.monotonic() < deadline:
            self.assertTrue(node.running(), f"the daemon exited with {node.wait(0)}")
            self.assertFalse(router.established(peer_address), "the session came up")
            for prefix in prefixes:
                self.assertEqual(router.rib(prefix), [], f"the router learned {prefix}")
            time.sleep(0.25)
        self.assertTrue(node.running(), f"the daemon exited with {node.wait(0)}")

    @staticmethod
    def log_text(path, offset=0):
        with open(path, errors="replace") as f:
            f.seek(offset)
            return f.read()

    @staticmethod
    def bird_state(router, name):
        out = router.birdc("show", "protocols", "all", name)
        state = re.search(r"BGP state:\s+(\S+)", out)
        error = re.search(r"Last error:\s+(.*)", out)
        return f"{state.group(1) if state else '?'} (last error: {error.group(1).strip() if error else '-'})"

    # ---- 1. TCP MD5 (RFC 2385) ------------------------------------------------------------------

    def test_md5_bird(self):
        router, node, peer, _ = self.one_node("bird", {"password": PASSWORD}, {"password": PASSWORD})
        self.route_up(router, node, SERVICE_V4, {peer.address}, "bird MD5")
        self.assertTrue(router.established(peer.address))

    def test_md5_wrong_password_bird(self):
        router, node, peer, host = self.one_node("bird", {"password": PASSWORD}, {"password": "wrong-" + PASSWORD})
        self.assert_never_up(router, peer.address, node, [SERVICE_V4])
        self.assertEqual(kernel_next_hops(router.ns, SERVICE_V4), set())
        report(f"bird MD5 wrong password: not up after {NEGATIVE_WINDOW:g}s, BIRD says "
               f"{self.bird_state(router, host.name)}; daemon still running")

    def test_md5_password_file_frr(self):
        secret = os.path.join(self.workdir, "bgp-password")
        with open(secret, "w") as f:
            f.write(PASSWORD + "\n")  # as `echo s3cret > file` or a Kubernetes Secret often leaves it
        os.chmod(secret, 0o600)
        router, node, peer, _ = self.one_node("frr", {"password": PASSWORD}, {"password_file": secret})
        self.route_up(router, node, SERVICE_V4, {peer.address}, "frr MD5 password_file")
        self.assertTrue(router.established(peer.address))

    # ---- 2. passive -----------------------------------------------------------------------------

    def test_passive(self):
        router, node, peer, _ = self.one_node("bird", node_peer={"passive": True}, listen_port=179)
        self.route_up(router, node, SERVICE_V4, {peer.address}, "bird -> passive daemon")
        log = self.log_text(node.log)
        self.assertIn("listening for BGP", log)
        self.assertNotIn("connecting to port", log, "a passive peer made an outgoing connection")

    # ---- 3. connection collision (RFC 4271 §6.8) ---------------------------------------------------

    def test_connection_collision(self):
        """Both sides connect at once, three times; each time one session wins and stays up, no flapping.

        To make the attempts really cross, each round stops the daemon (the router drops the session)
        and then holds the LAN's packets back without either side noticing: both sides forget each
        other's MAC and stop answering ARP, so every SYN (and SYN-ACK) waits in the kernel's queue for
        an unresolved neighbour while the links stay up (BIRD's `direct` neighbour stays valid). The
        daemon starts, both sides keep connecting; then both neighbours are resolved by hand within a
        few milliseconds, which sends the queued SYNs, crossing, so both TCP connections come up at once.
        """
        hold, keepalive = 4, 1
        # Each round's stop must end the session for good (a graceful restart would keep the route).
        router, node, peer, host = self.one_node(
            "bird", node_peer={"hold_time": f"{hold}s", "keepalive_time": f"{keepalive}s"}, listen_port=179,
            on_sigterm="leave")
        self.wait_route(router, SERVICE_V4, {peer.address}, [node])
        sides = [  # namespace, interface, the other side's address, the other side's MAC
            (self.lab.router_ns, "lan", host.v4, host.ns.ip_json("link", "show", "uplink")[0]["address"]),
            (host.ns, "uplink", ROUTER_V4, self.lab.router_ns.ip_json("link", "show", "lan")[0]["address"]),
        ]

        def hold_back(on):
            for ns, ifname, address, _ in sides:
                ns.sysctl(f"net.ipv4.conf.{ifname}.arp_ignore", 8 if on else 0)
                ns.sysctl(f"net.ipv4.neigh.{ifname}.mcast_solicit", 100 if on else 3)
                if on:
                    ns.ip("neigh", "flush", "to", address, "dev", ifname, check=False)
        self.addCleanup(hold_back, False)
        up_line = re.compile(rf"<TRACE> {host.name}: BGP session established")

        for rnd, cut in enumerate((1.5, 2.5, 3.5), 1):
            node.stop()
            wait_for("the router to drop the session", lambda: router.established(peer.address),
                     until=lambda up: not up, timeout=15)
            self.assertEqual(router.rib(SERVICE_V4), [], f"round {rnd}: the route outlived the session")
            hold_back(True)
            log_at, bird_at = os.path.getsize(node.log), os.path.getsize(router.log)
            node.start()
            time.sleep(cut)
            self.assertFalse(router.established(peer.address), f"round {rnd}: up through a held-back LAN?")
            queued = [ns.ip_json("neigh", "show", "to", address, "dev", ifname) for ns, ifname, address, _ in sides]
            pending = [len(ns.run("ss", "-Htn", "state", "syn-sent", "dst", address).splitlines())
                       for ns, _, address, _ in sides]
            order = sides if rnd % 2 else sides[::-1]
            t0 = time.monotonic()
            for ns, ifname, address, mac in order:
                ns.ip("neigh", "replace", address, "lladdr", mac, "dev", ifname, "nud", "reachable")
            t_heal = time.monotonic()
            hold_back(False)
            self.wait_route(router, SERVICE_V4, {peer.address}, [node], timeout=20)
            t_up = time.monotonic()
            bird_ups = len(up_line.findall(self.log_text(router.log)))

            # Two hold times with no flap: the router stays Established with the route, neither side
            # establishes again.
            deadline = time.monotonic() + 2 * hold + 2
            while time.monotonic() < deadline:
                self.assertTrue(node.running(), f"round {rnd}: the daemon exited with {node.wait(0)}")
                self.assertTrue(router.established(peer.address), f"round {rnd}: the session went down")
                self.assertTrue(router.rib(SERVICE_V4), f"round {rnd}: the route left the router")
                time.sleep(0.25)
            self.assertEqual(len(up_line.findall(self.log_text(router.log))), bird_ups,
                             f"round {rnd}: BIRD established the session again (flap)")
            log = self.log_text(node.log, log_at)
            self.assertEqual(log.count(": established, hold time"), 1,
                             f"round {rnd}: the daemon should establish exactly one session:\n{log}")
            ours = re.findall(rf"{COLLISION_RESOLVED}[^\n]*", log)
            bird = [l.split("> ", 1)[-1] for l in self.log_text(router.log, bird_at).splitlines()
                    if re.search(r"(?i)collision|Incoming connection|Connected$", l)]
            report(f"collision round {rnd}: held back {cut:g}s, neighbour states router/node "
                   f"{[q[0].get('state') if q else None for q in queued]}, SYN-SENT {pending}; "
                   f"heal took {(t_heal - t0) * 1000:.1f}ms -> route {t_up - t_heal:.2f}s; "
                   f"daemon: {ours}; BIRD: {bird}")
            # It was a collision: both sides had their SYN held back, both TCP connections came up
            # (BIRD connected out and accepted the daemon's), and the daemon said how it chose one.
            self.assertEqual([n >= 1 for n in pending], [True, True], f"round {rnd}: SYN-SENT {pending}")
            self.assertTrue(any(l.endswith(": Connected") for l in bird) and
                            any("Incoming connection" in l for l in bird),
                            f"round {rnd}: the connections did not cross: BIRD logged {bird}")
            self.assertTrue(ours, f"round {rnd}: the daemon logged no collision resolution:\n{log}")

    # ---- 4. eBGP multihop -----------------------------------------------------------------------

    def multihop_lab(self, daemon_multihop):
        host = self.lab.add_host_behind_hop()
        peer = Peer(host.name, host.v4, HOP_ROUTER_V4, NODE_ASN)
        router = self.lab.start_router("bird", ROUTER_ASN, [peer], router_id=HOP_ROUTER_V4,
                                       peer_options={host.v4: {"multihop": 2}},
                                       static_routes=[(HOP_NODE_NET, HOP_V4)])
        wait_for("the router's route to the nodes behind the hop",
                 lambda: kernel_next_hops(router.ns, HOP_NODE_NET), until=lambda h: h == {HOP_V4}, timeout=10)
        node = self.lab.start_node("speaker", host, NODE_ASN,
                                   [{"address": HOP_ROUTER_V4, "asn": ROUTER_ASN, "multihop": daemon_multihop}],
                                   [SERVICE_V4])
        return router, node, peer, host

    def test_multihop_2(self):
        router, node, peer, host = self.multihop_lab(2)
        # BIRD resolves the BGP next hop (the node, two hops away) through its route via the hop.
        self.route_up(router, node, SERVICE_V4, {HOP_V4}, "bird multihop 2")
        self.assertIn(f"BGP.next_hop: {host.v4}", router.birdc("show", "route", SERVICE_V4, "all"))

    def test_multihop_1_dies_at_the_hop(self):
        # Same path, same BIRD; only the daemon's TTL differs: 1 expires at the hop.
        router, node, peer, host = self.multihop_lab(1)
        self.assert_never_up(router, peer.address, node, [SERVICE_V4])
        report(f"multihop 1 through a hop: not up after {NEGATIVE_WINDOW:g}s, BIRD says "
               f"{self.bird_state(router, host.name)}; daemon still running")

    # ---- 5. GTSM (RFC 5082) ---------------------------------------------------------------------

    def test_gtsm(self):
        router, node, peer, _ = self.one_node("bird", {"ttl_security": True}, {"ttl_security": True})
        self.route_up(router, node, SERVICE_V4, {peer.address}, "bird GTSM")

    def test_gtsm_frr(self):
        router, node, peer, _ = self.one_node("frr", {"ttl_security": True}, {"ttl_security": True})
        self.route_up(router, node, SERVICE_V4, {peer.address}, "frr GTSM")

    def test_gtsm_frr_router_only_refuses_ttl_1(self):
        # The control for test_gtsm_frr, as for BIRD below.
        router, node, peer, _ = self.one_node("frr", {"ttl_security": True})
        self.assert_never_up(router, peer.address, node, [SERVICE_V4])
        report(f"GTSM on FRR only: not up after {NEGATIVE_WINDOW:g}s")

    def test_gtsm_router_only_refuses_ttl_1(self):
        # The control for test_gtsm: without ttl_security the daemon sends eBGP with TTL 1, which a
        # GTSM router drops; so test_gtsm passing means the daemon really sent TTL 255.
        router, node, peer, host = self.one_node("bird", {"ttl_security": True})
        self.assert_never_up(router, peer.address, node, [SERVICE_V4])
        report(f"GTSM on the router only: not up after {NEGATIVE_WINDOW:g}s, BIRD says "
               f"{self.bird_state(router, host.name)}")

    # ---- 6. IPv6 routes over an IPv4 session ---------------------------------------------------------

    def test_ipv6_routes_over_ipv4_session(self):
        host_v6 = "fd00:1::2"  # node1's address on the LAN (lab.py)
        router, node, peer, host = self.one_node("bird", {"channels": ["ipv4", "ipv6"]}, {"next_hop": host_v6},
                                                 prefixes=(SERVICE_V4, SERVICE_V6))
        self.assertEqual(host.v6, host_v6)
        self.route_up(router, node, SERVICE_V4, {peer.address}, "bird IPv4 session, IPv4 route")
        self.route_up(router, node, SERVICE_V6, {host_v6}, "bird IPv4 session, IPv6 route")
        self.assertIn("master6", router.birdc("show", "route", SERVICE_V6, "table", "master6"))

    def test_ipv6_not_offered_without_next_hop(self):
        router, node, peer, host = self.one_node("bird", {"channels": ["ipv4", "ipv6"]},
                                                 prefixes=(SERVICE_V4, SERVICE_V6))
        self.route_up(router, node, SERVICE_V4, {peer.address}, "bird IPv4 session without next_hop")
        time.sleep(2)  # the initial burst and End-of-RIB are long gone by now
        self.assertTrue(router.established(peer.address))
        self.assertEqual(router.rib(SERVICE_V6), [], "an IPv6 route arrived without an IPv6 next hop")
        self.assertEqual(kernel_next_hops(router.ns, SERVICE_V6), set())
        proto = router.protocol(peer.address)
        caps = proto.split("Neighbor capabilities", 1)
        self.assertEqual(len(caps), 2, f"no neighbor capabilities in BIRD's view:\n{proto}")
        announced = re.search(r"AF announced:\s*(.*)", caps[1])
        self.assertIsNotNone(announced, f"no multiprotocol capability from the daemon:\n{proto}")
        self.assertNotIn("ipv6", announced.group(1), f"the daemon offered IPv6 without a next hop:\n{proto}")
        self.assertIn("ipv4", announced.group(1))

    # ---- 7. GoBGP upstream, 4-octet ASNs, communities ------------------------------------------------

    def test_gobgp_4byte_asn_communities_and_cease(self):
        router_asn, node_asn = 4200000001, 4200000002
        host = self.lab.add_host()
        peer = Peer(host.name, host.v4, ROUTER_V4, node_asn)
        router = self.lab.adopt(GobgpRouter(self.lab.router_ns, self.workdir, router_asn, ROUTER_V4, [peer]))
        router.start()
        node = self.lab.start_node("speaker", host, node_asn,
                                   [{"address": ROUTER_V4, "asn": router_asn, "communities": ["65000:1"],
                                     "large_communities": [f"{node_asn}:1:2"]}],
                                   [SERVICE_V4], drain_time="1s")

        def rib():
            self.assertTrue(node.running(), f"the daemon exited with {node.wait(0)}")
            return router.rib(SERVICE_V4)
        [path] = wait_for(f"{SERVICE_V4} in gobgpd's RIB", rib, until=lambda ps: len(ps) == 1, timeout=30)
        report(f"gobgp 4-octet ASN: node start -> route in gobgpd's RIB {time.monotonic() - node.started:.2f}s")
        as_path = _attr(path, 2)
        self.assertIsNotNone(as_path, f"no AS_PATH: {path}")
        self.assertEqual([a for seg in as_path.get("as_paths", []) for a in seg.get("asns", [])], [node_asn],
                         f"AS_PATH: {as_path}")
        self.assertEqual(_attr(path, 3), {"type": 3, "nexthop": host.v4}, f"NEXT_HOP: {path}")
        communities = _attr(path, 8)
        self.assertIsNotNone(communities, f"no COMMUNITIES: {path}")
        self.assertIn((65000 << 16) | 1, communities.get("communities", []), f"COMMUNITIES: {communities}")
        large = _attr(path, 32)
        self.assertIsNotNone(large, f"no LARGE_COMMUNITY: {path}")
        values = [(v.get("ASN"), v.get("LocalData1"), v.get("LocalData2")) for v in large.get("value", [])]
        self.assertIn((node_asn, 1, 2), values, f"LARGE_COMMUNITY: {large}")

        t_term, t_term_wall = time.monotonic(), time.time()
        log_at = os.path.getsize(router.log)
        node.graceful_stop()
        wait_for("the route to leave gobgpd's RIB", lambda: router.rib(SERVICE_V4), until=lambda ps: not ps,
                 timeout=20, step=0.05)
        t_gone = time.monotonic()
        self.assertEqual(node.wait(20), 0, "exit status after SIGTERM")
        message = f"clusterip-speaker on {host.name} is shutting down"

        def received_notifications():
            found = []
            for line in self.log_text(router.log, log_at).splitlines():
                try:
                    entry = json.loads(line)  # gobgpd logs one JSON object a line
                except ValueError:
                    continue
                if entry.get("msg") == "received notification":
                    found.append(entry)
            return found
        notes = wait_for("gobgpd to log the NOTIFICATION it received", received_notifications, timeout=10)
        self.assertIn({"Code": 6, "Subcode": 2, "Communicated-Reason": message},
                      [{k: n.get(k) for k in ("Code", "Subcode", "Communicated-Reason")} for n in notes],
                      "gobgpd did not log a Cease/Administrative Shutdown with the daemon's message")
        report(f"gobgp: SIGTERM -> route gone {t_gone - t_term:.2f}s, exit {node.exit_wall - t_term_wall:.2f}s;"
               f" gobgpd logged: {json.dumps(notes[-1])}")

    # ---- 7b. a router without 4-octet AS support (RFC 6793 §4.2.2) ----------------------------------

    def test_as4_path_toward_a_two_octet_router(self):
        """Our ASN does not fit in 2 octets and BIRD runs with `enable as4 off`: the AS_PATH it gets says
        AS_TRANS, and the AS4_PATH next to it lets BIRD put the real path back together."""
        node_asn = 4200000003
        host = self.lab.add_host()
        # BIRD refuses a neighbour ASN above 65535 with `enable as4 off`, and compares the ASN of our
        # 4-octet capability with the configured one: so any external AS.
        peer = Peer(host.name, host.v4, ROUTER_V4, None)
        router = self.lab.start_router("bird", ROUTER_ASN, [peer], peer_options={host.v4: {"as4": False}})
        node = self.lab.start_node("speaker", host, node_asn, [{"address": ROUTER_V4, "asn": ROUTER_ASN}],
                                   [SERVICE_V4])
        self.wait_route(router, SERVICE_V4, {peer.address}, [node])
        report(f"bird as4 off: node start -> route in RIB and FIB {time.monotonic() - node.started:.2f}s")
        proto = router.protocol(peer.address)
        session = re.search(r"Session:\s+(.*)", proto)
        self.assertIsNotNone(session, proto)
        self.assertNotIn("AS4", session.group(1), f"a 4-octet AS session despite `enable as4 off`:\n{proto}")
        self.assertEqual(router.as_paths(SERVICE_V4), [[node_asn]],
                         "BIRD should rebuild the real AS path from AS4_PATH, not keep AS_TRANS (23456)")

    # ---- 8. config errors at the CLI ---------------------------------------------------------------

    BAD_YAML = """\
node: { name: node1, router_id: 10.0.1.2 }
advertise:
  service_cidrs: [10.96.0.0/12, 10.300.0.0/16]
  cluster_ips: none
kubernetes: { enabled: false }
http: { listen: "" }
bgp:
  asn: 64513
  listen_port: 0
  peers:
    - address: 10.0.1.1
      asn: 64512
      hold_tme: 9s
"""
    GOOD_YAML = """\
node: { name: node1, router_id: 10.0.1.2 }
advertise: { service_cidrs: [10.96.0.0/12] }
kubernetes: { enabled: false }
bgp:
  asn: 64513
  peers:
    - { address: 10.0.1.1, asn: 64512 }
"""

    def cli(self, *args, ns=None, timeout=15):
        argv = [binary(), *args]
        return subprocess.run(ns.argv(*argv) if ns else argv, cwd=self.workdir, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def test_config_errors_at_the_cli(self):
        for name, text in (("bad.yaml", self.BAD_YAML), ("good.yaml", self.GOOD_YAML)):
            with open(os.path.join(self.workdir, name), "w") as f:
                f.write(text)
        expected = [
            (r"bad\.yaml:3:33: advertise\.service_cidrs\[1\]: ", "10.300.0.0/16"),
            (r"bad\.yaml:13:7: bgp\.peers\[0\]\.hold_tme: ", "unknown key"),
        ]

        def check_errors(r, what):
            out = r.stdout + r.stderr
            self.assertNotEqual(r.returncode, 0, f"{what} accepted a bad file:\n{out}")
            lines = [l for l in out.splitlines() if re.match(r"bad\.yaml:\d+:\d+: ", l)]
            for rx, detail in expected:
                hit = [l for l in lines if re.match(rx, l)]
                self.assertEqual(len(hit), 1, f"{what}: want one line matching {rx!r}, got:\n{out}")
                self.assertIn(detail, hit[0])
            self.assertEqual(len(lines), len(expected), f"{what}: unexpected error lines:\n{out}")
            return lines

        lines = check_errors(self.cli("check-config", "-c", "bad.yaml"), "check-config")
        print("\n    check-config bad.yaml: " + "\n    ".join(lines))

        good = self.cli("check-config", "-c", "good.yaml")
        self.assertEqual(good.returncode, 0, good.stdout + good.stderr)
        for default in ("hold_time: 90s", "keepalive_time: 30s", "listen_port: 179", "multihop: 1",
                        "passive: false", "connect_retry: 5s"):
            self.assertIn(default, good.stdout, f"effective config lacks the default {default!r}")
        # The effective config is itself a valid config.
        with open(os.path.join(self.workdir, "effective.yaml"), "w") as f:
            f.write(good.stdout)
        again = self.cli("check-config", "-c", "effective.yaml")
        self.assertEqual(again.returncode, 0, f"check-config rejects its own output:\n{again.stderr}")
        self.assertEqual(again.stdout, good.stdout)

        # run: inside a namespace of our own, so a daemon that did start could reach nobody.
        host = self.lab.add_host()
        t0 = time.monotonic()
        r = self.cli("run", "-c", "bad.yaml", ns=host.ns)
        check_errors(r, "run")
        self.assertNotIn("starting", r.stdout + r.stderr, "run started the daemon on a bad file")
        report(f"run -c bad.yaml exited {r.returncode} after {time.monotonic() - t0:.2f}s")


if __name__ == "__main__":
    unittest.main(verbosity=2)
