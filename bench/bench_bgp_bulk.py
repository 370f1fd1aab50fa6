#!/usr/bin/env python3
"""Bulk BGP: how fast a speaker hands N static /32s to a BIRD 2 router, and what it costs.

    router namespace: BIRD 2, passive, `import all` into its BGP channel (no kernel export, no debug)
      |-- veth -- node1 namespace: the speaker under test, advertising N /32s (10.96.0.0 + i):
                  cis  = clusterip-speaker, `advertise: { static: [...] }`, kubernetes off
                  bird = BIRD 2, `protocol static` with N blackhole routes, `export all` to the peer
                  frr  = FRR bgpd --no_zebra, N `network` statements, `no bgp network import-check`

For every (N, run, speaker) a fresh lab is built (namespaces from tests/interop, reused here), the
speaker is started, and the router's `show protocols all node1` is polled over one persistent
control-socket connection every --poll seconds until "Routes: N imported". Measured:
  established->all  router's poll time of "N imported" minus the protocol's "Since" stamp (BIRD's
                    time of the Established transition, `timeformat protocol iso long ms`: 1 ms);
                    the end has the poll's resolution (--poll, 10 ms by default, plus the reply time)
  start->all        speaker process start (Popen) to the same poll
  peak RSS          VmHWM of the speaker's process(es) at that moment (FRR: bgpd only, no zebra runs)
  CPU               utime+stime of the speaker's process(es) at that moment, start-up included
Each figure is the median of --runs runs with [min..max]; the speakers alternate run by run, so a
change in the machine's load hits all of them alike. Nothing here asserts a time: the run fails only
when a speaker does not deliver exactly N routes within the bound (20 s + 1 ms per route).
"""
import argparse
import datetime
import os
import re
import shutil
import signal
import socket
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
from report import loadavg, machine  # noqa: E402
from bird import BirdRouter  # noqa: E402
from frr import FrrRouter  # noqa: E402
from lab import TOOLS, ROUTER_V4, Lab, print_logs  # noqa: E402
from routes import Peer  # noqa: E402
from speaker import SpeakerNode, binary  # noqa: E402

ROUTER_ASN, NODE_ASN = 64512, 64513
DOC = report.DOC
SPEAKERS = ("cis", "cis-yaml", "bird", "frr")
LABELS = {"cis": "clusterip-speaker", "cis-yaml": "clusterip-speaker (YAML list)", "bird": "BIRD 2", "frr": "FRR bgpd"}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def prefixes(n):
    """n distinct /32s counted up from 10.96.0.0 (inside the default Service CIDR, clear of the lab's 10.0.x)."""
    base = (10 << 24) | (96 << 16)
    return [f"{(a >> 24) & 255}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}/32"
            for a in range(base, base + n)]


# ---------------------------------------------------------------- the receiving router

class ReceiverBird(BirdRouter):
    """The harness's BIRD router, configured for volume: no kernel export and no per-route debug log
    (both would load its only thread with work that is not receiving), passive so that the speaker
    under test always opens the session, and ms stamps on the protocol's "Since"."""

    def config_text(self):
        [p] = self.peers
        return f"""\
router id {self.router_id};
log "{self.log}" {{ info, remote, warning, error, auth, fatal, bug }};
timeformat protocol iso long ms;
protocol device {{ }}
protocol bgp {p.name} {{
  local {p.local} as {self.asn};
  neighbor {p.address} as {p.asn};
  direct;
  passive on;
  ipv4 {{ import all; export none; }};
}}
"""

    def start(self):
        super().start()
        self.control = BirdControl(self.sock)

    def stop(self):
        if getattr(self, "control", None):
            self.control.close()
        super().stop()


class BirdControl:
    """One persistent connection to BIRD's control socket: a poll costs one request, not a birdc process."""

    def __init__(self, path, timeout=10):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.file = self.sock.makefile("rb")
        self._reply()  # "0001 BIRD 2.x ready."

    def _reply(self):
        lines = []
        while True:
            raw = self.file.readline()
            if not raw:
                raise RuntimeError("BIRD closed its control socket")
            line = raw.decode(errors="replace").rstrip("\n")
            lines.append(line)
            # A reply ends with a line "DDDD " (code, then a space); "DDDD-" and " ..." continue it.
            if len(line) > 4 and line[:4].isdigit() and line[4] == " ":
                return lines

    def query(self, command):
        self.sock.sendall(command.encode() + b"\n")
        return self._reply()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


_SINCE = re.compile(r"^1002-\S+\s+BGP\s+\S+\s+\w+\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})")
_STATE = re.compile(r"BGP state:\s+(\w+)")
_IMPORTED = re.compile(r"Routes:\s+(\d+) imported")


def parse_protocol(lines):
    """(BGP state, Since as a Unix time or None, routes imported) from `show protocols all NAME`."""
    text = "\n".join(lines)
    state = _STATE.search(text)
    since = next((m.group(1) for m in map(_SINCE.match, lines) if m), None)
    imported = _IMPORTED.search(text)
    return (state.group(1) if state else None,
            datetime.datetime.strptime(since, "%Y-%m-%d %H:%M:%S.%f").timestamp() if since else None,
            int(imported.group(1)) if imported else 0)


# ---------------------------------------------------------------- the speakers under test
# start() only launches the process and returns: the measurement loop polls the router from then on.

class CisSpeaker(SpeakerNode):
    """The prefixes in `advertise.static_file` (one a line): the path meant for big lists."""
    label = LABELS["cis"]
    inline = False  # True: in the YAML itself, `advertise.static: [...]`

    def __init__(self, host, workdir, routes):
        self.host, self.name, self.process = host, host.name, None
        self.conf = os.path.join(workdir, f"{self.name}.yaml")
        self.log = os.path.join(workdir, f"{self.name}.log")
        if self.inline:
            static = "  static:\n" + "".join(f"    - {p}\n" for p in routes)
        else:
            with open(os.path.join(workdir, f"{self.name}-static.txt"), "w") as f:
                f.write("".join(f"{p}\n" for p in routes))
            static = f"  static_file: {self.name}-static.txt\n"
        with open(self.conf, "w") as f:
            f.write(
                f"node: {{ name: {self.name}, router_id: {host.v4} }}\n"
                "advertise:\n"
                "  service_cidrs: []\n"
                "  cluster_ips: none\n"
                "  require_kube_proxy: false\n"
                "  require_node_ready: false\n" + static +
                "kubernetes: { enabled: false }\n"
                'http: { listen: "" }\n'
                "bgp:\n"
                f"  asn: {NODE_ASN}\n"
                "  listen_port: 0\n"
                "  peers:\n"
                f'    - {{ address: "{ROUTER_V4}", asn: {ROUTER_ASN}, families: [ipv4], connect_retry: 1s,'
                " graceful_shutdown: { enabled: false } }\n"
                "log: { level: info }\n")

    def pids(self):
        return [self.process.pid]


class CisYamlSpeaker(CisSpeaker):
    """The same prefixes inside the YAML (`advertise.static`): what yaml-cpp costs for a big list."""
    label = LABELS["cis-yaml"]
    inline = True


class ForegroundBird(BirdRouter):
    """BIRD as the speaker: started without waiting for its control socket (the measurement
    polls the router from the start on), its pid the one to measure."""

    def start(self):
        self.launch()

    def pids(self):
        return [self.process.pid]


class BirdSpeaker(ForegroundBird):
    label = LABELS["bird"]

    def __init__(self, host, workdir, routes):
        super().__init__(host.ns, workdir, NODE_ASN, host.v4, [Peer("uplink", ROUTER_V4, host.v4, ROUTER_ASN)])
        self.routes = routes

    def config_text(self):
        return (f"router id {self.router_id};\n"
                f'log "{self.log}" {{ info, remote, warning, error, auth, fatal, bug }};\n'
                "protocol device { }\n"
                "protocol static static4 {\n  ipv4;\n" + "".join(f"  route {p} blackhole;\n" for p in self.routes) +
                "}\n"
                f"protocol bgp uplink {{\n  local {self.router_id} as {self.asn};\n"
                f"  neighbor {ROUTER_V4} as {ROUTER_ASN};\n  direct;\n"
                "  connect delay time 1;   # the least BIRD allows; the default is 5 s\n"
                "  ipv4 { import none; export all; };\n}\n")



class FrrSpeaker(FrrRouter):
    label = LABELS["frr"]

    def __init__(self, host, workdir, routes):
        super().__init__(host.ns, workdir, NODE_ASN, host.v4, [Peer("uplink", ROUTER_V4, host.v4, ROUTER_ASN)])
        self.routes = routes

    def config_text(self):
        lines = ["frr defaults traditional", "hostname node1", f"log file {self.log} informational",
                 f"router bgp {self.asn}", f" bgp router-id {self.router_id}",
                 " no bgp ebgp-requires-policy",
                 " no bgp network import-check",   # no zebra: the prefixes need not be in a RIB
                 f" neighbor {ROUTER_V4} remote-as {ROUTER_ASN}",
                 f" neighbor {ROUTER_V4} timers connect 1",
                 " address-family ipv4 unicast"]
        lines += [f"  network {p}" for p in self.routes]
        lines += " exit-address-family", ""
        return "\n".join(lines)

    def start(self):
        with open(self.conf, "w") as f:
            f.write(self.config_text())
        shutil.chown(self.conf, "frr", "frr")
        self.bgpd = self._daemon("bgpd", "--no_zebra", "-f", self.conf)

    def pids(self):
        return [self.bgpd.pid]

    @property
    def process(self):
        return self.bgpd


SPEAKER_CLASSES = {"cis": CisSpeaker, "cis-yaml": CisYamlSpeaker, "bird": BirdSpeaker, "frr": FrrSpeaker}
SPEAKER_TOOLS = {"cis": TOOLS["speaker"], "cis-yaml": TOOLS["speaker"], "bird": TOOLS["bird"], "frr": ["/usr/lib/frr/bgpd", "vtysh"]}


# ---------------------------------------------------------------- one measurement

def proc_usage(pids):
    """(peak RSS, current RSS (bytes), CPU seconds, CPU seconds in ticks) summed over pids.

    Peak RSS is VmHWM; current RSS (VmRSS) tells a start-up peak from what the routes themselves hold. CPU is the sum of sum_exec_runtime over the process's threads
    (/proc/PID/task/*/schedstat, nanoseconds); utime+stime from /proc/PID/stat (all threads, counted
    in 10 ms ticks, too coarse for small N) is returned as well, as a cross-check."""
    hwm = rss = cpu = ticks = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            status = {l.split(":")[0]: l.split()[1] for l in f if l.startswith(("VmHWM:", "VmRSS:"))}
        hwm += int(status["VmHWM"]) * 1024
        rss += int(status["VmRSS"]) * 1024
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks += (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    cpu += int(f.read().split()[0]) / 1e9
            except FileNotFoundError:  # the thread ended meanwhile
                pass
    return hwm, rss, max(cpu, ticks), ticks


def anon_rss(pids):
    """RssAnon summed over pids (bytes): the process's own memory, without the pages of its binary
    and shared libraries that RSS also counts (those are shared with every other process using them)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            total += sum(int(l.split()[1]) * 1024 for l in f if l.startswith("RssAnon:"))
    return total


def resident_by_file(pids):
    """[(kB resident, kB private dirty, mapping name)], largest first: where the resident pages sit
    (the binary, each shared library, the heap) at the measurement."""
    by_name = {}
    for pid in pids:
        name = "[anonymous]"
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                fields = line.split()
                if "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
                    name = fields[5] if len(fields) > 5 else "[anonymous]"
                elif fields[0] in ("Rss:", "Private_Dirty:"):
                    entry = by_name.setdefault(name, [0, 0])
                    entry[fields[0] == "Private_Dirty:"] += int(fields[1])
    return sorted(((rss, dirty, name) for name, (rss, dirty) in by_name.items()), reverse=True)


def kill_now(process):
    """The measurement is over: SIGKILL, no graceful withdrawal of N routes to wait for."""
    if process and process.running():
        process.signal(signal.SIGKILL)
        process.wait(5)


def measure(kind, n, poll, keep_logs=False, mappings=False):
    workdir = tempfile.mkdtemp(prefix=f"cis-bench-{kind}-{n}-")
    os.chmod(workdir, 0o755)  # FRR runs as user frr and must reach its directory inside
    lab = Lab(workdir)
    ok = False
    try:
        host = lab.add_host()
        router = lab.adopt(ReceiverBird(lab.router_ns, workdir, ROUTER_ASN, ROUTER_V4,
                                        [Peer(host.name, host.v4, ROUTER_V4, NODE_ASN)]))
        router.start()
        speaker = lab.adopt(SPEAKER_CLASSES[kind](host, workdir, prefixes(n)))
        timeout = 20 + n / 1000
        speaker.start()
        started = speaker.process.started
        deadline = started + timeout
        since = est_poll = None
        polls, imported, state = 0, 0, None
        while True:
            lines = router.control.query(f"show protocols all {host.name}")
            now_mono, now_wall = time.monotonic(), time.time()
            polls += 1
            state, since_stamp, imported = parse_protocol(lines)
            if state == "Established" and est_poll is None:
                est_poll, since = now_wall, since_stamp
            if imported >= n:
                break
            if not speaker.process.running():
                raise RuntimeError(f"{speaker.label} exited with {speaker.process.returncode} "
                                   f"(router: {state}, {imported} routes)")
            if now_mono > deadline:
                raise RuntimeError(f"{speaker.label}: router holds {imported} of {n} routes after "
                                   f"{timeout:g} s (BGP state {state})")
            time.sleep(poll)
        hwm, rss, cpu, ticks = proc_usage(speaker.pids())
        anon = anon_rss(speaker.pids())
        if mappings:
            for kb, dirty, name in resident_by_file(speaker.pids()):
                print(f"  {kb:7,} kB resident {dirty:7,} kB private dirty  {name}")
        if imported != n:
            raise RuntimeError(f"{speaker.label}: router imported {imported} routes, expected exactly {n}")
        established = since if since is not None else est_poll
        ok = True
        return {"est_all": (now_wall - established) * 1000, "start_all": (now_mono - started) * 1000,
                "rss": hwm / 2**20, "rss_now": rss / 2**20, "rss_anon": anon / 2**20, "cpu": cpu * 1000, "cpu_ticks": ticks * 1000, "polls": polls,
                "since_vs_poll_ms": (est_poll - since) * 1000 if since else None}
    finally:
        if not ok:
            print_logs(lab.logs(), max_lines=60)
            print(f"\n----- logs kept in {workdir}", file=sys.stderr, flush=True)
        for thing in reversed(lab._running):
            kill_now(getattr(thing, "process", None))
        lab.close()
        if ok and not keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------- the report

def summary(values):
    return statistics.median(values), min(values), max(values)


def fmt(values, digits=0):
    med, lo, hi = summary(values)
    return f"{med:.{digits}f} [{lo:.{digits}f}..{hi:.{digits}f}]"


def table(results, ns, speakers):
    """Markdown table; results[(n, kind)] is a list of measurement dicts. CPU and peak memory lead:
    they are the work; the times after them are wall clock, which a peer's pacing timer can dominate."""
    rows = ["| N | speaker | **CPU (ms)** | **peak RSS (MB)** | ratio vs BIRD: CPU / RSS | anonymous RSS at the end (MB) "
            "| established->all (ms, wall clock) | start->all (ms, wall clock) |",
            "|---:|---|---:|---:|---|---:|---:|---:|"]
    for n in ns:
        ref = results.get((n, "bird"))
        for kind in speakers:
            runs = results.get((n, kind))
            if not runs:
                continue
            col = lambda key, d=0: fmt([r[key] for r in runs], d)  # noqa: E731
            if kind == "bird" or not ref:
                ratio = "1 (reference)" if kind == "bird" else "n/a"
            else:
                med = lambda rs, key: statistics.median(r[key] for r in rs)  # noqa: E731
                ratio = " / ".join(f"{med(runs, k) / med(ref, k):.3g}" if med(ref, k) else "n/a"
                                  for k in ("cpu", "rss"))
            rows.append(f"| {n:,} | {LABELS[kind]} | {col('cpu')} | {col('rss', 1)} | {ratio} | {col('rss_anon', 1)} "
                        f"| {col('est_all')} | {col('start_all')} |")
    return "\n".join(rows)


def verdict(results, ns):
    med = lambda rs, key: statistics.median(r[key] for r in rs)  # noqa: E731
    out = []
    for n in sorted(ns):
        cis, bird = results.get((n, "cis")), results.get((n, "bird"))
        if not cis or not bird:
            continue
        c = med(cis, "cpu") <= med(bird, "cpu")
        m = med(cis, "rss") <= med(bird, "rss")
        out.append(f"N = {n:,} (target: CPU and peak RSS ≤ BIRD's): CPU {'met' if c else 'NOT met'} "
                   f"({med(cis, 'cpu'):.0f} vs {med(bird, 'cpu'):.0f} ms), "
                   f"peak RSS {'met' if m else 'NOT met'} ({med(cis, 'rss'):.1f} vs {med(bird, 'rss'):.1f} MB).")
    return "\n".join(out)


def document(results, args, info, load_before, load_after, started, elapsed):
    """This benchmark's section of docs/benchmarks.md (bench/report.py writes the header and the other sections)."""
    note = report.run_note(started, elapsed, load_before, load_after, info["nproc"])
    return f"""## Bulk BGP (`bench/bench_bgp_bulk.py`)
{note}
`sudo python3 bench/bench_bgp_bulk.py` (alone), e.g. `--n 100000 --runs 3 --speakers cis,bird`.
N static /32s, from the speaker in a node namespace to a BIRD 2 router in its own namespace (eBGP,
one veth hop). Median of {args.runs} runs, [min..max]. The speakers alternate run by run, all in one
invocation.

{table(results, args.n, args.speakers)}

{verdict(results, args.n)}

How it is measured:
- **established->all**: from the router's Established transition (the protocol's "Since" stamp,
  `timeformat protocol iso long ms`, 1 ms resolution) to the first poll of the router's
  `show protocols all node1` that shows "Routes: N imported". The router is polled every
  {args.poll * 1000:g} ms over one persistent control-socket connection (no `birdc` process per poll,
  no `show route count`), so the end is late by at most one interval plus the reply time.
- **start->all**: from starting the speaker's process to that same poll. It includes reading the
  configuration and each speaker's connect delay (BIRD: `connect delay time 1`, its minimum; FRR
  `timers connect 1`; clusterip-speaker connects at once). The router is passive.
- **peak RSS**: VmHWM of the speaker's process at that moment. It counts the file pages of the
  binary and of every shared library it touched, which the page cache shares with every other
  process mapping them: about 7 MB of clusterip-speaker's 8 at 1k (its binary about 4 MB, libstdc++
  1.7, libc 1.5; `--mappings` prints the split per run), 4 MB of BIRD's 5 (libc 1.5, bird 0.9,
  libgcrypt, libssh, krb5); **anonymous RSS**:
  RssAnon at that moment, the process's own heap and stacks; **CPU**: its CPU time at that
  moment, start-up included: the sum of `sum_exec_runtime` over its threads
  (`/proc/PID/task/*/schedstat`, ns resolution; utime+stime from `/proc/PID/stat` counts 10 ms ticks,
  too coarse at 1k, and is printed per run as a cross-check). FRR runs bgpd alone (`--no_zebra`),
  so only bgpd counts.
- **ratio vs BIRD**: the speaker's median divided by BIRD's median, for CPU and peak RSS.
- Speakers: clusterip-speaker with the prefixes in `advertise.static_file` (one a line; "YAML list":
  the same prefixes in `advertise: {{ static: [...] }}`, what yaml-cpp costs), Kubernetes off, graceful
  shutdown off, `listen_port: 0`, log level info; BIRD 2 with `protocol static` (N `blackhole`
  routes) and `export all`; FRR bgpd with N `network` statements and `no bgp network import-check`.
  The router is BIRD 2 with `import all`, no kernel export and no route debug log. Every run builds
  a fresh pair of namespaces (the interop harness's `Lab`); the processes are killed after the
  measurement.

Reading the numbers:
- **Wall-clock times are dominated by timers, not work**: BIRD paces its export to a new session
  (about 3 s after Established at 10k routes and more), FRR waits about 1 s (its update-group
  coalesce timer) before its first UPDATE, and start->all includes each speaker's connect delay. Compare
  CPU and peak RSS for the work done.
- established->all says how fast routes flow once the session is up; start->all adds everything
  before it (reading the configuration, building the first plan, connecting), which is where a
  speaker that prepares all its UPDATEs before the session comes up spends its time.
- Peak RSS is the high-water mark, start-up included: a configuration parser's transient peak
  counts. The per-run lines also print the RSS at the moment of measurement ("now").
- At 1k routes both speakers' CPU is mostly starting a process (BIRD's `--version` costs 1.3 ms,
  clusterip-speaker's `version` 1.8 ms; a C++ hello world 1.2 ms against 0.7 ms in C: loading and
  relocating libstdc++) and peak RSS mostly library pages: libstdc++ alone (1.7 MB) and libc (1.5 MB) leave less than
  2 MB of BIRD's 5 for the binary and heap. libstdc++ cannot be linked in while prometheus-cpp
  and simdjson, which Debian ships only as shared libraries, link it. The process's own memory,
  anonymous RSS, is the same for both.
- The per-run lines (printed, not written here) show each run, the CPU by utime+stime, and how far
  BIRD's "Since" stamp lay before the poll that first saw Established.
"""


def preflight(name, tools, needs_daemon):
    """Exits with every reason the benchmark cannot run (root, a missing tool, the daemon's
    binary), then removes namespaces left by earlier runs."""
    problems = [] if os.geteuid() == 0 else ["must run as root (network namespaces)"]
    for tool in tools:
        if not (shutil.which(tool) or os.access(tool, os.X_OK)):
            problems.append(f"{tool} not found")
    if needs_daemon:
        try:
            binary()
        except RuntimeError as e:
            problems.append(str(e))
    if problems:
        sys.exit(f"{name} cannot run: " + "; ".join(problems))
    netns.remove_stale()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 10000, 100000],
                    help="route counts, comma-separated (default 1000,10000,100000)")
    ap.add_argument("--runs", type=int, default=5, help="runs per (speaker, N); default 5")
    ap.add_argument("--speakers", type=lambda s: s.split(","), default=list(SPEAKERS),
                    help="comma-separated subset of cis,bird,frr (default all)")
    ap.add_argument("--poll", type=float, default=0.01, help="router poll interval in seconds (default 0.01)")
    ap.add_argument("--no-write", action="store_true", help=f"print only; do not rewrite {DOC}")
    ap.add_argument("--output", default=DOC, help="the Markdown report whose bulk section to rewrite")
    ap.add_argument("--keep-logs", action="store_true", help="keep each run's directory in /tmp")
    ap.add_argument("--mappings", action="store_true",
                    help="print each run's resident memory by mapping (binary, libraries, heap)")
    args = ap.parse_args()
    unknown = [s for s in args.speakers if s not in SPEAKERS]
    if unknown or args.runs < 1:
        ap.error(f"unknown speaker(s) {unknown}" if unknown else "--runs must be at least 1")

    preflight("bench_bgp_bulk", ["ip"] + TOOLS["bird"] + [t for s in args.speakers for t in SPEAKER_TOOLS[s]],
              any(s.startswith("cis") for s in args.speakers))

    info = machine()
    load_before = loadavg()
    started, t0 = datetime.datetime.now().astimezone(), time.monotonic()
    print(f"load average before: {load_before} on {info['nproc']} CPUs", flush=True)
    results = {}
    for n in args.n:
        for run in range(1, args.runs + 1):
            for kind in args.speakers:
                try:
                    r = measure(kind, n, args.poll, args.keep_logs, args.mappings)
                except RuntimeError as e:
                    sys.exit(f"bench_bgp_bulk FAILED at N={n}, run {run}: {e}")
                results.setdefault((n, kind), []).append(r)
                print(f"N={n:>6} run {run}/{args.runs} {LABELS[kind]:<17} established->all {r['est_all']:8.1f} ms"
                      f"  start->all {r['start_all']:8.1f} ms  RSS {r['rss']:6.1f} MB (now {r['rss_now']:.1f})  CPU {r['cpu']:7.0f} ms"
                      f" (utime+stime {r['cpu_ticks']:.0f} ms; {r['polls']} polls; Since {r['since_vs_poll_ms'] or 0:.0f} ms"
                      " before the poll that saw Established)", flush=True)
    load_after = loadavg()
    elapsed = time.monotonic() - t0
    print()
    print(table(results, args.n, args.speakers))
    v = verdict(results, args.n)
    if v:
        print("\n" + v)
    print(f"\nload average before / after: {load_before} / {load_after}; {elapsed:.0f} s")
    if not args.no_write:
        report.write_section("bgp_bulk", document(results, args, info, load_before, load_after, started, elapsed),
                             args.output, info)
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
