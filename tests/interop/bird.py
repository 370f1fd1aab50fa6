"""BIRD 2 as the upstream router: one BGP protocol per node, learned routes exported (ECMP) to the kernel."""
import os
import re
from datetime import datetime

from netns import sh
from poll import wait_for
from process import Process
from routes import Cease, LogEvent, Path

_PROTOCOL = """\
protocol bgp {name} {{
  local {local} as {local_asn};
  neighbor {address} {asn};
  {hops}
  connect delay time 1;         # the default waits 5 s before the first connect
  connect retry time 1;
  error wait time 1, 5;         # come back quickly after the peer goes away
{extra}  debug {{ states, events, routes }};   # the log shows withdrawals and Ceases, in order
{channels}}}
"""
_DIRECT = "direct;                       # iBGP too: the nodes share the router's LAN"
_CHANNEL = "  {family} {{ import all; export none; gateway {gateway}; }};\n"


def _protocol_options(opts):
    """Per-peer extras (all optional): password, multihop (hops; the default is a direct session),
    ttl_security (GTSM), channels (e.g. ["ipv4", "ipv6"]: both families over one session),
    as4 (False: BIRD offers no 4-octet AS capability, so the session carries 2-octet AS_PATHs)."""
    extra = ""
    if opts.get("as4") is False:
        extra += "  enable as4 off;\n"
    if opts.get("password") is not None:
        extra += f'  password "{opts["password"]}";\n'
    if opts.get("ttl_security"):
        extra += "  ttl security yes;\n"
    if opts.get("bfd"):
        # "graceful": a BFD Down starts a graceful restart instead of dropping the routes.
        extra += f"  bfd {opts['bfd'] if isinstance(opts['bfd'], str) else 'on'};\n"
    return extra


def bfd_timers(opts):
    """BFD timers for the router side: {"min_rx": ms, "min_tx": ms, "multiplier": n}; 300 ms x 3 by default."""
    t = {"min_rx": 300, "min_tx": 300, "multiplier": 3}
    t.update(opts or {})
    return t


class BirdRouter:
    kind = "bird"

    def __init__(self, ns, workdir, asn, router_id, peers, peer_options=None, static_routes=()):
        """peer_options: node address -> extras for that session (see _protocol_options);
        static_routes: (prefix, gateway) pairs in master4, e.g. the way to nodes behind a hop."""
        self.ns, self.asn, self.router_id, self.peers = ns, asn, router_id, peers
        self.peer_options = peer_options or {}
        self.static_routes = list(static_routes)
        self.dir = os.path.join(workdir, f"bird-{ns.name}")
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "bird.conf")
        self.sock = os.path.join(self.dir, "bird.ctl")
        self.log = os.path.join(self.dir, "bird.log")
        self.process = None
        self._names = {p.address: p.name for p in peers}

    def config_text(self):
        text = f"""\
router id {self.router_id};
log "{self.log}" all;
timeformat log iso long ms;     # millisecond stamps, compared with the daemon's exit time
protocol device {{ }}
# merge paths: equal BGP routes from several nodes become one multipath kernel route.
protocol kernel kernel4 {{ ipv4 {{ import none; export all; }}; merge paths yes; }}
protocol kernel kernel6 {{ ipv6 {{ import none; export all; }}; merge paths yes; }}
"""
        bfd_peers = [o for o in self.peer_options.values() if o.get("bfd")]
        if bfd_peers:
            t = bfd_timers(bfd_peers[0].get("bfd_timers"))
            timers = (f"min rx interval {t['min_rx']} ms; min tx interval {t['min_tx']} ms; "
                      f"multiplier {t['multiplier']};")
            text += f"protocol bfd {{\n  interface \"*\" {{ {timers} }};\n  multihop {{ {timers} }};\n}}\n"
        if self.static_routes:
            text += "protocol static static4 {\n  ipv4;\n" + "".join(
                f"  route {prefix} via {gw};\n" for prefix, gw in self.static_routes) + "}\n"
        for p in self.peers:
            opts = self.peer_options.get(p.address, {})
            multihop = opts.get("multihop")
            families = opts.get("channels") or ["ipv6" if ":" in p.address else "ipv4"]
            # Beyond a hop the node's next hop is resolved through the router's own routes.
            gateway = "recursive" if multihop else "direct"
            # No AS number: any external one (how a router without 4-octet AS support can still
            # peer with a node whose ASN is wider: it checks the ASN from the capability, and its
            # config could not name it).
            text += _PROTOCOL.format(name=p.name, local=p.local, local_asn=self.asn, address=p.address,
                                     asn=f"as {p.asn}" if p.asn is not None else "external", hops=f"multihop {multihop};" if multihop else _DIRECT,
                                     extra=_protocol_options(opts),
                                     channels="".join(_CHANNEL.format(family=f, gateway=gateway)
                                                      for f in families))
        return text

    def launch(self):
        """Writes the config and starts BIRD in the foreground (its pid is BIRD's); no waiting."""
        with open(self.conf, "w") as f:
            f.write(self.config_text())
        self.process = Process(self.ns, ["bird", "-f", "-c", self.conf, "-s", self.sock,
                                         "-P", os.path.join(self.dir, "bird.pid")],
                               os.path.join(self.dir, "bird.stderr"))

    def start(self):
        self.launch()
        wait_for("BIRD's control socket", lambda: self.process.assert_running() and self.birdc("show status"),
                 timeout=15)

    def stop(self):
        if self.process:
            self.process.stop()

    def restart(self):
        self.stop()
        self.start()

    def logs(self):
        return [("BIRD config", self.conf), ("BIRD log", self.log),
                ("BIRD stderr", os.path.join(self.dir, "bird.stderr"))]

    def birdc(self, *command):
        return sh("birdc", "-s", self.sock, *command, timeout=10)

    def _show_route(self, prefix):
        try:
            return self.birdc("show", "route", prefix, "all")
        except RuntimeError as e:
            if "Network not found" in str(e):  # birdc exits 1 when the table lacks the prefix
                return ""
            raise

    def rib(self, prefix):
        """Paths for exactly this prefix in BIRD's table, one per node that sent it."""
        paths, cur = [], None
        for line in self._show_route(prefix).splitlines():
            m = re.match(r"^\S*\s+unicast \[(\S+) ", line)
            if m:
                cur = {"proto": m.group(1), "via": None, "communities": frozenset(), "local_pref": None}
                paths.append(cur)
            elif cur is not None:
                s = line.strip()
                if s.startswith("via ") and cur["via"] is None:
                    cur["via"] = s.split()[1]
                elif s.startswith("BGP.community:"):
                    cur["communities"] = frozenset((int(a), int(b)) for a, b in re.findall(r"\((\d+),(\d+)\)", s))
                elif s.startswith("BGP.local_pref:"):
                    cur["local_pref"] = int(s.split()[1])
        by_proto = {name: addr for addr, name in self._names.items()}
        return [Path(peer=by_proto.get(p["proto"], p["proto"]), next_hop=p["via"],
                     communities=p["communities"], local_pref=p["local_pref"]) for p in paths]

    def as_paths(self, prefix):
        """The BGP.as_path of each path BIRD holds for exactly this prefix, as lists of ASNs."""
        return [[int(a) for a in re.findall(r"\d+", line.split(":", 1)[1])]
                for line in self._show_route(prefix).splitlines() if line.strip().startswith("BGP.as_path:")]

    def protocol(self, peer):
        return self.birdc("show", "protocols", "all", self._names[peer])

    def established(self, peer):
        return re.search(r"BGP state:\s+Established", self.protocol(peer)) is not None

    def bfd_sessions(self):
        """BIRD's BFD sessions: neighbour address -> {"state", "interval" (ms), "timeout" (ms)}."""
        sessions = {}
        for line in self.birdc("show", "bfd", "sessions").splitlines():
            f = line.split()
            # IP address  Interface  State  Since  Interval  Timeout
            if len(f) >= 6 and f[2] in ("Up", "Down", "Init", "AdminDown"):
                try:
                    sessions[f[0]] = {"state": f[2], "interval": float(f[-2]) * 1000, "timeout": float(f[-1]) * 1000,
                                      "since": " ".join(f[3:-2])}
                except ValueError:
                    continue
        return sessions

    def stale_peers(self, prefix):
        """Neighbours whose path for prefix BIRD keeps as stale (RFC 4724 helper). BIRD 2.0 marks no
        single route: while a neighbour's restart is active, all its routes are stale until its End-of-RIB."""
        return {p.peer for p in self.rib(prefix)
                if "Neighbor graceful restart active" in self.protocol(p.peer)}

    def last_error(self, peer):
        """Why BIRD last took the session down ("BFD session down", "Hold timer expired", ...), or ""."""
        m = re.search(r"Last error:\s+(.*)", self.protocol(peer))
        return m.group(1).strip() if m else ""

    def last_cease(self, peer):
        """The NOTIFICATION BIRD last received from peer ("Last error: Received: ..."), or None."""
        out = self.protocol(peer)
        m = re.search(r"Last error:\s+Received: (.*)", out)
        if not m:
            return None
        msg = re.search(r"^\s*Message:\s+(.*)$", out, re.M)
        return Cease(reason=m.group(1).strip(), message=msg.group(1).strip() if msg else "")

    def log_events(self, peer, prefix):
        """Withdrawals of prefix from peer and Ceases received from peer, as BIRD logged them."""
        name = re.escape(self._names[peer])
        withdraw = re.compile(rf"^(\S+ \S+) <TRACE> {name}\.ipv[46] > removed (?:\[\w+\] )?{re.escape(prefix)} ")
        cease = re.compile(rf"^(\S+ \S+) <RMT> {name}: Received: ")
        events = []
        with open(self.log, errors="replace") as f:
            for line in f:
                for kind, rx in (("withdraw", withdraw), ("cease", cease)):
                    m = rx.match(line)
                    if m:
                        when = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f")
                        events.append(LogEvent(when, kind, line.rstrip()))
        return events


class BirdOspfRouter(BirdRouter):
    """BIRD 2 as an OSPFv2 router (area 0) on the given interfaces; what it learns goes to the kernel.

    interfaces: name -> {"type": "broadcast" | "ptp", "md5": key or None, "priority": N (BIRD's default
    1 when absent)}; hello 1 s, dead 4 s to match the nodes' configs."""

    def __init__(self, ns, workdir, router_id, interfaces):
        super().__init__(ns, workdir, asn=None, router_id=router_id, peers=[])
        self.interfaces = interfaces

    def config_text(self):
        bfd = ('protocol bfd { interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; }; }\n'
               if any(o.get("bfd") for o in self.interfaces.values()) else "")
        text = f"""\
router id {self.router_id};
log "{self.log}" all;
timeformat log iso long ms;     # millisecond stamps, compared with the daemon's exit time
protocol device {{ scan time 1; }}
# merge paths: several equal routes become one multipath kernel route (OSPF ECMP gives one already).
protocol kernel kernel4 {{ ipv4 {{ import none; export all; }}; merge paths yes; }}
{bfd}protocol ospf v2 ospf1 {{
  ipv4 {{ import all; export none; }};
  ecmp yes;
  merge external yes;           # equal E2 routes from several nodes become one ECMP route (off by default in v2)
  tick 1;                       # SPF at most once a second (the default, and the minimum)
  debug {{ states, events, packets }};
  area 0 {{
"""
        for name, opts in self.interfaces.items():
            auth = ""
            if opts.get("md5") is not None:
                auth = (f'      authentication cryptographic;\n'
                        f'      password "{opts["md5"]}" {{ id 1; algorithm keyed md5; }};\n')
            text += (f'    interface "{name}" {{\n'
                     f'      type {opts.get("type", "broadcast")};\n'
                     f'      hello 1; dead 4; retransmit 2; wait 2;\n'
                     + (f'      priority {opts["priority"]};\n' if opts.get("priority") is not None else "")
                     + f'{auth}'
                     + ("      bfd yes;\n" if opts.get("bfd") else "")
                     + '    };\n')
        text += "  };\n}\n"
        return text

    def ospf_route(self, prefix):
        """(route type, set of next hops) for prefix in BIRD's table from OSPF, or (None, set())."""
        out = self._show_route(prefix)
        kind, hops = None, set()
        for line in out.splitlines():
            m = re.match(r"^\S*\s+unicast \[ospf1 [^\]]*\] [* ]*(\S+)", line)
            if m:
                kind = m.group(1)
                continue
            s = line.strip()
            if kind and s.startswith("via "):
                hops.add(s.split()[1])
        return kind, hops

    def lsadb(self):
        """The LSAs in BIRD's database as (LS type, LS ID, advertising router): `show ospf lsadb`."""
        found = set()
        for line in self.birdc("show", "ospf", "lsadb").splitlines():
            m = re.match(r"^\s*([0-9a-f]{4})\s+(\d+\.\d+\.\d+\.\d+)\s+(\d+\.\d+\.\d+\.\d+)\s+[0-9a-f]{8}\b", line)
            if m:  # BIRD prints the type with its scope bits (0x4005 for AS-external): keep the code
                found.add((int(m.group(1), 16) & 0xff, m.group(2), m.group(3)))
        return found

    def neighbors(self):
        """router id -> state ("Full/DR", "Full/PtP", ...) as `show ospf neighbors` lists them."""
        out = self.birdc("show", "ospf", "neighbors", "ospf1")
        result = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 6 and re.match(r"^\d+\.\d+\.\d+\.\d+$", parts[0]):
                result[parts[0]] = parts[2]
        return result
