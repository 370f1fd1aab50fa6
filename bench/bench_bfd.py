#!/usr/bin/env python3
"""BFD: how soon a node that dies hard leaves the router's FIB, what idle BFD costs, and whether the
daemon's BFD keeps time while the daemon is busy.

Detection, with three node-side speakers in the same run (one lab each, all three up at once):

    router namespace: BIRD 2 (tests/interop's BirdRouter: eBGP from both nodes, equal paths merged
                      into one ECMP kernel route, `protocol bfd` 300 ms x 3, `bfd on` per node)
                      + tcpdump on the LAN bridge ('udp port 3784')
      |-- node1, node2: the speaker under test, each advertising 10.96.0.0/12, BFD 300 ms x 3:
            cis  = clusterip-speaker, `bgp.peers[].bfd`
            bird = BIRD 2: `protocol static` (a blackhole route), `protocol bfd`, `bfd on`
            frr  = FRR zebra + bfdd + bgpd: `neighbor X bfd profile`, a `network` statement

  idle       --idle s with nothing happening: each node's CPU (utime+stime from /proc/PID/stat, all its
             processes: clusterip-speaker; bird; FRR zebra + bfdd + bgpd), its RSS, and the BFD packets
             per second it sends (counted on the wire).
  deaths     --deaths rounds; in each, every lab loses a node (node1 and node2 by turns): every
             packet on the node's link is dropped by nftables (netns.cut_off: `table inet cis_dead`,
             loopback kept, as the interop tests do; no signal to anything). Detection time = from `nft`
             returning (the rules are committed just before) to the netlink notification after which
             the router's kernel route for 10.96.0.0/12 no longer uses the dead node. The node is
             then revived (rules deleted) and the next death waits until BFD is Up again at 300 ms.
  no BFD     once, clusterip-speaker without BFD: the same death, decided by the BGP hold time
             (--hold-time s), for the docs.

Load (clusterip-speaker only; bench_k8s.py's lab and phases, with BFD 300 ms x 3 on both sides):
the daemon (a) plans --services Services at start (fake API server, `cluster_ips: all`; the Node is
held back --plan-delay s so that this first plan comes after BFD is Up at 300 ms), (b) takes --rate
Service changes per second for --duration s, (c) loads --static more /32s by reload (written into
`advertise.static` of its config file, then SIGHUP). tcpdump on the router's end of the node's veth
('udp port 3784') sees every BFD packet both ways; reported per phase: the worst gap between the
node's consecutive packets while the negotiated interval was 300 ms (both packets Up with Desired
Min TX 300 ms, the router's last Required Min RX at most 300 ms), packets that left Up on either
side, and the daemon's own worst_transmit_gap_ms / worst_gap_interval_ms and state_changes.

Nothing here asserts a time. The run fails only when the harness breaks, a dead node never leaves
the FIB (or never comes back), or the load's routes do not arrive. A BFD session that left Up under
load is printed loudly, not failed: it is a finding. `--quick` is the CTest smoke (bench_bfd_smoke).
"""
import argparse
import collections
import errno
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))

import netns  # noqa: E402
import report  # noqa: E402
from bench_bgp_bulk import ReceiverBird, preflight, proc_usage  # noqa: E402
from bench_k8s import Capture, Daemon, Run, add_run_arguments, pcap_ipv4, pct  # noqa: E402
from bird import BirdRouter, bfd_timers  # noqa: E402
from frr import FrrRouter  # noqa: E402
from lab import ROUTER_V4, TOOLS, Lab, print_logs  # noqa: E402
from poll import wait_for  # noqa: E402
from routes import Peer, kernel_next_hops  # noqa: E402
from speaker import SpeakerNode, binary  # noqa: E402

ROUTER_ASN, NODE_ASN = 64512, 64513
SERVICE_CIDR = "10.96.0.0/12"
HTTP = "127.0.0.1:9474"
INTERVAL_MS = 300
BFD = {"enabled": True, "min_rx": f"{INTERVAL_MS}ms", "min_tx": f"{INTERVAL_MS}ms", "multiplier": 3}
HOLD_S = 9            # BGP hold time in the BFD labs: BFD must beat it (the product's default is 90 s)
SPEAKERS = ("cis", "bird", "frr")
LABELS = {"cis": "clusterip-speaker", "bird": "BIRD 2", "frr": "FRR"}
PROCESSES = {"cis": "clusterip-speaker", "bird": "bird", "frr": "zebra + bfdd + bgpd"}
STATIC_BASE = (10 << 24) | (128 << 16)  # 10.128.0.0: clear of the Service CIDR 10.96.0.0/12
UP = 3                # BFD state field: 0 AdminDown, 1 Down, 2 Init, 3 Up


def bird_bfd_protocol():
    t = bfd_timers(None)
    return ("protocol bfd {\n  interface \"*\" { "
            f"min rx interval {t['min_rx']} ms; min tx interval {t['min_tx']} ms; multiplier {t['multiplier']}; }};\n}}\n")


# ---------------------------------------------------------------- the node-side speakers

class CisNode(SpeakerNode):
    def __init__(self, host, workdir, bfd, hold):
        peer = {"address": ROUTER_V4, "asn": ROUTER_ASN, "hold_time": f"{hold}s",
                "keepalive_time": f"{max(1, hold // 3)}s"}
        if bfd:
            peer["bfd"] = dict(BFD)
        super().__init__(host, workdir, NODE_ASN, [peer], [SERVICE_CIDR], sections={"http": {"listen": HTTP}})

    def pids(self):
        return [self.process.pid]


class BirdNode(BirdRouter):
    def __init__(self, host, workdir, bfd, hold):
        super().__init__(host.ns, workdir, NODE_ASN, host.v4, [Peer("uplink", ROUTER_V4, host.v4, ROUTER_ASN)])
        self.bfd, self.hold = bfd, hold

    def config_text(self):
        return (f"router id {self.router_id};\n"
                f'log "{self.log}" {{ info, remote, warning, error, auth, fatal, bug }};\n'
                "protocol device { }\n"
                f"protocol static static4 {{ ipv4; route {SERVICE_CIDR} blackhole; }}\n"
                + (bird_bfd_protocol() if self.bfd else "") +
                f"protocol bgp uplink {{\n  local {self.router_id} as {self.asn};\n"
                f"  neighbor {ROUTER_V4} as {ROUTER_ASN};\n  direct;\n"
                f"  connect delay time 1;\n  connect retry time 1;\n  error wait time 1, 5;\n  hold time {self.hold};\n"
                + ("  bfd on;\n" if self.bfd else "") +
                "  ipv4 { import none; export all; };\n}\n")

    def pids(self):
        return [self.process.pid]


class FrrNode(FrrRouter):
    def __init__(self, host, workdir, bfd, hold):
        super().__init__(host.ns, workdir, NODE_ASN, host.v4, [Peer("uplink", ROUTER_V4, host.v4, ROUTER_ASN)],
                         peer_options={ROUTER_V4: {"bfd": True}} if bfd else {})
        self.bfd, self.hold = bfd, hold

    def config_text(self):
        lines = ["frr defaults traditional", "hostname node", f"log file {self.log} informational",
                 f"router bgp {self.asn}", f" bgp router-id {self.router_id}",
                 " no bgp ebgp-requires-policy",
                 " no bgp network import-check",  # the CIDR is in no RIB of the node: advertise it anyway
                 f" neighbor {ROUTER_V4} remote-as {ROUTER_ASN}",
                 f" neighbor {ROUTER_V4} timers {max(1, self.hold // 3)} {self.hold}",
                 f" neighbor {ROUTER_V4} timers connect 1"]
        if self.bfd:
            lines.append(f" neighbor {ROUTER_V4} bfd profile cis")
        lines += [" address-family ipv4 unicast", f"  network {SERVICE_CIDR}", " exit-address-family", ""]
        return "\n".join(lines)

    def pids(self):
        return [d.pid for d in (self.zebra, self.bfdd, self.bgpd) if d]


NODE_CLASSES = {"cis": CisNode, "bird": BirdNode, "frr": FrrNode}


# ---------------------------------------------------------------- the wire: BFD Control packets

BfdPacket = collections.namedtuple("BfdPacket", "time src state poll final desired_tx required_rx")


def bfd_packets(path):
    """Every single-hop BFD Control packet (UDP 3784) in a pcap, in capture order."""
    out = []
    for t, ip in pcap_ipv4(path):
        if ip[9] != 17:
            continue
        udp = ip[(ip[0] & 15) * 4:]
        if len(udp) < 8 + 24 or struct.unpack("!H", udp[2:4])[0] != 3784:
            continue
        b = udp[8:]
        tx, rx = struct.unpack("!II", b[12:20])
        out.append(BfdPacket(t, ".".join(map(str, ip[12:16])), b[1] >> 6, bool(b[1] & 0x20), bool(b[1] & 0x10), tx, rx))
    return out


def left_up(packets, src):
    """How often src's packets went from Up to any other state."""
    n, prev = 0, None
    for p in packets:
        if p.src == src:
            n += prev == UP and p.state != UP
            prev = p.state
    return n


def changes_before_up(packets, src):
    """State changes in src's packets until the first Up (the bring-up: Down -> Init -> Up or Down -> Up)."""
    n, prev = 0, None
    for p in packets:
        if p.src == src:
            n += prev is not None and p.state != prev
            if p.state == UP:
                return n
            prev = p.state
    return n


def gaps_at_interval(packets, src, peer, windows):
    """Gaps (ms) between src's consecutive packets while the negotiated interval was INTERVAL_MS: both
    packets Up with Desired Min TX = the interval, and peer's last packet asking no slower (Required
    Min RX <= it). Returns {window name: [gaps]} for windows {name: (start, end)} (wall clock, the
    gap's end decides) and "all"."""
    want = INTERVAL_MS * 1000
    out = {name: [] for name in list(windows) + ["all"]}
    prev, peer_rx = None, None
    for p in packets:
        if p.src == peer:
            peer_rx = p.required_rx
            continue
        if p.src != src:
            continue
        at_interval = p.state == UP and p.desired_tx == want
        if prev is not None and at_interval and peer_rx is not None and peer_rx <= want:
            gap = (p.time - prev.time) * 1000
            out["all"].append(gap)
            for name, (start, end) in windows.items():
                if start <= p.time <= end:
                    out[name].append(gap)
        prev = p if at_interval else None
    return out


# ---------------------------------------------------------------- detection: one lab per speaker

class RouteWatch:
    """The router's kernel routes, watched over netlink: every change wakes us, and we look at once."""
    RTMGRP_IPV4_ROUTE = 0x40

    def __init__(self, ns):
        self.ns = ns
        self.sock = netns.socket_in_namespace(ns.name, socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind((0, self.RTMGRP_IPV4_ROUTE))
        self.sock.setblocking(False)

    def drain(self):
        while True:
            try:
                self.sock.recv(65536)
            except BlockingIOError:
                return
            except OSError as e:  # ENOBUFS: notifications were lost; the next look at the FIB covers them
                if e.errno != errno.ENOBUFS:
                    raise

    def wait_hops(self, hops, timeout):
        """time.monotonic() of the route change after which 10.96.0.0/12 goes via exactly hops (None
        after timeout). Without a notification we still look every 100 ms (then the time is that look's)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.sock], [], [], min(0.1, max(0.0, deadline - time.monotonic())))
            t = time.monotonic()
            if ready:
                self.drain()
            if kernel_next_hops(self.ns, SERVICE_CIDR) == hops:
                return t
        return None

    def close(self):
        self.sock.close()


class DetectionLab:
    """The BIRD router and two nodes running one kind of speaker."""

    def __init__(self, kind, bfd=True, hold=HOLD_S):
        self.kind, self.bfd, self.hold = kind, bfd, hold
        self.workdir = tempfile.mkdtemp(prefix=f"cis-bench-bfd-{kind}-")
        os.chmod(self.workdir, 0o755)  # FRR runs as user frr and must reach its directory inside
        self.lab = Lab(self.workdir)
        self.capture = self.fib = None

    def start(self):
        self.hosts = [self.lab.add_host() for _ in range(2)]
        self.all_hops = {h.v4 for h in self.hosts}
        self.router = self.lab.start_router("bird", ROUTER_ASN, [Peer(h.name, h.v4, ROUTER_V4, NODE_ASN) for h in self.hosts],
                                            peer_options={h.v4: {"bfd": True} for h in self.hosts} if self.bfd else {})
        if self.bfd:
            self.capture = self.lab.adopt(Capture(self.lab.router_ns, "lan", os.path.join(self.workdir, "bfd.pcap"),
                                                  "udp port 3784"))
        self.fib = RouteWatch(self.lab.router_ns)
        self.nodes = [self.lab.adopt(NODE_CLASSES[self.kind](h, self.workdir, self.bfd, self.hold)) for h in self.hosts]
        for n in self.nodes:
            n.start()

    def wait_ready(self, timeout=60):
        wait_for(f"{self.kind}: both nodes in the router's FIB", lambda: kernel_next_hops(self.lab.router_ns, SERVICE_CIDR),
                 until=lambda hops: hops == self.all_hops, timeout=timeout)
        for h in self.hosts if self.bfd else []:
            self.wait_bfd_up(h, timeout)

    def wait_bfd_up(self, host, timeout=60):
        wait_for(f"{self.kind}: BFD Up at {INTERVAL_MS} ms at the router for {host.name}",
                 lambda: self.router.bfd_sessions().get(host.v4, {}),
                 until=lambda s: s.get("state") == "Up" and abs(s.get("interval", 0) - INTERVAL_MS) < 1, timeout=timeout)

    def usage(self):
        """Per node: (CPU seconds by utime+stime, RSS bytes) of its processes."""
        return [(ticks, rss) for _hwm, rss, _cpu, ticks in (proc_usage(n.pids()) for n in self.nodes)]

    def kill(self, victim):
        """Drops everything on victim's link; returns (seconds until the router's FIB stops using it,
        the router's reason for dropping the session)."""
        survivors = self.all_hops - {victim.v4}
        self.fib.drain()
        netns.cut_off(victim.ns)
        t0 = time.monotonic()
        limit = self.hold + 10
        t = self.fib.wait_hops(survivors, limit)
        if t is None:
            raise RuntimeError(f"{self.kind}: the router still used {victim.v4} {limit} s after it died; "
                               f"FIB {kernel_next_hops(self.lab.router_ns, SERVICE_CIDR)}")
        return t - t0, self.router.last_error(victim.v4)

    def revive(self, victim):
        netns.reconnect(victim.ns)
        wait_for(f"{self.kind}: {victim.name} back in the router's FIB", lambda: kernel_next_hops(self.lab.router_ns, SERVICE_CIDR),
                 until=lambda hops: hops == self.all_hops, timeout=60)
        if self.bfd:
            self.wait_bfd_up(victim)

    def sent(self, start, end):
        """Per node, from the capture, between start and end (wall clock): (BFD packets per second it
        sent, its worst gap at the negotiated interval in ms or None)."""
        packets = bfd_packets(self.capture.path)
        out = []
        for h in self.hosts:
            gaps = gaps_at_interval(packets, h.v4, ROUTER_V4, {"window": (start, end)})["window"]
            out.append((sum(1 for p in packets if p.src == h.v4 and start <= p.time <= end) / (end - start),
                        max(gaps) if gaps else None))
        return out

    def close(self, ok):
        if not ok:
            print_logs(self.lab.logs(), max_lines=60)
            print(f"\n----- logs kept in {self.workdir}", file=sys.stderr, flush=True)
        if self.fib:
            self.fib.close()
        self.lab.close()
        if ok:
            shutil.rmtree(self.workdir, ignore_errors=True)


def detection(args):
    """Idle cost and --deaths hard deaths for each speaker, all labs up at once, speakers taking turns."""
    labs, ok = {}, False
    res = {k: {"times": [], "reasons": collections.Counter()} for k in args.speakers}
    try:
        for kind in args.speakers:
            labs[kind] = DetectionLab(kind)
            labs[kind].start()
        for lab in labs.values():
            lab.wait_ready()
        time.sleep(2)  # past the bring-up's Poll sequences: the idle window sees the steady state
        before = {k: lab.usage() for k, lab in labs.items()}
        t0_wall, t0 = time.time(), time.monotonic()
        time.sleep(args.idle)
        after = {k: lab.usage() for k, lab in labs.items()}
        t1_wall, elapsed = time.time(), time.monotonic() - t0
        for kind, lab in labs.items():
            sent = lab.sent(t0_wall, t1_wall)
            pps = [p for p, _ in sent]
            gaps = [g for _, g in sent if g is not None]
            cpu = [(a[0] - b[0]) * 1000 for a, b in zip(after[kind], before[kind])]
            rss = [a[1] / 2**20 for a in after[kind]]
            res[kind]["idle"] = {"cpu_ms": sum(cpu) / len(cpu), "rss": sum(rss) / len(rss), "pps": sum(pps) / len(pps),
                                 "worst_gap": max(gaps) if gaps else None, "seconds": elapsed}
            print(f"idle {elapsed:.0f} s, {LABELS[kind]:<17} per node: CPU {[round(c) for c in cpu]} ms, "
                  f"RSS {[f'{r:.1f}' for r in rss]} MB, BFD {[f'{p:.2f}' for p in pps]} packets/s, "
                  f"worst gap {[f'{g:.1f}' for g in gaps]} ms", flush=True)
        for i in range(args.deaths):
            for kind, lab in labs.items():
                victim = lab.hosts[i % 2]
                seconds, reason = lab.kill(victim)
                res[kind]["times"].append(seconds * 1000)
                res[kind]["reasons"][reason or "?"] += 1
                lab.revive(victim)
                print(f"death {i + 1}/{args.deaths} {LABELS[kind]:<17} {victim.name}: FIB without it after "
                      f"{seconds * 1000:6.0f} ms (router: {reason}) [load {report.loadavg()}]", flush=True)
        ok = True
        return res
    finally:
        for lab in labs.values():
            lab.close(ok)


def death_without_bfd(hold):
    """One hard death with BFD off everywhere: the router's hold timer decides."""
    lab, ok = DetectionLab("cis", bfd=False, hold=hold), False
    try:
        lab.start()
        lab.wait_ready()
        time.sleep(1)
        seconds, reason = lab.kill(lab.hosts[0])
        ok = True
        print(f"death without BFD (hold time {hold} s), {LABELS['cis']}: FIB without it after {seconds:.2f} s "
              f"(router: {reason})", flush=True)
        return {"seconds": seconds, "reason": reason, "hold": hold}
    finally:
        lab.close(ok)


# ---------------------------------------------------------------- load: bench_k8s's phases, BFD on

class BfdReceiverBird(ReceiverBird):
    def config_text(self):
        channel = "  ipv4 { import all; export none; };"
        text = super().config_text()
        if channel not in text:
            raise RuntimeError("ReceiverBird's config changed: cannot add `bfd on`")
        return text.replace(channel, "  bfd on;\n" + channel) + bird_bfd_protocol()


class BfdDaemon(Daemon):
    extra_peer_fields = (f", bfd: {{ enabled: true, min_rx: {BFD['min_rx']}, min_tx: {BFD['min_tx']}, "
                         f"multiplier: {BFD['multiplier']} }}")

    def status(self):
        return json.loads(self.host.ns.run("curl", "-sS", "--max-time", "10", f"http://{HTTP}/status"))

    def bfd(self):
        [session] = self.status()["bfd"]
        return session

    def reload_with_static(self, prefixes):
        """advertise.static := prefixes in the config file (replaced whole, so no half-written file is read), then SIGHUP."""
        with open(self.conf) as f:
            text = f.read()
        text = text.replace("advertise:\n", "advertise:\n  static:\n" + "".join(f"    - {p}\n" for p in prefixes), 1)
        with open(self.conf + ".new", "w") as f:
            f.write(text)
        os.replace(self.conf + ".new", self.conf)
        self.process.signal(signal.SIGHUP)


def static_prefixes(n):
    return [f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}/32" for a in range(STATIC_BASE, STATIC_BASE + n)]


class BfdLoadRun(Run):
    router_class, daemon_class = BfdReceiverBird, BfdDaemon

    def load(self):
        a = self.args
        self.build()
        cap = self.lab.adopt(Capture(self.lab.router_ns, self.host.name, os.path.join(self.workdir, "bfd.pcap"),
                                     "udp port 3784"))
        # The first plan needs the Node: holding it back puts the plan of every Service after BFD is
        # Up at its 300 ms interval (it comes Up about 1-2 s after the start, at 1 packet/s).
        self.api.command("/config", {"latency": a.plan_delay, "latency_prefix": "/api/v1/nodes"})
        windows, status = {}, {}
        startup = self.startup()
        windows["start-up"] = (self.daemon.started_wall, time.time())
        self.api.command("/config", {"latency": 0})
        status["start-up"] = self.daemon.bfd()
        t = time.time()
        churn = self.churn()
        windows["churn"] = (t, time.time())
        status["churn"] = self.daemon.bfd()
        prefixes = static_prefixes(a.static)
        want = self.expected_routes() + len(prefixes)
        t, t_mono = time.time(), time.monotonic()
        self.daemon.reload_with_static(prefixes)
        self.wait_imported(want, 120 + len(prefixes) / 1000, f"reload with {len(prefixes)} static /32s")
        reload_ms = (time.monotonic() - t_mono) * 1000
        time.sleep(1.0)  # a few more BFD packets after the load
        windows["reload"] = (t, time.time())
        status["reload"] = self.daemon.bfd()
        router_session = self.router.bfd_sessions().get(self.host.v4, {})
        dropped = cap.stop()
        return self.analyse(bfd_packets(cap.path), windows, status, startup, churn, reload_ms, router_session, dropped)

    def analyse(self, packets, windows, status, startup, churn, reload_ms, router_session, dropped):
        node, first_routes = self.host.v4, self.daemon.started_wall + (startup["first_routes"] or 0) / 1000
        at_interval = next((p.time for p in packets if p.src == node and p.state == UP and p.desired_tx == INTERVAL_MS * 1000),
                           None)
        node_gaps = gaps_at_interval(packets, node, ROUTER_V4, windows)
        router_gaps = gaps_at_interval(packets, ROUTER_V4, node, windows)
        return {"windows": windows, "status": status, "node_gaps": node_gaps, "router_gaps": router_gaps,
                "node_left_up": left_up(packets, node), "router_left_up": left_up(packets, ROUTER_V4),
                "bring_up_changes": changes_before_up(packets, node),
                "packets": {name: sum(1 for p in packets if p.src == node and s <= p.time <= e)
                            for name, (s, e) in windows.items()},
                "interval_before_plan": at_interval is not None and at_interval < first_routes,
                "interval_at_s": (at_interval - self.daemon.started_wall) if at_interval else None,
                "first_routes_s": first_routes - self.daemon.started_wall,
                "startup": startup, "churn": churn, "reload_ms": reload_ms, "router_session": router_session,
                "dropped": dropped}


def load(args, exe):
    run, ok = BfdLoadRun(args, exe, args.keep_logs), False
    try:
        r = run.load()
        ok = True
        return r
    finally:
        run.close(ok)


# ---------------------------------------------------------------- the report

def ms(values):
    return f"{pct(values, 50):.0f} / {pct(values, 99):.0f} / {max(values):.0f} [{min(values):.0f}]"


def detection_tables(res, args, no_bfd):
    out = [f"### Hard node death → the router's kernel route stops using the node ({args.deaths} deaths per speaker)\n",
           f"BFD {INTERVAL_MS} ms × {BFD['multiplier']} on both sides, BIRD 2 as the router. "
           "**Timer-dominated**: the router declares the node down 3 × 300 ms after the last packet it "
           "received, which left the node 0-300 ms before the death, so 600-900 ms plus the router's "
           "own work is the expected band whatever the node runs.\n",
           "| node-side speaker | p50 / p99 / max [min] (ms) | the router dropped the session for |",
           "|---|---:|---|"]
    for kind in args.speakers:
        r = res[kind]
        reasons = ", ".join(f"{why} ({n})" for why, n in r["reasons"].most_common())
        out.append(f"| {LABELS[kind]} | {ms(r['times'])} | {reasons} |")
    if no_bfd:
        out.append(f"| {LABELS['cis']}, **no BFD** (once; hold time {no_bfd['hold']} s) | "
                   f"{no_bfd['seconds'] * 1000:.0f} | {no_bfd['reason']} |")
    bad = [k for k in args.speakers if any("bfd" not in why.lower() for why in res[k]["reasons"])]
    if bad:
        out.append(f"\n**Not every death was detected by BFD** ({', '.join(LABELS[k] for k in bad)}): see the reasons.")
    if no_bfd:
        out.append(f"\nWithout BFD the figure is the BGP hold time ({no_bfd['hold']} s here, the test harness's; "
                   "90 s with clusterip-speaker's default, 180-240 s with common router defaults): timer-dominated too.")
    out += [f"\n### Idle BFD: {args.idle:g} s, nothing happening, per node (mean of the two nodes)\n",
            "| node-side speaker | processes | CPU (ms, utime+stime) | CPU (% of one core) | RSS (MB) | BFD packets/s sent "
            f"| worst gap between its packets at {INTERVAL_MS} ms (wire, ms, either node) |",
            "|---|---|---:|---:|---:|---:|---:|"]
    for kind in args.speakers:
        i = res[kind]["idle"]
        gap = f"{i['worst_gap']:.1f}" if i["worst_gap"] is not None else "n/a"
        out.append(f"| {LABELS[kind]} | {PROCESSES[kind]} | {i['cpu_ms']:.0f} | {i['cpu_ms'] / i['seconds'] / 10:.2f} "
                   f"| {i['rss']:.1f} | {i['pps']:.2f} | {gap} |")
    return "\n".join(out)


def load_tables(r, args):
    phases = list(r["windows"])
    st = r["status"]
    worst = lambda gaps: f"{max(gaps):.1f}" if gaps else "n/a"  # noqa: E731
    over = lambda gaps: str(sum(1 for g in gaps if g > INTERVAL_MS)) if gaps else "n/a"  # noqa: E731
    head = (f"start-up: plan {args.services:,} Services", f"churn: {args.rate:,} changes/s × {args.duration:g} s",
            f"reload: {args.static:,} static /32s")
    out = [f"### BFD under load (clusterip-speaker, BFD {INTERVAL_MS} ms × {BFD['multiplier']}, BIRD 2 router)\n",
           "| | " + " | ".join(head) + " | all |", "|---|" + "---:|" * (len(phases) + 1)]

    def row(label, values):
        out.append(f"| {label} | " + " | ".join(values) + " |")
    row("BFD packets from the node (wire)", [str(r["packets"][p]) for p in phases] + [str(sum(r["packets"].values()))])
    row(f"**worst gap between the node's packets at {INTERVAL_MS} ms (wire, ms)**",
        [worst(r["node_gaps"][p]) for p in phases] + [worst(r["node_gaps"]["all"])])
    row(f"gaps over {INTERVAL_MS} ms (wire), of all gaps at {INTERVAL_MS} ms",
        [f"{over(r['node_gaps'][p])} of {len(r['node_gaps'][p])}" for p in phases + ["all"]])
    row("gap p50 / p99 (wire, ms)", [f"{pct(r['node_gaps'][p], 50):.1f} / {pct(r['node_gaps'][p], 99):.1f}"
                                     if r["node_gaps"][p] else "n/a" for p in phases + ["all"]])
    row("daemon's worst_transmit_gap_ms / worst_gap_interval_ms (since start, at the phase's end)",
        [f"{st[p]['worst_transmit_gap_ms']:.1f} / {st[p]['worst_gap_interval_ms']:.0f}" for p in phases] + [""])
    row("daemon's BFD state_changes (since start, at the phase's end)",
        [str(st[p]["state_changes"]) for p in phases] + [""])
    row("worst gap between the router's packets (wire, ms; for context)",
        [worst(r["router_gaps"][p]) for p in phases] + [worst(r["router_gaps"]["all"])])
    changes = st[phases[-1]]["state_changes"] - r["bring_up_changes"]
    ok = changes == 0 and r["node_left_up"] == 0 and r["router_left_up"] == 0 and r["router_session"].get("state") == "Up"
    out.append("")
    out.append(("BFD stayed Up throughout: " if ok else "**BFD DID NOT STAY UP UNDER LOAD**: ") +
               f"{changes} daemon state changes after the bring-up (which took {r['bring_up_changes']}, Down → … → Up "
               f"as seen on the wire); the node's packets left Up {r['node_left_up']} times, the router's "
               f"{r['router_left_up']} times; the router's session at the end: {r['router_session'].get('state', 'absent')}.")
    late = [g for g in r["node_gaps"]["all"] if g > INTERVAL_MS]
    if late:
        out.append(f"\n**The worst gap exceeded the negotiated interval × 1.0**: {len(late)} of "
                   f"{len(r['node_gaps']['all'])} gaps at {INTERVAL_MS} ms were longer, the worst by "
                   f"{max(late) - INTERVAL_MS:.1f} ms. Where the daemon's own worst_transmit_gap_ms says the same, the "
                   "packet left late (not a capture artefact). The jitter (RFC 5880 §6.8.7: 75-100 % of the "
                   "interval) lets a planned gap reach the full interval, so any wake-up delay on a draw near "
                   f"100 % goes over it. The router's detection time ({BFD['multiplier'] * INTERVAL_MS} ms) was "
                   f"{'never approached' if max(late) < BFD['multiplier'] * INTERVAL_MS / 2 else '**approached**'}.")
        router_late = [g for g in r["router_gaps"]["all"] if g > INTERVAL_MS]
        if r["router_gaps"]["all"] and not router_late:
            worst_router = max(r["router_gaps"]["all"])
            out.append(f"The router's BIRD, on the same machine in the same phases, sent with gaps of at most "
                       f"{worst_router:.1f} ms ({worst_router / INTERVAL_MS * 100:.0f} % of the interval): its jitter "
                       "stays further below 100 %, which leaves room for a late wake-up.")
        if router_late:
            out.append(f"The router's BIRD (another process, its own BFD thread, not loaded by the daemon) sent late "
                       f"too ({len(router_late)} gaps over {INTERVAL_MS} ms, worst {max(router_late):.1f} ms) in the "
                       "same run: the machine itself was short of CPU, so this run cannot tell the daemon's share.")
    c = r["churn"]
    at = f"{r['interval_at_s']:.2f} s" if r["interval_at_s"] is not None else "never (!)"
    out.append(f"\nBFD was at {INTERVAL_MS} ms {at} after the daemon started; the first "
               f"routes (the plan of every Service) left {r['first_routes_s']:.2f} s after it"
               + ("" if r["interval_before_plan"] else " (**before BFD reached 300 ms: the start-up column does not cover the plan**)")
               + f". Churn: {c['changes']:,} changes at {c['rate']:.0f}/s, BGP session kept: {'yes' if c['session_ok'] else 'NO'}; "
               f"reload: SIGHUP → all {args.static:,} /32s at the router in {r['reload_ms']:.0f} ms.")
    if r["dropped"]:
        out.append(f"\ntcpdump reported {r['dropped']} packets dropped by the kernel: the wire gaps may be overstated.")
    return "\n".join(out)


def idle_versus_load(res, load_res, args):
    """The machine's own scheduling noise: the idle labs' worst gaps, next to the daemon's under load."""
    idle = {k: res[k]["idle"]["worst_gap"] for k in args.speakers if res[k]["idle"]["worst_gap"] is not None}
    loaded = max(load_res["node_gaps"]["all"], default=None)
    if not idle or loaded is None:
        return ""
    text = ", ".join(f"{LABELS[k]} {g:.1f} ms" for k, g in idle.items())
    if all(g > loaded for g in idle.values()):
        return (f"For scale: in the idle window of the same run, with nothing to do, the worst gaps at {INTERVAL_MS} ms "
                f"were {text}, all longer than the daemon's worst under load ({loaded:.1f} ms): on this machine the "
                "scheduling noise, not the daemon's load, sets the tail.")
    return f"For scale: worst gaps at {INTERVAL_MS} ms in the idle window of the same run: {text}."


def section(res, no_bfd, load_res, args, note, cmdline, info):
    parts = [f"## BFD (`bench/bench_bfd.py`)\n{note}",
             f"On {info['cpu']}, {info['nproc']} CPUs, kernel {info['kernel']}; {info['speaker']}, "
             f"{info['bird']}, FRR {info['frr']}.\n"]
    if args.note:
        parts.append(f"**{args.note}**\n")
    parts.append(f"`{cmdline}`. All three node-side speakers run in the same invocation, one lab each, "
                 "up at the same time; in every round each lab loses a node in turn.\n")
    if res:
        parts.append(detection_tables(res, args, no_bfd) + "\n")
    if load_res:
        parts.append(load_tables(load_res, args) + "\n")
    if res and load_res:
        parts.append(idle_versus_load(res, load_res, args) + "\n")
    parts.append(f"""How it is measured:
- **Deaths**: every packet on the victim node's link is dropped by nftables (`table inet cis_dead`,
  input and output hooks, loopback accepted: tests/interop/netns.cut_off). The time runs from
  `nft` returning to the netlink route notification after which the router's kernel route for
  {SERVICE_CIDR} no longer lists the victim as a next hop (both nodes advertise it; BIRD merges the
  two paths into one ECMP route). The router's reason is its `Last error`. The victim then gets its
  link back and the next death waits for the router's BFD session to be Up at {INTERVAL_MS} ms again.
  Percentiles are nearest-rank: below 100 deaths, p99 is the largest.
- **Idle**: CPU is utime+stime from `/proc/PID/stat` (10 ms ticks) over the window, summed over the
  node's processes (FRR: zebra, bfdd and bgpd; BIRD: its one process); RSS is VmRSS at the end;
  packets per second are the node's BFD packets on the wire (tcpdump on the router's LAN bridge).
  The node also keeps its BGP session (keepalives every 3 s), as it would in use.
- **Load**: bench_k8s.py's lab and phases (fake API server, fake kube-proxy, BIRD 2 receiving),
  BFD on both ends. The Node object is served {args.plan_delay:g} s late so the first plan, which
  handles every Service, runs once BFD is Up at {INTERVAL_MS} ms. A gap on the wire counts when both
  packets are Up with Desired Min TX {INTERVAL_MS} ms and the router's last Required Min RX is at most
  {INTERVAL_MS} ms (so the negotiated interval is {INTERVAL_MS} ms); with the RFC's 75-100 % jitter
  the target is below {INTERVAL_MS} ms (interval × 1.0). The daemon's own figures come from its
  `/status` (`worst_transmit_gap_ms`: the longest time between two periodic packets sent while Up at
  the same interval, since its start). The reload writes the /32s into `advertise.static` of the
  config file and sends SIGHUP.
""")
    return "\n".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deaths", type=int, default=int(os.environ.get("CIS_BENCH_BFD_DEATHS", "20")),
                    help="hard deaths per speaker (default $CIS_BENCH_BFD_DEATHS or 20)")
    ap.add_argument("--speakers", type=lambda s: s.split(","), default=list(SPEAKERS),
                    help="comma-separated subset of cis,bird,frr for the detection part (default all)")
    ap.add_argument("--idle", type=float, default=60, help="idle window in seconds (default 60)")
    ap.add_argument("--hold-time", type=int, default=HOLD_S,
                    help=f"BGP hold time for the one death without BFD (default {HOLD_S}; 0 = skip it)")
    ap.add_argument("--no-detection", action="store_true", help="skip the idle and death measurements")
    ap.add_argument("--no-load", action="store_true", help="skip the load measurement")
    add_run_arguments(ap, duration=30)  # load: the Services planned at start, then the churn
    ap.add_argument("--static", type=int, default=100000, help="load: static /32s loaded by reload (default 100000)")
    ap.add_argument("--plan-delay", type=float, default=3.0,
                    help="load: seconds the Node is held back, so the first plan runs with BFD Up (default 3)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 2 deaths, 5 s idle, no death without BFD; load with 1000 Services, 500 "
                         "changes/s for 5 s, 10000 static /32s; implies --no-write")
    ap.add_argument("--note", default="", help="a sentence for the report, e.g. that the machine was shared")
    ap.add_argument("--no-write", action="store_true", help=f"print only; do not touch {report.DOC}")
    ap.add_argument("--output", default=report.DOC, help="the Markdown report whose bfd section to rewrite")
    ap.add_argument("--keep-logs", action="store_true", help="keep the load run's directory in /tmp")
    args = ap.parse_args()
    if args.quick:
        args.deaths, args.idle, args.hold_time, args.no_write = 2, 5, 0, True
        args.services, args.rate, args.duration, args.static, args.drain = 1000, 500, 5, 10000, 60
    args.events, args.interval = 0, 0.05  # bench_k8s's reaction phase: not run here
    unknown = [s for s in args.speakers if s not in SPEAKERS]
    if unknown or args.deaths < 1 or args.idle <= 0 or args.duration <= 0 or args.services < args.batch + 1:
        ap.error(f"unknown speaker(s) {unknown}" if unknown else
                 "need --deaths ≥ 1, --idle > 0, --duration > 0 and more --services than one --batch")

    frr_tools = ["/usr/lib/frr/zebra", "/usr/lib/frr/bgpd", "/usr/lib/frr/bfdd", "vtysh"]
    preflight("bench_bfd", ["ip", "nft", "tcpdump", "curl"] + TOOLS["bird"] + frr_tools, True)
    # A private copy: other engineers may relink the build tree's binary during a long run.
    bindir = tempfile.mkdtemp(prefix="cis-bench-bfd-bin-")
    exe = os.path.join(bindir, "clusterip-speaker")
    shutil.copy2(binary(), exe)
    os.environ["CIS_BINARY"] = exe

    info = report.machine()  # now: later $CIS_BINARY names a copy that is gone
    argv = sys.argv[1:]
    if "--note" in argv:  # the note is printed on its own
        del argv[argv.index("--note"):argv.index("--note") + 2]
    cmdline = " ".join(["sudo python3 bench/bench_bfd.py"] + argv)
    load_before = report.loadavg()
    started, t0 = report.now(), time.monotonic()
    print(f"load average before: {load_before} on {os.cpu_count()} CPUs", flush=True)
    res = no_bfd = load_res = None
    try:
        if not args.no_detection:
            res = detection(args)
            if args.hold_time > 0:
                no_bfd = death_without_bfd(args.hold_time)
        if not args.no_load:
            load_res = load(args, exe)
    except (RuntimeError, AssertionError) as e:
        sys.exit(f"bench_bfd FAILED: {e}")
    finally:
        shutil.rmtree(bindir, ignore_errors=True)
    load_after = report.loadavg()
    elapsed = time.monotonic() - t0
    print()
    if res:
        print(detection_tables(res, args, no_bfd))
        print()
    if load_res:
        print(load_tables(load_res, args))
    if res and load_res:
        print("\n" + idle_versus_load(res, load_res, args))
    print(f"\nload average before / after: {load_before} / {load_after}; {elapsed:.0f} s")
    if not args.no_write:
        note = report.run_note(started, elapsed, load_before, load_after)
        report.write_section("bfd", section(res, no_bfd, load_res, args, note, cmdline, info), args.output, info)
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
