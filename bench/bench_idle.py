#!/usr/bin/env python3
"""Idle: what a speaker does when nothing happens.

Each speaker under test (bench_bgp_bulk's: clusterip-speaker, BIRD 2, FRR bgpd) advertises N static
/32s to a BIRD 2 router in its own lab (all labs up at the same time); once the router holds
them all, `strace -f -c` counts the speaker's system calls for --window seconds. A wake-up is a
return from a call that waits (epoll_wait, poll, select, nanosleep, a futex wait, ...): its
count says how often the process runs while idle. The BGP session's own timers set a floor:
clusterip-speaker's hold time is 90 s (keepalive every 30 s); BIRD's and FRR's defaults are
240 s / 80 s and 180 s / 60 s; each keepalive received is a wake-up too. Also reported: CPU time
over the window (schedstat, ns) and RSS at its end.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import report  # noqa: E402
from bench_bgp_bulk import (LABELS, ROUTER_ASN, NODE_ASN, SPEAKER_CLASSES, SPEAKER_TOOLS, ReceiverBird,  # noqa: E402
                            kill_now, parse_protocol, preflight, prefixes, proc_usage)
from lab import ROUTER_V4, Lab, print_logs  # noqa: E402
from routes import Peer  # noqa: E402

WAITS = ("epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll", "select", "pselect6", "nanosleep",
         "clock_nanosleep", "futex")
_ROW = re.compile(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$")




def wakeups(counts):
    """Returns from calls that wait: how often the process ran."""
    return sum(v for k, v in counts.items() if k in WAITS)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="static /32s advertised; default 1000")
    ap.add_argument("--window", type=float, default=60, help="seconds of idle counted; default 60")
    ap.add_argument("--speakers", type=lambda s: s.split(","), default=["cis", "bird", "frr"],
                    help="comma-separated subset of cis,bird,frr (default all)")
    ap.add_argument("--no-write", action="store_true", help=f"print only; do not touch {report.DOC}")
    ap.add_argument("--output", default=report.DOC, help="the Markdown report whose idle section to rewrite")
    args = ap.parse_args()
    preflight("bench_idle", ["ip", "strace"] + [t for s in args.speakers for t in SPEAKER_TOOLS[s]],
              "cis" in args.speakers)
    load_before = report.loadavg()
    started, t0 = report.now(), time.monotonic()
    workdirs, labs, speakers = [], [], {}
    ok = False
    try:
        for kind in args.speakers:
            workdir = tempfile.mkdtemp(prefix=f"cis-bench-idle-{kind}-")
            os.chmod(workdir, 0o755)  # FRR runs as user frr and must reach its directory inside
            workdirs.append(workdir)
            lab = Lab(workdir)
            labs.append(lab)
            host = lab.add_host()
            router = lab.adopt(ReceiverBird(lab.router_ns, workdir, ROUTER_ASN, ROUTER_V4,
                                            [Peer(host.name, host.v4, ROUTER_V4, NODE_ASN)]))
            router.start()
            speaker = lab.adopt(SPEAKER_CLASSES[kind](host, workdir, prefixes(args.n)))
            speaker.start()
            speakers[kind] = (speaker, router, host)
        deadline = time.monotonic() + 60
        for kind, (speaker, router, host) in speakers.items():
            while parse_protocol(router.control.query(f"show protocols all {host.name}"))[2] < args.n:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{LABELS[kind]}: the router never held all {args.n} routes")
                time.sleep(0.1)
        time.sleep(2)  # the initial burst's last acknowledgements
        before = {k: proc_usage(s.pids()) for k, (s, _, _) in speakers.items()}
        tracers = {k: subprocess.Popen(["timeout", "-s", "INT", f"{args.window:g}", "strace", "-f", "-c", "-q",
                                        "-p", str(s.pids()[0])], stderr=subprocess.PIPE, text=True)
                   for k, (s, _, _) in speakers.items()}
        results = {}
        for kind, tracer in tracers.items():
            _, err = tracer.communicate(timeout=args.window + 30)
            counts = {}
            for line in err.splitlines():
                m = _ROW.match(line)
                if m and m.group(2) != "total":
                    counts[m.group(2)] = int(m.group(1))
            _, rss, cpu, _ = proc_usage(speakers[kind][0].pids())
            results[kind] = {"counts": counts, "wakeups": wakeups(counts), "total": sum(counts.values()),
                             "cpu": (cpu - before[kind][2]) * 1000, "rss": rss / 2**20}
        ok = True
    finally:
        for lab in labs:
            for thing in reversed(lab._running):
                kill_now(getattr(thing, "process", None))
            if not ok:
                print_logs(lab.logs(), max_lines=40)
            lab.close()
        for w in workdirs:
            shutil.rmtree(w, ignore_errors=True)
    lines = [f"`sudo python3 bench/bench_idle.py`: each speaker advertises {args.n:,} static /32s to a BIRD 2 router "
             f"in its own lab (all up at once); once the router holds them, `strace -f -c` counts the speaker's "
             f"system calls for {args.window:g} s. A wake-up is a return from a call that waits (epoll_wait, poll, "
             "select, nanosleep, futex): how often the process ran. CPU is its CPU time over the window "
             "(schedstat; strace slows each call, so it is above the untraced figure), RSS at the end.\n",
             "| speaker | **wake-ups** | all system calls | CPU (ms) | RSS (MB) | most frequent calls |",
             "|---|---:|---:|---:|---:|---|"]
    for kind, r in results.items():
        names = ", ".join(f"{k} {v}" for k, v in sorted(r["counts"].items(), key=lambda kv: -kv[1])[:6])
        lines.append(f"| {LABELS[kind]} | {r['wakeups']} | {r['total']} | {r['cpu']:.1f} | {r['rss']:.1f} | {names} |")
    lines.append("\nThe floor is the BGP keepalives, one sent and one received per keepalive interval: clusterip-speaker "
                 "asks for a 90 s hold time (keepalive every 30 s, the router's every 30 s too), BIRD 2 and FRR use "
                 "their defaults (240 s and 180 s: keepalives every 80 s and 60 s). clusterip-speaker runs no other timer "
                 "here (Kubernetes, OSPF, BFD and HTTP off); with Kubernetes on, the kube-proxy health probe adds one "
                 "wake-up every 2 s (a product check, not a protocol timer); OSPF reads its interfaces on the kernel's link and address events, not on a timer.")
    text = "\n".join(lines)
    print("\n" + text)
    load_after = report.loadavg()
    if not args.no_write:
        note = report.run_note(started, time.monotonic() - t0, load_before, load_after)
        report.write_section("idle", f"## Idle (`bench/bench_idle.py`)\n{note}\n{text}\n", args.output)
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
