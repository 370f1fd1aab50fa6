"""Least privilege (docs/security.md): once its listeners are bound, the daemon keeps only the
capabilities its running parts still use. Each case starts the real daemon in a node namespace,
reads the capability sets of every one of its threads from /proc/PID/task/*/status, asserts them
exactly, and then proves the daemon still does everything with what it kept:

    BGP only             nothing kept. BGP listens on port 179 and HTTP on 127.0.0.1:80 (both bound
                         before the drop); the session to BIRD is Established and the route at BIRD;
                         a reload adds a passive peer with a TCP MD5 password, whose key goes onto the
                         open listener after the drop, and BIRD's MD5 session comes up through it;
                         a reload to http.listen :81 is refused with a clear "restart" error.
    BGP + OSPF           NET_RAW kept: BGP as above and an OSPF adjacency with BIRD; the node's link
                         goes down and up, the raw socket is opened again and the adjacency and the
                         E2 route come back.
    require_programmed   NET_ADMIN and NET_RAW kept (Kubernetes on, against the fake API server; the
                         fake kube-proxy says "iptables"): the daemon's iptables-save child reads the
                         node's KUBE-SERVICES rules, so only the programmed ClusterIP is advertised,
                         and a rule added later is read too.

Every case runs three times: as root (the bounding set shrinks to the kept capabilities too,
no_new_privs and the NOROOT securebit); as root with `run --user 65532` (the image's ENTRYPOINT), where
the daemon also leaves uid 0 for 65532 keeping the same capabilities (checked in /proc: Uid, Gid,
Groups); and as uid 65532 the way the container runs it: a copy of the binary
with the file capabilities NET_ADMIN, NET_RAW, NET_BIND_SERVICE (setcap), started through
`setpriv --reuid 65532 --regid 65532 --clear-groups`; there the bounding set stays as it was
(dropping from it needs CAP_SETPCAP) and the kept ones are ambient, so iptables-save gets them.
"""
import os
import re
import shutil
import subprocess
import sys
import unittest

from bird import BirdOspfRouter, BirdRouter
from lab import ROUTER_V4, LabTestCase, require
from poll import wait_for
from process import Process
from routes import Peer
from speaker import SpeakerNode, binary, config_yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from kube_lab import ADVERTISE, ApiServer, FakeKubeProxy, speaker_sections  # noqa: E402

CAP_NET_BIND_SERVICE, CAP_NET_ADMIN, CAP_NET_RAW = 10, 12, 13
NET_ADMIN, NET_RAW = 1 << CAP_NET_ADMIN, 1 << CAP_NET_RAW
FILE_CAPS = "cap_net_admin,cap_net_raw,cap_net_bind_service+ep"
USER = 65532
ROUTER_ASN, NODE_ASN = 64512, 64513
SERVICE_V4 = "10.96.0.0/12"
MD5_ROUTER, MD5_NODE, MD5_KEY = "10.0.1.11", "10.0.1.12", "s3cret-key"
WEB, OTHER = "10.96.0.50", "10.96.0.51"
CAP_FIELDS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs")


def setUpModule():
    require("bird", "speaker")
    for tool in ("setcap", "setpriv", "iptables-restore", "iptables-save", "ip6tables-save", "curl"):
        if not shutil.which(tool):
            raise RuntimeError(f"privilege tests cannot run: {tool} not found (scripts/setup.sh installs it)")


def own_bounding_set():
    with open("/proc/self/status") as f:
        return int(re.search(r"^CapBnd:\s*(\w+)", f.read(), re.M).group(1), 16)


def capability_sets(pid):
    """{CapInh, CapPrm, CapEff, CapBnd, CapAmb: int, NoNewPrivs: 0|1} of pid; every thread must agree
    (capabilities belong to threads: one started before the drop would keep the old ones)."""
    per_thread = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        per_thread[tid] = {k: int(fields[k].strip(), 16 if k.startswith("Cap") else 10) for k in CAP_FIELDS}
    distinct = {tuple(sorted(v.items())) for v in per_thread.values()}
    assert len(distinct) == 1, f"the daemon's threads hold different capabilities: {per_thread}"
    return next(iter(per_thread.values()))


def user_ids(pid):
    """{Uid: [real, effective, saved, fs], Gid: [...], Groups: [...]} of every thread (they must agree)."""
    per_thread = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        per_thread[tid] = {k: [int(v) for v in fields[k].split()] for k in ("Uid", "Gid", "Groups")}
    distinct = {repr(v) for v in per_thread.values()}
    assert len(distinct) == 1, f"the daemon's threads run as different users: {per_thread}"
    return next(iter(per_thread.values()))


def read_text(path):
    with open(path, errors="replace") as f:
        return f.read()


class BirdBgpOspfRouter(BirdOspfRouter):
    """BIRD 2 with the BGP protocols of BirdRouter and the OSPF instance of BirdOspfRouter."""

    def __init__(self, ns, workdir, asn, peers, interfaces):
        super().__init__(ns, workdir, ROUTER_V4, interfaces)
        self.asn, self.peers = asn, peers
        self._names = {p.address: p.name for p in peers}

    def config_text(self):
        bgp = BirdRouter.config_text(self)
        return super().config_text() + bgp[bgp.index("protocol bgp"):]


class PrivilegeNode(SpeakerNode):
    """clusterip-speaker as root, or as USER from a copy of the binary carrying the container's file
    capabilities; `extra` is YAML appended to the config (e.g. an ospf section)."""

    def __init__(self, host, workdir, peers, sections, extra, as_user, switch_user=False):
        super().__init__(host, workdir, NODE_ASN, peers, [SERVICE_V4], "1s", 179, sections)
        self.sections, self.extra, self.as_user, self.switch_user = sections, extra, as_user, switch_user
        self.write(peers)
        self.binary = binary()
        if as_user:
            bindir = os.path.join(workdir, "bin")
            os.makedirs(bindir, exist_ok=True)
            self.binary = os.path.join(bindir, "clusterip-speaker")
            shutil.copy(binary(), self.binary)
            subprocess.run(["setcap", FILE_CAPS, self.binary], check=True, timeout=10)

    def write(self, peers, sections=None):
        """The config, replaced the way a ConfigMap update does it (a new file renamed over the old)."""
        text = config_yaml(self.name, self.host.v4, NODE_ASN, peers, [SERVICE_V4], "1s", 179,
                           sections or self.sections) + self.extra
        with open(self.conf + ".new", "w") as f:
            f.write(text)
        os.replace(self.conf + ".new", self.conf)

    def start(self):
        user = ["setpriv", "--reuid", str(USER), "--regid", str(USER), "--clear-groups"] if self.as_user else []
        switch = ["--user", str(USER)] if self.switch_user else []
        self.process = Process(self.host.ns, [*user, self.binary, "run", "-c", self.conf, *switch], self.log)

    def text(self):
        return read_text(self.log)


class PrivilegeCases:
    """Mixed into a LabTestCase whose class sets as_user (or switch_user)."""
    as_user = False
    switch_user = False  # started as root with --user 65532

    # -- building blocks --------------------------------------------------------------------------

    def start_daemon(self, host, peers, sections=None, extra=""):
        node = self.lab.adopt(PrivilegeNode(host, self.workdir, peers, sections, extra, self.as_user,
                                            self.switch_user))
        node.start()
        return node

    def wait_log(self, node, pattern, what, timeout=20):
        def probe():
            self.assertTrue(node.running(), f"the daemon exited with {node.wait(0)}")
            return re.search(pattern, node.text(), re.M)
        return wait_for(what, probe, timeout=timeout)

    def assert_capabilities(self, node, kept):
        """Exactly `kept` effective, permitted, inheritable and ambient; the bounding set reduced to
        it as root, untouched as USER (no CAP_SETPCAP); no_new_privs; the log says what it kept."""
        line = self.wait_log(node, r"capabilities: kept .*", "the daemon to drop its capabilities").group(0)
        sets = capability_sets(node.process.pid)
        bounding = own_bounding_set() if self.as_user else kept
        self.assertEqual(sets, {"CapInh": kept, "CapPrm": kept, "CapEff": kept, "CapBnd": bounding,
                                "CapAmb": kept, "NoNewPrivs": 1}, f"log: {line}")
        self.assertNotRegex(node.text(), r"warn\w*\s+capabilities:")
        ids = user_ids(node.process.pid)
        if self.as_user or self.switch_user:
            self.assertEqual(ids, {"Uid": [USER] * 4, "Gid": [USER] * 4, "Groups": [USER] if self.switch_user else []},
                             f"log: {line}")
            if self.switch_user:
                self.assertIn(f"running as uid {USER} gid {USER}", line)
        else:
            self.assertEqual(ids["Uid"], [0] * 4)
        return sets

    def wait_bgp(self, router, peer, prefix, next_hop):
        """peer: the node's address on the session (BIRD's neighbour)."""
        wait_for(f"BIRD's session with {peer} Established", lambda: router.established(peer), timeout=30)
        wait_for(f"{prefix} via {next_hop} from {peer} at BIRD",
                 lambda: {p.next_hop for p in router.rib(prefix) if p.peer == peer}, until=lambda h: h == {next_hop},
                 timeout=30)

    # -- the cases ----------------------------------------------------------------------------------

    def test_bgp_only_keeps_nothing(self):
        host = self.lab.add_host()
        self.lab.router_ns.add_address("lan", f"{MD5_ROUTER}/24")
        host.ns.add_address("uplink", f"{MD5_NODE}/24")
        router = self.lab.start_router(
            "bird", ROUTER_ASN, [Peer(host.name, host.v4, ROUTER_V4, NODE_ASN), Peer("secured", MD5_NODE, MD5_ROUTER, NODE_ASN)],
            peer_options={MD5_NODE: {"password": MD5_KEY}})
        first = {"address": ROUTER_V4, "asn": ROUTER_ASN}
        http = {"http": {"listen": "127.0.0.1:80"}}
        node = self.start_daemon(host, [first], sections=http)
        self.wait_log(node, r"listening for BGP on \[0\.0\.0\.0\]:179", "the BGP listener on port 179")
        self.wait_log(node, r"http: serving .* on 127\.0\.0\.1:80", "the HTTP endpoint on port 80")
        before = self.assert_capabilities(node, 0)
        self.wait_bgp(router, host.v4, SERVICE_V4, host.v4)
        self.assertEqual(host.ns.run("curl", "-sS", "-m", "5", "http://127.0.0.1:80/healthz").strip(), "ok")

        # A passive peer with an MD5 password: BIRD connects to our port-179 listener, which got the
        # key after the drop (TCP_MD5SIG needs no capability).
        node.write([first, {"address": MD5_ROUTER, "asn": ROUTER_ASN, "password": MD5_KEY, "passive": True}], http)
        self.wait_bgp(router, MD5_NODE, SERVICE_V4, MD5_NODE)
        self.assertTrue(router.established(host.v4), "the first session went down on the reload")

        # A new privileged bind cannot happen any more: said clearly, the rest keeps running.
        node.write([first], {"http": {"listen": "127.0.0.1:81"}})
        self.wait_log(node, r"reload: http\.listen 127\.0\.0\.1:81 needs CAP_NET_BIND_SERVICE.*restart",
                      "the reload to name the missing capability")
        self.assertTrue(node.running())
        self.assertTrue(router.established(host.v4))
        self.assertEqual(capability_sets(node.process.pid), before, "the capabilities changed after start-up")

    def test_bgp_and_ospf_keep_net_raw(self):
        host = self.lab.add_host()
        router = self.lab.adopt(BirdBgpOspfRouter(self.lab.router_ns, self.workdir, ROUTER_ASN,
                                                  [Peer(host.name, host.v4, ROUTER_V4, NODE_ASN)],
                                                  {"lan": {"type": "broadcast", "md5": None}}))
        router.start()
        ospf = ("ospf:\n  enabled: true\n  interfaces:\n"
                "    - { name: uplink, hello_interval: 1s, dead_interval: 4s, retransmit_interval: 1s }\n")
        node = self.start_daemon(host, [{"address": ROUTER_V4, "asn": ROUTER_ASN}], extra=ospf)
        self.wait_log(node, r"listening for BGP on \[0\.0\.0\.0\]:179", "the BGP listener on port 179")
        before = self.assert_capabilities(node, NET_RAW)
        self.wait_bgp(router, host.v4, SERVICE_V4, host.v4)
        self.wait_ospf(router, host)

        # Carrier lost and back: the daemon closes its raw socket and opens a new one, with NET_RAW.
        ups = len(re.findall(r"OSPF: interface uplink up", node.text()))
        self.lab.router_ns.ip("link", "set", host.name, "down")
        self.wait_log(node, r"OSPF: interface uplink down", "the daemon to see the lost carrier")
        # Down for longer than the dead interval, as in test_ospf's link flap: BIRD's own LAN
        # went down too, and it re-forms cleanly once it has dropped the old route.
        wait_for(f"{SERVICE_V4} to leave BIRD's OSPF routes", lambda: router.ospf_route(SERVICE_V4)[0],
                 until=lambda kind: kind is None, timeout=30)
        self.lab.router_ns.ip("link", "set", host.name, "up")
        wait_for("the raw socket to be opened again", lambda: len(re.findall(r"OSPF: interface uplink up", node.text())),
                 until=lambda n: n > ups, timeout=20)
        self.wait_ospf(router, host)
        self.assertNotRegex(node.text(), r"Operation not permitted")
        self.assertEqual(capability_sets(node.process.pid), before)

    def wait_ospf(self, router, host):
        wait_for("BIRD's OSPF neighbour Full", lambda: router.neighbors().get(host.v4, "").lower(),
                 until=lambda s: s.startswith("full"), timeout=60)
        wait_for(f"{SERVICE_V4} as an OSPF E2 route via {host.v4} at BIRD", lambda: router.ospf_route(SERVICE_V4),
                 until=lambda r: r == ("E2", {host.v4}), timeout=60)

    def test_programmed_keeps_admin_raw(self):
        host = self.lab.add_host()
        router = self.lab.start_router("bird", ROUTER_ASN, [Peer(host.name, host.v4, ROUTER_V4, NODE_ASN)])
        api = self.lab.adopt(ApiServer(self.lab.router_ns, self.workdir))
        api.start()
        api.node(host.name, ready=True, internal_ip=host.v4)
        for name, ip in (("web", WEB), ("other", OTHER)):
            api.service(name, ip, annotations={ADVERTISE: "true"})
        self.lab.adopt(FakeKubeProxy(host, self.workdir, "iptables")).start()
        self.program(host, [WEB])
        kubeconfig = api.kubeconfig
        if self.as_user or self.switch_user:  # the fake API server writes it 0600 for root
            kubeconfig = os.path.join(self.workdir, "kubeconfig")
            shutil.copy(api.kubeconfig, kubeconfig)
            os.chown(kubeconfig, USER, USER)
        sections = speaker_sections(kubeconfig, "annotated", require_programmed=True)
        node = self.start_daemon(host, [{"address": ROUTER_V4, "asn": ROUTER_ASN}], sections=sections)
        self.assert_capabilities(node, NET_ADMIN | NET_RAW)

        # Only a read of the rules (iptables-save, a child process, after the drop) tells WEB from OTHER.
        self.wait_bgp(router, host.v4, f"{WEB}/32", host.v4)
        self.assertEqual(router.rib(f"{OTHER}/32"), [], "a ClusterIP kube-proxy has not programmed was advertised")
        self.assertNotRegex(node.text(), r"kube-proxy programmed state unknown")
        # Read again later (a new child each time): the rule added now brings OTHER.
        self.program(host, [WEB, OTHER])
        self.wait_bgp(router, host.v4, f"{OTHER}/32", host.v4)
        self.assertNotRegex(node.text(), r"kube-proxy programmed state unknown")

    @staticmethod
    def program(host, cluster_ips):
        """kube-proxy's iptables rules for cluster_ips in the node's namespace (nat table, KUBE-SERVICES)."""
        rules = ["*nat", ":KUBE-SERVICES - [0:0]"]
        chains = [f"KUBE-SVC-TEST{i:012d}" for i in range(len(cluster_ips))]
        rules += [f":{c} - [0:0]" for c in chains]
        rules += [f"-A KUBE-SERVICES -d {ip}/32 -p tcp -m tcp --dport 80 -j {c}" for ip, c in zip(cluster_ips, chains)]
        rules.append("COMMIT")
        subprocess.run(host.ns.argv("iptables-restore"), input="\n".join(rules) + "\n", text=True, check=True,
                       timeout=10)


class AsRoot(PrivilegeCases, LabTestCase):
    as_user = False


class AsRootSwitchingTo65532(PrivilegeCases, LabTestCase):
    switch_user = True


class AsUser65532(PrivilegeCases, LabTestCase):
    as_user = True


if __name__ == "__main__":
    unittest.main(verbosity=2)
