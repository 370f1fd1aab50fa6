#!/usr/bin/env bash
# The clusterip-speaker demo, in network namespaces on this machine (run as root):
#
#   client 192.168.100.2 ── router (BIRD 2) ── lan 10.0.1.0/24 ─┬─ node1 10.0.1.2  ClusterIP 10.96.0.10
#                                                                └─ node2 10.0.1.3  ClusterIP 10.96.0.10
#
# Each node runs clusterip-speaker, which tells the router over BGP that 10.96.0.0/12 (the Service
# CIDR) lives behind it, and a small web server on the ClusterIP 10.96.0.10 (held on a kube-ipvs0
# bridge, as kube-proxy's IPVS mode holds it). The router spreads the Service CIDR over both nodes
# (ECMP); the client fetches http://10.96.0.10/ through it. Then node2 dies hard (every packet on its
# link dropped, no signal to anything): BFD lets the router drop it within a second, and the client
# keeps getting answers; node2 comes back. Then node1's speaker gets SIGTERM and
# leaves for good (--on-sigterm leave, as when a node is taken out; on a rolling update the default
# restarts gracefully and the router keeps the route): the route shrinks to node2 and the client
# keeps getting answers.
#
# Usage: sudo scripts/demo.sh      (binary: $CIS_BINARY, default build/cmd/clusterip-speaker)
set -euo pipefail

cd "$(dirname "$0")/.."
BINARY=$(realpath -m "${CIS_BINARY:-build/cmd/clusterip-speaker}")
PREFIX="cisdemo-$$"                 # namespace names, unique to this run
WORK=$(mktemp -d /tmp/cisdemo.XXXXXX)
PIDS=()
declare -A SPEAKER                 # node -> pid of its clusterip-speaker

say()  { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ns()   { echo "$PREFIX-$1"; }
in_ns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }
# Background programs are started with a plain `ip netns exec` (which execs), never through in_ns:
# $! must be the program itself, or SIGTERM would reach a subshell instead of the daemon.
birdc_() { birdc -s "$WORK/bird.ctl" "$@"; }

# wait_until SECONDS WHAT COMMAND...: poll every 0.2 s, give up (and fail the demo) after SECONDS.
wait_until() {
  local seconds=$1 what=$2; shift 2
  local tries=$((seconds * 5))
  while ! "$@" >/dev/null 2>&1; do
    tries=$((tries - 1))
    if [ "$tries" -le 0 ]; then echo "timed out after ${seconds}s waiting for $what" >&2; return 1; fi
    sleep 0.2
  done
}

cleanup() {
  local rc=$?
  set +e
  # SIGTERM everything we started, give it up to 6 s (a speaker drains for 3 s), then SIGKILL.
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for _ in $(seq 30); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.2
  done
  for n in client router node1 node2; do
    # Whatever still runs in a namespace goes with it.
    ip netns pids "$(ns "$n")" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$(ns "$n")" 2>/dev/null
  done
  if [ "$rc" -ne 0 ]; then
    echo "demo FAILED (exit $rc); logs:" >&2
    for f in "$WORK"/*.log; do echo "--- $f" >&2; tail -n 30 "$f" >&2; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "run as root (it creates network namespaces)" >&2; exit 1; }
[ -x "$BINARY" ] || { echo "clusterip-speaker not found at $BINARY: build it first, or set CIS_BINARY" >&2; exit 1; }
for tool in bird birdc curl python3 ip nft; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done

say "Building the network: a client, a router, two nodes"
for n in client router node1 node2; do
  ip netns add "$(ns "$n")"
  in_ns "$n" ip link set lo up
done
# client <-> router
ip link add eth0 netns "$(ns client)" type veth peer name client netns "$(ns router)"
in_ns client ip address add 192.168.100.2/24 dev eth0
in_ns client ip link set eth0 up
in_ns client ip route add default via 192.168.100.1
in_ns router ip address add 192.168.100.1/24 dev client
in_ns router ip link set client up
# router: a LAN bridge for the nodes; forwarding on; ECMP hashes on ports too, so that separate
# connections from one client can land on different nodes.
in_ns router ip link add lan type bridge
in_ns router ip address add 10.0.1.1/24 dev lan
in_ns router ip link set lan up
in_ns router sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1

for i in 1 2; do
  node=node$i addr=10.0.1.$((i + 1))
  ip link add "$node" netns "$(ns router)" type veth peer name eth0 netns "$(ns "$node")"
  in_ns router ip link set "$node" master lan up
  in_ns "$node" ip address add "$addr/24" dev eth0
  in_ns "$node" ip link set eth0 up
  in_ns "$node" ip route add default via 10.0.1.1
  # The ClusterIP, where kube-proxy (IPVS mode) would put it.
  in_ns "$node" ip link add kube-ipvs0 type bridge
  in_ns "$node" ip address add 10.96.0.10/32 dev kube-ipvs0
  in_ns "$node" ip link set kube-ipvs0 up

  # A "Service" on the ClusterIP: a page that names the node serving it.
  mkdir -p "$WORK/www-$node"
  echo "Hello from $node" > "$WORK/www-$node/index.html"
  ip netns exec "$(ns "$node")" python3 -m http.server 80 --bind 10.96.0.10 --directory "$WORK/www-$node" \
    >"$WORK/http-$node.log" 2>&1 &
  PIDS+=($!)

  cat >"$WORK/$node.yaml" <<EOF
node: { name: $node, router_id: $addr }
advertise: { service_cidrs: [10.96.0.0/12], static: [], cluster_ips: none, require_kube_proxy: false, require_node_ready: false }
kubernetes: { enabled: false }
http: { listen: "" }
bgp:
  asn: 64513
  listen_port: 0
  peers:
    - { address: 10.0.1.1, asn: 64512, hold_time: 9s, keepalive_time: 3s, connect_retry: 1s, graceful_shutdown: { enabled: true, drain_time: 3s },
        bfd: { enabled: true, min_rx: 300ms, min_tx: 300ms, multiplier: 3 } }
log: { level: info }
EOF
done

say "Starting BIRD 2 on the router (AS 64512), peering with both nodes (AS 64513)"
cat >"$WORK/bird.conf" <<EOF
router id 10.0.1.1;
log "$WORK/bird.log" all;
protocol device { }
# merge paths: routes from both nodes become one multipath (ECMP) kernel route.
protocol kernel { ipv4 { import none; export all; }; merge paths yes; }
# RFC 8326: a route tagged GRACEFUL_SHUTDOWN loses to any other, so traffic leaves a draining node
# before that node withdraws its route.
filter from_nodes { if (65535, 0) ~ bgp_community then bgp_local_pref = 0; accept; }
# BFD: a node that dies hard is dropped after 3 missed packets (900 ms), not after the hold time.
protocol bfd { interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; }; }
template bgp node {
  local 10.0.1.1 as 64512;
  bfd on;
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 5;
  ipv4 { import filter from_nodes; export none; };
}
protocol bgp node1 from node { neighbor 10.0.1.2 as 64513; }
protocol bgp node2 from node { neighbor 10.0.1.3 as 64513; }
EOF
ip netns exec "$(ns router)" bird -f -c "$WORK/bird.conf" -s "$WORK/bird.ctl" -P "$WORK/bird.pid" >"$WORK/bird-stderr.log" 2>&1 &
PIDS+=($!)
wait_until 10 "BIRD to start" birdc_ show status

say "Starting clusterip-speaker on node1 and node2"
for node in node1 node2; do
  # --user: started as root, the daemon runs as nobody once its listeners are bound (docs/security.md).
  ip netns exec "$(ns "$node")" "$BINARY" run -c "$WORK/$node.yaml" --on-sigterm leave --user nobody \
    2>"$WORK/$node.log" &
  PIDS+=($!)
  SPEAKER[$node]=$!
done

hops() { in_ns router ip route show 10.96.0.0/12 | grep -o 'via [0-9.]*' | sort -u | wc -l; }
hops_are() { [ "$(hops)" -eq "$1" ]; }
wait_until 30 "the router to route 10.96.0.0/12 via both nodes" hops_are 2

say "The router learned the Service CIDR from both nodes (birdc show route)"
birdc_ show route 10.96.0.0/12
say "...and installed one ECMP route into its kernel (ip route)"
in_ns router ip route show 10.96.0.0/12

# Fetches the page n times and counts the answers; any request without one fails the demo (it is
# also a test).
fetch() {
  local n=$1 answers
  answers=$(for _ in $(seq "$n"); do in_ns client curl -s --max-time 2 http://10.96.0.10/ || echo "(no answer)"; done)
  echo "$answers" | sort | uniq -c | sed 's/^/    /'
  if grep -q "no answer" <<<"$answers"; then
    echo "the client lost requests" >&2
    return 1
  fi
}
serving() { in_ns "$1" curl -s --max-time 1 http://10.96.0.10/ | grep -q "Hello from $1"; }
for node in node1 node2; do wait_until 10 "$node's web server on the ClusterIP" serving "$node"; done
say "The client fetches http://10.96.0.10/ (a ClusterIP) 10 times through the router"
fetch 10
echo "    (each connection is hashed to one node; whether both answer depends on the hash)"

bfd_up() { [ "$(birdc_ show bfd sessions | grep -c ' Up ')" -eq 2 ]; }
wait_until 30 "BFD Up with both nodes" bfd_up
say "BFD sessions at the router (300 ms x 3)"
birdc_ show bfd sessions

say "node2 dies hard: every packet on its link dropped (nftables), no signal to anything"
cat >"$WORK/dead.nft" <<EOF
table inet cis_dead {
  chain in { type filter hook input priority -300; policy drop; iifname "lo" accept; }
  chain out { type filter hook output priority -300; policy drop; oifname "lo" accept; }
}
EOF
t0=$(date +%s%N)
in_ns node2 nft -f "$WORK/dead.nft"
# Looked at every 20 ms (bounded: 250 looks) to time it.
for _ in $(seq 250); do hops_are 1 && break; sleep 0.02; done
hops_are 1 || { echo "the router still routes via node2 5 s after it died" >&2; exit 1; }
t1=$(date +%s%N)
echo "    the router stopped using node2 after $(( (t1 - t0) / 1000000 )) ms (BGP alone would wait for the 9 s hold time)"
birdc_ show protocols node2 | tail -n 1
in_ns router ip route show 10.96.0.0/12
say "The client still gets answers, all from node1"
fetch 5
say "node2 comes back"
in_ns node2 nft delete table inet cis_dead
wait_until 30 "the router to route via both nodes again" hops_are 2
in_ns router ip route show 10.96.0.0/12

say "SIGTERM to node1's clusterip-speaker (leaving for good: --on-sigterm leave)"
kill -TERM "${SPEAKER[node1]}"
# It first re-advertises with GRACEFUL_SHUTDOWN, so the router moves traffic to node2 at once...
wait_until 15 "the router to drop node1 from its ECMP route" hops_are 1
birdc_ show route 10.96.0.0/12 all | grep -E 'unicast|via|community' || true
in_ns router ip route show 10.96.0.0/12
say "During the drain, the client still gets answers"
fetch 5

# ...then withdraws, sends a Cease with a shutdown message, and exits.
exited() { ! kill -0 "${SPEAKER[node1]}" 2>/dev/null; }
wait_until 30 "node1's clusterip-speaker to exit" exited
status=0; wait "${SPEAKER[node1]}" || status=$?
say "node1's clusterip-speaker exited with status $status; the router now has:"
birdc_ show route 10.96.0.0/12
birdc_ show protocols node1 | tail -n 1
in_ns router ip route show 10.96.0.0/12
say "The client still gets answers, all from node2"
fetch 5

say "Done; cleaning up"
