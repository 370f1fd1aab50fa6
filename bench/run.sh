#!/bin/sh
# Runs the benchmarks in turn; each prints its tables and rewrites its own section of
# docs/benchmarks.md, so the file ends up as one combined report (bench/report.py: a machine
# header, then one section per benchmark with its date and the load average around it).
# Needs root (network namespaces). By default the efficiency set, about 10 minutes unattended:
#   bulk   1,000 and 100,000 static /32s to a BIRD router: clusterip-speaker (static_file and the
#          same list in YAML), BIRD 2 and FRR bgpd; CPU, peak RSS, time; 3 runs each
#   k8s    1,000, 10,000 and 100,000 Services (fake API server): start-up, event -> UPDATE,
#          CPU per change, peak RSS per Service; 1 run each, no churn
#   idle   60 s with nothing to do: wake-ups, system calls, CPU; clusterip-speaker, BIRD 2, FRR
# --all adds the OSPF and BFD benchmarks (another 10 minutes or more).
#   sudo bench/run.sh [--no-write] [--quick] [--all] [--bulk 'ARGS'] [--k8s 'ARGS'] [--idle 'ARGS']
#                     [--ospf 'ARGS'] [--bfd 'ARGS']
#     --no-write      print only, leave docs/benchmarks.md alone
#     --quick         a short pass of each (bulk: N = 1000, 1 run; k8s: 1,000 Services; idle: 10 s);
#                     implies --no-write
#     --bulk 'ARGS'   extra arguments for bench/bench_bgp_bulk.py, e.g. --bulk '--n 100000 --runs 5'
#     --k8s 'ARGS'    extra arguments for bench/bench_k8s.py, e.g. --k8s '--scale 10000 --duration 20'
#     --idle 'ARGS'   extra arguments for bench/bench_idle.py, e.g. --idle '--window 120'
#     --ospf 'ARGS'   extra arguments for bench/bench_ospf.py (with --all)
#     --bfd 'ARGS'    extra arguments for bench/bench_bfd.py (with --all)
# The daemon is $CIS_BINARY, else build/cmd/clusterip-speaker.
set -eu
cd "$(dirname "$0")/.."
common="" all=""
bulk="--n 1000,100000 --runs 3 --speakers cis,cis-yaml,bird,frr"
k8s="--scale 1000,10000,100000 --runs 1 --duration 0 --events 200"
idle="" ospf="--runs 1" bfd=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-write) common="$common --no-write" ;;
    --quick) common="$common --no-write"; bulk="$bulk --n 1000 --runs 1"; k8s="$k8s --scale 1000 --events 20"
             idle="$idle --window 10"; ospf="$ospf --runs 1"; bfd="$bfd --quick" ;;
    --all) all=1 ;;
    --bulk) shift; bulk="$bulk $1" ;;
    --k8s) shift; k8s="$k8s $1" ;;
    --idle) shift; idle="$idle $1" ;;
    --ospf) shift; ospf="$ospf $1" ;;
    --bfd) shift; bfd="$bfd $1" ;;
    *) echo "usage: $0 [--no-write] [--quick] [--all] [--bulk 'ARGS'] [--k8s 'ARGS'] [--idle 'ARGS'] [--ospf 'ARGS'] [--bfd 'ARGS']" >&2; exit 2 ;;
  esac
  shift
done
run() {
  echo "== load average: $(cat /proc/loadavg)"
  echo "== bench/$*"
  # shellcheck disable=SC2086  # word splitting of the argument lists is intended
  timeout 1800 python3 bench/"$@"
  echo
}
# shellcheck disable=SC2086
run bench_bgp_bulk.py $common $bulk
# shellcheck disable=SC2086
run bench_k8s.py $common $k8s
# shellcheck disable=SC2086
run bench_idle.py $common $idle
if [ -n "$all" ]; then
  # shellcheck disable=SC2086
  run bench_ospf.py $common $ospf
  # shellcheck disable=SC2086
  run bench_bfd.py $common $bfd
fi
echo "== load average: $(cat /proc/loadavg)"
