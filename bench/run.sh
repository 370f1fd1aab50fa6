#!/bin/sh
# Runs every benchmark in turn; each prints its tables and rewrites its own section of
# docs/benchmarks.md, so the file ends up as one combined report (bench/report.py: a machine
# header, then one section per benchmark with its date and the load average around it).
# Needs root (network namespaces):
#   sudo bench/run.sh [--no-write] [--quick] [--bulk 'ARGS'] [--k8s 'ARGS'] [--ospf 'ARGS'] [--bfd 'ARGS']
#     --no-write      print only, leave docs/benchmarks.md alone
#     --quick         a short pass of each (bulk: N = 1000, 1 run; k8s and bfd: --quick; ospf: 1 run);
#                     implies --no-write
#     --bulk 'ARGS'   extra arguments for bench/bench_bgp_bulk.py, e.g. --bulk '--n 100000 --runs 3'
#     --k8s 'ARGS'    extra arguments for bench/bench_k8s.py, e.g. --k8s '--runs 1 --duration 20'
#     --ospf 'ARGS'   extra arguments for bench/bench_ospf.py, e.g. --ospf '--runs 5 --networks ptp'
#     --bfd 'ARGS'    extra arguments for bench/bench_bfd.py, e.g. --bfd '--deaths 10 --no-load'
# The daemon is $CIS_BINARY, else build/cmd/clusterip-speaker.
set -eu
cd "$(dirname "$0")/.."
common="" bulk="" k8s="" ospf="" bfd=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-write) common="$common --no-write" ;;
    --quick) bulk="$bulk --n 1000 --runs 1 --no-write"; k8s="$k8s --quick"; ospf="$ospf --runs 1 --no-write"; bfd="$bfd --quick" ;;
    --bulk) shift; bulk="$bulk $1" ;;
    --k8s) shift; k8s="$k8s $1" ;;
    --ospf) shift; ospf="$ospf $1" ;;
    --bfd) shift; bfd="$bfd $1" ;;
    *) echo "usage: $0 [--no-write] [--quick] [--bulk 'ARGS'] [--k8s 'ARGS'] [--ospf 'ARGS'] [--bfd 'ARGS']" >&2; exit 2 ;;
  esac
  shift
done
echo "== load average: $(cat /proc/loadavg)"
echo "== bench/bench_bgp_bulk.py$common$bulk"
# shellcheck disable=SC2086  # word splitting of the argument lists is intended
python3 bench/bench_bgp_bulk.py $common $bulk
echo
echo "== load average: $(cat /proc/loadavg)"
echo "== bench/bench_k8s.py$common$k8s"
# shellcheck disable=SC2086
python3 bench/bench_k8s.py $common $k8s
echo
echo "== load average: $(cat /proc/loadavg)"
echo "== bench/bench_ospf.py$common$ospf"
# shellcheck disable=SC2086
python3 bench/bench_ospf.py $common $ospf
echo
echo "== load average: $(cat /proc/loadavg)"
echo "== bench/bench_bfd.py$common$bfd"
# shellcheck disable=SC2086
python3 bench/bench_bfd.py $common $bfd
echo "== load average: $(cat /proc/loadavg)"
