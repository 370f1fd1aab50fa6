"""FRR as the upstream router: zebra + bgpd run directly (no systemd, no watchfrr), ECMP into the kernel."""
import json
import os
import re
import shutil
from datetime import datetime

from netns import sh
from poll import wait_for
from process import Process
from routes import Cease, LogEvent, Path

# FRR's JSON names for the RFC 1997 / RFC 8326 / RFC 9494 well-known communities.
_WELL_KNOWN = {
    "gracefulShutdown": (65535, 0), "acceptOwn": (65535, 1), "llgrStale": (65535, 6),
    "noLlgr": (65535, 7), "blackhole": (65535, 666), "noExport": (65535, 65281),
    "noAdvertise": (65535, 65282), "localAs": (65535, 65283), "noPeer": (65535, 65284),
}


class FrrRouter:
    kind = "frr"

    def __init__(self, ns, workdir, asn, router_id, peers, peer_options=None):
        """peer_options: node address -> extras for that neighbor: {"password": "..."} (TCP MD5),
        {"ttl_security": True} (GTSM)."""
        self.ns, self.asn, self.router_id, self.peers = ns, asn, router_id, peers
        self.peer_options = peer_options or {}
        # The daemons drop to user frr, so their directory (sockets, pid files, logs) must be frr's.
        self.dir = os.path.join(workdir, f"frr-{ns.name}")
        os.makedirs(self.dir, exist_ok=True)
        shutil.chown(self.dir, "frr", "frr")
        self.conf = os.path.join(self.dir, "bgpd.conf")
        self.log = os.path.join(self.dir, "bgpd.log")
        self.zebra = self.bgpd = self.bfdd = None

    def config_text(self):
        lines = [
            "frr defaults traditional",
            "hostname router",
            f"log file {self.log} debugging",
            "log timestamp precision 3",          # ms stamps, compared with the daemon's exit time
            "debug bgp neighbor-events",
            "debug bgp updates in",                # logs each withdrawal, so its order against the Cease shows
            "ip prefix-list CIS-TEST seq 5 permit 10.96.0.0/12 le 32",
            "ipv6 prefix-list CIS-TEST6 seq 5 permit fd00:10:96::/48 le 128",
            "route-map CIS-IN permit 10",
            " match ip address prefix-list CIS-TEST",
            "route-map CIS-IN6 permit 10",
            " match ipv6 address prefix-list CIS-TEST6",
            f"router bgp {self.asn}",
            f" bgp router-id {self.router_id}",
            " no bgp ebgp-requires-policy",
            " no bgp default ipv4-unicast",
        ]
        for p in self.peers:
            lines += [f" neighbor {p.address} remote-as {p.asn}",
                      f" neighbor {p.address} timers connect 1"]
            password = self.peer_options.get(p.address, {}).get("password")
            if password is not None:
                lines.append(f" neighbor {p.address} password {password}")
            opts = self.peer_options.get(p.address, {})
            if opts.get("ttl_security"):
                lines.append(f" neighbor {p.address} ttl-security hops 1")  # GTSM: accept TTL 255 only
            if opts.get("multihop"):
                lines.append(f" neighbor {p.address} ebgp-multihop {opts['multihop']}")
            if opts.get("bfd"):
                lines.append(f" neighbor {p.address} bfd profile cis")
                if opts.get("bfd") == "check-control-plane-failure":
                    lines.append(f" neighbor {p.address} bfd check-control-plane-failure")
        for family, rmap in (("ipv4", "CIS-IN"), ("ipv6", "CIS-IN6")):
            lines.append(f" address-family {family} unicast")
            for p in self.peers:
                if (":" in p.address) == (family == "ipv6"):
                    lines += [f"  neighbor {p.address} activate", f"  neighbor {p.address} route-map {rmap} in"]
            lines += ["  maximum-paths 8", "  maximum-paths ibgp 8", " exit-address-family"]
        return "\n".join(lines) + "\n"

    def bfd_config_text(self):
        """bfdd's profile, timers from the first peer's bfd_timers (300 ms x 3 by default)."""
        t = {"min_rx": 300, "min_tx": 300, "multiplier": 3}
        for o in self.peer_options.values():
            if o.get("bfd"):
                t.update(o.get("bfd_timers") or {})
                break
        return ("bfd\n profile cis\n"
                f"  detect-multiplier {t['multiplier']}\n  receive-interval {t['min_rx']}\n"
                f"  transmit-interval {t['min_tx']}\n !\n!\n")

    def _daemon(self, name, *extra):
        argv = [f"/usr/lib/frr/{name}", "-u", "frr", "-g", "frr", "-z", os.path.join(self.dir, "zserv.api"),
                "-i", os.path.join(self.dir, f"{name}.pid"), "--vty_socket", self.dir,
                "-A", "127.0.0.1", "-P", "0", *extra]
        return Process(self.ns, argv, os.path.join(self.dir, f"{name}.out"))

    def start(self):
        with open(self.conf, "w") as f:
            f.write(self.config_text())
        shutil.chown(self.conf, "frr", "frr")
        self.zebra = self._daemon("zebra", "-f", "/dev/null")
        wait_for("zebra's vty", lambda: self.zebra.assert_running() and self.vtysh("show version"), timeout=15)
        if any(o.get("bfd") for o in self.peer_options.values()):
            bfd_conf = os.path.join(self.dir, "bfdd.conf")
            with open(bfd_conf, "w") as f:
                f.write(self.bfd_config_text())
            shutil.chown(bfd_conf, "frr", "frr")
            self.bfdd = self._daemon("bfdd", "-f", bfd_conf)
            wait_for("bfdd's vty", lambda: self.bfdd.assert_running() and self.vtysh("show bfd peers"), timeout=15)
        self.bgpd = self._daemon("bgpd", "-f", self.conf)
        wait_for("bgpd's vty", lambda: self.bgpd.assert_running() and self.vtysh("show bgp summary json"), timeout=15)

    def stop(self):
        for d in (self.bgpd, self.bfdd, self.zebra):
            if d:
                d.stop()

    def restart(self):
        self.stop()
        self.start()

    def logs(self):
        return [("FRR bgpd.conf", self.conf), ("FRR bgpd log", self.log),
                ("FRR bfdd output", os.path.join(self.dir, "bfdd.out")),
                ("FRR zebra output", os.path.join(self.dir, "zebra.out")),
                ("FRR bgpd output", os.path.join(self.dir, "bgpd.out"))]

    def vtysh(self, command):
        return sh("vtysh", "--vty_socket", self.dir, "-c", command, timeout=10)

    def vtysh_json(self, command):
        out = self.vtysh(command)
        return json.loads(out) if out.strip() else {}

    def rib(self, prefix):
        family = "ipv6" if ":" in prefix else "ipv4"
        paths = []
        for p in self.vtysh_json(f"show bgp {family} unicast {prefix} json").get("paths", []):
            hops = p.get("nexthops", [])
            hop = next((h for h in hops if h.get("scope", "global") == "global"), hops[0] if hops else {})
            communities = frozenset(_WELL_KNOWN.get(c) or tuple(int(x) for x in c.split(":"))
                                    for c in p.get("community", {}).get("list", []))
            paths.append(Path(peer=p["peer"]["peerId"], next_hop=hop.get("ip"),
                              communities=communities, local_pref=p.get("locPrf")))
        return paths

    def stale_peers(self, prefix):
        """Neighbours whose path for prefix bgpd keeps as stale (RFC 4724 helper)."""
        family = "ipv6" if ":" in prefix else "ipv4"
        paths = self.vtysh_json(f"show bgp {family} unicast {prefix} json").get("paths", [])
        return {p["peer"]["peerId"] for p in paths if p.get("stale")}

    def neighbor(self, peer):
        return self.vtysh_json(f"show bgp neighbors {peer} json").get(peer, {})

    def established(self, peer):
        return self.neighbor(peer).get("bgpState") == "Established"

    def bfd_sessions(self):
        """bfdd's sessions: peer address -> {"state" (Up/Down/Init/AdminDown), "interval" (ms, ours to
        send at), "timeout" (ms), "remote_diag", "diag"}."""
        names = {"up": "Up", "down": "Down", "init": "Init", "shutdown": "AdminDown", "shut-down": "AdminDown"}
        out = {}
        peers = self.vtysh_json("show bfd peers json")
        for p in peers if isinstance(peers, list) else []:
            out[p["peer"]] = {"state": names.get(p.get("status"), p.get("status")),
                              "interval": max(p.get("transmit-interval", 0), p.get("remote-receive-interval", 0)),
                              "timeout": p.get("detect-multiplier", 0) * max(p.get("receive-interval", 0),
                                                                             p.get("remote-transmit-interval", 0)),
                              "diag": p.get("diagnostic", ""), "remote_diag": p.get("remote-diagnostic", ""),
                              "multihop": p.get("multihop", False), "id": p.get("id"),
                              "remote_id": p.get("remote-id")}
        return out

    def last_error(self, peer):
        """Why bgpd last reset the session ("BFD down received", "... Hold Timer Expired"), or ""."""
        n = self.neighbor(peer)
        return " ".join(x for x in (n.get("lastResetDueTo", ""), n.get("lastNotificationReason", "")) if x)

    def last_cease(self, peer):
        """The NOTIFICATION bgpd last received from peer (lastNotificationReason), or None."""
        n = self.neighbor(peer)
        if "received" not in n.get("lastResetDueTo", "").lower() or "lastNotificationReason" not in n:
            return None
        return Cease(reason=n["lastNotificationReason"], message=n.get("lastShutdownDescription", ""))

    def log_events(self, peer, prefix):
        """Withdrawals of prefix from peer and NOTIFICATIONs received from peer, as bgpd logged them."""
        p = re.escape(peer)
        withdraw = re.compile(rf"^(\S+ \S+) BGP: \[\S+\] {p}(?:\([^)]*\))? rcvd UPDATE about "
                              rf"{re.escape(prefix)} .*-- withdrawn")
        cease = re.compile(rf"^(\S+ \S+) BGP: \[\S+\] %NOTIFICATION: received from neighbor {p} ")
        events = []
        with open(self.log, errors="replace") as f:
            for line in f:
                for kind, rx in (("withdraw", withdraw), ("cease", cease)):
                    m = rx.match(line)
                    if m:
                        when = datetime.strptime(m.group(1), "%Y/%m/%d %H:%M:%S.%f")
                        events.append(LogEvent(when, kind, line.rstrip()))
        return events


class FrrOspfRouter(FrrRouter):
    """FRR (zebra + ospfd) as an OSPFv2 router (area 0) on the given interfaces, routes into the kernel.

    interfaces: name -> {"type": "broadcast" | "ptp", "md5": key or None, "priority": N (FRR's default
    1 when absent)}; hello 1 s, dead 4 s to match the nodes' configs."""

    def __init__(self, ns, workdir, router_id, interfaces):
        super().__init__(ns, workdir, asn=None, router_id=router_id, peers=[])
        self.interfaces = interfaces
        self.conf = os.path.join(self.dir, "ospfd.conf")
        self.log = os.path.join(self.dir, "ospfd.log")
        self.ospfd = None

    def config_text(self):
        lines = [
            "frr defaults traditional",
            "hostname router",
            f"log file {self.log} debugging",
            "log timestamp precision 3",
            "debug ospf event",
            "debug ospf ism",
            "debug ospf nsm",
            "debug ospf lsa",
            "debug ospf zebra",
        ]
        for name, opts in self.interfaces.items():
            lines += [f"interface {name}",
                      " ip ospf area 0",
                      " ip ospf hello-interval 1",
                      " ip ospf dead-interval 4",
                      " ip ospf retransmit-interval 1"]
            if opts.get("type") == "ptp":
                lines.append(" ip ospf network point-to-point")
            if opts.get("priority") is not None:
                lines.append(f" ip ospf priority {opts['priority']}")
            if opts.get("md5") is not None:
                lines += [f" ip ospf message-digest-key 1 md5 {opts['md5']}",
                          " ip ospf authentication message-digest"]
            lines.append("exit")
        lines += ["router ospf", f" ospf router-id {self.router_id}", " maximum-paths 8",
                  " timers throttle spf 0 50 1000", "exit"]
        return "\n".join(lines) + "\n"

    def start(self):
        with open(self.conf, "w") as f:
            f.write(self.config_text())
        shutil.chown(self.conf, "frr", "frr")
        self.zebra = self._daemon("zebra", "-f", "/dev/null")
        wait_for("zebra's vty", lambda: self.zebra.assert_running() and self.vtysh("show version"), timeout=15)
        self.ospfd = self._daemon("ospfd", "-f", self.conf)
        wait_for("ospfd's vty", lambda: self.ospfd.assert_running() and self.vtysh("show ip ospf json"), timeout=15)

    def stop(self):
        for d in (self.ospfd, self.zebra):
            if d:
                d.stop()

    def logs(self):
        return [("FRR ospfd.conf", self.conf), ("FRR ospfd log", self.log),
                ("FRR zebra output", os.path.join(self.dir, "zebra.out")),
                ("FRR ospfd output", os.path.join(self.dir, "ospfd.out"))]

    def ospf_route(self, prefix):
        """(route type, set of next hops) for prefix in ospfd's routing table, or (None, set())."""
        r = self.vtysh_json("show ip ospf route json").get(prefix)
        if not r:
            return None, set()
        kind = r.get("routeType", "")  # "N E2" for a type-2 external
        return kind.split()[-1] if kind else None, {h["ip"] for h in r.get("nexthops", []) if h.get("ip")}

    def neighbors(self):
        """router id -> state ("Full/DR", "Full/-", ...) as `show ip ospf neighbor json` lists them."""
        result = {}
        for rid, entries in self.vtysh_json("show ip ospf neighbor json").get("neighbors", {}).items():
            for e in entries if isinstance(entries, list) else [entries]:
                state = e.get("nbrState") or e.get("state", "")
                result[rid] = state
        return result
