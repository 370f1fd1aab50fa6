"""A scripted BGP peer for malformed-input tests: it plays a router in its own namespace, listens on
port 179 for the daemon's outgoing connection, exchanges OPEN and KEEPALIVE with whatever
capabilities the test picks, then sends arbitrary bytes and reports exactly what the daemon sent back.

Python 3 standard library only. The listening socket is created inside the router's namespace
(the calling thread enters it with setns(2) just for socket() and bind(), then returns); every
connection accepted on it lives in that namespace, while the test itself keeps running in its own.

Building blocks (all return bytes; nothing here checks what it builds, so any of it can be corrupted):
  message(type, body, length=None, marker=None)    the 19-octet header and a body
  open_message(...), capability(...), opt_param(...), keepalive(), notification(...), route_refresh(...)
  update(withdrawn, attributes, nlri, ...), attribute(flags, type, value, length=None, extended=False)
  origin(), as_path(), next_hop(), mp_reach(...), mp_unreach(...), prefixes(...)
"""
import os
import select
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import netns

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
TYPE_NAMES = {OPEN: "OPEN", UPDATE: "UPDATE", NOTIFICATION: "NOTIFICATION", KEEPALIVE: "KEEPALIVE",
              ROUTE_REFRESH: "ROUTE-REFRESH"}

# Attribute flags and type codes (RFC 4271 §4.3, RFC 4760).
OPTIONAL, TRANSITIVE, PARTIAL, EXTENDED = 0x80, 0x40, 0x20, 0x10
WELL_KNOWN = TRANSITIVE
ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES = 1, 2, 3, 4, 5, 6, 7, 8
MP_REACH_NLRI, MP_UNREACH_NLRI, AS4_PATH, TUNNEL_ENCAPSULATION, LARGE_COMMUNITIES = 14, 15, 17, 23, 32
AFI_IPV4, AFI_IPV6, SAFI_UNICAST = 1, 2, 1

# Capability codes (RFC 5492 registry).
CAP_MP, CAP_ROUTE_REFRESH, CAP_FOUR_OCTET_AS = 1, 2, 65


# ---- building messages ----------------------------------------------------------------------------

def message(msg_type, body=b"", length=None, marker=None):
    """A whole message; length (default: the true one) and marker can be forced to wrong values."""
    real = 19 + len(body)
    return (MARKER if marker is None else marker) + struct.pack("!HB", real if length is None else length,
                                                                msg_type) + body


def capability(code, value=b""):
    return struct.pack("!BB", code, len(value)) + value


def cap_multiprotocol(afi=AFI_IPV4, safi=SAFI_UNICAST):
    return capability(CAP_MP, struct.pack("!HBB", afi, 0, safi))


def cap_four_octet_as(asn):
    return capability(CAP_FOUR_OCTET_AS, struct.pack("!I", asn))


def opt_param(param_type, value):
    return struct.pack("!BB", param_type, len(value)) + value


def default_capabilities(asn):
    return [cap_multiprotocol(), capability(CAP_ROUTE_REFRESH), cap_four_octet_as(asn)]


def open_message(asn, router_id, hold_time=3, version=4, capabilities=None, params=None, params_length=None,
                 my_as=None):
    """An OPEN. capabilities: list of capability() blobs, all in one Capabilities parameter
    (default: IPv4 unicast, route refresh, 4-octet AS). params: the raw optional parameters section
    instead (anything at all); params_length: force the one-octet Optional Parameters Length."""
    if params is None:
        caps = b"".join(default_capabilities(asn) if capabilities is None else capabilities)
        params = opt_param(2, caps) if caps else b""
    my_as = (asn if asn <= 0xffff else 23456) if my_as is None else my_as
    body = struct.pack("!BHH4sB", version, my_as, hold_time, socket.inet_aton(router_id),
                       len(params) if params_length is None else params_length) + params
    return message(OPEN, body)


def keepalive():
    return message(KEEPALIVE)


def notification(code, subcode, data=b""):
    return message(NOTIFICATION, struct.pack("!BB", code, subcode) + data)


def route_refresh(afi=AFI_IPV4, safi=SAFI_UNICAST, subtype=0, extra=b""):
    return message(ROUTE_REFRESH, struct.pack("!HBB", afi, subtype, safi) + extra)


def prefixes(*cidrs):
    """NLRI encoding of IPv4 or IPv6 prefixes: length octet, then the significant octets."""
    out = b""
    for cidr in cidrs:
        address, length = cidr.split("/")
        length = int(length)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        out += bytes([length]) + socket.inet_pton(family, address)[:(length + 7) // 8]
    return out


def attribute(flags, attr_type, value, length=None, extended=None):
    """One path attribute. extended: force the Extended Length bit (default: when the value needs it);
    length: force the length field to a wrong value."""
    if extended is None:
        extended = len(value) > 255 or bool(flags & EXTENDED)
    flags = (flags | EXTENDED) if extended else (flags & ~EXTENDED)
    n = len(value) if length is None else length
    return struct.pack("!BB", flags, attr_type) + (struct.pack("!H", n) if extended else struct.pack("!B", n)) + value


def origin(value=0):
    return attribute(WELL_KNOWN, ORIGIN, bytes([value]))


def as_path(*asns, segment_type=2):
    """One AS_SEQUENCE of 4-octet ASNs (the session negotiates 4-octet AS)."""
    return attribute(WELL_KNOWN, AS_PATH, struct.pack("!BB", segment_type, len(asns)) +
                     b"".join(struct.pack("!I", a) for a in asns))


def next_hop(address):
    return attribute(WELL_KNOWN, NEXT_HOP, socket.inet_aton(address))


def mp_reach(afi, safi, next_hop_bytes, nlri, next_hop_length=None, reserved=b"\x00"):
    value = struct.pack("!HBB", afi, safi, len(next_hop_bytes) if next_hop_length is None else next_hop_length)
    return attribute(OPTIONAL, MP_REACH_NLRI, value + next_hop_bytes + reserved + nlri)


def mp_unreach(afi, safi, withdrawn=b""):
    return attribute(OPTIONAL, MP_UNREACH_NLRI, struct.pack("!HB", afi, safi) + withdrawn)


def update(withdrawn=b"", attributes=b"", nlri=b"", withdrawn_length=None, attributes_length=None):
    """An UPDATE from its three raw sections; both length fields can be forced to lie."""
    body = struct.pack("!H", len(withdrawn) if withdrawn_length is None else withdrawn_length) + withdrawn
    body += struct.pack("!H", len(attributes) if attributes_length is None else attributes_length) + attributes
    return message(UPDATE, body + nlri)


# ---- what came back -------------------------------------------------------------------------------

@dataclass
class Received:
    """One message from the daemon."""
    type: int
    body: bytes

    @property
    def notification(self) -> Tuple[int, int, bytes]:
        return self.body[0], self.body[1], self.body[2:]

    def __repr__(self):
        if self.type == NOTIFICATION and len(self.body) >= 2:
            code, sub, data = self.notification
            return f"NOTIFICATION {code}/{sub} data={data.hex()}"
        return f"{TYPE_NAMES.get(self.type, self.type)}({len(self.body)} octets)"


@dataclass
class Reaction:
    """Everything the daemon did in a window: messages in order, and whether it closed the connection."""
    messages: List[Received] = field(default_factory=list)
    closed: bool = False

    @property
    def notification(self) -> Optional[Tuple[int, int, bytes]]:
        return next((m.notification for m in self.messages if m.type == NOTIFICATION), None)

    def count(self, msg_type):
        return sum(1 for m in self.messages if m.type == msg_type)

    def __repr__(self):
        return f"Reaction({self.messages!r}, closed={self.closed})"


class ProtocolError(AssertionError):
    pass


# ---- the connection -------------------------------------------------------------------------------

class Connection:
    """One TCP connection from the daemon, with a framing reader."""

    def __init__(self, sock, asn, router_id):
        self.sock, self.asn, self.router_id = sock, asn, router_id
        self.sock.setblocking(False)
        self.buffer = b""
        self.eof = False
        self.peer_open = None  # the daemon's OPEN body
        self._last_keepalive = 0.0

    # -- sending
    def send(self, data):
        self.sock.setblocking(True)
        self.sock.settimeout(10)
        try:
            self.sock.sendall(data)
        finally:
            self.sock.setblocking(False)

    def send_slowly(self, data, pause=0.005, chunk=1):
        """chunk octets at a time with a pause between: the daemon must reassemble across reads."""
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(0, len(data), chunk):
            self.send(data[i:i + chunk])
            time.sleep(pause)

    def keepalive_if_due(self, every=1.0):
        now = time.monotonic()
        if now - self._last_keepalive >= every and not self.eof:
            try:
                self.send(keepalive())
            except OSError:
                pass
            self._last_keepalive = now

    # -- receiving
    def _fill(self, timeout):
        if self.eof:
            return False
        readable, _, _ = select.select([self.sock], [], [], max(timeout, 0))
        if not readable:
            return False
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        except BlockingIOError:
            return False
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def _take(self):
        if len(self.buffer) < 19:
            return None
        if self.buffer[:16] != MARKER:
            raise ProtocolError(f"daemon sent a bad marker: {self.buffer[:19].hex()}")
        length, msg_type = struct.unpack("!HB", self.buffer[16:19])
        if length < 19 or length > 4096:
            raise ProtocolError(f"daemon sent a bad length {length}")
        if len(self.buffer) < length:
            return None
        body, self.buffer = self.buffer[19:length], self.buffer[length:]
        return Received(msg_type, body)

    def read_message(self, timeout=5.0):
        """The next message, or None at end of stream or timeout."""
        deadline = time.monotonic() + timeout
        while True:
            m = self._take()
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0 or self.eof:
                return None
            self._fill(min(left, 0.2))

    def watch(self, seconds, keepalive_every=None, stop_on_notification=True):
        """What the daemon sends for `seconds` (earlier if it sends a NOTIFICATION or closes);
        keepalive_every: keep our side of the session alive meanwhile."""
        reaction = Reaction()
        deadline = time.monotonic() + seconds
        while True:
            if keepalive_every:
                self.keepalive_if_due(keepalive_every)
            m = self._take()
            if m:
                reaction.messages.append(m)
                if m.type == NOTIFICATION and stop_on_notification:
                    # What follows a NOTIFICATION is the close: wait for it briefly.
                    end = time.monotonic() + 5
                    while not self.eof and time.monotonic() < end:
                        if not self._fill(0.2):
                            continue
                    reaction.closed = self.eof
                    return reaction
                continue
            if self.eof:
                reaction.closed = True
                return reaction
            left = deadline - time.monotonic()
            if left <= 0:
                return reaction
            self._fill(min(left, 0.1))

    # -- the session
    def expect_open(self, timeout=10.0):
        m = self.read_message(timeout)
        if m is None or m.type != OPEN:
            raise ProtocolError(f"expected the daemon's OPEN, got {m!r} (eof={self.eof})")
        self.peer_open = m.body
        return m

    def establish(self, hold_time=3, capabilities=None, slowly=False):
        """OPEN, KEEPALIVE both ways: returns once the daemon is Established (it sent its KEEPALIVE
        after our OPEN and we sent ours)."""
        self.expect_open()
        data = open_message(self.asn, self.router_id, hold_time, capabilities=capabilities) + keepalive()
        if slowly:
            self.send_slowly(data)
        else:
            self.send(data)
        self._last_keepalive = time.monotonic()
        m = self.read_message(10.0)
        if m is None or m.type != KEEPALIVE:
            raise ProtocolError(f"expected the daemon's KEEPALIVE after our OPEN, got {m!r} (eof={self.eof})")
        return self

    def drain_updates(self, seconds=1.0):
        """Read (and keep alive) for a moment after Established: the daemon's table and End-of-RIB."""
        return self.watch(seconds, keepalive_every=1.0)

    def stop_reading(self, receive_buffer=4096):
        """Shrink our receive window and never read again: a peer that stops reading."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---- the listener in the router namespace ---------------------------------------------------------

def socket_in_namespace(ns_name, family=socket.AF_INET):
    """A TCP socket that belongs to network namespace ns_name (named by `ip netns`)."""
    return netns.socket_in_namespace(ns_name, family, socket.SOCK_STREAM)


class ScriptPeer:
    """Router A: a BGP speaker that does only what the test says. The daemon connects to it."""

    def __init__(self, ns, address, asn, router_id=None, port=179, receive_buffer=None):
        self.ns, self.address, self.asn = ns, address, asn
        self.router_id = router_id or address
        self.listener = socket_in_namespace(ns.name)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if receive_buffer:  # inherited by accepted sockets: set before the window is negotiated
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.listener.bind((address, port))
        self.listener.listen(4)
        self.connection = None

    def accept(self, timeout=20.0):
        """The daemon's next connection (it reconnects on its own after each failure)."""
        readable, _, _ = select.select([self.listener], [], [], timeout)
        if not readable:
            raise AssertionError(f"the daemon did not connect to {self.address}:179 within {timeout:g}s")
        sock, _ = self.listener.accept()
        self.connection = Connection(sock, self.asn, self.router_id)
        return self.connection

    def stop(self):
        if self.connection:
            self.connection.close()
        self.listener.close()

    def logs(self):
        return []
