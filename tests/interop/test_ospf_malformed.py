"""Malformed OSPFv2 input over real raw sockets: the daemon's exact reaction, and no effect on the
adjacency to a real router.

    router namespace: BIRD 2 (router ID 10.0.1.1, DR) on the LAN bridge, 10.0.1.1/24
    node1 namespace:  clusterip-speaker (router ID 10.0.1.2), three OSPF interfaces, all broadcast:
                        uplink 10.0.1.2/24  to BIRD (adjacency Full, 10.96.0.0/12 as an E2 route at BIRD)
                        plain  10.0.5.1/24  to the scripted peer, no authentication (the daemon is DR here)
                        md5    10.0.6.1/24  to the scripted peer, keyed MD5 (key ID 1)
    peer namespace:   the scripted peer (ospf_script_peer.py): plain 10.0.5.2 (router ID 10.0.0.99, a
                      well-behaved DROther neighbour kept Full by a background thread) and md5
                      10.0.6.2 (router ID 10.0.0.98, only what each case sends)

One daemon and one BIRD serve the whole module, so a flap anywhere would show. RFC 2328 §8.2 and §13
give a malformed or mismatched packet one reaction, a silent drop; the daemon counts each drop by
reason (the "packets_dropped" map in the OSPF part of /status) and logs it, rate-limited per
interface, source and reason. So each case checks:
  - the drop counter for exactly that reason went up by exactly the number of packets sent, and no
    other drop counter moved; the daemon's log has the line for that reason;
  - or, where the RFC names a neighbour event (SeqNumberMismatch, BadLSReq, an MTU mismatch that must
    keep the neighbour in ExStart, §10.6-§10.7), the neighbour state the RFC requires;
and after each case: the daemon still runs, BIRD's neighbour 10.0.1.2 is Full and BIRD logged no
state change for it since the start, 10.96.0.0/12 is still BIRD's E2 route via the daemon, and the
scripted neighbour is Full again (cases that leave it alone check it never left Full).
"""
import json
import os
import random
import re
import shutil
import time
import unittest

import netns
import ospf_script_peer as sp
from bird import BirdOspfRouter
from lab import ROUTER_V4, require
from poll import wait_for
from shared_lab_case import SharedLabCase
from process import Process
from test_ospf import Capture

SERVICE_V4 = "10.96.0.0/12"
NODE_ID = "10.0.1.2"
PLAIN_NODE, PLAIN_PEER = "10.0.5.1", "10.0.5.2"
MD5_NODE, MD5_PEER = "10.0.6.1", "10.0.6.2"
MASK = "255.255.255.0"
PEER_ID = "10.0.0.99"       # below the daemon's: the daemon is master of the exchange
MD5_PEER_ID = "10.0.0.98"
KEY = "malformed-key"
HTTP = "127.0.0.1:9479"


def config_yaml(http):
    common = "hello_interval: 1s, dead_interval: 4s, retransmit_interval: 1s"
    return (
        f'node: {{ name: node1, router_id: "{NODE_ID}" }}\n'
        f'advertise: {{ service_cidrs: ["{SERVICE_V4}"], static: [], cluster_ips: none, '
        'require_kube_proxy: false, require_node_ready: false }\n'
        "kubernetes: { enabled: false }\n"
        f'http: {{ listen: "{http}" }}\n'
        "bgp: { enabled: false }\n"
        "ospf:\n"
        "  enabled: true\n"
        f'  router_id: "{NODE_ID}"\n'
        "  interfaces:\n"
        f"    - {{ name: uplink, network: broadcast, {common} }}\n"
        # Priority 1 here: the daemon is the DR, so the scripted DROther forms an adjacency with it.
        f"    - {{ name: plain, network: broadcast, priority: 1, {common} }}\n"
        f'    - {{ name: md5, network: broadcast, {common}, auth: {{ type: md5, key_id: 1, key: "{KEY}" }} }}\n'
        "log: { level: debug }\n")


class Daemon:
    """clusterip-speaker in node1 with the config above; /status read with curl inside the namespace."""

    def __init__(self, host, workdir):
        from speaker import binary
        self.host = host
        self.conf = os.path.join(workdir, "node1.yaml")
        self.log = os.path.join(workdir, "node1.log")
        with open(self.conf, "w") as f:
            f.write(config_yaml(HTTP))
        self.process = Process(host.ns, [binary(), "run", "-c", self.conf], self.log)

    def running(self):
        return self.process.running()

    def status(self):
        out = self.host.ns.run("curl", "-s", "-m", "5", f"http://{HTTP}/status")
        return json.loads(out)["ospf"]

    def dropped(self):
        return self.status()["packets_dropped"]

    def neighbour_state(self, router_id):
        for n in self.status()["neighbors"]:
            if n["router_id"] == router_id:
                return n["state"]
        return None

    def log_text(self, offset=0):
        with open(self.log, errors="replace") as f:
            f.seek(offset)
            return f.read()

    def stop(self):
        self.process.stop()

    def logs(self):
        return [("clusterip-speaker config", self.conf), ("clusterip-speaker log", self.log)]


class MalformedOspf(SharedLabCase):
    """One daemon, BIRD and scripted peer for all cases (built once: see the module docstring)."""
    log_lines = 120

    @classmethod
    def setUpClass(cls):
        require("bird", "speaker")
        for tool in ("curl", "tcpdump"):
            if not shutil.which(tool):
                raise RuntimeError(f"interop tests cannot run: {tool} not found")
        cls.open_lab("cis-interop-ospf-malformed-")

    @classmethod
    def _build(cls):
        lab = cls.lab
        cls.node_host = lab.add_host()  # node1: uplink 10.0.1.2 on BIRD's LAN
        peer_ns = lab._namespace("peer")
        for name, node_address, peer_address in (("plain", PLAIN_NODE, PLAIN_PEER), ("md5", MD5_NODE, MD5_PEER)):
            netns.veth(cls.node_host.ns, name, peer_ns, name)
            cls.node_host.ns.add_address(name, f"{node_address}/24")
            peer_ns.add_address(name, f"{peer_address}/24")
        lab.adopt(Capture(cls.node_host.ns, "plain", cls.workdir))
        cls.bird = lab.adopt(BirdOspfRouter(lab.router_ns, cls.workdir, ROUTER_V4,
                                            {"lan": {"type": "broadcast", "md5": None}}))
        cls.bird.start()
        cls.node = lab.adopt(Daemon(cls.node_host, cls.workdir))
        wait_for(f"{SERVICE_V4} as BIRD's E2 route via the daemon", lambda: cls._bird_route(),
                 until=lambda r: r == ("E2", {NODE_ID}), timeout=60)

        cls.plain = sp.Link(peer_ns, "plain", PLAIN_PEER)
        cls.md5 = sp.Link(peer_ns, "md5", MD5_PEER)
        lab.adopt(LinkCloser(cls.md5))
        cls.neighbour = lab.adopt(sp.Neighbour(cls.plain, PEER_ID, MASK).start())
        cls._wait_peer_full()
        cls.bird_changes = cls._bird_state_changes()

    # ---- the other adjacency, and the scripted one ---------------------------------------------------

    @classmethod
    def _bird_route(cls):
        assert cls.node.running(), f"the daemon exited with {cls.node.process.returncode}"
        return cls.bird.ospf_route(SERVICE_V4)

    @classmethod
    def _bird_state_changes(cls):
        """BIRD's log lines about a state change of its neighbour, the daemon (debug states)."""
        with open(cls.bird.log, errors="replace") as f:
            return [line.rstrip() for line in f
                    if re.search(rf"[Nn]eighbor {re.escape(NODE_ID)}\b.*(changed state|[Ss]tate changed)", line)]

    @classmethod
    def _wait_peer_full(cls, timeout=40):
        def state():
            assert cls.node.running(), f"the daemon exited with {cls.node.process.returncode}"
            return cls.node.neighbour_state(PEER_ID)
        wait_for(f"the daemon's neighbour {PEER_ID} on plain to be Full", state, until=lambda s: s == "Full",
                 timeout=timeout)

    def setUp(self):
        self.log_offset = os.path.getsize(self.node.log)
        self.peer_may_change = False
        self.dropped_before = self.node.dropped()

    def tearDown(self):
        self.neighbour.dd_mtu, self.neighbour.hold_exchange = 1500, False
        self.assertTrue(self.node.running(), f"the daemon exited with {self.node.process.returncode}")
        self.assertTrue(self.bird.neighbors().get(NODE_ID, "").startswith("Full"),
                        f"BIRD's neighbour {NODE_ID} left Full: {self.bird.neighbors()}")
        self.assertEqual(self._bird_state_changes(), self.bird_changes, "BIRD logged a state change of the daemon")
        self.assertEqual(self.node.neighbour_state(ROUTER_V4), "Full", "the daemon's neighbour BIRD")
        self.assertNotRegex(self.node.log_text(self.log_offset), rf"neighbou?r {re.escape(ROUTER_V4)} .*->",
                            "the daemon logged a state change of its neighbour BIRD")
        self.assertEqual(self._bird_route(), ("E2", {NODE_ID}), f"{SERVICE_V4} at BIRD")
        if not self.peer_may_change:
            self.assertEqual(self.node.neighbour_state(PEER_ID), "Full", "the scripted neighbour")
            self.assertNotRegex(self.node.log_text(self.log_offset), rf"neighbou?r {re.escape(PEER_ID)} .*->",
                                "the scripted neighbour's adjacency changed state")
        self._wait_peer_full()

    # ---- helpers ----------------------------------------------------------------------------------

    def send_plain(self, packet_type, body, router_id=PEER_ID, destination=sp.ALL_SPF_ROUTERS, **fields):
        self.plain.send(sp.packet(packet_type, body, router_id, **fields), destination)

    def send_md5(self, packet_type, body, router_id=MD5_PEER_ID, auth=None, **fields):
        self.md5.send(sp.packet(packet_type, body, router_id, auth=auth, **fields))

    def valid_hello(self, **fields):
        fields.setdefault("neighbors", [NODE_ID])
        return sp.hello(MASK, dr=PLAIN_NODE, **fields)

    def deltas(self):
        after = self.node.dropped()
        return {k: after.get(k, 0) - self.dropped_before.get(k, 0)
                for k in set(after) | set(self.dropped_before) if after.get(k, 0) != self.dropped_before.get(k, 0)}

    def barrier(self, reason, links):
        """Instead of a pause before the counters are compared, a later observation: one more packet on
        each link that the daemon drops for a reason other than the case's, counted. The daemon reads
        each interface's packets in order, so once that drop shows, whatever the case sent before it
        on that link has had its effect. Returns the reason the barrier packets were dropped for."""
        other = "area mismatch" if reason == "bad version" else "bad version"
        before = self.deltas().get(other, 0)
        for link, router_id in links:
            if other == "bad version":
                link.send(sp.packet(sp.HELLO, sp.hello(MASK), router_id, version=3))
            else:
                link.send(sp.packet(sp.HELLO, sp.hello(MASK), router_id, area="0.0.0.7"))
        wait_for(f"the barrier packet(s) counted as {other!r}", lambda: self.deltas().get(other, 0) - before,
                 until=lambda n: n >= len(links), timeout=10)
        return other

    def assert_dropped(self, reason, count, log, links=None):
        """Exactly `count` more drops for `reason`, no other drop, and the daemon's log line: `log` is
        a regex "WHAT from SOURCE on INTERFACE: DETAIL" for the text after "OSPF: dropped ". The daemon
        logs a reason at most once a minute per interface and source, so when this case's line is
        not there, an earlier line for the same reason must be (the one that holds it back).
        links: the (link, router ID) pairs the case sent on (default: plain)."""
        wait_for(f"{count} more drop(s) for {reason!r}", lambda: self.deltas().get(reason, 0),
                 until=lambda n: n >= count, timeout=10)
        links = links or [(self.plain, PEER_ID)]
        barrier = self.barrier(reason, links)
        self.assertEqual(self.deltas(), {reason: count, barrier: len(links)}, "drop counters moved other than expected")
        if re.search(r"OSPF: dropped " + log, self.node.log_text(self.log_offset)):
            return
        where = log.split(": ", 1)[0]
        self.assertRegex(self.node.log_text()[:self.log_offset], rf"OSPF: dropped {where}: {re.escape(reason)}",
                         f"neither this case's log line ({log}) nor an earlier one for {reason!r} that held it back")

    def lsa_bytes(self, **fields):
        return sp.lsa(sp.LSA_EXTERNAL, "10.123.0.0", PEER_ID, sp.external_lsa_body("255.255.0.0"), **fields)

    barrier_lsas = 0

    def assert_not_flooded(self, ls_id):
        """The LSA did not get into the daemon's database: it would have flooded it on to BIRD. The
        observation that makes "not" mean something: a valid LSA sent after it (LS ID 10.125.N.0, new
        each time) reaches BIRD's database, so the bad one, had it been taken, would be there too."""
        MalformedOspf.barrier_lsas += 1
        barrier_id = f"10.125.{self.barrier_lsas}.0"
        self.send_plain(sp.LS_UPDATE, sp.ls_update(sp.lsa(sp.LSA_EXTERNAL, barrier_id, PEER_ID,
                                                          sp.external_lsa_body("255.255.255.0"))),
                        destination=PLAIN_NODE)
        wait_for(f"the valid LSA {barrier_id} in BIRD's database", lambda: self.bird.lsadb(),
                 until=lambda db: (5, barrier_id, PEER_ID) in db, timeout=10)
        self.assertNotIn((5, ls_id, PEER_ID), self.bird.lsadb(), f"the malformed LSA {ls_id} reached BIRD")

    # ==== The header (RFC 2328 §8.2, A.3.1) ==========================================================

    def test_bad_version(self):
        self.send_plain(sp.HELLO, self.valid_hello(), version=3)
        self.assert_dropped("bad version", 1, rf"packet from {PLAIN_PEER} on plain: bad version: version 3")

    def test_bad_ospf_checksum(self):
        good = sp.packet(sp.HELLO, self.valid_hello(), PEER_ID)
        checksum = int.from_bytes(good[12:14], "big")
        self.send_plain(sp.HELLO, self.valid_hello(), checksum=checksum ^ 0x0100)
        self.assert_dropped("bad checksum", 1, rf"packet from {PLAIN_PEER} on plain: bad checksum")

    def test_length_field_beyond_datagram(self):
        body = self.valid_hello()
        self.send_plain(sp.HELLO, body, length=sp.HEADER_SIZE + len(body) + 40)
        self.assert_dropped("truncated", 1, rf"packet from {PLAIN_PEER} on plain: truncated: length \d+ but \d+ bytes")

    def test_length_field_below_header(self):
        self.send_plain(sp.HELLO, self.valid_hello(), length=20)
        self.assert_dropped("bad length", 1, rf"packet from {PLAIN_PEER} on plain: bad length")

    def test_unknown_packet_types(self):
        for packet_type in (0, 6, 255):
            self.send_plain(packet_type, b"\x00" * 16)
        self.assert_dropped("bad packet type", 3, rf"packet from {PLAIN_PEER} on plain: bad packet type: packet type")

    def test_wrong_area(self):
        self.send_plain(sp.HELLO, self.valid_hello(), area="0.0.0.1")
        self.assert_dropped("area mismatch", 1, rf"Hello from {PLAIN_PEER} on plain: area mismatch \(0\.0\.0\.1, ours 0\.0\.0\.0\)")

    def test_claims_our_router_id(self):
        self.send_plain(sp.HELLO, self.valid_hello(), router_id=NODE_ID)
        self.assert_dropped("from ourselves", 1, rf"Hello from {PLAIN_PEER} on plain: from ourselves")

    def test_garbage_bytes(self):
        # Random octets (some 0 to 23 long: no whole header), then valid headers with the correct
        # checksum over random bodies of every type, from router IDs the daemon has never heard:
        # every one is dropped, none is taken.
        rng = random.Random(7)
        packets = [bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 3, 23, 24, 25, 64, 300, 1400])))
                   for _ in range(40)]
        for _ in range(40):
            body = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 200)))
            packets.append(sp.packet(rng.randrange(1, 6), body, f"10.77.{rng.randrange(256)}.{rng.randrange(1, 255)}"))
        received_before = self.node.status()["packets_received"]
        for p in packets:
            self.plain.send(p)
        wait_for("every garbage packet counted as dropped", lambda: sum(self.deltas().values()),
                 until=lambda n: n >= len(packets), timeout=10)
        barrier = self.barrier("garbage", [(self.plain, PEER_ID)])
        deltas = self.deltas()
        deltas[barrier] -= 1  # the barrier packet's own drop
        self.assertEqual(sum(deltas.values()), len(packets), f"drops by reason: {deltas}")
        self.assertGreaterEqual(self.node.status()["packets_received"] - received_before, len(packets))
        self.assertIn("truncated", deltas)  # the short ones
        self.assertNotRegex(self.node.log_text(self.log_offset), r"neighbou?r 10\.77\.", "a garbage sender became a neighbour")

    # ==== Authentication (D.4, D.5) ===================================================================

    def test_auth_type_mismatch(self):
        # Cryptographic on the interface without authentication, and null on the MD5 one.
        self.send_plain(sp.HELLO, self.valid_hello(), au_type=sp.AU_CRYPTO)
        self.send_md5(sp.HELLO, sp.hello(MASK))
        self.assert_dropped("bad AuType", 2, rf"packet from ({PLAIN_PEER} on plain|{MD5_PEER} on md5): bad AuType: AuType",
                            links=[(self.plain, PEER_ID), (self.md5, MD5_PEER_ID)])
        log = self.node.log_text()
        self.assertIn(f"dropped packet from {PLAIN_PEER} on plain: bad AuType: AuType 2, expected 0", log)
        self.assertIn(f"dropped packet from {MD5_PEER} on md5: bad AuType: AuType 0, expected 2", log)

    def test_bad_md5_digest(self):
        auth = sp.Md5(KEY)
        self.send_md5(sp.HELLO, sp.hello(MASK), auth=auth, digest=b"\x5a" * 16)
        self.send_md5(sp.HELLO, sp.hello(MASK), auth=sp.Md5("another-key"))
        self.assert_dropped("authentication failed", 2,
                            rf"packet from {MD5_PEER} on md5: authentication failed: digest does not verify",
                            links=[(self.md5, MD5_PEER_ID)])
        self.assertIsNone(self.node.neighbour_state(MD5_PEER_ID), "a neighbour from a packet with a bad digest")

    def test_replayed_crypto_sequence(self):
        # A valid Hello (the daemon takes it: a new neighbour in Init), then a valid one with a lower
        # cryptographic sequence number: a replay, dropped (D.5.2).
        auth = sp.Md5(KEY, sequence=int(time.time()))
        self.send_md5(sp.HELLO, sp.hello(MASK), auth=auth)
        wait_for(f"the daemon's neighbour {MD5_PEER_ID} on md5", lambda: self.node.neighbour_state(MD5_PEER_ID),
                 until=lambda s: s == "Init", timeout=10)
        self.send_md5(sp.HELLO, sp.hello(MASK), auth=auth, sequence=auth.sequence - 2)
        self.assert_dropped("crypto sequence number decreased", 1,
                            rf"Hello from {MD5_PEER} on md5: crypto sequence number decreased",
                            links=[(self.md5, MD5_PEER_ID)])

    # ==== Hello (§10.5) ===============================================================================

    def test_hello_interval_mismatch(self):
        self.send_plain(sp.HELLO, self.valid_hello(hello_interval=10))
        self.assert_dropped("HelloInterval mismatch", 1, rf"Hello from {PLAIN_PEER} on plain: HelloInterval mismatch")

    def test_dead_interval_mismatch(self):
        self.send_plain(sp.HELLO, self.valid_hello(dead_interval=40))
        self.assert_dropped("RouterDeadInterval mismatch", 1,
                            rf"Hello from {PLAIN_PEER} on plain: RouterDeadInterval mismatch")

    def test_network_mask_mismatch(self):
        self.plain.send(sp.packet(sp.HELLO, sp.hello("255.255.0.0", dr=PLAIN_NODE, neighbors=[NODE_ID]), PEER_ID))
        self.assert_dropped("network mask mismatch", 1, rf"Hello from {PLAIN_PEER} on plain: network mask mismatch")

    def test_hello_neighbour_list_truncated(self):
        self.send_plain(sp.HELLO, self.valid_hello() + b"\x0a\x00")  # half a router ID at the end
        self.assert_dropped("bad length", 1,
                            rf"packet from {PLAIN_PEER} on plain: bad length: Hello neighbor list is not whole IDs")

    def test_hello_shorter_than_fixed_part(self):
        self.send_plain(sp.HELLO, self.valid_hello()[:19])
        self.assert_dropped("truncated", 1, rf"packet from {PLAIN_PEER} on plain: truncated: Hello shorter than 20")

    # ==== Database Description (§10.6) ================================================================

    def test_dd_mtu_larger_than_ours_stays_exstart(self):
        # The neighbour answers the daemon's initial DD with an interface MTU of 9000 (ours: 1500).
        # §10.6: the DD is rejected and the neighbour stays in ExStart, however long it goes on.
        self.peer_may_change = True
        self.neighbour.dd_mtu = 9000
        self.send_plain(sp.DD, sp.dd(1, flags=sp.DD_INIT))  # I bit in Full: SeqNumberMismatch, back to ExStart
        wait_for("the daemon's neighbour in ExStart", lambda: self.node.neighbour_state(PEER_ID),
                 until=lambda s: s == "ExStart", timeout=10)
        answered = self.neighbour.dds_answered
        wait_for("three more rejected DDs", lambda: self.neighbour.dds_answered - answered,
                 until=lambda n: n >= 3, timeout=15)
        self.assertEqual(self.node.neighbour_state(PEER_ID), "ExStart", "the neighbour left ExStart with an MTU mismatch")
        self.assertGreaterEqual(self.deltas().get("DD rejected", 0), 3)
        self.assertEqual(set(self.deltas()), {"DD rejected"}, "drop counters")
        self.assertIn(f"dropped Database Description from {PLAIN_PEER} on plain: interface MTU 9000 larger than ours (1500)",
                      self.node.log_text())
        self.assertRegex(self.node.log_text(self.log_offset),
                         rf"neighbor {PEER_ID} at {PLAIN_PEER} on plain: Full -> ExStart \(SeqNumberMismatch\)")
        self.assertNotRegex(self.node.log_text(self.log_offset), rf"neighbor {PEER_ID} .*ExStart -> ")
        self.neighbour.dd_mtu = 1500  # and with the MTU right, the same neighbour gets to Full

    def test_dd_wrong_sequence_in_exchange(self):
        # Held in Exchange (the neighbour answers only the initial DD), a DD with a sequence number
        # the master did not send: SeqNumberMismatch (§10.6), back to ExStart.
        self.peer_may_change = True
        self.neighbour.hold_exchange = True
        self.send_plain(sp.DD, sp.dd(1, flags=sp.DD_INIT))
        wait_for("the daemon's neighbour in Exchange", lambda: self.node.neighbour_state(PEER_ID),
                 until=lambda s: s == "Exchange", timeout=10)
        offset = os.path.getsize(self.node.log)
        self.send_plain(sp.DD, sp.dd(12345, flags=sp.DD_MORE), destination=PLAIN_NODE)
        wait_for("Exchange -> ExStart (SeqNumberMismatch)", lambda: self.node.log_text(offset),
                 until=lambda t: re.search(rf"neighbor {PEER_ID} at {PLAIN_PEER} on plain: Exchange -> ExStart "
                                           r"\(SeqNumberMismatch\)", t), timeout=10)
        self.assertEqual(self.deltas(), {}, "a DD in Exchange is a neighbour event, not a drop")
        self.neighbour.hold_exchange = False

    def test_dd_lsa_headers_not_whole(self):
        self.send_plain(sp.DD, sp.dd(1, lsa_headers=b"\x00" * 30), destination=PLAIN_NODE)
        self.assert_dropped("bad length", 1, rf"packet from {PLAIN_PEER} on plain: bad length: Database Description")

    # ==== Link State Request (§10.7) ==================================================================

    def test_ls_request_for_an_lsa_we_do_not_have(self):
        self.peer_may_change = True
        self.send_plain(sp.LS_REQUEST, sp.ls_request((sp.LSA_EXTERNAL, "10.124.0.0", "10.9.9.9")),
                        destination=PLAIN_NODE)
        self.assert_dropped("BadLSReq", 1,
                            rf"Link State Request from {PLAIN_PEER} on plain: BadLSReq: asked for type 5 10\.124\.0\.0 "
                            r"from 10\.9\.9\.9")
        self.assertRegex(self.node.log_text(self.log_offset),
                         rf"neighbor {PEER_ID} at {PLAIN_PEER} on plain: Full -> ExStart \(BadLSReq\)")

    def test_ls_request_not_whole_entries(self):
        self.send_plain(sp.LS_REQUEST, sp.ls_request((sp.LSA_ROUTER, NODE_ID, NODE_ID)) + b"\x00" * 5,
                        destination=PLAIN_NODE)
        self.assert_dropped("bad length", 1, rf"packet from {PLAIN_PEER} on plain: bad length: Link State Request")

    # ==== Link State Update (§13, A.4) ================================================================

    def test_ls_update_bad_lsa_checksum(self):
        good = self.lsa_bytes()
        checksum = int.from_bytes(good[16:18], "big")
        self.send_plain(sp.LS_UPDATE, sp.ls_update(self.lsa_bytes(checksum=checksum ^ 0x0101)), destination=PLAIN_NODE)
        self.assert_dropped("bad LSA checksum", 1, rf"packet from {PLAIN_PEER} on plain: bad LSA checksum: LSA 0 of 1")
        self.assert_not_flooded("10.123.0.0")

    def test_ls_update_lsa_length_overruns_packet(self):
        lsa = self.lsa_bytes(length=200)
        self.send_plain(sp.LS_UPDATE, sp.ls_update(lsa), destination=PLAIN_NODE)
        self.assert_dropped("bad LSA", 1, rf"packet from {PLAIN_PEER} on plain: bad LSA: LSA 0 of 1: LSA length 200")
        self.assert_not_flooded("10.123.0.0")

    def test_ls_update_router_lsa_link_count_overruns(self):
        links = [sp.router_link("10.0.5.0", MASK, 3, 10)]
        lsa = sp.lsa(sp.LSA_ROUTER, PEER_ID, PEER_ID, sp.router_lsa_body(links, count=50))
        self.send_plain(sp.LS_UPDATE, sp.ls_update(lsa), destination=PLAIN_NODE)
        self.assert_dropped("bad LSA", 1, rf"packet from {PLAIN_PEER} on plain: bad LSA: LSA 0 of 1: "
                                          r"router-LSA link count exceeds its length")

    def test_ls_update_lsa_count_beyond_packet(self):
        self.send_plain(sp.LS_UPDATE, sp.ls_update(self.lsa_bytes(), count=1000), destination=PLAIN_NODE)
        self.assert_dropped("bad length", 1,
                            rf"packet from {PLAIN_PEER} on plain: bad length: Link State Update claims 1000 LSAs")
        self.assert_not_flooded("10.123.0.0")

    def test_ls_update_lsa_shorter_than_header(self):
        self.send_plain(sp.LS_UPDATE, sp.ls_update(self.lsa_bytes(length=12)), destination=PLAIN_NODE)
        self.assert_dropped("bad LSA", 1, rf"packet from {PLAIN_PEER} on plain: bad LSA: LSA 0 of 1: LSA length 12")

    # ==== Link State Acknowledgment (§13.7) ==========================================================

    def test_ls_ack_headers_not_whole(self):
        self.send_plain(sp.LS_ACK, self.lsa_bytes()[:20] + b"\x00" * 7, destination=PLAIN_NODE)
        self.assert_dropped("bad length", 1, rf"packet from {PLAIN_PEER} on plain: bad length: Link State Ack")


class LinkCloser:
    """Closes a Link with the rest of the lab (the Neighbour closes its own)."""

    def __init__(self, link):
        self.link = link

    def stop(self):
        self.link.close()

    def logs(self):
        return []


if __name__ == "__main__":
    unittest.main(verbosity=2)
