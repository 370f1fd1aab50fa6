"""A scripted OSPFv2 router for malformed-input tests: it plays a neighbour on one link, from its own
namespace, over a raw IP socket (protocol 89), and sends whatever bytes the test builds.

Python 3 standard library only. The raw socket is created inside the peer's namespace (the calling
thread enters it with setns(2) just for socket(), then returns) and bound to the link's interface.

Building blocks (all return bytes; nothing here checks what it builds, so any of it can be corrupted):
  packet(type, body, router_id, ...)     the 24-octet header (RFC 2328 A.3.1) with checksum or MD5 (D.4.3)
  hello(...), dd(...), ls_request(...), ls_update(...), ls_ack(...)        the five bodies (A.3.2-A.3.6)
  lsa(...), router_lsa_body(...), external_lsa_body(...)                   LSAs (A.4) with Fletcher checksum
  ip_checksum(), fletcher_checksum()

Link: the socket on one interface (send to 224.0.0.5 or an address; receive the daemon's packets).
Neighbour: a background thread on a Link that sends Hellos every second and answers the daemon as a
DROther slave (RFC 2328 §10.6, §10.8): it describes no LSAs of its own, echoes each DD the master
sends, and acknowledges every LSA flooded to it, so the daemon brings the adjacency to Full and keeps
it there. Its DD MTU can be set to a wrong value, and it can stop listing the daemon in its Hellos.
"""
import collections
import hashlib
import os
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass

import netns

HELLO, DD, LS_REQUEST, LS_UPDATE, LS_ACK = 1, 2, 3, 4, 5
ALL_SPF_ROUTERS, ALL_D_ROUTERS = "224.0.0.5", "224.0.0.6"
IPPROTO_OSPF = 89
OPTION_E = 0x02
DD_INIT, DD_MORE, DD_MASTER = 0x04, 0x02, 0x01
LSA_ROUTER, LSA_NETWORK, LSA_EXTERNAL = 1, 2, 5
AU_NULL, AU_SIMPLE, AU_CRYPTO = 0, 1, 2
HEADER_SIZE, LSA_HEADER_SIZE = 24, 20


# ---- checksums ------------------------------------------------------------------------------------

def ip_checksum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def fletcher_checksum(lsa_bytes):
    """The LSA checksum (RFC 2328 §12.1.7, ISO 8473 Fletcher) over an LSA without its age field,
    computed so that the sums come out zero with the checksum at offset 16 of the LSA."""
    data = bytearray(lsa_bytes[2:])
    data[14:16] = b"\x00\x00"  # the checksum field, offset 16 in the LSA
    c0 = c1 = 0
    for byte in data:
        c0 = (c0 + byte) % 255
        c1 = (c1 + c0) % 255
    position = 15  # 1-based position of the checksum's first octet in data
    x = ((len(data) - position) * c0 - c1) % 255
    x = x or 255
    y = (510 - c0 - x) % 255
    y = y or 255
    return (x << 8) | y


# ---- LSAs -----------------------------------------------------------------------------------------

def lsa(lsa_type, ls_id, advertising_router, body, sequence=0x80000001, age=1, options=OPTION_E, length=None,
        checksum=None):
    """An LSA: header and body; length and checksum default to the true ones, either can be forced."""
    real = LSA_HEADER_SIZE + len(body)
    raw = struct.pack("!HBB4s4sIHH", age, options, lsa_type, socket.inet_aton(ls_id),
                      socket.inet_aton(advertising_router), sequence, 0, real if length is None else length) + body
    # The checksum covers the bytes the length field claims (RFC 2328 §12.1.7); a lie about the
    # length is then the only thing wrong with the LSA.
    covered = raw[:max(LSA_HEADER_SIZE, min(len(raw), real if length is None else length))]
    value = fletcher_checksum(covered) if checksum is None else checksum
    return raw[:16] + struct.pack("!H", value) + raw[18:]


def router_link(link_id, link_data, link_type, metric):
    return struct.pack("!4s4sBBH", socket.inet_aton(link_id), socket.inet_aton(link_data), link_type, 0, metric)


def router_lsa_body(links, count=None, flags=0):
    """links: router_link() blobs; count: force the "# links" field."""
    return struct.pack("!BBH", flags, 0, len(links) if count is None else count) + b"".join(links)


def external_lsa_body(mask, metric=20, type2=True, forwarding="0.0.0.0", tag=0):
    return (socket.inet_aton(mask) + struct.pack("!I", (0x80000000 if type2 else 0) | (metric & 0xFFFFFF))
            + socket.inet_aton(forwarding) + struct.pack("!I", tag))


# ---- packets --------------------------------------------------------------------------------------

def hello(network_mask, hello_interval=1, options=OPTION_E, priority=0, dead_interval=4, dr="0.0.0.0",
          bdr="0.0.0.0", neighbors=()):
    return (socket.inet_aton(network_mask) + struct.pack("!HBBI", hello_interval, options, priority, dead_interval)
            + socket.inet_aton(dr) + socket.inet_aton(bdr) + b"".join(socket.inet_aton(n) for n in neighbors))


def dd(sequence, flags=0, mtu=1500, options=OPTION_E, lsa_headers=b""):
    return struct.pack("!HBBI", mtu, options, flags, sequence) + lsa_headers


def ls_request(*entries):
    """entries: (LS type, Link State ID, Advertising Router)."""
    return b"".join(struct.pack("!I4s4s", t, socket.inet_aton(i), socket.inet_aton(a)) for t, i, a in entries)


def ls_update(*lsas, count=None):
    return struct.pack("!I", len(lsas) if count is None else count) + b"".join(lsas)


def ls_ack(*lsa_headers):
    return b"".join(lsa_headers)


@dataclass
class Md5:
    """Cryptographic authentication (RFC 2328 D.3): key ID, key and the sequence number to send."""
    key: str
    key_id: int = 1
    sequence: int = 1000

    def digest(self, packet_bytes):
        return hashlib.md5(packet_bytes + self.key.encode().ljust(16, b"\x00")[:16]).digest()


def packet(packet_type, body, router_id, area="0.0.0.0", auth=None, version=2, length=None, checksum=None,
           au_type=None, sequence=None, digest=None):
    """A whole OSPF packet. Without auth: AuType 0 and the checksum over the packet. With an Md5:
    AuType 2, no checksum, key ID / 16 / sequence (default: auth.sequence, then incremented) and the
    digest appended. length, checksum, au_type, sequence and digest can be forced to wrong values."""
    real = HEADER_SIZE + len(body)
    if auth is None:
        auth_field = b"\x00" * 8
        kind = AU_NULL
    else:
        if sequence is None:
            sequence = auth.sequence
            auth.sequence += 1
        auth_field = struct.pack("!HBBI", 0, auth.key_id, 16, sequence)
        kind = AU_CRYPTO
    head = struct.pack("!BBH4s4sHH", version, packet_type, real if length is None else length,
                       socket.inet_aton(router_id), socket.inet_aton(area), 0,
                       kind if au_type is None else au_type)
    raw = head + auth_field + body
    if auth is None:
        value = ip_checksum(raw[:16] + b"\x00" * 8 + raw[24:]) if checksum is None else checksum
        return raw[:12] + struct.pack("!H", value) + raw[14:]
    return raw + (auth.digest(raw) if digest is None else digest)


# ---- what came back -------------------------------------------------------------------------------

@dataclass
class Received:
    """One OSPF packet from the wire (the IP header already taken off)."""
    source: str
    destination: str
    data: bytes

    @property
    def type(self):
        return self.data[1]

    @property
    def router_id(self):
        return socket.inet_ntoa(self.data[4:8])

    @property
    def length(self):
        return struct.unpack("!H", self.data[2:4])[0]

    @property
    def body(self):
        return self.data[HEADER_SIZE:self.length]

    def hello(self):
        """(designated router, backup, neighbours) of a Hello."""
        b = self.body
        return socket.inet_ntoa(b[12:16]), socket.inet_ntoa(b[16:20]), [
            socket.inet_ntoa(b[i:i + 4]) for i in range(20, len(b) - 3, 4)]

    def dd(self):
        """(MTU, options, flags, sequence) of a Database Description."""
        return struct.unpack("!HBBI", self.body[:8])

    def lsa_headers(self):
        """The LSA headers an LS Update carries (each LSA's first 20 octets)."""
        b, out = self.body, []
        count, offset = struct.unpack("!I", b[:4])[0], 4
        for _ in range(count):
            if offset + LSA_HEADER_SIZE > len(b):
                break
            header = b[offset:offset + LSA_HEADER_SIZE]
            out.append(header)
            offset += max(struct.unpack("!H", header[18:20])[0], LSA_HEADER_SIZE)
        return out


# ---- the socket -----------------------------------------------------------------------------------

def raw_socket_in_namespace(ns_name):
    """A raw IPv4 socket for protocol 89 that belongs to network namespace ns_name."""
    return netns.socket_in_namespace(ns_name, socket.AF_INET, socket.SOCK_RAW, IPPROTO_OSPF)


class Link:
    """The peer's end of one link: a raw socket bound to the interface, in AllSPFRouters."""

    def __init__(self, ns, interface, address):
        self.interface, self.address = interface, address
        self.sock = raw_socket_in_namespace(ns.name)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address))
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                             socket.inet_aton(ALL_SPF_ROUTERS) + socket.inet_aton(address))
        self.sent = 0
        self._lock = threading.Lock()

    def send(self, data, destination=ALL_SPF_ROUTERS):
        with self._lock:
            self.sock.sendto(data, (destination, 0))
            self.sent += 1

    def receive(self, timeout):
        """The next OSPF packet on the link, or None after timeout seconds."""
        readable, _, _ = select.select([self.sock], [], [], max(timeout, 0))
        if not readable:
            return None
        datagram, _ = self.sock.recvfrom(65535)
        ihl = (datagram[0] & 0x0F) * 4
        total = struct.unpack("!H", datagram[2:4])[0]
        return Received(socket.inet_ntoa(datagram[12:16]), socket.inet_ntoa(datagram[16:20]), datagram[ihl:total])

    def close(self):
        self.sock.close()


class Neighbour:
    """A well-behaved DROther neighbour on a broadcast link (see the module docstring).

    router_id must be lower than the daemon's, so the daemon is master of the exchange (§10.8) and
    this side only answers. Every packet it sends and receives is valid: the test sends its
    malformed ones through `link` alongside."""

    def __init__(self, link, router_id, network_mask, auth=None, hello_interval=1, dead_interval=4):
        self.link, self.router_id, self.mask, self.auth = link, router_id, network_mask, auth
        self.hello_interval, self.dead_interval = hello_interval, dead_interval
        self.dd_mtu = 1500           # what our DDs say; more than the daemon's makes it reject them
        self.list_daemon = True      # whether our Hellos list the daemon (False: a 1-Way Hello)
        self.hold_exchange = False   # answer only the daemon's initial DD: it stays in Exchange
        self.daemon = None           # the daemon's router ID, once heard
        self.daemon_address = None
        self.dds_answered = 0
        self.received = collections.deque(maxlen=500)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"ospf-neighbour-{link.interface}")

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(5)
        self.link.close()

    def logs(self):
        return []

    def send(self, packet_type, body, destination=ALL_SPF_ROUTERS):
        self.link.send(packet(packet_type, body, self.router_id, auth=self.auth), destination)

    def _hello(self):
        neighbours = [self.daemon] if self.daemon and self.list_daemon else []
        self.send(HELLO, hello(self.mask, self.hello_interval, priority=0, dead_interval=self.dead_interval,
                               dr=self._dr, neighbors=neighbours))

    def _run(self):
        self._dr = "0.0.0.0"
        next_hello = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= next_hello:
                try:
                    self._hello()
                except OSError:
                    pass
                next_hello = now + self.hello_interval
            try:
                p = self.link.receive(min(0.1, max(next_hello - time.monotonic(), 0)))
            except OSError:
                continue
            if p is None or p.source == self.link.address or len(p.data) < HEADER_SIZE:
                continue
            self.received.append((time.monotonic(), p))
            try:
                self._answer(p)
            except (OSError, struct.error, IndexError):
                pass

    def _answer(self, p):
        if p.type == HELLO:
            self.daemon, self.daemon_address = p.router_id, p.source
            self._dr = p.hello()[0]
        elif p.type == DD and p.router_id == self.daemon:
            _, _, flags, sequence = p.dd()
            if self.hold_exchange and not flags & DD_INIT:
                return
            # The slave echoes the master's sequence number, with nothing to describe (M clear).
            self.send(DD, dd(sequence, flags=0, mtu=self.dd_mtu), self.daemon_address)
            self.dds_answered += 1
        elif p.type == LS_UPDATE and p.router_id == self.daemon:
            headers = p.lsa_headers()
            if headers:
                self.send(LS_ACK, ls_ack(*headers), self.daemon_address)
