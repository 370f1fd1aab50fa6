"""BFD (RFC 5880 asynchronous mode, RFC 5881 single-hop, RFC 5883 multihop) between clusterip-speaker
and the routers' own BFD: BIRD 2 (`protocol bfd`, `bfd on`) and FRR (bfdd, `neighbor X bfd profile`).

    router (BIRD or FRR) 10.0.1.1 -- node1 10.0.1.2, node2 10.0.1.3       (single-hop, port 3784)
    router 10.0.3.1 -- hop 10.0.3.2 / 10.0.2.1 -- node 10.0.2.2            (multihop 2, port 4784)

Each router kind: sessions come Up with the timers negotiated (300 ms x 3 both ways); a reload that
changes min_rx is negotiated with a Poll Sequence and flaps nothing; a planned stop sends AdminDown
(seen on the wire at the router); a node that dies hard (every packet on its link dropped by
nftables, no signal to the daemon) is dropped by the router through BFD, well before the BGP hold
time. Detection times are reported, never asserted.
"""
import json
import os
import signal
import struct
import time
import unittest

import netns
from lab import HOP_NODE_NET, HOP_ROUTER_V4, HOP_V4, ROUTER_V4, LabTestCase, report, require
from poll import wait_for
from process import Adopted, Process
from routes import Peer, kernel_next_hops

ROUTER_ASN, NODE_ASN = 64512, 64513
SERVICE_CIDR = "10.96.0.0/12"
HTTP = "127.0.0.1:9474"
BFD = {"enabled": True, "min_rx": "300ms", "min_tx": "300ms", "multiplier": 3}
HOLD_TIME = "9s"   # the BGP hold timer BFD must beat (the test config's; the product's default is 90 s)
DEATHS = int(os.environ.get("CIS_BFD_DEATHS", "10"))  # hard deaths per router kind
DEATH_POLL = 0.01  # s between looks at the router's FIB after a death
DEATH_WAIT = 8.0   # s: less than HOLD_TIME, so only BFD can have dropped the route in time


def setUpModule():
    require("bird", "speaker")
    require("frr", "speaker")
    for tool in ("nft", "tcpdump", "curl"):
        if not any(os.access(os.path.join(d, tool), os.X_OK) for d in os.environ.get("PATH", "").split(":")):
            raise RuntimeError(f"{tool} not found (scripts/setup.sh installs it)")


def ipv4_packets(pcap_path):
    """(source address, IP protocol, transport segment) of each IPv4 packet in a pcap (Linux cooked
    or Ethernet link type), in capture order."""
    with open(pcap_path, "rb") as f:
        header = f.read(24)
        if len(header) < 24:
            return
        linktype = struct.unpack("<I", header[20:24])[0]
        offset = {1: 14, 113: 16}.get(linktype)
        if offset is None:
            raise AssertionError(f"unexpected pcap link type {linktype}")
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            incl = struct.unpack("<I", rec[8:12])[0]
            ip = f.read(incl)[offset:]
            if len(ip) < 20 or ip[0] >> 4 != 4:
                continue
            yield ".".join(str(b) for b in ip[12:16]), ip[9], ip[(ip[0] & 0x0f) * 4:]


def bfd_packets(pcap_path):
    """(source address, state, diagnostic) of each BFD Control packet in a pcap."""
    out = []
    for src, proto, udp in ipv4_packets(pcap_path):
        if proto != 17 or len(udp) < 8 + 24 or struct.unpack("!H", udp[2:4])[0] not in (3784, 4784):
            continue
        bfd = udp[8:]
        out.append((src, bfd[1] >> 6, bfd[0] & 0x1f))
    return out


def wire_events(pcap_path, source):
    """What `source` sent, in order: "notification" for a TCP segment carrying a BGP NOTIFICATION,
    "bfd-admin-down" and "bfd" for BFD Control packets."""
    out = []
    for src, proto, segment in ipv4_packets(pcap_path):
        if src != source:
            continue
        if proto == 6 and len(segment) >= 20:
            payload = segment[(segment[12] >> 4) * 4:]
            at = payload.find(b"\xff" * 16)
            if at >= 0 and len(payload) > at + 18 and payload[at + 18] == 3:
                out.append("notification")
        elif proto == 17 and len(segment) >= 8 + 24 and struct.unpack("!H", segment[2:4])[0] in (3784, 4784):
            out.append("bfd-admin-down" if segment[9] >> 6 == 0 else "bfd")
    return out


class BfdScenarios:
    """Mixed into a LabTestCase whose class sets router_kind."""
    router_kind = None

    def node_peer(self, address, **extra):
        peer = {"address": address, "asn": ROUTER_ASN, "hold_time": HOLD_TIME, "bfd": dict(BFD)}
        peer.update(extra)
        return peer

    def start_node(self, host, peers, on_sigterm=None):
        return self.lab.start_node("speaker", host, NODE_ASN, peers, [SERVICE_CIDR],
                                   sections={"http": {"listen": HTTP}}, on_sigterm=on_sigterm)

    def status(self, host):
        return json.loads(host.ns.run("curl", "-sS", "--max-time", "5", f"http://{HTTP}/status"))

    def our_bfd(self, host):
        sessions = self.status(host)["bfd"]
        self.assertEqual(len(sessions), 1, sessions)
        return sessions[0]

    def single_hop_lab(self, nodes=1, bfd_on_router=True, on_sigterm=None):
        hosts = [self.lab.add_host() for _ in range(nodes)]
        peers = [Peer(h.name, h.v4, ROUTER_V4, NODE_ASN) for h in hosts]
        options = {h.v4: {"bfd": True} for h in hosts} if bfd_on_router else {}
        router = self.lab.start_router(self.router_kind, ROUTER_ASN, peers, peer_options=options)
        nodes_ = [self.start_node(h, [self.node_peer(ROUTER_V4)], on_sigterm) for h in hosts]
        for h in hosts:
            wait_for(f"{h.name}'s session", lambda h=h: router.established(h.v4), timeout=30)
        wait_for("every node's next hop in the router's FIB", lambda: kernel_next_hops(router.ns, SERVICE_CIDR),
                 until=lambda hops: hops == {h.v4 for h in hosts}, timeout=30)
        return router, hosts, nodes_

    def capture_at_router(self, name, capture_filter):
        """tcpdump on the router's LAN, each packet written as it comes (--immediate-mode -U); returns
        (pcap path, the capture to stop) once a BFD packet is in the file (BFD must be Up)."""
        pcap = os.path.join(self.workdir, name)
        capture = self.lab.adopt(Adopted("tcpdump", Process(
            self.lab.router_ns, ["tcpdump", "-i", "lan", "-U", "--immediate-mode", "-n", "-w", pcap, capture_filter],
            os.path.join(self.workdir, "tcpdump.log"))))
        wait_for("tcpdump to start", lambda: os.path.exists(pcap) and bfd_packets(pcap), timeout=15)
        return pcap, capture

    def wait_bfd_up(self, router, host, peer_address):
        wait_for(f"BFD Up at the router for {host.name}", lambda: router.bfd_sessions().get(host.v4, {}),
                 until=lambda s: s.get("state") == "Up", timeout=30)
        return wait_for(f"BFD Up on {host.name}", lambda: self.our_bfd(host),
                        until=lambda s: s["state"] == "Up" and s["peer"] == peer_address and
                        s["transmit_interval_ms"] == 300 and not s["poll_in_progress"], timeout=30)

    def test_up_and_reload_poll(self):
        router, (host,), (node,) = self.single_hop_lab()
        ours = self.wait_bfd_up(router, host, ROUTER_V4)
        self.assertFalse(ours["multihop"])
        self.assertEqual(ours["detection_time_ms"], 900, ours)  # remote 3 x max(our 300 rx, its 300 tx)
        theirs = router.bfd_sessions()[host.v4]
        self.assertEqual(theirs["interval"], 300, theirs)
        changes, since = ours["state_changes"], theirs.get("since") or theirs.get("id")

        # min_rx 300 -> 600 ms by reload: the router must slow down to 600 ms, negotiated by Poll/Final.
        with open(node.conf) as f:
            text = f.read()
        self.assertIn('min_rx: "300ms"', text)
        with open(node.conf, "w") as f:
            f.write(text.replace('min_rx: "300ms"', 'min_rx: "600ms"'))
        node.process.signal(signal.SIGHUP)
        theirs = wait_for("the router to send at 600 ms", lambda: router.bfd_sessions().get(host.v4, {}),
                          until=lambda s: s.get("interval") == 600, timeout=20)
        self.assertEqual(theirs["state"], "Up")
        ours = wait_for("our side to finish the Poll", lambda: self.our_bfd(host),
                        until=lambda s: not s["poll_in_progress"] and s["detection_time_ms"] == 1800, timeout=20)
        self.assertEqual(ours["state"], "Up")
        self.assertEqual(ours["state_changes"], changes, "the timer change flapped our session")
        self.assertEqual(theirs.get("since") or theirs.get("id"), since, "the timer change flapped the router's session")
        self.assertTrue(router.established(host.v4))
        report(f"{self.router_kind} single-hop: Up, tx 300 ms, detect 900 ms; reload min_rx 600 ms -> "
               f"router sends every {theirs['interval']:g} ms, our detection {ours['detection_time_ms']:g} ms, no flap")

    def test_multihop_up(self):
        host = self.lab.add_host_behind_hop()
        peer = Peer(host.name, host.v4, HOP_ROUTER_V4, NODE_ASN)
        options = {host.v4: {"multihop": 2, "bfd": True}}
        if self.router_kind == "bird":
            router = self.lab.start_router("bird", ROUTER_ASN, [peer], router_id=HOP_ROUTER_V4, peer_options=options,
                                           static_routes=[(HOP_NODE_NET, HOP_V4)])
        else:
            self.lab.router_ns.ip("route", "add", HOP_NODE_NET, "via", HOP_V4)
            router = self.lab.start_router("frr", ROUTER_ASN, [peer], router_id=HOP_ROUTER_V4, peer_options=options)
        self.start_node(host, [self.node_peer(HOP_ROUTER_V4, multihop=2)])
        wait_for("the multihop session", lambda: router.established(host.v4), timeout=40)
        ours = self.wait_bfd_up(router, host, HOP_ROUTER_V4)
        self.assertTrue(ours["multihop"], ours)
        self.assertEqual(ours["detection_time_ms"], 900, ours)
        report(f"{self.router_kind} multihop (port 4784, through a hop): Up, tx {ours['transmit_interval_ms']:g} ms, "
               f"detect {ours['detection_time_ms']:g} ms")

    def test_admin_down(self):
        """Leaving for good: BGP drains and Ceases first, then BFD says AdminDown (diag 7). (A graceful
        restart instead hands the session to the next instance: test_bgp_graceful_restart.)"""
        router, (host,), (node,) = self.single_hop_lab(on_sigterm="leave")
        self.wait_bfd_up(router, host, ROUTER_V4)
        pcap, capture = self.capture_at_router("bfd.pcap", "udp port 3784")
        node.graceful_stop()
        self.assertEqual(node.wait(30), 0)
        theirs = wait_for("the router's BFD session to go Down", lambda: router.bfd_sessions().get(host.v4, {}),
                          until=lambda s: s.get("state") in ("Down", "AdminDown"), timeout=10)
        # tcpdump writes each packet as it comes (--immediate-mode -U): wait for the AdminDown to show.
        ours = wait_for("the node's AdminDown on the wire",
                        lambda: [(state, diag) for src, state, diag in bfd_packets(pcap) if src == host.v4],
                        until=lambda packets: packets and packets[-1][0] != 3, timeout=10)
        capture.stop()
        self.assertEqual(ours[-1], (0, 7), f"the last packet from the node is not AdminDown/diag 7: {ours[-5:]}")
        report(f"{self.router_kind}: planned stop -> AdminDown (diag 7) on the wire, router session {theirs['state']}")

    def test_reload_drops_peer(self):
        """A reload that removes a BFD-protected peer: BGP drains, withdraws and Ceases first; our
        BFD session says AdminDown only after that (a router drops BGP on AdminDown, which would cut
        the drain short). Checked on the wire at the router."""
        router, (host,), (node,) = self.single_hop_lab()
        self.wait_bfd_up(router, host, ROUTER_V4)
        pcap, capture = self.capture_at_router("wire.pcap", "udp port 3784 or tcp port 179")
        with open(node.conf) as f:
            text = f.read()
        elsewhere = text.replace(f'"{ROUTER_V4}"', '"10.0.1.250"')  # an unused address in the lab's LAN
        self.assertNotEqual(elsewhere, text)
        with open(node.conf, "w") as f:
            f.write(elsewhere)
        node.process.signal(signal.SIGHUP)
        events = wait_for("the node's Cease and then its BFD AdminDown on the wire",
                          lambda: wire_events(pcap, host.v4), until=lambda e: "bfd-admin-down" in e, timeout=30)
        capture.stop()
        self.assertIn("notification", events, "no Cease before the AdminDown")
        self.assertLess(events.index("notification"), events.index("bfd-admin-down"),
                        "BFD said AdminDown before BGP had left")
        wait_for("our BFD session to the removed peer to stop", lambda: self.status(host)["bfd"],
                 until=lambda sessions: not any(s["peer"] == ROUTER_V4 for s in sessions), timeout=15)
        report(f"{self.router_kind}: reload removing the peer -> Cease on the wire, then BFD AdminDown "
               f"(router's last error: {router.last_error(host.v4)})")

    def hard_death(self, router, hosts, victim):
        """Drops every packet on the victim's link (not loopback); returns the seconds until the
        router's FIB no longer uses it."""
        survivors = {h.v4 for h in hosts if h is not victim}
        t0 = time.monotonic()
        netns.cut_off(victim.ns)
        deadline = t0 + DEATH_WAIT
        while time.monotonic() < deadline:
            if kernel_next_hops(router.ns, SERVICE_CIDR) == survivors:
                return time.monotonic() - t0
            time.sleep(DEATH_POLL)
        raise AssertionError(f"the router still used {victim.v4} {DEATH_WAIT:g}s after it died "
                             f"(BGP hold time {HOLD_TIME}): BFD did not take it down; FIB "
                             f"{kernel_next_hops(router.ns, SERVICE_CIDR)}")

    def revive(self, router, hosts, victim):
        netns.reconnect(victim.ns)
        wait_for(f"{victim.name} back in the router's FIB", lambda: kernel_next_hops(router.ns, SERVICE_CIDR),
                 until=lambda hops: hops == {h.v4 for h in hosts}, timeout=60)
        wait_for(f"BFD Up again for {victim.name}", lambda: router.bfd_sessions().get(victim.v4, {}),
                 until=lambda s: s.get("state") == "Up", timeout=30)

    def test_hard_death(self):
        router, hosts, nodes = self.single_hop_lab(nodes=2)
        for h in hosts:
            self.wait_bfd_up(router, h, ROUTER_V4)
        times = []
        for i in range(DEATHS):
            victim = hosts[i % 2]
            times.append(self.hard_death(router, hosts, victim))
            reason = router.last_error(victim.v4)
            self.assertIn("bfd", reason.lower(), f"death {i + 1}: the router dropped {victim.name} for: {reason}")
            self.revive(router, hosts, victim)
        self.assertTrue(all(n.running() for n in nodes), "a daemon exited")
        times.sort()
        report(f"{self.router_kind} hard node death, BFD 300 ms x 3, {len(times)} deaths: FIB stops using the dead "
               f"node after p50 {times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms "
               f"(all: {', '.join(f'{t * 1000:.0f}' for t in times)} ms)")

    def test_death_no_bfd(self):
        """The figure BFD improves on (for the docs): no BFD, the hold timer decides."""
        hosts = [self.lab.add_host() for _ in range(2)]
        router = self.lab.start_router(self.router_kind, ROUTER_ASN, [Peer(h.name, h.v4, ROUTER_V4, NODE_ASN)
                                                                      for h in hosts])
        for h in hosts:
            self.start_node(h, [{"address": ROUTER_V4, "asn": ROUTER_ASN, "hold_time": HOLD_TIME}])
        wait_for("both next hops", lambda: kernel_next_hops(router.ns, SERVICE_CIDR),
                 until=lambda hops: hops == {h.v4 for h in hosts}, timeout=40)
        global DEATH_WAIT
        saved, DEATH_WAIT = DEATH_WAIT, 30.0
        try:
            t = self.hard_death(router, hosts, hosts[0])
        finally:
            DEATH_WAIT = saved
        reason = router.last_error(hosts[0].v4)
        self.assertIn("hold", reason.lower(), f"the router dropped the node for: {reason}")
        report(f"{self.router_kind} hard node death WITHOUT BFD: FIB stops using it after {t:.2f} s "
               f"(hold time {HOLD_TIME}; 90 s with the default)")


class OspfWithBird(LabTestCase):
    """OSPF on a broadcast LAN with BFD on the interface (BIRD `bfd yes`): a node that dies hard is
    dropped through BFD before the 4 s dead interval, and the daemon's side kills the neighbour too."""

    def test_ospf_death(self):
        from bird import BirdOspfRouter
        from test_ospf import SERVICE_V4, OspfSpeakerNode
        hosts = [self.lab.add_host() for _ in range(2)]
        router = self.lab.adopt(BirdOspfRouter(self.lab.router_ns, self.workdir, ROUTER_V4,
                                               {"lan": {"type": "broadcast", "bfd": True}}))
        router.start()
        nodes = []
        for h in hosts:
            nodes.append(self.lab.adopt(OspfSpeakerNode(h, self.workdir, "broadcast", None, bfd=True)))
            nodes[-1].start()
        wait_for("both nodes in the router's FIB", lambda: kernel_next_hops(router.ns, SERVICE_V4),
                 until=lambda hops: hops == {h.v4 for h in hosts}, timeout=90)
        for h in hosts:
            wait_for(f"BFD Up at the router for {h.name}", lambda h=h: router.bfd_sessions().get(h.v4, {}),
                     until=lambda s: s.get("state") == "Up", timeout=30)
        victim = hosts[0]
        t0 = time.monotonic()
        netns.cut_off(victim.ns)
        wait_for("the router's FIB to drop the dead node", lambda: kernel_next_hops(router.ns, SERVICE_V4),
                 until=lambda hops: hops == {hosts[1].v4}, timeout=15, step=DEATH_POLL)
        t = time.monotonic() - t0
        # BFD took the neighbour down, not the 4 s dead interval.
        with open(router.log, errors="replace") as f:
            self.assertIn(f"BFD session down for nbr {victim.v4}", f.read())
        # The isolated daemon's own BFD times out too: it takes its neighbour down at once.
        wait_for("the dead node's daemon to kill its OSPF neighbour through BFD",
                 lambda: open(nodes[0].log, errors="replace").read(),
                 until=lambda log: "OSPF: BFD session to 10.0.1.1 down" in log, timeout=10)
        report(f"OSPF + BFD (BIRD): hard node death -> FIB drops it after {t * 1000:.0f} ms (dead interval 4 s)")


class Bird(BfdScenarios, LabTestCase):
    router_kind = "bird"


class Frr(BfdScenarios, LabTestCase):
    router_kind = "frr"


if __name__ == "__main__":
    unittest.main(verbosity=2)
