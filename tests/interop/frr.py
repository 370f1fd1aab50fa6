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
        """peer_options: node address -> extras for that neighbor; so far {"password": "..."} (TCP MD5)."""
        self.ns, self.asn, self.router_id, self.peers = ns, asn, router_id, peers
        self.peer_options = peer_options or {}
        # The daemons drop to user frr, so their directory (sockets, pid files, logs) must be frr's.
        self.dir = os.path.join(workdir, f"frr-{ns.name}")
        os.makedirs(self.dir, exist_ok=True)
        shutil.chown(self.dir, "frr", "frr")
        self.conf = os.path.join(self.dir, "bgpd.conf")
        self.log = os.path.join(self.dir, "bgpd.log")
        self.zebra = self.bgpd = None

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
        for family, rmap in (("ipv4", "CIS-IN"), ("ipv6", "CIS-IN6")):
            lines.append(f" address-family {family} unicast")
            for p in self.peers:
                if (":" in p.address) == (family == "ipv6"):
                    lines += [f"  neighbor {p.address} activate", f"  neighbor {p.address} route-map {rmap} in"]
            lines += ["  maximum-paths 8", "  maximum-paths ibgp 8", " exit-address-family"]
        return "\n".join(lines) + "\n"

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
        self.bgpd = self._daemon("bgpd", "-f", self.conf)
        wait_for("bgpd's vty", lambda: self.bgpd.assert_running() and self.vtysh("show bgp summary json"), timeout=15)

    def stop(self):
        for d in (self.bgpd, self.zebra):
            if d:
                d.stop()

    def restart(self):
        self.stop()
        self.start()

    def logs(self):
        return [("FRR bgpd.conf", self.conf), ("FRR bgpd log", self.log),
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

    def neighbor(self, peer):
        return self.vtysh_json(f"show bgp neighbors {peer} json").get(peer, {})

    def established(self, peer):
        return self.neighbor(peer).get("bgpState") == "Established"

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
