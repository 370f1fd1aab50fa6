#!/usr/bin/env python3
"""Kubernetes → BGP: start-up with many Services, reaction time to one change, sustained churn.

    router namespace: BIRD 2 (passive, `import all`, no kernel export; bench_bgp_bulk's ReceiverBird)
                      + the fake kube-apiserver (tests/fake_apiserver) on https://10.0.1.1:6443,
                        driven over its stdin (--stdin-commands), as tests/e2e/kube_lab.py does
                      + tcpdump on the router's end of node1's veth ('tcp port 179', pcap, µs stamps)
      |-- veth -- node1 namespace: clusterip-speaker (`cluster_ips: all`, Service CIDRs auto,
                  require_kube_proxy and require_node_ready on, log level debug, HTTP on 127.0.0.1:9474)
                  + the fake kube-proxy (tests/e2e/fake_kube_proxy.py)

The fake API server is loaded with N Services (ClusterIPs 10.96.16.0 + i, `internalTrafficPolicy:
Cluster`) and N EndpointSlices (one ready endpoint on node1 each) *before* the daemon starts.
The router must then learn N + 2 routes: the N /32s, the seeded `default/kubernetes` /32 and the
Service CIDR aggregate 10.96.0.0/12. Each run builds a fresh lab and measures, in order:

  start-up   daemon start (Popen) → first UPDATE on the wire → End-of-RIB on the wire → the router
             holding all N + 2 routes; when the lists arrived (the first watch request after the
             list, per resource, from the fake's request log); peak RSS (VmHWM).
  reaction   --events changes, one every --interval s, alternately a new Service (its ClusterIP
             announced) and an existing Service k = 0, 1, 2, ... annotated
             `clusterip-speaker.io/advertise: "false"` (withdrawn); every change touches its own
             Service, so no two can cancel out; latency = the UPDATE on the wire that carries the
             prefix (withdrawn or NLRI), minus the moment the command was written to the fake.
  churn      --rate changes per second for --duration s: the same toggle over all N Services in turn
             (each one flips every N / rate s), --batch changes per admin command (`/apply` with
             several objects); UPDATE messages sent (pcap, cross-checked with the daemon's
             bgp_updates_sent_total), RSS every second, the session watched every second; after
             the last change, the router must converge to exactly the expected set of routes.

Wire times come from a pcap parsed here (TCP reassembly of the daemon→router stream, BGP framing):
an UPDATE's time is the capture stamp of the segment that completes it. Command times are
time.time() in this process, the same clock. Nothing asserts a time: the run fails only if routes
do not arrive (or the harness breaks). `--quick` is the CTest smoke test's mode (bench_k8s_smoke).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "tests", "fake_apiserver"))

import netns  # noqa: E402
import report  # noqa: E402
from bench_bgp_bulk import ReceiverBird, parse_protocol, proc_usage  # noqa: E402
from fake_apiserver import make_endpointslice, make_service  # noqa: E402
from kube_lab import ADVERTISE, ApiServer, FakeKubeProxy  # noqa: E402
from lab import ROUTER_V4, TOOLS, Lab, print_logs  # noqa: E402
from process import Process  # noqa: E402
from routes import Peer  # noqa: E402
from speaker import binary  # noqa: E402

ROUTER_ASN, NODE_ASN = 64512, 64513
SERVICE_BASE = (10 << 24) | (96 << 16) | (16 << 8)  # 10.96.16.0: clear of the seeded 10.96.0.1
EXTRA_ROUTES = 2  # default/kubernetes (10.96.0.1/32) and the Service CIDR 10.96.0.0/12
BGP_UPDATE, BGP_OPEN, BGP_NOTIFICATION = 2, 1, 3


def same_since(a, b):
    """BIRD shows "Since" from its monotonic clock plus a wall-clock offset it re-reads, so the
    stamp may move by a millisecond with no state change; a real re-establishment takes over a
    second here (connect retry), so 100 ms tells them apart. The OPEN/NOTIFICATION count from the
    capture is the exact check."""
    return a is not None and b is not None and abs(a - b) < 0.1
MARKER = b"\xff" * 16
_LISTED = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}) \w+\s+k8s (\w+): listed \d+ objects")


def ip_of(i):
    a = SERVICE_BASE + i
    return f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}"


def svc_name(i):
    return f"svc-{i:05d}"


# ---------------------------------------------------------------- the wire: pcap → BGP messages

def pcap_ipv4(path):
    """(capture time, IPv4 packet bytes) for each IPv4 packet in a pcap (Ethernet, Linux cooked v1/v2)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        endian = "<"
    else:
        endian = ">"
        magic = struct.unpack(">I", data[:4])[0]
    scale = 1e-9 if magic == 0xa1b23c4d else 1e-6
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    link_len = {1: 14, 113: 16, 276: 20}.get(linktype)
    if link_len is None:
        raise RuntimeError(f"pcap link type {linktype} not handled")
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = pkt[link_len:]
        if len(ip) >= 20 and ip[0] >> 4 == 4:
            out.append((sec + frac * scale, ip))
    return out


def read_pcap(path):
    """(time, src ip, src port, dst ip, dst port, seq, flags, payload) for each IPv4 TCP packet."""
    out = []
    for t, ip in pcap_ipv4(path):
        if ip[9] != 6:
            continue
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ihl:total]
        if len(tcp) < 20:
            continue
        sport, dport, seq = struct.unpack("!HHI", tcp[:8])
        doff = (tcp[12] >> 4) * 4
        out.append((t, ".".join(map(str, ip[12:16])), sport, ".".join(map(str, ip[16:20])),
                    dport, seq, tcp[13], tcp[doff:]))
    return out


def _prefixes(buf):
    """IPv4 prefixes (as "a.b.c.d/len") packed the way NLRI and withdrawn routes are."""
    out, i = [], 0
    while i < len(buf):
        plen = buf[i]
        nbytes = (plen + 7) // 8
        octets = list(buf[i + 1:i + 1 + nbytes]) + [0] * (4 - nbytes)
        out.append(f"{octets[0]}.{octets[1]}.{octets[2]}.{octets[3]}/{plen}")
        i += 1 + nbytes
    return out


def bgp_messages(pcap_path, src_ip):
    """Every BGP message src_ip sent, in order, as dicts {time, type, conn, withdrawn, nlri, eor}.
    One TCP stream per source port (a new connection = a new stream), reassembled by sequence number."""
    streams = {}  # sport -> {"next": seq, "pending": {seq: bytes}, "buf": bytearray}
    msgs = []
    for t, sip, sport, _dip, _dport, seq, flags, payload in read_pcap(pcap_path):
        if sip != src_ip:
            continue
        st = streams.get(sport)
        if flags & 0x02:  # SYN: the stream starts after it
            streams[sport] = {"next": (seq + 1) & 0xffffffff, "pending": {}, "buf": bytearray()}
            continue
        if not payload:
            continue
        if st is None:  # the capture began mid-connection: start at the first segment seen
            st = streams[sport] = {"next": seq, "pending": {}, "buf": bytearray()}
        st["pending"].setdefault(seq, payload)
        progressed = True
        while progressed:
            progressed = False
            for s in list(st["pending"]):
                d = (s - st["next"]) & 0xffffffff
                if d > 0x7fffffff:  # starts before the next byte we need: retransmission / overlap
                    p = st["pending"].pop(s)
                    skip = (st["next"] - s) & 0xffffffff
                    if skip < len(p):
                        st["pending"].setdefault(st["next"], p[skip:])
                    progressed = True
                elif d == 0:
                    p = st["pending"].pop(s)
                    st["buf"] += p
                    st["next"] = (st["next"] + len(p)) & 0xffffffff
                    progressed = True
        buf = st["buf"]
        while len(buf) >= 19:
            if buf[:16] != MARKER:  # joined mid-message: resynchronise on the next marker
                at = buf.find(MARKER, 1)
                del buf[:at if at > 0 else max(0, len(buf) - 15)]
                continue
            length, mtype = struct.unpack("!HB", buf[16:19])
            if length < 19 or len(buf) < length:
                break
            body = bytes(buf[19:length])
            del buf[:length]
            m = {"time": t, "type": mtype, "conn": sport, "withdrawn": [], "nlri": [], "eor": False}
            if mtype == BGP_UPDATE:
                wlen = struct.unpack("!H", body[:2])[0]
                m["withdrawn"] = _prefixes(body[2:2 + wlen])
                alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
                m["nlri"] = _prefixes(body[4 + wlen + alen:])
                m["eor"] = wlen == 0 and alen == 0 and not m["nlri"]
            msgs.append(m)
    return msgs


class Capture:
    """tcpdump in the router's namespace on the router's end of a node's veth (BGP unless told otherwise)."""

    def __init__(self, ns, ifname, path, bpf="tcp port 179"):
        self.path, self.stderr = path, path + ".stderr"
        self.process = Process(ns, ["tcpdump", "-i", ifname, "-n", "-U", "--immediate-mode", "-B", "32768", "-s", "0",
                                    "-w", path, bpf], self.stderr)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(self.stderr, errors="replace") as f:
                if "listening on" in f.read():
                    return
            self.process.assert_running()
            time.sleep(0.02)
        raise RuntimeError(f"tcpdump did not start in 10 s; see {self.stderr}")

    def stop(self):
        """Stop and return the number of packets the kernel dropped (tcpdump's own count)."""
        time.sleep(0.2)  # the last packets reach the file (-U writes each packet at once)
        self.process.signal(signal.SIGINT)
        self.process.wait(10)
        self.process.stop()
        with open(self.stderr, errors="replace") as f:
            m = re.search(r"(\d+) packets? dropped by kernel", f.read())
        return int(m.group(1)) if m else None

    def logs(self):
        return [("tcpdump", self.stderr)]


# ---------------------------------------------------------------- the daemon

class Daemon:
    """clusterip-speaker in the node namespace, Kubernetes on, every ClusterIP advertised."""
    extra_peer_fields = ""  # more keys for the router's peer entry, e.g. ", bfd: { ... }" (bench_bfd.py)

    def __init__(self, host, workdir, kubeconfig, exe):
        self.host, self.name, self.exe, self.process = host, host.name, exe, None
        self.conf = os.path.join(workdir, f"{self.name}.yaml")
        self.log = os.path.join(workdir, f"{self.name}.log")
        with open(self.conf, "w") as f:
            f.write(
                f"node: {{ name: {self.name}, router_id: {host.v4} }}\n"
                "advertise:\n"
                "  service_cidrs: auto\n"
                "  cluster_ips: all\n"
                "  require_kube_proxy: true\n"
                "  require_node_ready: true\n"
                "kubernetes:\n"
                "  enabled: true\n"
                f"  kubeconfig: {kubeconfig}\n"
                "  kube_proxy_healthz: http://127.0.0.1:10256/healthz\n"
                "  kube_proxy_metrics: http://127.0.0.1:10249\n"
                'http: { listen: "127.0.0.1:9474" }\n'
                "bgp:\n"
                f"  asn: {NODE_ASN}\n"
                "  listen_port: 0\n"
                "  peers:\n"
                f'    - {{ address: "{ROUTER_V4}", asn: {ROUTER_ASN}, families: [ipv4], connect_retry: 1s,'
                f" graceful_shutdown: {{ enabled: false }}{self.extra_peer_fields} }}\n"
                "log: { level: debug }\n")  # debug adds "k8s X: listed N objects" and one line per UPDATE batch

    def start(self):
        self.started_wall = time.time()
        self.process = Process(self.host.ns, [self.exe, "run", "-c", self.conf], self.log)

    def metric(self, name):
        """Sum of a counter over its labels from /metrics (None if unreadable)."""
        try:
            text = self.host.ns.run("curl", "-s", "--max-time", "5", "http://127.0.0.1:9474/metrics")
        except RuntimeError:
            return None
        vals = [float(l.rsplit(None, 1)[1]) for l in text.splitlines()
                if l.startswith(f"clusterip_speaker_{name}") and not l.startswith("#")]
        return sum(vals) if vals else None

    def rss(self):
        hwm, rss, cpu, _ = proc_usage([self.process.pid])
        return hwm / 2**20, rss / 2**20, cpu

    def stop(self):
        if self.process and self.process.running():
            self.process.signal(signal.SIGKILL)
            self.process.wait(5)

    def logs(self):
        return [(f"{self.name} config", self.conf), (f"{self.name} clusterip-speaker log", self.log)]


# ---------------------------------------------------------------- one run

class Run:
    router_class, daemon_class = ReceiverBird, Daemon  # bench_bfd.py runs the same phases with BFD on both

    def __init__(self, args, exe, keep_logs=False):
        self.args, self.exe, self.keep_logs = args, exe, keep_logs
        self.workdir = tempfile.mkdtemp(prefix="cis-bench-k8s-")
        os.chmod(self.workdir, 0o755)
        self.lab = Lab(self.workdir)
        self.n = args.services
        self.services = [make_service("default", svc_name(i), ip_of(i), annotations={ADVERTISE: "true"})
                         for i in range(self.n)]
        self.advertised = [True] * self.n

    # -- world
    def build(self):
        lab = self.lab
        self.host = lab.add_host()
        self.router = lab.adopt(self.router_class(lab.router_ns, self.workdir, ROUTER_ASN, ROUTER_V4,
                                             [Peer(self.host.name, self.host.v4, ROUTER_V4, NODE_ASN)]))
        self.router.start()
        self.api = lab.adopt(ApiServer(lab.router_ns, self.workdir))
        self.api.start()
        self.api.node(self.host.name, ready=True, internal_ip=self.host.v4)
        self.proxy = lab.adopt(FakeKubeProxy(self.host, self.workdir))
        self.proxy.start()
        t = time.monotonic()
        for lo in range(0, self.n, 500):
            objs = self.services[lo:lo + 500]
            objs += [make_endpointslice("default", svc_name(i), [(f"10.244.{(i >> 8) & 255}.{i & 255}", self.host.name, True)],
                                        name=f"{svc_name(i)}-abcde") for i in range(lo, min(lo + 500, self.n))]
            self.api.command("/apply", {"objects": objs}, timeout=120)
        self.load_s = time.monotonic() - t
        self.api.command("/requests", {"clear": True})
        self.daemon = lab.adopt(self.daemon_class(self.host, self.workdir, self.api.kubeconfig, self.exe))

    def protocol(self):
        return parse_protocol(self.router.control.query(f"show protocols all {self.host.name}"))

    def wait_imported(self, want, timeout, what, exact=True):
        deadline = time.monotonic() + timeout
        while True:
            state, since, imported = self.protocol()
            now = time.time()
            if imported == want or (not exact and imported >= want):
                return now, state, since
            if not self.daemon.process.running():
                raise RuntimeError(f"clusterip-speaker exited with {self.daemon.process.returncode} during {what}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what}: the router holds {imported} routes, expected {want}, "
                                   f"after {timeout:g} s (BGP state {state})")
            time.sleep(0.01)

    def wait_prefix(self, prefix, present, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            text = "\n".join(self.router.control.query(f"show route {prefix}"))
            if (prefix in text) == present:
                return
            if not self.daemon.process.running():
                raise RuntimeError(f"clusterip-speaker exited with {self.daemon.process.returncode} during {what}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what}: {prefix} still {'absent' if present else 'present'} after {timeout:g} s")
            time.sleep(0.02)

    def expected_routes(self):
        return sum(self.advertised) + EXTRA_ROUTES

    # -- start-up
    def startup(self):
        cap = self.lab.adopt(Capture(self.lab.router_ns, self.host.name, os.path.join(self.workdir, "startup.pcap")))
        self.daemon.start()
        t0 = self.daemon.started_wall
        t_all, state, since = self.wait_imported(self.expected_routes(), 60 + self.n / 500, "start-up")
        hwm, rss, cpu = self.daemon.rss()
        dropped = cap.stop()
        msgs = bgp_messages(cap.path, self.host.v4)
        updates = [m for m in msgs if m["type"] == BGP_UPDATE]
        if not updates:
            raise RuntimeError("no UPDATE captured during start-up")
        first = updates[0]["time"]
        eor = next((m["time"] for m in updates if m["eor"]), None)
        with_routes = [m for m in updates if m["nlri"]]
        first_routes = with_routes[0]["time"] if with_routes else None
        burst_end = with_routes[-1]["time"] if with_routes else None  # the UPDATE that completed the set
        # When the lists had arrived: the daemon's own "k8s RESOURCE: listed N objects" (debug, 1 ms
        # stamps, the same wall clock), once the whole list was read and decoded.
        listed = {}
        with open(self.daemon.log, errors="replace") as f:
            for line in f:
                m = _LISTED.match(line)
                if m and m.group(2) not in listed:
                    listed[m.group(2)] = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
        # The two lists the routes come from (the Node and ServiceCIDR reflectors may list later).
        lists_done = max(listed["services"], listed["endpointslices"]) if {"services", "endpointslices"} <= set(listed) else None
        reqs = self.api.requests()
        nlri = sum(len(m["nlri"]) for m in updates)
        r = {"first_update": (first - t0) * 1000, "eor": (eor - t0) * 1000 if eor else None,
             "all": (t_all - t0) * 1000, "lists": (lists_done - t0) * 1000 if lists_done else None,
             "eor_after_lists": (eor - lists_done) * 1000 if eor and lists_done else None,
             "first_routes": (first_routes - t0) * 1000 if first_routes else None,
             "burst_end": (burst_end - t0) * 1000 if burst_end else None,
             "burst_after_lists": (burst_end - lists_done) * 1000 if burst_end and lists_done else None,
             "eor_before_routes": bool(eor and first_routes and eor < first_routes),
             "rss": hwm, "rss_now": rss, "cpu": cpu * 1000, "updates": len(updates), "nlri": nlri,
             "established": since, "dropped": dropped,
             "list_requests": sum(1 for q in reqs if not q["watch"] and q["path"].endswith(("/services", "/endpointslices")))}
        self.since = since
        return r

    # -- changes
    def toggle(self, indices):
        """Flip the advertise annotation of these Services in one admin command; return (t_send, t_reply, changes)."""
        objs, changes = [], []
        for i in indices:
            self.advertised[i] = not self.advertised[i]
            svc = self.services[i]
            svc["metadata"]["annotations"][ADVERTISE] = "true" if self.advertised[i] else "false"
            objs.append(svc)
            changes.append((f"{ip_of(i)}/32", self.advertised[i]))
        t_send = time.time()
        self.api.command("/apply", {"objects": objs})
        return t_send, time.time(), changes

    def create(self, i):
        """A new Service (and its EndpointSlice first, as the controller would soon after); returns like toggle."""
        while len(self.services) <= i:
            j = len(self.services)
            self.services.append(make_service("default", svc_name(j), ip_of(j), annotations={ADVERTISE: "true"}))
            self.advertised.append(False)
        self.advertised[i] = True
        t_send = time.time()
        self.api.command("/apply", {"objects": [self.services[i]]})
        return t_send, time.time(), [(f"{ip_of(i)}/32", True)]

    def reaction(self):
        events, interval = self.args.events, self.args.interval
        cap = self.lab.adopt(Capture(self.lab.router_ns, self.host.name, os.path.join(self.workdir, "reaction.pcap")))
        sent = []
        cpu_before = self.daemon.rss()[2]
        t_next = time.monotonic()
        for e in range(events):
            if e % 2 == 0:  # a new Service: its ClusterIP is announced
                t_send, t_reply, [(prefix, up)] = self.create(self.n + e // 2)
            else:           # an existing Service annotated "false": its ClusterIP is withdrawn
                t_send, t_reply, [(prefix, up)] = self.toggle([e // 2])
            sent.append((t_send, t_reply, prefix, up))
            t_next += interval
            time.sleep(max(0.0, t_next - time.monotonic()))
        # The daemon handles changes in order: once the last one is at the router, all are (the
        # route count alone cannot tell, as announcements and withdrawals cancel out in it).
        self.wait_prefix(sent[-1][2], sent[-1][3], 120, "reaction (the last change reaching the router)")
        self.wait_imported(self.expected_routes(), 30, "reaction (the router converging)")
        # The daemon's CPU over the phase, per change: with nothing else happening (keepalives
        # aside), what one event costs from the watch stream to the UPDATE.
        cpu_per_event = (self.daemon.rss()[2] - cpu_before) * 1000 / events
        dropped = cap.stop()
        updates = [m for m in bgp_messages(cap.path, self.host.v4) if m["type"] == BGP_UPDATE]
        lat, rtt, missing = [], [], 0
        for t_send, t_reply, prefix, up in sent:
            hit = next((m["time"] for m in updates if m["time"] >= t_send - 0.001 and
                        prefix in (m["nlri"] if up else m["withdrawn"])), None)
            if hit is None:
                missing += 1
                continue
            lat.append((hit - t_send) * 1000)
            rtt.append((t_reply - t_send) * 1000)
        if missing:
            raise RuntimeError(f"reaction: {missing} of {events} changes never appeared on the wire")
        return {"lat": lat, "rtt": rtt, "updates": len(updates), "dropped": dropped, "cpu_per_event": cpu_per_event}

    def churn(self):
        a = self.args
        rate, batch, duration = a.rate, a.batch, a.duration
        cap = self.lab.adopt(Capture(self.lab.router_ns, self.host.name, os.path.join(self.workdir, "churn.pcap")))
        sent_before = self.daemon.metric("bgp_updates_sent_total")
        rss_samples, states = [], []
        changes = 0
        cursor = self.args.events // 2 + 1  # past the Services the reaction phase withdrew
        period = batch / rate
        t0, t_first = time.monotonic(), time.time()
        t_next, t_sample = t0, t0
        rtts = []
        behind = 0
        while time.monotonic() - t0 < duration:
            idx = [(cursor + j) % self.n for j in range(batch)]
            cursor += batch
            t_send, t_reply, _ = self.toggle(idx)
            rtts.append((t_reply - t_send) * 1000)
            changes += batch
            t_next += period
            now = time.monotonic()
            if now >= t_sample:
                hwm, rss, cpu = self.daemon.rss()
                state, since, imported = self.protocol()
                rss_samples.append((now - t0, rss, hwm, cpu))
                states.append((state, since))
                t_sample += 1.0
            if t_next > now:
                time.sleep(t_next - now)
            else:
                behind += 1
        t_last = time.time()
        elapsed = time.monotonic() - t0
        # The daemon may be behind: give it --drain s to catch up, and report where it stands then.
        want = self.expected_routes()
        deadline = time.monotonic() + a.drain
        t_conv = None
        while True:
            state, since, imported = self.protocol()
            if imported == want:
                t_conv = time.time()
                break
            if not self.daemon.process.running():
                raise RuntimeError(f"clusterip-speaker exited with {self.daemon.process.returncode} during churn")
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        t_end = time.time()
        if a.quick and t_conv is None:
            raise RuntimeError(f"churn: the router holds {imported} routes, expected {want}, {a.drain:g} s after the last change")
        hwm, rss, cpu = self.daemon.rss()
        rss_samples.append((time.monotonic() - t0, rss, hwm, cpu))
        time.sleep(0.3)
        sent_after = self.daemon.metric("bgp_updates_sent_total")
        dropped = cap.stop()
        msgs = bgp_messages(cap.path, self.host.v4)
        updates = [m for m in msgs if m["type"] == BGP_UPDATE]
        opens = sum(1 for m in msgs if m["type"] == BGP_OPEN)
        notifs = sum(1 for m in msgs if m["type"] == BGP_NOTIFICATION)
        session_ok = (opens == 0 and notifs == 0 and all(s == "Established" and same_since(since_, self.since)
                                                         for s, since_ in states)
                      and state == "Established" and same_since(since, self.since) and self.daemon.process.running())
        prefixes = sum(len(m["nlri"]) + len(m["withdrawn"]) for m in updates)
        rs = [s[1] for s in rss_samples]
        half = len(rs) // 2
        return {"changes": changes, "elapsed": elapsed, "rate": changes / elapsed, "updates": len(updates),
                "updates_metric": (sent_after - sent_before) if sent_after is not None and sent_before is not None else None,
                "prefixes": prefixes, "per_change": len(updates) / changes, "prefixes_per_update": prefixes / max(1, len(updates)),
                "converge": (t_conv - t_last) * 1000 if t_conv else None, "converged": t_conv is not None,
                "left": abs(want - imported), "window": t_end - t_first,
                "delivered_rate": prefixes / (t_end - t_first), "session_ok": session_ok, "opens": opens, "notifications": notifs,
                "rss_first": rs[0], "rss_last": rs[-1], "rss_max": max(rs), "rss_min": min(rs),
                "rss_first_half": statistics.mean(rs[:half]) if half else rs[0],
                "rss_second_half": statistics.mean(rs[half:]), "hwm": rss_samples[-1][2],
                "cpu": (rss_samples[-1][3] - rss_samples[0][3]) * 1000, "samples": rss_samples,
                "cmd_rtt_p50": statistics.median(rtts), "cmd_rtt_max": max(rtts), "behind": behind,
                "dropped": dropped}

    def close(self, ok):
        if not ok:
            print_logs(self.lab.logs(), max_lines=40)
            print(f"\n----- logs kept in {self.workdir}", file=sys.stderr, flush=True)
        d = getattr(self, "daemon", None)
        if d:
            d.stop()
        self.lab.close()
        if ok and not self.keep_logs:
            shutil.rmtree(self.workdir, ignore_errors=True)


def one_run(args, exe):
    run = Run(args, exe, args.keep_logs)
    ok = False
    try:
        run.build()
        res = {"load_s": run.load_s, "startup": run.startup()}
        if args.events:
            res["reaction"] = run.reaction()
        if args.duration > 0:
            res["churn"] = run.churn()
        ok = True
        return res
    finally:
        run.close(ok)


# ---------------------------------------------------------------- the report

def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(-(-p * len(s) // 100)) - 1))]


def fmt(values, digits=0):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} [{min(values):.{digits}f}..{max(values):.{digits}f}]"


def tables(runs, args):
    n = args.services
    out = []
    st = [r["startup"] for r in runs]
    out.append(f"### Start-up: {n:,} Services + {n:,} EndpointSlices already in the API server\n")
    out.append("| | ms from daemon start (median [min..max]) |\n|---|---:|")
    out.append(f"| lists arrived (daemon's log: Services and EndpointSlices listed) | {fmt([s['lists'] for s in st])} |")
    out.append(f"| first UPDATE on the wire (any) | {fmt([s['first_update'] for s in st])} |")
    out.append(f"| End-of-RIB on the wire | {fmt([s['eor'] for s in st])} |")
    out.append(f"| first UPDATE carrying routes | {fmt([s['first_routes'] for s in st])} |")
    out.append(f"| last UPDATE of the initial burst (the set complete on the wire) | {fmt([s['burst_end'] for s in st])} |")
    out.append(f"| router holds all {n + EXTRA_ROUTES:,} routes | {fmt([s['all'] for s in st])} |")
    out.append(f"| **last UPDATE of the burst − lists arrived** (target ≤ 1000) | **{fmt([s['burst_after_lists'] for s in st])}** |")
    out.append(f"| End-of-RIB − lists arrived | {fmt([s['eor_after_lists'] for s in st])} |")
    out.append("")
    early = sum(1 for s in st if s["eor_before_routes"])
    if early:
        out.append(f"**End-of-RIB came before the first route in {early} of {len(st)} runs**: the daemon sent it "
                   "while still waiting for the Kubernetes lists, so it marks the end of nothing (a router with "
                   "graceful restart would flush a restarting node's stale routes at that moment).\n")
    out.append(f"Peak RSS (VmHWM) {fmt([s['rss'] for s in st], 1)} MB, {fmt([s['rss'] * 2**20 / n for s in st])} bytes per Service "
               f"(RSS at the end {fmt([s['rss_now'] for s in st], 1)} MB); "
               f"CPU to that point {fmt([s['cpu'] for s in st])} ms; {fmt([s['updates'] for s in st])} UPDATEs carrying "
               f"{fmt([s['nlri'] for s in st])} prefixes; {fmt([s['list_requests'] for s in st])} list requests.")
    if any("reaction" in r for r in runs):
        rx = [r["reaction"] for r in runs]
        out.append(f"\n### Reaction: one change → UPDATE on the wire, {n:,} Services present\n")
        out.append(f"{args.events} changes per run, one every {args.interval * 1000:g} ms (a new Service, "
                   "announced, and an existing one annotated \"false\", withdrawn, alternating). Per run percentiles; the table gives their median [min..max] "
                   "over runs, and the last column pools every event of every run.\n")
        out.append("| | p50 (ms) | p99 (ms) | max (ms) | pooled p50 / p99 / max |\n|---|---:|---:|---:|---:|")
        for key, label in (("lat", "**event → UPDATE on the wire** (target p99 ≤ 5)"),
                           ("rtt", "admin command round trip (included above)")):
            pooled = [v for x in rx for v in x[key]]
            out.append(f"| {label} | {fmt([pct(x[key], 50) for x in rx], 1)} | {fmt([pct(x[key], 99) for x in rx], 1)} "
                       f"| {fmt([max(x[key]) for x in rx], 1)} | {pct(pooled, 50):.1f} / {pct(pooled, 99):.1f} / {max(pooled):.1f} |")
        out.append(f"\nDaemon CPU per change (its CPU time over the phase / {args.events}): "
                   f"{fmt([x['cpu_per_event'] for x in rx], 3)} ms.")
    if any("churn" in r for r in runs):
        ch = [r["churn"] for r in runs]
        out.append(f"\n### Churn: {args.rate:,} changes/s for {args.duration:g} s, {n:,} Services present\n")
        out.append(f"Each change flips one Service's advertise annotation ({args.batch} changes per admin "
                   "command); every change is one route announced or withdrawn.\n")
        out.append("| | median [min..max] |\n|---|---:|")
        rows = [("changes applied", "changes", 0), ("true rate (changes/s)", "rate", 0),
                ("UPDATE messages sent (pcap)", "updates", 0),
                ("UPDATE messages sent (daemon's bgp_updates_sent_total)", "updates_metric", 0),
                ("**UPDATE messages per change**", "per_change", 3),
                ("prefixes per UPDATE (NLRI + withdrawn)", "prefixes_per_update", 1),
                ("last change → router converged (ms; n/a: not within the drain time)", "converge", 0),
                (f"routes still wrong at the router {args.drain:g} s after the last change", "left", 0),
                ("route changes delivered per second (prefixes in UPDATEs / (churn + drain))", "delivered_rate", 0),
                ("RSS first sample (MB)", "rss_first", 1), ("RSS last sample (MB)", "rss_last", 1),
                ("RSS mean, first half / second half (MB)", None, 1),
                ("RSS max (MB)", "rss_max", 1), ("daemon CPU during churn (ms)", "cpu", 0),
                ("admin command round trip p50 / max (ms)", None, 1)]
        if all(c["updates_metric"] is None for c in ch):
            rows = [r for r in rows if r[1] != "updates_metric"]
        for label, key, d in rows:
            if key is None and label.startswith("RSS mean"):
                val = f"{fmt([c['rss_first_half'] for c in ch], 1)} / {fmt([c['rss_second_half'] for c in ch], 1)}"
            elif key is None:
                val = f"{fmt([c['cmd_rtt_p50'] for c in ch], 1)} / {fmt([c['cmd_rtt_max'] for c in ch], 1)}"
            else:
                val = fmt([c[key] for c in ch], d)
            out.append(f"| {label} | {val} |")
        ok = all(c["session_ok"] for c in ch)
        out.append(f"| session kept (no new OPEN, no NOTIFICATION, Established since start-up) | "
                   f"{'yes, every run' if ok else 'NO: ' + ', '.join(str(c['session_ok']) for c in ch)} |")
    if any("churn" in r and not r["churn"]["converged"] for r in runs):
        out.append("\n**The daemon did not keep up with the churn**: the router was still missing changes "
                   f"{args.drain:g} s after the last one. Then \"UPDATE messages per change\" counts only what "
                   "was delivered and says nothing about coalescing; \"prefixes per UPDATE\" (1.0 = one UPDATE "
                   "per change, none merged) and \"route changes delivered per second\" are the figures to read.")
    drops = [x.get("dropped") for r in runs for x in ([r["startup"]] + [r[k] for k in ("reaction", "churn") if k in r])]
    if any(drops):
        out.append(f"\ntcpdump reported packets dropped by the kernel: {drops}")
    return "\n".join(out)


def scaling_table(by_n, args):
    """One line per Service count: what start-up, one change and memory cost as the table grows."""
    med = lambda rs, f: statistics.median(f(r) for r in rs)  # noqa: E731
    out = ["### Scaling: the same job at each Service count\n",
           f"Median over {args.runs} run(s) per count. CPU per change is the daemon's CPU time over the reaction phase "
           f"({args.events} changes, one every {args.interval * 1000:g} ms) divided by the changes: an event path that "
           "walked or copied the whole table would grow with N.\n",
           "| Services | **daemon CPU per change (ms)** | event → UPDATE p50 / p99 (ms) | lists → last UPDATE of the burst (ms) "
           "| lists → End-of-RIB (ms) | CPU to all routes (ms) | **peak RSS (MB)** | peak RSS per Service (bytes) |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, rs in by_n.items():
        rx = [r["reaction"] for r in rs if "reaction" in r]
        cpu = f"{med(rx, lambda x: x['cpu_per_event']):.3f}" if rx else "n/a"
        lat = f"{med(rx, lambda x: pct(x['lat'], 50)):.1f} / {med(rx, lambda x: pct(x['lat'], 99)):.1f}" if rx else "n/a"
        st = [r["startup"] for r in rs]
        burst = med(st, lambda x: x["burst_after_lists"] or 0)
        eor = med(st, lambda x: x["eor_after_lists"] or 0)
        out.append(f"| {n:,} | {cpu} | {lat} | {burst:.0f} | {eor:.0f} | {med(st, lambda x: x['cpu']):.0f} "
                   f"| {med(st, lambda x: x['rss']):.1f} | {med(st, lambda x: x['rss'] * 2**20 / n):,.0f} |")
    return "\n".join(out)


def section(text, runs, args, note, cmdline):
    return f"""## Kubernetes → BGP (`bench/bench_k8s.py`)
{note}
`{cmdline}`: {len(runs)} run(s), each in a fresh lab; numbers are the median over runs with
[min..max]. The fake API server (Python) holds the Services (`cluster_ips: all`, so each one is a
/32) and as many EndpointSlices before the daemon starts; BIRD 2 receives; tcpdump on the router's
end of the node's veth stamps every UPDATE (µs; an UPDATE's time is that of the segment completing it).

{text}
How it is measured:
- **Start-up**: from starting the daemon's process. "Lists arrived" is the later of the daemon's
  debug lines `k8s services: listed N objects` and `k8s endpointslices: listed N objects` (1 ms
  stamps, logged once the list is read and decoded), so it includes the fake serving
  every object over TLS from Python. End-of-RIB is the empty UPDATE. "Router holds
  all" is BIRD's `Routes: N imported`, polled every 10 ms. Peak RSS is the daemon's VmHWM.
- **Reaction**: a change is one `/apply` of one Service (a new one, or an existing one with the
  annotation `clusterip-speaker.io/advertise: "false"`) written to the fake's stdin; its time is when this script wrote the
  command (before the fake parsed and stored it, so the latency includes the admin round trip,
  shown on its own line, and the fake's watch thread serialising and sending the event).
- **Churn**: changes are sent at a steady pace by one client over the fake's stdin; "true rate"
  is what it achieved. UPDATEs are counted on the wire and by the daemon's counter (they agree
  unless a KEEPALIVE-only interval intervenes; the counter counts UPDATEs only, End-of-RIB
  included). "Session kept": BIRD's protocol stayed Established with the same "Since" stamp at every
  1 s sample, and the daemon sent no OPEN or NOTIFICATION. RSS is VmRSS sampled every second.
- Daemon config: `cluster_ips: all`, Service CIDRs auto (the fake's ServiceCIDR), `require_kube_proxy`
  and `require_node_ready` on (fake kube-proxy healthy, Node Ready), log level debug (info already logs
  one line per route added or removed; debug adds the "listed" lines and one line per UPDATE batch), graceful shutdown off; killed after each run.
"""


def add_run_arguments(ap, duration):
    """The start-up and churn phases' options (bench_bfd.py runs those phases too)."""
    ap.add_argument("--services", type=int, default=10000, help="Services (and EndpointSlices); default 10000")
    ap.add_argument("--rate", type=int, default=1000, help="churn: changes per second; default 1000")
    ap.add_argument("--batch", type=int, default=20, help="churn: changes per admin command; default 20")
    ap.add_argument("--duration", type=float, default=duration, help=f"churn: seconds (0 = skip); default {duration:g}")
    ap.add_argument("--drain", type=float, default=30,
                    help="churn: seconds to wait after the last change for the router to converge; default 30")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_arguments(ap, duration=60)
    ap.add_argument("--runs", type=int, default=3, help="runs (fresh lab each); default 3")
    ap.add_argument("--events", type=int, default=200, help="reaction: changes per run (0 = skip); default 200")
    ap.add_argument("--interval", type=float, default=0.05, help="reaction: seconds between changes; default 0.05")
    ap.add_argument("--scale", type=lambda v: [int(x) for x in v.split(",")], default=None,
                    help="Service counts, e.g. 1000,10000,100000: --runs runs at each (start-up and reaction; "
                         "churn only with --duration) and a table of start-up, latency, CPU per change and "
                         "memory against N, which shows whether an event's cost grows with the table")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 1 run, 1000 Services, 20 events, 3 s of churn at 500/s; implies --no-write")
    ap.add_argument("--no-write", action="store_true", help=f"print only; do not touch {report.DOC}")
    ap.add_argument("--output", default=report.DOC, help="the Markdown report whose k8s section to rewrite")
    ap.add_argument("--keep-logs", action="store_true", help="keep each run's directory in /tmp")
    args = ap.parse_args()
    if args.quick:
        args.services, args.runs, args.events, args.duration, args.rate, args.no_write = 1000, 1, 20, 3, 500, True
        args.drain = 60
    if args.runs < 1 or args.services < args.events // 2 + args.batch + 1:
        ap.error("need --runs ≥ 1 and more Services than the reaction phase and one churn batch touch")

    problems = [] if os.geteuid() == 0 else ["must run as root (network namespaces)"]
    for tool in ["ip", "tcpdump", "curl"] + TOOLS["bird"]:
        if not shutil.which(tool):
            problems.append(f"{tool} not found")
    try:
        src = binary()
    except RuntimeError as e:
        problems.append(str(e))
    if problems:
        sys.exit("bench_k8s cannot run: " + "; ".join(problems))
    netns.remove_stale()
    # A private copy: other engineers may relink the build tree's binary during a long run.
    bindir = tempfile.mkdtemp(prefix="cis-bench-k8s-bin-")
    exe = os.path.join(bindir, "clusterip-speaker")
    shutil.copy2(src, exe)

    cmdline = "sudo python3 bench/bench_k8s.py " + " ".join(sys.argv[1:])
    load_before = report.loadavg()
    started, t0 = report.now(), time.monotonic()
    print(f"load average before: {load_before} on {os.cpu_count()} CPUs", flush=True)
    runs, by_n = [], {}
    try:
        for n, i in [(n, i) for n in (args.scale or [args.services]) for i in range(1, args.runs + 1)]:
            args.services = n
            try:
                r = one_run(args, exe)
            except (RuntimeError, AssertionError) as e:
                sys.exit(f"bench_k8s FAILED in run {i}: {e}")
            runs.append(r)
            by_n.setdefault(n, []).append(r)
            s = r["startup"]
            print(f"N={n}: run {i}/{args.runs}: loaded {args.services} Services + slices into the fake in {r['load_s']:.1f} s; "
                  f"start-up: lists {s['lists'] or 0:.0f} ms, first UPDATE {s['first_update']:.0f} ms, "
                  f"EoR {s['eor'] or 0:.0f} ms, routes {s['first_routes'] or 0:.0f}..{s['burst_end'] or 0:.0f} ms "
                  f"(burst end - lists {s['burst_after_lists'] or 0:.0f} ms), all {s['all']:.0f} ms, "
                  f"VmHWM {s['rss']:.1f} MB, {s['updates']} UPDATEs, {s['list_requests']} list requests "
                  f"[load {report.loadavg()}]", flush=True)
            if "reaction" in r:
                x = r["reaction"]
                print(f"  reaction: p50 {pct(x['lat'], 50):.1f} ms, p99 {pct(x['lat'], 99):.1f} ms, max {max(x['lat']):.1f} ms "
                      f"(command round trip p50 {pct(x['rtt'], 50):.1f} ms); {x['updates']} UPDATEs for {len(x['lat'])} changes; "
                      f"daemon CPU {x['cpu_per_event']:.3f} ms per change", flush=True)
            if "churn" in r:
                c = r["churn"]
                print(f"  churn: {c['changes']} changes in {c['elapsed']:.1f} s = {c['rate']:.0f}/s; {c['updates']} UPDATEs "
                      f"(counter {c['updates_metric']}) = {c['per_change']:.3f} per change, {c['prefixes_per_update']:.1f} "
                      f"prefixes each; converged {c['converge'] or -1:.0f} ms after the last ({c['left']} routes wrong at the end, "
                      f"{c['delivered_rate']:.0f} route changes/s delivered); session kept: {c['session_ok']}; "
                      f"RSS {c['rss_first']:.1f} → {c['rss_last']:.1f} MB (max {c['rss_max']:.1f}); "
                      f"command RTT p50 {c['cmd_rtt_p50']:.1f} ms max {c['cmd_rtt_max']:.1f}; behind {c['behind']} times "
                      f"[load {report.loadavg()}]", flush=True)
                print("  RSS samples (s, MB): " + " ".join(f"{t:.0f}:{m:.1f}" for t, m, _, _ in c["samples"]), flush=True)
                if not c["session_ok"]:
                    sys.exit("bench_k8s FAILED: the BGP session did not survive the churn")
    finally:
        shutil.rmtree(bindir, ignore_errors=True)
    load_after = report.loadavg()
    elapsed = time.monotonic() - t0
    note = report.run_note(started, elapsed, load_before, load_after)
    print()
    text = ""
    if args.scale:
        text = scaling_table(by_n, args) + "\n"
    for n, n_runs in by_n.items():
        args.services = n
        text += ("\n" if text else "") + tables(n_runs, args) + "\n"
    print(text)
    print(f"load average before / after: {load_before} / {load_after}; {elapsed:.0f} s")
    if not args.no_write:
        report.write_section("k8s", section(text, runs, args, note, cmdline), args.output)
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
