"""Malformed BGP input over real TCP sessions: the daemon's exact reaction, and no effect on another peer.

    router namespace: BIRD (router B, AS 64512) 10.0.1.1 on the LAN bridge
    node1 namespace:  clusterip-speaker 10.0.1.2, peering with both routers (it connects out; listen_port 0)
    node2 namespace:  the scripted peer (router A, AS 64514) 10.0.1.3, listening on 179 (bgp_script_peer.py)

One daemon and one BIRD serve the whole module, so a flap anywhere would show. Each case takes a
fresh connection from the daemon to router A, sends its input, and checks what came back:
  - session reset: the NOTIFICATION's code and subcode (and its data where RFC 4271 / RFC 7313 define
    it), then the close;
  - RFC 7606 treat-as-withdraw and attribute-discard: no NOTIFICATION, no close, the daemon's
    KEEPALIVEs keep coming (treat-as-withdraw also leaves the daemon's "malformed message" log line);
and after each case: the daemon still runs, and BIRD's session never left Established (same "since",
no new state change in BIRD's log) with the Service route still in BIRD's RIB.

The daemon's session to router A uses hold time 3 s, keepalive 1 s, connect retry 1 s, so a hold-timer
case takes seconds. Between cases router A brings the session up cleanly once, which resets the
daemon's restart backoff (it doubles with consecutive failures).

The CVE cases reproduce the input shapes described in the public advisories (from memory: no network
access was used); where the description leaves the shape open the chosen bytes are described in the
test, and the assertion is the RFC-correct reaction to that malformation.
"""
import os
import re
import socket
import struct
import time
import unittest

import bgp_script_peer as sp
import netns
from lab import ROUTER_V4, Lab, print_logs, require
from poll import wait_for
from shared_lab_case import SharedLabCase
from routes import Peer

ROUTER_ASN, NODE_ASN, SCRIPT_ASN = 64512, 64513, 64514
SERVICE_V4 = "10.96.0.0/12"
# NOTIFICATION codes (RFC 4271 §4.5, RFC 6608, RFC 4486, RFC 7313).
HEADER, OPEN_ERR, UPDATE_ERR, HOLD, FSM, CEASE, REFRESH_ERR = 1, 2, 3, 4, 5, 6, 7

ALIVE_WINDOW = 3.5  # seconds a session that must stay up is watched (the daemon's keepalive is <= 1 s)
MAX_PREFIXES = 500  # router A's max_prefixes (the module's other cases announce at most 200 at once)
STATUS_LISTEN = "127.0.0.1:9474"  # the daemon's HTTP endpoint, inside the node's namespace


def assert_same_since(test, after, before, msg):
    """BIRD shows "Since" from its monotonic clock plus a wall-clock offset it re-reads, so the
    shown time may move by a millisecond with no state change. A real flap here takes at least
    0.75 s (the daemon's connect backoff, BIRD's connect delay), so 100 ms tells them apart."""
    test.assertEqual((after[0], after[2]), (before[0], before[2]), msg)

    def seconds(stamp):
        h, m, sec = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(sec)
    test.assertLess(abs(seconds(after[1]) - seconds(before[1])), 0.1, f"{msg}: {before} -> {after}")


class MalformedBgp(SharedLabCase):
    """One daemon, BIRD and the scripted peer for all cases (built once: see the module docstring)."""

    @classmethod
    def setUpClass(cls):
        require("bird", "speaker")
        cls.open_lab("cis-interop-malformed-")

    @classmethod
    def _build(cls):
        lab = cls.lab
        cls.node_host = lab.add_host()     # 10.0.1.2: the daemon
        cls.script_host = lab.add_host()   # 10.0.1.3: router A, the scripted peer
        cls.bird_peer = Peer(cls.node_host.name, cls.node_host.v4, ROUTER_V4, NODE_ASN)
        cls.script = sp.ScriptPeer(cls.script_host.ns, cls.script_host.v4, SCRIPT_ASN)
        lab.adopt(cls.script)
        cls.bird = lab.start_router("bird", ROUTER_ASN, [cls.bird_peer])
        cls.node = lab.start_node("speaker", cls.node_host, NODE_ASN, [
            {"address": ROUTER_V4, "asn": ROUTER_ASN},
            {"address": cls.script_host.v4, "asn": SCRIPT_ASN, "hold_time": "3s", "keepalive_time": "1s",
             "connect_retry": "1s", "max_prefixes": MAX_PREFIXES},
        ], [SERVICE_V4], sections={"http": {"listen": STATUS_LISTEN}})
        wait_for(f"{SERVICE_V4} from the daemon in BIRD", lambda: cls.bird.rib(SERVICE_V4), timeout=30)
        cls.bird_since = cls._bird_since()
        cls.bird_changes = cls._bird_state_changes()
        # Router A's first session: up and healthy, like every case finds it.
        cls.script.accept().establish()

    # ---- what the other peer sees ---------------------------------------------------------------

    @classmethod
    def _bird_since(cls):
        out = cls.bird.birdc("show", "protocols", cls.bird_peer.name)
        line = next(line for line in out.splitlines() if line.startswith(cls.bird_peer.name + " "))
        return line.split()[3:6]  # State, Since (date and/or time), Info

    @classmethod
    def _bird_state_changes(cls):
        with open(cls.bird.log, errors="replace") as f:
            return sum(1 for line in f if re.search(rf"{cls.bird_peer.name}: State changed", line))

    def setUp(self):
        self.log_offset = os.path.getsize(self.node.log)

    def tearDown(self):
        # The daemon lives, and BIRD's session never noticed anything.
        self.assertTrue(self.node.running(), f"the daemon exited with {self.node.wait(0)}")
        self.assertTrue(self.bird.established(self.bird_peer.address), "BIRD's session left Established")
        assert_same_since(self, self._bird_since(), self.bird_since, "BIRD's session flapped (Since changed)")
        self.assertEqual(self._bird_state_changes(), self.bird_changes, "BIRD logged a state change")
        self.assertTrue(self.bird.rib(SERVICE_V4), f"{SERVICE_V4} left BIRD's RIB")
        # Leave router A's session up, which resets the daemon's restart backoff for the next case.
        conn = self.script.connection
        if conn.eof or not getattr(self, "_alive", False):
            conn.close()
            self.script.accept().establish()

    # ---- helpers ----------------------------------------------------------------------------------

    def fresh(self):
        """A new connection from the daemon: the previous one is closed with a Cease."""
        old = self.script.connection
        if old and not old.eof:
            try:
                old.send(sp.notification(CEASE, 4))  # Administrative Reset
            except OSError:
                pass
        old.close()
        self._alive = False
        return self.script.accept()

    def established(self):
        conn = self.fresh().establish()
        conn.drain_updates(0.5)
        return conn

    def open_sent(self):
        """A connection whose daemon side is in OpenSent: its OPEN received, ours not sent."""
        conn = self.fresh()
        conn.expect_open()
        return conn

    def daemon_log(self):
        with open(self.node.log, errors="replace") as f:
            f.seek(self.log_offset)
            return f.read()

    def assert_notification(self, conn, code, subcode, data=None, within=10.0):
        reaction = conn.watch(within, keepalive_every=1.0)
        self.assertEqual(reaction.notification[:2] if reaction.notification else None, (code, subcode),
                         f"expected NOTIFICATION {code}/{subcode}; the daemon did {reaction!r}")
        if data is not None:
            self.assertEqual(reaction.notification[2].hex(), bytes(data).hex(), "NOTIFICATION data")
        self.assertTrue(reaction.closed, f"the daemon did not close after its NOTIFICATION: {reaction!r}")
        wait_for("the daemon's log line naming the peer",
                 lambda: f"peer {self.script_host.v4}: sending NOTIFICATION" in self.daemon_log(), timeout=5)
        return reaction

    def assert_stays_up(self, conn, seconds=ALIVE_WINDOW):
        reaction = conn.watch(seconds, keepalive_every=1.0)
        self.assertIsNone(reaction.notification, f"no NOTIFICATION expected: {reaction!r}")
        self.assertFalse(reaction.closed, f"the daemon closed the session: {reaction!r}")
        self.assertGreaterEqual(reaction.count(sp.KEEPALIVE), 1, f"no KEEPALIVE from the daemon: {reaction!r}")
        self.assertNotIn(f"peer {self.script_host.v4}: sending NOTIFICATION", self.daemon_log())
        self._alive = True
        return reaction

    def assert_treat_as_withdraw(self, conn, description):
        """RFC 7606 treat-as-withdraw: the session stays and the daemon logs the malformed UPDATE."""
        self.assert_stays_up(conn)
        self.assertRegex(self.daemon_log(), rf"peer {re.escape(self.script_host.v4)}: malformed message: .*"
                         + re.escape(description))

    def assert_attribute_discard(self, conn):
        """RFC 7606 attribute-discard: the UPDATE is used without the bad attribute; nothing is reset."""
        self.assert_stays_up(conn)

    # ---- valid building blocks ----------------------------------------------------------------------

    def base_attributes(self):
        return sp.origin(0) + sp.as_path(SCRIPT_ASN) + sp.next_hop(self.script_host.v4)

    def valid_update(self, *extra_attributes, nlri=("10.200.0.0/24",)):
        return sp.update(attributes=self.base_attributes() + b"".join(extra_attributes), nlri=sp.prefixes(*nlri))

    # ==== Message header (RFC 4271 §6.1) ============================================================

    def test_header_marker_not_all_ones(self):
        conn = self.established()
        conn.send(sp.message(sp.KEEPALIVE, marker=b"\xff" * 15 + b"\xfe"))
        self.assert_notification(conn, HEADER, 1, b"")

    def test_header_length_below_19(self):
        conn = self.established()
        conn.send(sp.message(sp.KEEPALIVE, length=18))
        self.assert_notification(conn, HEADER, 2, struct.pack("!H", 18))

    def test_header_length_above_4096(self):
        conn = self.established()
        conn.send(sp.message(sp.UPDATE, b"\x00" * 4, length=4097))
        self.assert_notification(conn, HEADER, 2, struct.pack("!H", 4097))

    def test_header_keepalive_with_a_body(self):
        conn = self.established()
        conn.send(sp.message(sp.KEEPALIVE, b"\x00"))
        self.assert_notification(conn, HEADER, 2, struct.pack("!H", 20))

    def test_header_update_shorter_than_23(self):
        conn = self.established()
        conn.send(sp.message(sp.UPDATE, b"\x00\x00"))
        self.assert_notification(conn, HEADER, 2, struct.pack("!H", 21))

    def test_header_open_shorter_than_29(self):
        conn = self.open_sent()
        body = sp.open_message(SCRIPT_ASN, self.script_host.v4)[19:]
        conn.send(sp.message(sp.OPEN, body[:9]))  # 28 octets: the fixed fields lack their last one
        self.assert_notification(conn, HEADER, 2, struct.pack("!H", 28))

    def test_header_notification_shorter_than_21(self):
        conn = self.established()
        conn.send(sp.message(sp.NOTIFICATION, b"\x06"))
        self.assert_notification(conn, HEADER, 2, struct.pack("!H", 20))

    def test_header_unknown_message_type(self):
        conn = self.established()
        conn.send(sp.message(9, b"\x00\x00"))
        self.assert_notification(conn, HEADER, 3, b"\x09")

    def test_route_refresh_bad_length(self):
        # RFC 2918 ROUTE-REFRESH (subtype 0) must be 23 octets; RFC 7313 §5 gives subtypes 1 and 2
        # their own error, so for subtype 0 this is the RFC 4271 §6.1 Bad Message Length.
        conn = self.established()
        conn.send(sp.route_refresh(extra=b"\x00"))
        self.assert_notification(conn, HEADER, 2, struct.pack("!H", 24))

    def test_route_refresh_enhanced_subtype_bad_length(self):
        # RFC 7313 §5: subtype 1 (BoRR) or 2 (EoRR) with a length other than 4: ROUTE-REFRESH Message
        # Error / Invalid Message Length, the data being the whole ROUTE-REFRESH message.
        conn = self.established()
        msg = sp.route_refresh(subtype=1, extra=b"\x00\x00")
        conn.send(msg)
        self.assert_notification(conn, REFRESH_ERR, 1, msg)

    def test_route_refresh_borr_requests_nothing(self):
        # RFC 7313 §4: a Beginning-of-Route-Refresh (subtype 1) frames the peer's own re-advertisement;
        # it is not a request, so the daemon re-sends nothing.
        conn = self.established()
        conn.send(sp.route_refresh(subtype=1))
        reaction = self.assert_stays_up(conn)
        self.assertEqual(reaction.count(sp.UPDATE), 0, f"the daemon re-sent its routes: {reaction!r}")

    def test_route_refresh_valid_is_answered(self):
        conn = self.established()
        conn.send(sp.route_refresh())
        reaction = self.assert_stays_up(conn)
        self.assertGreaterEqual(reaction.count(sp.UPDATE), 1, "the daemon re-sent its routes")

    # ==== OPEN (RFC 4271 §6.2, RFC 5492, RFC 9072) ===================================================

    def send_open(self, conn, **kwargs):
        kwargs.setdefault("hold_time", 3)
        asn = kwargs.pop("asn", SCRIPT_ASN)
        router_id = kwargs.pop("router_id", self.script_host.v4)
        conn.send(sp.open_message(asn, router_id, **kwargs))

    def test_open_unsupported_version(self):
        conn = self.open_sent()
        self.send_open(conn, version=3)
        self.assert_notification(conn, OPEN_ERR, 1, b"\x00\x04")  # data: the version we support

    def test_open_bad_peer_as(self):
        conn = self.open_sent()
        self.send_open(conn, asn=64999)
        self.assert_notification(conn, OPEN_ERR, 2)

    def test_open_four_octet_as_zero(self):
        # RFC 7607: AS 0 (here in the 4-octet AS capability, AS_TRANS in My AS) is a Bad Peer AS.
        conn = self.open_sent()
        self.send_open(conn, my_as=23456, capabilities=[sp.cap_multiprotocol(), sp.cap_four_octet_as(0)])
        self.assert_notification(conn, OPEN_ERR, 2)

    def test_open_bad_bgp_identifier_zero(self):
        conn = self.open_sent()
        self.send_open(conn, router_id="0.0.0.0")
        self.assert_notification(conn, OPEN_ERR, 3)

    def test_open_hold_time_1(self):
        conn = self.open_sent()
        self.send_open(conn, hold_time=1)
        self.assert_notification(conn, OPEN_ERR, 6)

    def test_open_hold_time_2(self):
        conn = self.open_sent()
        self.send_open(conn, hold_time=2)
        self.assert_notification(conn, OPEN_ERR, 6)

    def test_open_unsupported_optional_parameter(self):
        conn = self.open_sent()
        self.send_open(conn, params=sp.opt_param(1, b"\x00"))  # type 1: the deprecated Authentication
        self.assert_notification(conn, OPEN_ERR, 4)

    def test_open_malformed_capability_length(self):
        # A Multiprotocol capability of 3 octets instead of 4: a recognised but malformed optional
        # parameter, RFC 4271 §6.2 subcode 0 (Unspecific).
        conn = self.open_sent()
        self.send_open(conn, capabilities=[sp.capability(sp.CAP_MP, b"\x00\x01\x00")])
        self.assert_notification(conn, OPEN_ERR, 0)

    def test_open_capability_overruns_its_parameter(self):
        conn = self.open_sent()
        self.send_open(conn, params=sp.opt_param(2, b"\x01\x08\x00\x01"))
        self.assert_notification(conn, OPEN_ERR, 0)

    def test_open_unknown_capability_is_ignored(self):
        # RFC 5492 §5: a capability we do not know is ignored, not refused.
        conn = self.open_sent()
        caps = sp.default_capabilities(SCRIPT_ASN) + [sp.capability(200, b"xyz")]
        self.send_open(conn, capabilities=caps)
        conn.send(sp.keepalive())
        self.assert_stays_up(conn)

    def test_open_optional_parameters_length_overruns(self):
        conn = self.open_sent()
        caps = b"".join(sp.default_capabilities(SCRIPT_ASN))
        self.send_open(conn, params=sp.opt_param(2, caps), params_length=len(caps) + 2 + 20)
        self.assert_notification(conn, OPEN_ERR, 0)

    def test_cve_2022_40302_extended_optional_parameters_length_overruns(self):
        # FRR's bgp_open_option_parse read past the OPEN when an RFC 9072 extended optional parameters
        # section (Non-Ext OP Type 255) announced more octets than the message holds.
        conn = self.open_sent()
        caps = b"".join(sp.default_capabilities(SCRIPT_ASN))
        params = b"\xff" + struct.pack("!H", 500) + b"\x02" + struct.pack("!H", len(caps)) + caps
        self.send_open(conn, params=params, params_length=255)
        self.assert_notification(conn, OPEN_ERR, 0)

    def test_cve_2022_40318_extended_parameter_length_overruns(self):
        # The same family through the per-parameter length: the extended section's length is right
        # but its one Capabilities parameter claims 0x0100 octets of the 2 that follow.
        conn = self.open_sent()
        inner = b"\x02" + struct.pack("!H", 0x100) + b"\x41\x04"
        params = b"\xff" + struct.pack("!H", len(inner)) + inner
        self.send_open(conn, params=params, params_length=255)
        self.assert_notification(conn, OPEN_ERR, 0)

    def test_cve_2022_43681_open_ends_with_option_length_octet(self):
        # An OPEN whose optional parameters end right after the parameter type: the length octet is
        # the message's end (FRR read one octet past the packet).
        conn = self.open_sent()
        self.send_open(conn, params=b"\x02")
        self.assert_notification(conn, OPEN_ERR, 0)

    def test_cve_2022_43681_extended_open_ends_inside_option_length(self):
        # The RFC 9072 variant: the OPEN ends inside the 2-octet parameter length.
        conn = self.open_sent()
        inner = b"\x02\x00"
        self.send_open(conn, params=b"\xff" + struct.pack("!H", len(inner)) + inner, params_length=255)
        self.assert_notification(conn, OPEN_ERR, 0)

    def test_open_extended_length_field_missing(self):
        # Non-Ext OP Type 255 and then nothing: no room for the Extended Opt. Parm. Length.
        conn = self.open_sent()
        self.send_open(conn, params=b"\xff", params_length=255)
        self.assert_notification(conn, OPEN_ERR, 0)

    # ==== UPDATE (RFC 4271 §6.3 with RFC 7606) =======================================================

    def test_update_withdrawn_length_overruns(self):
        conn = self.established()
        conn.send(sp.update(withdrawn=sp.prefixes("10.9.0.0/16"), withdrawn_length=200))
        self.assert_notification(conn, UPDATE_ERR, 1, b"")

    def test_update_total_attribute_length_overruns(self):
        conn = self.established()
        conn.send(sp.update(attributes=sp.origin(), attributes_length=300))
        self.assert_notification(conn, UPDATE_ERR, 1, b"")

    def test_update_attribute_overruns_path_attributes(self):
        # An AS_PATH whose length runs past the Total Path Attribute Length. RFC 7606 §4 would allow
        # treat-as-withdraw; the daemon resets (Malformed Attribute List) because the unparsed rest
        # could hide an MP_REACH_NLRI whose routes it could then not withdraw (path_attributes_codec.cpp).
        conn = self.established()
        attrs = sp.origin() + sp.attribute(sp.WELL_KNOWN, sp.AS_PATH, b"\x02\x01\x00\x00\xfd\xea", length=40)
        conn.send(sp.update(attributes=attrs, nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_notification(conn, UPDATE_ERR, 1, b"")

    def test_update_truncated_attribute_header(self):
        # Two octets left in the path attributes: not even an attribute header (RFC 7606 §4 second case).
        conn = self.established()
        conn.send(sp.update(attributes=self.base_attributes() + b"\x40\x01", nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_notification(conn, UPDATE_ERR, 1, b"")

    def test_update_duplicate_attribute_first_stands(self):
        # RFC 7606 §3 g: a repeated attribute (here a second ORIGIN with an invalid value) is discarded.
        conn = self.established()
        conn.send(sp.update(attributes=sp.origin(0) + sp.origin(7) + sp.as_path(SCRIPT_ASN)
                            + sp.next_hop(self.script_host.v4), nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_stays_up(conn)
        self.assertNotIn("malformed message", self.daemon_log())

    def test_update_duplicate_mp_reach(self):
        # RFC 7606 §3 g: MP_REACH_NLRI twice is a Malformed Attribute List.
        conn = self.established()
        reach = sp.mp_reach(sp.AFI_IPV4, sp.SAFI_UNICAST, socket.inet_aton(self.script_host.v4),
                            sp.prefixes("10.201.0.0/24"))
        conn.send(sp.update(attributes=sp.origin() + sp.as_path(SCRIPT_ASN) + reach + reach))
        self.assert_notification(conn, UPDATE_ERR, 1)

    def test_update_origin_invalid_value(self):
        conn = self.established()
        conn.send(sp.update(attributes=sp.origin(3) + sp.as_path(SCRIPT_ASN) + sp.next_hop(self.script_host.v4),
                            nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "ORIGIN value 3")

    def test_update_origin_bad_length(self):
        conn = self.established()
        attrs = sp.attribute(sp.WELL_KNOWN, sp.ORIGIN, b"\x00\x00") + sp.as_path(SCRIPT_ASN) \
            + sp.next_hop(self.script_host.v4)
        conn.send(sp.update(attributes=attrs, nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "attribute 1 has bad length 2")

    def test_update_as_path_segment_overruns(self):
        conn = self.established()
        attrs = sp.origin() + sp.attribute(sp.WELL_KNOWN, sp.AS_PATH, b"\x02\x05\x00\x00\xfd\xea") \
            + sp.next_hop(self.script_host.v4)
        conn.send(sp.update(attributes=attrs, nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "malformed AS_PATH")

    def test_update_as_path_zero_length_segment(self):
        conn = self.established()
        attrs = sp.origin() + sp.attribute(sp.WELL_KNOWN, sp.AS_PATH, b"\x02\x00") + sp.next_hop(self.script_host.v4)
        conn.send(sp.update(attributes=attrs, nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "malformed AS_PATH")

    def test_gobgp_next_hop_length_panic(self):
        # GoBGP panicked on a NEXT_HOP whose length was not 4. RFC 7606 §7.3: treat-as-withdraw.
        conn = self.established()
        for value in (b"", b"\x0a\x00\x01", b"\x0a\x00\x01\x03\x00"):
            attrs = sp.origin() + sp.as_path(SCRIPT_ASN) + sp.attribute(sp.WELL_KNOWN, sp.NEXT_HOP, value)
            conn.send(sp.update(attributes=attrs, nlri=sp.prefixes("10.200.0.0/24")))
            self.assert_treat_as_withdraw(conn, f"attribute 3 has bad length {len(value)}")

    def test_update_missing_well_known_origin(self):
        conn = self.established()
        conn.send(sp.update(attributes=sp.as_path(SCRIPT_ASN) + sp.next_hop(self.script_host.v4),
                            nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "missing well-known attribute ORIGIN")

    def test_update_missing_next_hop(self):
        conn = self.established()
        conn.send(sp.update(attributes=sp.origin() + sp.as_path(SCRIPT_ASN), nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "missing well-known attribute NEXT_HOP")

    def test_update_attribute_flags_error(self):
        # ORIGIN marked optional: RFC 7606 §3 c, handled as the attribute's own malformation.
        conn = self.established()
        attrs = sp.attribute(sp.OPTIONAL | sp.TRANSITIVE, sp.ORIGIN, b"\x00") + sp.as_path(SCRIPT_ASN) \
            + sp.next_hop(self.script_host.v4)
        conn.send(sp.update(attributes=attrs, nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "attribute 1 has wrong flags")

    def test_update_unrecognized_well_known_attribute(self):
        # RFC 4271 §6.3: the data is the unrecognised attribute (type, length and value).
        conn = self.established()
        bad = sp.attribute(sp.WELL_KNOWN, 99, b"\x01")
        conn.send(self.valid_update(bad))
        self.assert_notification(conn, UPDATE_ERR, 2, bad)

    def test_update_communities_bad_length(self):
        conn = self.established()
        conn.send(self.valid_update(sp.attribute(sp.OPTIONAL | sp.TRANSITIVE, sp.COMMUNITIES, b"\x00\x01\x02")))
        self.assert_treat_as_withdraw(conn, "attribute 8 has bad length 3")

    def test_update_med_bad_length(self):
        conn = self.established()
        conn.send(self.valid_update(sp.attribute(sp.OPTIONAL, sp.MED, b"\x00\x01")))
        self.assert_treat_as_withdraw(conn, "attribute 4 has bad length 2")

    def test_update_aggregator_bad_length_is_discarded(self):
        # RFC 7606 §7.7: a malformed AGGREGATOR is discarded; the UPDATE stands.
        conn = self.established()
        conn.send(self.valid_update(sp.attribute(sp.OPTIONAL | sp.TRANSITIVE, sp.AGGREGATOR, b"\x00" * 5)))
        self.assert_attribute_discard(conn)

    def test_update_atomic_aggregate_with_a_value_is_discarded(self):
        # RFC 7606 §7.6: ATOMIC_AGGREGATE of length other than 0 is discarded.
        conn = self.established()
        conn.send(self.valid_update(sp.attribute(sp.WELL_KNOWN, sp.ATOMIC_AGGREGATE, b"\x01")))
        self.assert_attribute_discard(conn)

    def test_update_nlri_prefix_longer_than_32(self):
        # RFC 7606 §5.3: an NLRI field that cannot be parsed resets the session (Invalid Network Field).
        conn = self.established()
        conn.send(sp.update(attributes=self.base_attributes(), nlri=b"\x21\x0a\x00\x00\x00\x00"))
        self.assert_notification(conn, UPDATE_ERR, 10)

    def test_update_nlri_overruns_message(self):
        conn = self.established()
        conn.send(sp.update(attributes=self.base_attributes(), nlri=b"\x18\x0a\x00"))
        self.assert_notification(conn, UPDATE_ERR, 10)

    def test_update_withdrawn_prefix_longer_than_32(self):
        conn = self.established()
        conn.send(sp.update(withdrawn=b"\x28\x0a\x00\x00\x00\x00"))
        self.assert_notification(conn, UPDATE_ERR, 10)

    # ---- MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760, RFC 7606 §7.11) ---------------------------------

    def test_cve_2023_46752_mp_reach_next_hop_overruns(self):
        # FRR crashed on malformed MP_REACH_NLRI data; here its Next Hop Length (200) runs past the
        # attribute. RFC 7606 §7.11: session reset, Optional Attribute Error with the attribute as data.
        conn = self.established()
        bad = sp.mp_reach(sp.AFI_IPV4, sp.SAFI_UNICAST, socket.inet_aton(self.script_host.v4), b"",
                          next_hop_length=200, reserved=b"")
        conn.send(sp.update(attributes=sp.origin() + sp.as_path(SCRIPT_ASN) + bad))
        self.assert_notification(conn, UPDATE_ERR, 9, bad)

    def test_update_mp_reach_zero_length(self):
        # CVE-2023-47234/47235 family: an MP_REACH_NLRI of length 0 (no AFI, SAFI or next hop).
        conn = self.established()
        bad = sp.attribute(sp.OPTIONAL, sp.MP_REACH_NLRI, b"")
        conn.send(sp.update(attributes=sp.origin() + sp.as_path(SCRIPT_ASN) + bad))
        self.assert_notification(conn, UPDATE_ERR, 9, bad)

    def test_update_mp_unreach_truncated(self):
        # An MP_UNREACH_NLRI of 2 octets: the SAFI is missing.
        conn = self.established()
        bad = sp.attribute(sp.OPTIONAL, sp.MP_UNREACH_NLRI, b"\x00\x01")
        conn.send(sp.update(attributes=bad))
        self.assert_notification(conn, UPDATE_ERR, 9, bad)

    def test_update_mp_reach_bad_next_hop_length(self):
        # IPv4 unicast with a 5-octet next hop: structurally wrong, so a reset (RFC 7606 §7.11).
        conn = self.established()
        bad = sp.mp_reach(sp.AFI_IPV4, sp.SAFI_UNICAST, b"\x0a\x00\x01\x03\x00", sp.prefixes("10.201.0.0/24"))
        conn.send(sp.update(attributes=sp.origin() + sp.as_path(SCRIPT_ASN) + bad))
        self.assert_notification(conn, UPDATE_ERR, 9, bad)

    def test_update_mp_reach_nlri_overruns(self):
        conn = self.established()
        reach = sp.mp_reach(sp.AFI_IPV4, sp.SAFI_UNICAST, socket.inet_aton(self.script_host.v4), b"\x18\x0a\xc9")
        conn.send(sp.update(attributes=sp.origin() + sp.as_path(SCRIPT_ASN) + reach))
        self.assert_notification(conn, UPDATE_ERR, 10)

    def test_cve_2023_41358_mp_reach_with_zero_length_nlri(self):
        # FRR processed NLRI when the NLRI length was zero. Here an MP_REACH_NLRI whose NLRI part is
        # empty (the attribute ends after the reserved octet): well-formed, announces nothing.
        conn = self.established()
        reach = sp.mp_reach(sp.AFI_IPV4, sp.SAFI_UNICAST, socket.inet_aton(self.script_host.v4), b"")
        conn.send(sp.update(attributes=sp.origin() + sp.as_path(SCRIPT_ASN) + reach))
        self.assert_stays_up(conn)
        self.assertNotIn("malformed message", self.daemon_log())

    def test_cve_2023_41358_nlri_without_path_attributes(self):
        # The other reading: NLRI in an UPDATE whose Total Path Attribute Length is 0. RFC 7606 §3 d:
        # missing well-known attributes, treat-as-withdraw.
        conn = self.established()
        conn.send(sp.update(nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "missing well-known attribute ORIGIN")

    def test_cve_2023_46753_only_an_unknown_transitive_attribute(self):
        # FRR crashed on an UPDATE without mandatory attributes, e.g. only an unknown transitive one.
        conn = self.established()
        unknown = sp.attribute(sp.OPTIONAL | sp.TRANSITIVE, 250, b"\xde\xad")
        conn.send(sp.update(attributes=unknown, nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "missing well-known attribute ORIGIN")

    def test_cve_2023_47234_mp_unreach_with_nlri_lacking_mandatory_attributes(self):
        # FRR crashed on MP_UNREACH_NLRI plus NLRI data lacking the mandatory attributes.
        conn = self.established()
        unreach = sp.mp_unreach(sp.AFI_IPV4, sp.SAFI_UNICAST, sp.prefixes("10.202.0.0/24"))
        conn.send(sp.update(attributes=unreach, nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "missing well-known attribute ORIGIN")

    def test_cve_2023_47235_malformed_end_of_rib(self):
        # FRR crashed on a malformed UPDATE that also looked like an End-of-RIB (an empty
        # MP_UNREACH_NLRI): the malformation must still lead to treat-as-withdraw.
        conn = self.established()
        attrs = sp.attribute(sp.WELL_KNOWN, sp.ORIGIN, b"") + sp.mp_unreach(sp.AFI_IPV6, sp.SAFI_UNICAST)
        conn.send(sp.update(attributes=attrs))
        self.assert_treat_as_withdraw(conn, "attribute 1 has bad length 0")

    def test_cve_2023_38802_corrupted_tunnel_encapsulation(self):
        # FRR and PICOS reset (or crashed) on a corrupted Tunnel Encapsulation attribute (type 23). The
        # daemon does not implement RFC 9012: an unrecognised optional transitive attribute is
        # accepted unchecked (RFC 4271 §5), and no malformation of it may reset the session.
        conn = self.established()
        tunnel = sp.attribute(sp.OPTIONAL | sp.TRANSITIVE, sp.TUNNEL_ENCAPSULATION,
                              b"\x00\x08\x00\xff" + b"\x01\xff\xff\x00")  # a TLV whose length runs far past the attribute
        conn.send(self.valid_update(tunnel))
        self.assert_stays_up(conn)
        self.assertNotIn("malformed message", self.daemon_log())

    # ==== FSM (RFC 4271 §8.2.2, RFC 6608) ===========================================================

    def test_fsm_update_in_open_sent(self):
        conn = self.open_sent()
        conn.send(self.valid_update())
        self.assert_notification(conn, FSM, 1)

    def test_fsm_keepalive_in_open_sent(self):
        conn = self.open_sent()
        conn.send(sp.keepalive())
        self.assert_notification(conn, FSM, 1)

    def test_fsm_update_in_open_confirm(self):
        conn = self.open_sent()
        self.send_open(conn)
        m = conn.read_message(5)
        self.assertEqual(m.type if m else None, sp.KEEPALIVE, "the daemon's KEEPALIVE after our OPEN")
        conn.send(self.valid_update())
        self.assert_notification(conn, FSM, 2)

    def test_fsm_open_in_established(self):
        conn = self.established()
        self.send_open(conn)
        self.assert_notification(conn, FSM, 3)

    # ==== Delivery ==================================================================================

    def test_delivery_byte_at_a_time(self):
        # OPEN, KEEPALIVE, UPDATEs one octet at a time: reassembled, the session comes up and stays.
        conn = self.fresh()
        conn.establish(slowly=True)
        conn.send_slowly(self.valid_update())
        conn.send_slowly(sp.update(attributes=sp.origin(3) + sp.as_path(SCRIPT_ASN) + sp.next_hop(self.script_host.v4),
                                   nlri=sp.prefixes("10.200.0.0/24")))
        self.assert_treat_as_withdraw(conn, "ORIGIN value 3")
        conn.send_slowly(sp.message(9, b"\x00"))  # and an error found one octet at a time
        self.assert_notification(conn, HEADER, 3, b"\x09")

    def test_delivery_many_messages_in_one_write(self):
        conn = self.established()
        burst = b"".join(self.valid_update(nlri=(f"10.210.{i}.0/24",)) for i in range(200)) + sp.keepalive()
        conn.send(burst)
        self.assert_stays_up(conn)

    def test_delivery_half_message_then_silence(self):
        # Half an UPDATE, then nothing at all (no KEEPALIVE either): the hold timer (3 s) ends it.
        conn = self.established()
        msg = self.valid_update()
        started = time.monotonic()
        conn.send(msg[:len(msg) // 2])
        reaction = conn.watch(10.0)  # no keepalives from us
        self.assertEqual(reaction.notification[:2] if reaction.notification else None, (HOLD, 0), repr(reaction))
        self.assertTrue(reaction.closed)
        self.assertLess(time.monotonic() - started, 6.0, "the hold timer was not the negotiated 3 s")

    # ==== Resource bounds ===========================================================================

    def script_peer_status(self):
        """Router A's entry in the daemon's /status."""
        import json
        out = self.node_host.ns.run("curl", "-sf", "-m", "5", f"http://{STATUS_LISTEN}/status")
        return next(p for p in json.loads(out)["bgp"]["peers"] if p["address"] == self.script_host.v4)

    def announce(self, cidrs, per_update=200):
        """UPDATEs announcing cidrs with valid attributes, per_update prefixes in each."""
        cidrs = list(cidrs)
        return b"".join(self.valid_update(nlri=cidrs[i:i + per_update]) for i in range(0, len(cidrs), per_update))

    def assert_received_v4(self, count):
        wait_for(f"/status to show {count} IPv4 prefixes received from router A",
                 lambda: self.script_peer_status()["received_prefixes"]["ipv4"] == count, timeout=10)

    def test_max_prefixes_counts_what_is_announced_now(self):
        # Announcements add, withdrawals and treat-as-withdraw remove, re-announcements count once:
        # the limit applies to what the peer announces now, so a peer at the limit stays up.
        conn = self.established()
        hosts = [f"10.220.{i // 256}.{i % 256}/32" for i in range(MAX_PREFIXES + 100)]
        conn.send(self.announce(hosts[:MAX_PREFIXES]))
        self.assert_received_v4(MAX_PREFIXES)
        conn.send(sp.update(withdrawn=sp.prefixes(*hosts[:100])))
        self.assert_received_v4(MAX_PREFIXES - 100)
        conn.send(self.announce(hosts[:MAX_PREFIXES]))  # 400 again and 100 back: at the limit, not past it
        self.assert_received_v4(MAX_PREFIXES)
        # RFC 7606 treat-as-withdraw (ORIGIN 3) withdraws what the bad UPDATE carried.
        conn.send(sp.update(attributes=sp.origin(3) + sp.as_path(SCRIPT_ASN) + sp.next_hop(self.script_host.v4),
                            nlri=sp.prefixes(*hosts[:2])))
        self.assert_received_v4(MAX_PREFIXES - 2)
        conn.send(self.announce(hosts[MAX_PREFIXES:MAX_PREFIXES + 2]))
        self.assert_received_v4(MAX_PREFIXES)
        self.assert_stays_up(conn)
        self.assertEqual(self.script_peer_status()["max_prefixes"], MAX_PREFIXES)

    def test_max_prefixes_exceeded_is_cease_6_1_with_rfc4486_data(self):
        conn = self.established()
        hosts = [f"10.221.{i // 256}.{i % 256}/32" for i in range(MAX_PREFIXES + 1)]
        conn.send(self.announce(hosts[:MAX_PREFIXES]))
        self.assert_received_v4(MAX_PREFIXES)
        conn.send(self.announce(hosts[MAX_PREFIXES:]))  # one more
        # RFC 4486 §4 data: AFI 1, SAFI 1, the upper bound.
        self.assert_notification(conn, CEASE, 1, struct.pack("!HBI", sp.AFI_IPV4, sp.SAFI_UNICAST, MAX_PREFIXES))
        self.assertIn(f"peer {self.script_host.v4}: announces more than max_prefixes ({MAX_PREFIXES}) ipv4 prefixes",
                      self.daemon_log())
        # The usual automatic restart follows (tearDown takes the new connection), with nothing kept.
        conn = self.script.accept(timeout=20).establish()
        conn.drain_updates(0.5)
        self.assertEqual(self.script_peer_status()["received_prefixes"]["ipv4"], 0)
        self.log_offset = os.path.getsize(self.node.log)  # the new session, from here on
        self.assert_stays_up(conn)

    def test_attribute_discard_is_logged_with_peer_type_and_reason(self):
        # RFC 7606 §7.7: a malformed AGGREGATOR is discarded and the UPDATE stands; the daemon says so
        # once (rate-limited) naming the peer, the type code and why, and counts it.
        conn = self.established()
        before = self.script_peer_status()["counters"]["attributes_discarded"]
        conn.send(self.valid_update(sp.attribute(sp.OPTIONAL | sp.TRANSITIVE, sp.AGGREGATOR, b"\x00" * 5),
                                    nlri=("10.222.0.0/24",)))
        self.assert_stays_up(conn)
        self.assertIn(f"peer {self.script_host.v4}: discarded path attribute 7 from an UPDATE", self.daemon_log())
        self.assertIn("attribute 7 has bad length 5", self.daemon_log())
        self.assertNotIn("malformed message", self.daemon_log())
        status = self.script_peer_status()
        self.assertEqual(status["counters"]["attributes_discarded"], before + 1)
        self.assertEqual(status["received_prefixes"]["ipv4"], 1, "the UPDATE's prefix stands")

    def test_header_whole_message_of_4097_octets(self):
        # A real 4097-octet UPDATE (we never advertise RFC 8654 Extended Message): Bad Message Length
        # with the length as data, decided from the header.
        conn = self.established()
        filler = sp.attribute(sp.OPTIONAL | sp.TRANSITIVE, 250, b"\xab" * (4097 - 19 - 4 - 4))
        msg = sp.update(attributes=filler)
        self.assertEqual(len(msg), 4097)
        conn.send(msg)
        self.assert_notification(conn, HEADER, 2, struct.pack("!H", 4097))

    def test_header_whole_message_of_4096_octets_is_accepted(self):
        conn = self.established()
        filler = sp.attribute(sp.OPTIONAL | sp.TRANSITIVE, 250, b"\xab" * (4096 - 19 - 4 - 4))
        msg = sp.update(attributes=filler)
        self.assertEqual(len(msg), 4096)
        conn.send(msg)
        self.assert_stays_up(conn)
        self.assertNotIn("malformed message", self.daemon_log())


class SlowPeerBound(unittest.TestCase):
    """A peer that stops reading must not grow the daemon's memory without bound.

    Router A takes the daemon's table (20k /32s), shrinks its receive window, stops reading, and keeps
    asking for the table again with ROUTE-REFRESH (each one makes the daemon queue the whole table,
    about 100 kB). The daemon holds at most 16 MiB of unsent output per peer (bgp/peer.cpp): past
    it, Cease/Out of Resources and a close, then the usual automatic restart. BIRD's session to the
    same daemon stays Established throughout. Without the bound, the daemon's memory grows for as
    long as the peer keeps asking (this test would time out waiting for the Cease)."""

    PREFIXES = 20000

    def setUp(self):
        import tempfile
        require("bird", "speaker")
        self.workdir = tempfile.mkdtemp(prefix="cis-interop-slow-peer-")
        os.chmod(self.workdir, 0o755)
        self.lab = Lab(self.workdir)
        self.addCleanup(self.lab.close)

    def run(self, result=None):
        result = result or self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        super().run(result)
        if len(result.failures) + len(result.errors) > before and getattr(self, "lab", None):
            print_logs(self.lab.logs(), max_lines=80)
            print(f"\n----- logs kept in {self.workdir}", flush=True)
        elif not os.environ.get("CIS_KEEP_LOGS"):
            import shutil
            shutil.rmtree(self.workdir, ignore_errors=True)
        return result

    def test_peer_that_stops_reading_gets_cease_out_of_resources(self):
        lab = self.lab
        node_host, script_host = lab.add_host(), lab.add_host()
        bird_peer = Peer(node_host.name, node_host.v4, ROUTER_V4, NODE_ASN)
        script = lab.adopt(sp.ScriptPeer(script_host.ns, script_host.v4, SCRIPT_ASN, receive_buffer=4096))
        bird = lab.start_router("bird", ROUTER_ASN, [bird_peer])
        table = [f"10.{128 + i // 65536}.{(i // 256) % 256}.{i % 256}/32" for i in range(self.PREFIXES)]
        node = lab.start_node("speaker", node_host, NODE_ASN, [
            {"address": ROUTER_V4, "asn": ROUTER_ASN},
            {"address": script_host.v4, "asn": SCRIPT_ASN, "hold_time": "6s", "keepalive_time": "2s",
             "connect_retry": "1s"},
        ], [SERVICE_V4], sections={"advertise": {"static": table}})
        wait_for(f"{SERVICE_V4} from the daemon in BIRD", lambda: bird.rib(SERVICE_V4), timeout=60)
        wait_for("BIRD's session Established", lambda: bird.established(bird_peer.address), timeout=60)
        since = bird.birdc("show", "protocols", bird_peer.name).splitlines()[-1].split()[3:6]

        conn = script.accept(timeout=30).establish(hold_time=6)
        log_from = os.path.getsize(node.log)
        started = time.monotonic()
        conn.stop_reading()
        refreshes = 0

        def daemon_log():
            with open(node.log, errors="replace") as f:
                f.seek(log_from)
                return f.read()
        # Keep asking; the daemon must give up within a bounded number of tables (16 MiB / ~100 kB,
        # plus what the kernel buffers hold): 2000 requests are ample, and bounded.
        while "Out of Resources" not in daemon_log() and refreshes < 2000:
            conn.send(sp.route_refresh())
            refreshes += 1
            time.sleep(0.005)
        self.assertIn("sending NOTIFICATION Cease/Out of Resources", daemon_log(),
                      f"no Cease/Out of Resources after {refreshes} ROUTE-REFRESH requests")
        elapsed = time.monotonic() - started
        with open(f"/proc/{node.process.pid}/status") as f:
            peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
        print(f"\n    TIMING slow peer: Cease/Out of Resources after {refreshes} ROUTE-REFRESH requests, "
              f"{elapsed:.1f}s; daemon peak RSS {peak / 1024:.0f} MiB", flush=True)

        # Reading again: what the kernel held, the write in flight, then the Cease and the close
        # (the daemon waits up to 3 s for its NOTIFICATION to drain).
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        last = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            m = conn.read_message(1.0)
            if m is None and conn.eof:
                break
            if m is not None:
                last = m
        self.assertTrue(conn.eof, "the daemon did not close the connection")
        self.assertEqual(last.notification[:2] if last and last.type == sp.NOTIFICATION else last, (CEASE, 8),
                         "the last message on the connection")
        conn.close()
        # Not a ManualStop: the daemon comes back on its own, and the new session works.
        script.accept(timeout=15).establish(hold_time=6)
        self.assertTrue(node.running())
        self.assertTrue(bird.established(bird_peer.address))
        assert_same_since(self, bird.birdc("show", "protocols", bird_peer.name).splitlines()[-1].split()[3:6], since,
                          "BIRD's session flapped")


if __name__ == "__main__":
    unittest.main()
