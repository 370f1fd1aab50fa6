#!/usr/bin/env python3
"""OSPF: how soon after its start a speaker's routes reach a BIRD 2 router, and how soon after SIGTERM
they leave it.

    router namespace: BIRD 2, OSPFv2 area 0 on bridge "lan" 10.0.1.1/24 (broadcast, or ptp with one
    node), hello 1 s, dead 4 s, wait 2 s, SPF `tick 1` (the default); no kernel export, no debug log
      |-- veth -- node1 namespace: uplink 10.0.1.2/24, the speaker under test, priority 0 (never DR),
                  hello 1 s, dead 4 s, retransmit 2 s, advertising 10.96.0.0/12 and --externals /32s
                  (10.200.0.1, ...) as AS-external (E2) LSAs:
                  cis  = clusterip-speaker, OSPF only, `service_cidrs` + `static`
                  bird = BIRD 2, `protocol static` (blackhole routes) exported into OSPF
                  frr  = FRR zebra + staticd (`ip route ... blackhole`) + ospfd, `redistribute static`

For every (network, run, speaker) a fresh lab is built (the interop harness's namespaces), the router is
started and left alone for --settle seconds (so that its own router-LSA, originated at its start, may
change at once when the adjacency forms: RFC 2328 §12.4 MinLSInterval, 5 s; a router that has been
running for a while is the usual case), then the speaker is started. The router's OSPF table is polled
every --poll seconds over one control-socket connection (`show route protocol ospf1 where source =
RTS_OSPF_EXT2 count`). Measured:
  start->routes   speaker process start to the first poll showing all 1 + N external routes (then
                  checked: exactly those prefixes, each via the node)
  SIGTERM->gone   SIGTERM to the first poll showing none of them
  peak RSS, CPU   of the speaker's process(es) when the routes arrived (FRR: zebra + staticd + ospfd)
Each figure is the median of --runs runs with [min..max]; the speakers alternate run by run. Nothing here
asserts a time: a run fails only when the routes do not arrive (or leave) within a generous bound.
"""
import argparse
import datetime
import ipaddress
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))
sys.path.insert(0, HERE)

import netns  # noqa: E402  (the harness: namespaces, safety net, stale clean-up)
import report  # noqa: E402  (docs/benchmarks.md: header + one section per benchmark)
from bench_bgp_bulk import BirdControl, ForegroundBird, kill_now, preflight, proc_usage  # noqa: E402
from bird import BirdRouter  # noqa: E402
from frr import FrrRouter  # noqa: E402
from lab import ROUTER_V4, Lab, print_logs  # noqa: E402
from speaker import SpeakerNode  # noqa: E402

DOC = report.DOC
SERVICE_CIDR = "10.96.0.0/12"
SPEAKERS = ("cis", "bird", "frr")
NETWORKS = ("broadcast", "ptp")
LABELS = {"cis": "clusterip-speaker", "bird": "BIRD 2", "frr": "FRR ospfd"}
SPEAKER_TOOLS = {"cis": [], "bird": ["bird"],
                 "frr": ["/usr/lib/frr/zebra", "/usr/lib/frr/staticd", "/usr/lib/frr/ospfd"]}
# The node's OSPF interface, the same for every speaker (and as tests/interop/test_ospf.py uses).
HELLO, DEAD, RXMT = 1, 4, 2  # BIRD refuses a retransmit interval below 2 s


def prefixes(externals):
    """The Service CIDR and `externals` /32s counted up from 10.200.0.1 (clear of the CIDR and the lab)."""
    base = int(ipaddress.IPv4Address("10.200.0.1"))
    return [SERVICE_CIDR] + [f"{ipaddress.IPv4Address(base + i)}/32" for i in range(externals)]


# ---------------------------------------------------------------- the receiving router

class ReceiverBird(BirdRouter):
    """BIRD 2 as the OSPF router: what the interop tests run, minus the kernel export and the debug log
    (both load its one thread with work that is not OSPF), with a persistent control connection."""

    def __init__(self, ns, workdir, network):
        super().__init__(ns, workdir, asn=None, router_id=ROUTER_V4, peers=[])
        self.network = network

    def config_text(self):
        return f"""\
router id {self.router_id};
log "{self.log}" {{ info, remote, warning, error, auth, fatal, bug }};
protocol device {{ scan time 1; }}
protocol ospf v2 ospf1 {{
  ipv4 {{ import all; export none; }};
  ecmp yes;
  tick 1;
  area 0 {{
    interface "lan" {{
      type {self.network};
      hello {HELLO}; dead {DEAD}; retransmit 2; wait 2;
    }};
  }};
}}
"""

    def start(self):
        super().start()
        self.control = BirdControl(self.sock)

    def stop(self):
        if getattr(self, "control", None):
            self.control.close()
        super().stop()

    def external_count(self):
        """How many E2 routes BIRD's OSPF protocol has put in its table."""
        lines = self.control.query("show route protocol ospf1 where source = RTS_OSPF_EXT2 count")
        for line in lines:
            m = re.search(r"(\d+) of (\d+) routes", line)
            if m:
                return int(m.group(1))
        raise RuntimeError("unexpected reply to `show route ... count`: " + " | ".join(lines))

    def external_routes(self):
        """prefix -> set of next hops of the E2 routes in BIRD's table."""
        routes, current = {}, None
        for line in self.control.query("show route protocol ospf1 where source = RTS_OSPF_EXT2"):
            # "DDDD-text" opens a reply part, " text" continues it.
            text = line[5:] if len(line) > 4 and line[:4].isdigit() else line[1:]
            m = re.match(r"^(\d+\.\d+\.\d+\.\d+/\d+)\s+unicast", text)
            if m:
                current = m.group(1)
                routes.setdefault(current, set())
                continue
            m = re.match(r"^\s+via (\S+)", text)
            if m and current:
                routes[current].add(m.group(1))
        return routes


# ---------------------------------------------------------------- the speakers under test
# start() only launches the process(es) and returns; pids() are the processes whose cost counts.

class CisSpeaker(SpeakerNode):
    label = LABELS["cis"]

    def __init__(self, host, workdir, network, routes):
        self.host, self.name, self.process = host, host.name, None
        self.on_sigterm = None  # the daemon's default (its --on-sigterm choice concerns BGP only)
        self.conf = os.path.join(workdir, f"{self.name}.yaml")
        self.log = os.path.join(workdir, f"{self.name}.log")
        node_network = "point-to-point" if network == "ptp" else "broadcast"
        with open(self.conf, "w") as f:
            f.write(
                f'node: {{ name: {self.name}, router_id: "{host.v4}" }}\n'
                f'advertise:\n  service_cidrs: ["{routes[0]}"]\n  cluster_ips: none\n'
                "  require_kube_proxy: false\n  require_node_ready: false\n"
                "  static:\n" + "".join(f"    - {p}\n" for p in routes[1:]) +
                "kubernetes: { enabled: false }\n"
                'http: { listen: "" }\n'
                "bgp: { enabled: false }\n"
                "ospf:\n  enabled: true\n"
                f'  router_id: "{host.v4}"\n'
                "  interfaces:\n"
                f"    - {{ name: uplink, network: {node_network}, hello_interval: {HELLO}s, "
                f"dead_interval: {DEAD}s, retransmit_interval: {RXMT}s }}\n"
                "log: { level: info }\n")

    def pids(self):
        return [self.process.pid]

    def terminate(self):
        self.process.signal(signal.SIGTERM)


class BirdSpeaker(ForegroundBird):
    label = LABELS["bird"]

    def __init__(self, host, workdir, network, routes):
        super().__init__(host.ns, workdir, asn=None, router_id=host.v4, peers=[])
        self.network, self.routes = network, routes

    def config_text(self):
        return (f"router id {self.router_id};\n"
                f'log "{self.log}" {{ info, remote, warning, error, auth, fatal, bug }};\n'
                "protocol device { scan time 1; }\n"
                "protocol static static4 {\n  ipv4;\n" + "".join(f"  route {p} blackhole;\n" for p in self.routes) +
                "}\n"
                "protocol ospf v2 ospf1 {\n"
                "  ipv4 { import none; export where source = RTS_STATIC; };\n"
                "  area 0 {\n"
                '    interface "uplink" {\n'
                f"      type {self.network}; priority 0;\n"
                f"      hello {HELLO}; dead {DEAD}; retransmit {RXMT};\n"
                "    };\n  };\n}\n")

    def terminate(self):
        self.process.signal(signal.SIGTERM)


class FrrSpeaker(FrrRouter):
    """zebra (needed: staticd and ospfd learn the static routes through it), staticd and ospfd, each
    with its own configuration file."""
    label = LABELS["frr"]

    def __init__(self, host, workdir, network, routes):
        super().__init__(host.ns, workdir, asn=None, router_id=host.v4, peers=[])
        self.network, self.routes = network, routes
        self.log = os.path.join(self.dir, "frr.log")
        self.confs = {d: os.path.join(self.dir, f"{d}.conf") for d in ("zebra", "staticd", "ospfd")}
        self.zebra = self.staticd = self.ospfd = None

    def config_texts(self):
        head = ["frr defaults traditional", "hostname node1", f"log file {self.log} informational"]
        ospfd = ["interface uplink", " ip ospf area 0", " ip ospf priority 0",
                 f" ip ospf hello-interval {HELLO}", f" ip ospf dead-interval {DEAD}",
                 f" ip ospf retransmit-interval {RXMT}"]
        if self.network == "ptp":
            ospfd.append(" ip ospf network point-to-point")
        ospfd += ["exit", "router ospf", f" ospf router-id {self.router_id}", " redistribute static", "exit"]
        return {"zebra": head, "staticd": head + [f"ip route {p} blackhole" for p in self.routes],
                "ospfd": head + ospfd}

    def start(self):
        for daemon, lines in self.config_texts().items():
            with open(self.confs[daemon], "w") as f:
                f.write("\n".join(lines) + "\n")
            shutil.chown(self.confs[daemon], "frr", "frr")
        self.zebra = self._daemon("zebra", "-f", self.confs["zebra"])
        # staticd and ospfd connect to zebra's socket; started before it exists they would retry later.
        zserv = os.path.join(self.dir, "zserv.api")
        deadline = time.monotonic() + 15
        while not os.path.exists(zserv):
            self.zebra.assert_running()
            if time.monotonic() > deadline:
                raise RuntimeError("FRR zebra did not create its socket within 15 s")
            time.sleep(0.005)
        self.staticd = self._daemon("staticd", "-f", self.confs["staticd"])
        self.ospfd = self._daemon("ospfd", "-f", self.confs["ospfd"])

    @property
    def process(self):
        return self.zebra  # started first: its start is the speaker's start

    def daemons(self):
        return [d for d in (self.ospfd, self.staticd, self.zebra) if d]

    def pids(self):
        return [d.pid for d in self.daemons()]

    def terminate(self):
        # ospfd is the one that leaves OSPF; zebra and staticd stay up, as on a router being reconfigured.
        self.ospfd.signal(signal.SIGTERM)

    def stop(self):
        for d in self.daemons():
            d.stop()

    def logs(self):
        return [(f"FRR {d}.conf", c) for d, c in self.confs.items()] + [("FRR log", self.log)] + [
            (f"FRR {n} output", os.path.join(self.dir, f"{n}.out")) for n in ("zebra", "staticd", "ospfd")]


SPEAKER_CLASSES = {"cis": CisSpeaker, "bird": BirdSpeaker, "frr": FrrSpeaker}


# ---------------------------------------------------------------- one measurement

def poll_until(what, probe, done, deadline, poll, alive):
    """Calls probe() every `poll` seconds until done(value); returns (value, monotonic time, polls)."""
    polls = 0
    while True:
        value = probe()
        now = time.monotonic()
        polls += 1
        if done(value):
            return value, now, polls
        alive()
        if now > deadline:
            raise RuntimeError(f"{what}: still {value} after the bound")
        time.sleep(poll)


def measure(kind, network, externals, poll, settle, keep_logs=False):
    workdir = tempfile.mkdtemp(prefix=f"cis-bench-ospf-{kind}-{network}-")
    os.chmod(workdir, 0o755)  # FRR runs as user frr and must reach its directory inside
    lab = Lab(workdir)
    ok = False
    want = prefixes(externals)
    try:
        host = lab.add_host()
        router = lab.adopt(ReceiverBird(lab.router_ns, workdir, network))
        router.start()
        time.sleep(settle)
        speaker = lab.adopt(SPEAKER_CLASSES[kind](host, workdir, network, want))

        def alive():
            for pid_owner in getattr(speaker, "daemons", lambda: [speaker.process])():
                if not pid_owner.running():
                    raise RuntimeError(f"{speaker.label}: {pid_owner.argv[0]} exited with {pid_owner.returncode}")

        speaker.start()
        started = speaker.process.started
        _, arrived, polls_in = poll_until(f"{speaker.label}: E2 routes at the router", router.external_count,
                                          lambda n: n >= len(want), started + 60 + DEAD, poll, alive)
        hwm, rss, cpu, _ = proc_usage(speaker.pids())
        routes = router.external_routes()
        wrong = {p: hops for p, hops in routes.items() if hops != {host.v4}}
        if set(routes) != set(want) or wrong:
            raise RuntimeError(f"{speaker.label}: router's E2 routes are not exactly the {len(want)} advertised "
                               f"via {host.v4}: extra {sorted(set(routes) - set(want))[:5]}, "
                               f"missing {sorted(set(want) - set(routes))[:5]}, other next hops {list(wrong.items())[:3]}")
        time.sleep(1.5)  # past the router's MinLSArrival (1 s), so that it accepts the flushes at once
        t_term = time.monotonic()
        speaker.terminate()
        _, gone, polls_out = poll_until(f"{speaker.label}: E2 routes leaving the router after SIGTERM",
                                        router.external_count, lambda n: n == 0, t_term + 30 + DEAD, poll,
                                        lambda: None)
        ok = True
        return {"start": (arrived - started) * 1000, "gone": (gone - t_term) * 1000, "rss": hwm / 2**20,
                "rss_now": rss / 2**20, "cpu": cpu * 1000, "polls": polls_in + polls_out,
                "by_dead_interval": gone - t_term >= DEAD}
    finally:
        if not ok:
            print_logs(lab.logs(), max_lines=60)
            print(f"\n----- logs kept in {workdir}", file=sys.stderr, flush=True)
        for thing in reversed(lab._running):
            for d in getattr(thing, "daemons", lambda: [getattr(thing, "process", None)])():
                kill_now(d)
        lab.close()
        if ok and not keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------- the report

def fmt(values, digits=0):
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}..{max(values):.{digits}f}]"


def table(results, networks, speakers):
    rows = ["| network | speaker | start->routes (ms) | SIGTERM->gone (ms) | peak RSS (MB) | CPU (ms) "
            "| ratio vs BIRD: start / gone / RSS |",
            "|---|---|---:|---:|---:|---:|---|"]
    med = lambda rs, key: statistics.median(r[key] for r in rs)  # noqa: E731
    for network in networks:
        ref = results.get((network, "bird"))
        for kind in speakers:
            runs = results.get((network, kind))
            if not runs:
                continue
            if kind == "bird" or not ref:
                ratio = "1 (reference)" if kind == "bird" else "n/a"
            else:
                ratio = " / ".join(f"{med(runs, k) / med(ref, k):.3g}" if med(ref, k) else "n/a"
                                   for k in ("start", "gone", "rss"))
            col = lambda key, d=0: fmt([r[key] for r in runs], d)  # noqa: E731
            rows.append(f"| {network} | {LABELS[kind]} | {col('start')} | {col('gone')} | {col('rss', 1)} "
                        f"| {col('cpu')} | {ratio} |")
    return "\n".join(rows)


def document(results, args, info, load_before, load_after, started, elapsed):
    note = report.run_note(started, elapsed, load_before, load_after, info["nproc"])
    return f"""## OSPF start and stop (`bench/bench_ospf.py`)
{note}
`sudo python3 bench/bench_ospf.py` (alone), e.g. `--runs 5 --speakers cis,bird --networks broadcast`.
The speaker in a node namespace advertises {SERVICE_CIDR} and {args.externals} /32s as AS-external (E2)
LSAs to a BIRD 2 router over one veth (OSPFv2, area 0; hello {HELLO} s, dead {DEAD} s). Median of
{args.runs} runs, [min..max]. The speakers alternate run by run, all in one invocation.

{table(results, args.networks, args.speakers)}

How it is measured:
- **start->routes**: from starting the speaker's process to the first poll of the router that shows
  all {1 + args.externals} E2 routes (`show route protocol ospf1 where source = RTS_OSPF_EXT2 count`,
  every {args.poll * 1000:g} ms over one control-socket connection); then the router's table is
  checked to hold exactly those prefixes, each via the node.
- **SIGTERM->gone**: from SIGTERM to the first poll that shows none of them (a speaker that flushes
  its LSAs, RFC 2328 §14.1, is faster than the router's dead interval, {DEAD} s).
- **peak RSS**, **CPU**: VmHWM and CPU time (start-up included) of the speaker's processes when the
  routes arrived. FRR needs three for this job (zebra, staticd, ospfd): all three count.
- The router is started {args.settle:g} s before the speaker, so its own router-LSA (originated at its
  start) may change at once when the adjacency forms (MinLSInterval, 5 s): a router that has been up
  for a while, the usual case. The router's SPF runs at most once a second (BIRD's `tick 1`), which
  is part of every figure.
- Every speaker has priority 0 (never DR, as clusterip-speaker's default) and the same timers; each
  run builds a fresh pair of namespaces, so the router holds no LSAs from an earlier run.

Reading the numbers: start->routes is the neighbour discovery (Hellos every {HELLO} s), the database
exchange, the speaker's first router-LSA that names the adjacency (without it the router cannot reach
the externals' originator), and the router's next SPF. A speaker that originates its router-LSA at
interface start (with a stub link only) must wait MinLSInterval (5 s) before the instance with the
adjacency; clusterip-speaker holds its first router-LSA until it can describe an adjacency.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs per (network, speaker); default 3")
    ap.add_argument("--speakers", type=lambda s: s.split(","), default=list(SPEAKERS),
                    help="comma-separated subset of cis,bird,frr (default all)")
    ap.add_argument("--networks", type=lambda s: s.split(","), default=list(NETWORKS),
                    help="comma-separated subset of broadcast,ptp (default both)")
    ap.add_argument("--externals", type=int, default=100, help="/32s besides the Service CIDR (default 100)")
    ap.add_argument("--poll", type=float, default=0.05, help="router poll interval in seconds (default 0.05)")
    ap.add_argument("--settle", type=float, default=6.0,
                    help="seconds between the router's start and the speaker's (default 6)")
    ap.add_argument("--no-write", action="store_true", help=f"print only; do not rewrite {DOC}")
    ap.add_argument("--output", default=DOC, help="the Markdown report whose OSPF section to rewrite")
    ap.add_argument("--keep-logs", action="store_true", help="keep each run's directory in /tmp")
    args = ap.parse_args()
    unknown = [s for s in args.speakers if s not in SPEAKERS] + [n for n in args.networks if n not in NETWORKS]
    if unknown or args.runs < 1 or args.externals < 0:
        ap.error(f"unknown speaker(s) or network(s) {unknown}" if unknown else "--runs >= 1, --externals >= 0")

    preflight("bench_ospf", ["ip", "bird"] + [t for s in args.speakers for t in SPEAKER_TOOLS[s]], "cis" in args.speakers)

    info = report.machine()
    load_before = report.loadavg()
    started, t0 = datetime.datetime.now().astimezone(), time.monotonic()
    print(f"load average before: {load_before} on {info['nproc']} CPUs", flush=True)
    results = {}
    for network in args.networks:
        for run in range(1, args.runs + 1):
            for kind in args.speakers:
                try:
                    r = measure(kind, network, args.externals, args.poll, args.settle, args.keep_logs)
                except RuntimeError as e:
                    sys.exit(f"bench_ospf FAILED ({network}, run {run}, {LABELS[kind]}): {e}")
                results.setdefault((network, kind), []).append(r)
                print(f"{network:<9} run {run}/{args.runs} {LABELS[kind]:<17} start->routes {r['start']:7.0f} ms"
                      f"  SIGTERM->gone {r['gone']:6.0f} ms{' (dead interval?)' if r['by_dead_interval'] else ''}"
                      f"  RSS {r['rss']:5.1f} MB (now {r['rss_now']:.1f})  CPU {r['cpu']:5.0f} ms"
                      f"  ({r['polls']} polls)", flush=True)
    load_after = report.loadavg()
    elapsed = time.monotonic() - t0
    print()
    print(table(results, args.networks, args.speakers))
    print(f"\nload average before / after: {load_before} / {load_after}; {elapsed:.0f} s")
    if not args.no_write:
        report.write_section("ospf", document(results, args, info, load_before, load_after, started, elapsed),
                             args.output, info)
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
