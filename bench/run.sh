#!/bin/sh
# Runs every benchmark, prints its table and rewrites docs/benchmarks.md (machine, date, load, tables).
# Needs root (network namespaces):  sudo bench/run.sh [--n 1000,10000,100000] [--runs 5]
#                                   [--speakers cis,bird,frr] [--no-write]
# The daemon is $CIS_BINARY, else build/daemon/clusterip-speaker.
# So far there is one benchmark, which writes the whole report; a second one would add its section.
set -eu
cd "$(dirname "$0")/.."
exec python3 bench/bench_bgp_bulk.py "$@"
