"""`router-config` and `dns-config` output against the real programs: every generated config passes
the program's own checker (BFD included: BIRD's `protocol bfd`, FRR's `bfd` profiles), and the
generated BIRD and FRR router configs, loaded as they are (plus a log file), bring up sessions with
clusterip-speaker nodes and give the router an ECMP route that honours GRACEFUL_SHUTDOWN; with BFD
on, BIRD and FRR bring up a BFD session with each node at the timers the config gave them."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.request

from bird import BirdRouter
from frr import FrrRouter
from lab import ROUTER_V4, LabTestCase, require
from netns import sh
from poll import wait_for
from routes import Peer, kernel_next_hops
from speaker import binary, config_yaml

ROUTER_ASN, NODE_ASN = 64512, 64513
SERVICE_V4, SERVICE_V6 = "10.96.0.0/12", "fd00:10:96::/112"
NODES = ["10.0.1.2", "10.0.1.3"]
OUTSIDE = "198.51.100.0/24"  # what a misconfigured node might send


def setUpModule():
    require("bird", "speaker")
    require("frr", "speaker")
    missing = [t for t in ("dnsmasq", "unbound-checkconf") if not shutil.which(t)]
    if missing:
        raise RuntimeError(f"generated-config tests cannot run: {', '.join(missing)} not found "
                           "(apt-get install dnsmasq-base unbound)")


def cluster_config(path, asn=NODE_ASN, peer=None, prefixes=(SERVICE_V4,), sections=None, ospf=None):
    """A node config as the DaemonSet would carry it; ospf: extra YAML text for the ospf section."""
    peer = peer or {"address": ROUTER_V4, "asn": ROUTER_ASN}
    text = config_yaml("node1", "10.0.1.2", asn, [peer], list(prefixes), "1s", sections=sections)
    if ospf:
        text += ospf
    with open(path, "w") as f:
        f.write(text)
    return path


def read(path):
    with open(path) as f:
        return f.read()


def cis(*args):
    """Runs clusterip-speaker; returns stdout, failing with its stderr."""
    r = subprocess.run([binary(), *args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise AssertionError(f"clusterip-speaker {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


OSPF_MD5 = """ospf:
  enabled: true
  area: 0.0.0.0
  interfaces:
    - { name: eth1, network: point-to-point, hello_interval: 1s, dead_interval: 4s,
        auth: { type: md5, key_id: 3, key: "ospfkey" } }
"""


# BFD on the BGP peer (a multiplier of 1, which FRR raises to 2) and on the OSPF interface.
BFD_PEER = {"address": ROUTER_V4, "asn": ROUTER_ASN,
            "bfd": {"enabled": True, "min_rx": "200ms", "min_tx": "250ms", "multiplier": 1}}
OSPF_BFD = """ospf:
  enabled: true
  area: 0.0.0.0
  interfaces:
    - { name: eth1, network: point-to-point, hello_interval: 1s, dead_interval: 4s,
        bfd: { enabled: true, min_rx: 100ms, min_tx: 100ms, multiplier: 5 } }
"""


class GeneratedConfigsPassTheirChecker(unittest.TestCase):
    """No namespaces: each program parses what we generate."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cis-generated-")
        os.chmod(self.dir, 0o755)  # vtysh may drop to user frr
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def variants(self):
        """(label, config file, extra router-config args) covering eBGP, iBGP, passwords, multihop,
        IPv6, external ranges, OSPF with MD5, and BFD (single-hop with OSPF, multihop)."""
        d = self.dir
        return [
            ("ebgp", cluster_config(f"{d}/ebgp.yaml", prefixes=(SERVICE_V4, SERVICE_V6)), []),
            ("ibgp+password", cluster_config(f"{d}/ibgp.yaml", asn=ROUTER_ASN,
                                             peer={"address": ROUTER_V4, "asn": ROUTER_ASN, "password": "s3cret"}), []),
            ("multihop+gtsm+lb", cluster_config(f"{d}/mh.yaml", peer={"address": ROUTER_V4, "asn": ROUTER_ASN,
                                                                      "multihop": 3, "ttl_security": True},
                                                sections={"advertise": {"load_balancer_ips": True}}),
             ["--external-range", "198.51.100.0/24"]),
            ("ipv6 session", cluster_config(f"{d}/v6.yaml", peer={"address": "fd00:1::1", "asn": ROUTER_ASN},
                                            prefixes=(SERVICE_V6,)), ["--nodes", "fd00:1::2,fd00:1::3"]),
            ("bgp+ospf", cluster_config(f"{d}/ospf.yaml", ospf=OSPF_MD5), ["--interface", "lan"]),
            ("auto cidrs", cluster_config(f"{d}/auto.yaml", prefixes=(),
                                          sections={"advertise": {"service_cidrs": "auto"}}),
             ["--service-cidr", SERVICE_V4]),
            ("bfd+ospf bfd", cluster_config(f"{d}/bfd.yaml", peer=BFD_PEER, ospf=OSPF_BFD), ["--interface", "lan"]),
            ("bfd multihop", cluster_config(f"{d}/bfd-mh.yaml", peer={**BFD_PEER, "multihop": 3}), []),
            # Zero config: the peer is each node's default gateway; any node of the range may connect.
            ("bfd+dynamic", cluster_config(f"{d}/dynamic.yaml", peer={**BFD_PEER, "address": "gateway",
                                                                      "node_selector": {"rack": "r1"}}),
             ["--dynamic", "10.0.1.0/24", "--node-labels", "rack=r1"]),
        ]

    def router_config(self, flavour, conf, extra):
        args = ["router-config", "--router", flavour, "-c", conf] + (extra if "--nodes" in extra
                                                                     else ["--nodes", ",".join(NODES)] + extra)
        return cis(*args)

    def test_bird_and_openwrt_parse(self):
        for flavour in ("bird", "openwrt"):
            for label, conf, extra in self.variants():
                with self.subTest(flavour=flavour, variant=label):
                    path = self.write(f"{flavour}-{label}.conf", self.router_config(flavour, conf, extra))
                    r = subprocess.run(["bird", "-p", "-c", path], capture_output=True, text=True, timeout=30)
                    self.assertEqual(r.returncode, 0, f"bird -p rejected {path}:\n{r.stderr}\n{read(path)}")
                    if label.startswith("bfd"):  # what bird -p accepted has the router side of BFD
                        self.assertIn("protocol bfd cis_bfd {", read(path))
                        self.assertIn("  bfd on;", read(path))
                        if "ospf" in label:
                            self.assertIn("      bfd yes;", read(path))

    def test_frr_parses(self):
        for label, conf, extra in self.variants():
            with self.subTest(variant=label):
                path = self.write(f"frr-{label}.conf", self.router_config("frr", conf, extra))
                r = subprocess.run(["vtysh", "--dryrun", "-f", path], capture_output=True, text=True, timeout=30)
                self.assertEqual(r.returncode, 0, f"vtysh --dryrun rejected {path}:\n{r.stdout}{r.stderr}\n"
                                                  f"{read(path)}")
                self.assertNotIn("% ", r.stdout + r.stderr, f"vtysh complained about {path}")
                if label.startswith("bfd"):  # what vtysh accepted has the router side of BFD
                    self.assertIn(" profile cis-nodes\n  detect-multiplier 2\n", read(path))
                    self.assertIn(" neighbor CIS-NODES bfd profile cis-nodes\n", read(path))
                    if "ospf" in label:
                        self.assertIn(" ip ospf bfd profile cis-ospf\n", read(path))

    def test_other_flavours_generate(self):
        for flavour in ("vyos", "routeros"):
            for label, conf, extra in self.variants():
                with self.subTest(flavour=flavour, variant=label):
                    self.assertTrue(self.router_config(flavour, conf, extra).strip())

    def test_missing_service_cidr_is_a_clear_error(self):
        conf = cluster_config(f"{self.dir}/auto.yaml", prefixes=(), sections={"advertise": {"service_cidrs": "auto"},
                                                                              "kubernetes": {"enabled": False}})
        r = subprocess.run([binary(), "router-config", "--router", "bird", "-c", conf, "--nodes", NODES[0]],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--service-cidr", r.stderr)

    def test_dnsmasq_accepts_it(self):
        path = self.write("dnsmasq.conf", cis("dns-config", "--resolver", "dnsmasq", "--dns-ip", "10.96.0.10",
                                              "--service-cidr", f"{SERVICE_V4},{SERVICE_V6}"))
        r = subprocess.run(["dnsmasq", "--test", f"--conf-file={path}"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, f"dnsmasq --test rejected {path}:\n{r.stderr}")
        self.assertIn("server=/111.10.in-addr.arpa/10.96.0.10", read(path))

    def test_unbound_accepts_it(self):
        path = self.write("unbound.conf", cis("dns-config", "--resolver", "unbound", "--dns-ip", "10.96.0.10",
                                              "--service-cidr", f"{SERVICE_V4},{SERVICE_V6}"))
        r = subprocess.run(["unbound-checkconf", path], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, f"unbound-checkconf rejected {path}:\n{r.stdout}{r.stderr}")

    def test_other_resolvers_generate(self):
        for resolver in ("systemd-resolved", "macos"):
            with self.subTest(resolver=resolver):
                text = cis("dns-config", "--resolver", resolver, "--dns-ip", "10.96.0.10", "--service-cidr", SERVICE_V4)
                self.assertIn("10.96.0.10", text)


class DiscoveredFromTheApiServer(unittest.TestCase):
    """Without --nodes, --dns-ip or a Service CIDR, the fake kube-apiserver supplies them."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cis-generated-api-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        server = os.path.join(os.path.dirname(__file__), "..", "fake_apiserver", "fake_apiserver.py")
        # --exit-on-stdin-eof: it goes away with this test even if the test is killed.
        self.api = subprocess.Popen(["python3", server, "--state-dir", self.dir, "--port", "0", "--admin-port", "0",
                                     "--exit-on-stdin-eof"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        self.addCleanup(self.stop_api)
        ready = os.path.join(self.dir, "ready.json")
        wait_for("the fake API server", lambda: os.path.exists(ready), timeout=30)
        with open(ready) as f:
            self.info = json.load(f)
        for cmd, body in (("/make/node", {"args": ["node-a"], "internal_ip": "192.168.1.10"}),
                          ("/make/node", {"args": ["node-b"], "internal_ip": "192.168.1.11"}),
                          ("/make/service", {"args": ["kube-system", "kube-dns", "10.96.0.10"]})):
            req = urllib.request.Request(self.info["admin_url"] + cmd, data=json.dumps(body).encode(), method="POST")
            urllib.request.urlopen(req, timeout=10).read()

    def stop_api(self):
        self.api.stdin.close()
        try:
            self.api.wait(10)
        except subprocess.TimeoutExpired:
            self.api.kill()
            self.api.wait(5)

    def test_nodes_service_cidr_and_kube_dns(self):
        conf = cluster_config(os.path.join(self.dir, "auto.yaml"), prefixes=(), sections={
            "advertise": {"service_cidrs": "auto"},
            "kubernetes": {"enabled": True, "kubeconfig": self.info["kubeconfig"]}})
        text = cis("router-config", "--router", "bird", "-c", conf)
        self.assertIn("neighbor 192.168.1.10 as", text)
        self.assertIn("neighbor 192.168.1.11 as", text)
        self.assertIn("10.96.0.0/12{12,32}", text)  # the fake server's ServiceCIDR
        text = cis("dns-config", "--resolver", "dnsmasq", "-c", conf)
        self.assertIn("server=/cluster.local/10.96.0.10", text)
        self.assertIn("server=/96.10.in-addr.arpa/10.96.0.10", text)


class _Generated:
    """A router class whose config is the generated text, plus a log file for the test's eyes."""
    generated = ""

    def config_text(self):
        return self.generated + self.extra()


class GeneratedBird(_Generated, BirdRouter):
    def extra(self):
        return f'log "{self.log}" all;\ntimeformat log iso long ms;\n'


class GeneratedFrr(_Generated, FrrRouter):
    """The generated config split by daemon, as vtysh splits an integrated frr.conf: bfdd gets its
    `bfd` block (it runs when the router is built with a peer option "bfd"), bgpd the rest."""
    BFD_BLOCK = re.compile(r"^bfd\n.*?^exit\n", re.M | re.S)

    def config_text(self):
        return self.BFD_BLOCK.sub("", self.generated) + self.extra()

    def bfd_config_text(self):
        block = self.BFD_BLOCK.search(self.generated)
        return block.group(0) if block else ""

    def extra(self):
        return f"log file {self.log} debugging\ndebug bgp neighbor-events\n"


class GeneratedRouterWithNodes(LabTestCase):
    """The generated config as the router's whole config; two clusterip-speaker nodes."""

    def start(self, router_class, flavour, peer=None, router_options=None, **node_options):
        """The generated config (for `peer`, our default router peer) in the router (built with
        router_options as its peer_options); two nodes with that peer; returns (router, nodes) once
        both sessions are Established and the router has its ECMP route."""
        peer = peer or {"address": ROUTER_V4, "asn": ROUTER_ASN}
        hosts = [self.lab.add_host(), self.lab.add_host()]
        self.assertEqual([h.v4 for h in hosts], NODES)
        conf = cluster_config(os.path.join(self.workdir, "cluster.yaml"), peer=peer)
        generated = cis("router-config", "--router", flavour, "-c", conf, "--nodes", ",".join(NODES))
        # Peer names as the generated BIRD config calls its protocols (FRR goes by address).
        peers = [Peer("node_" + h.v4.replace(".", "_"), h.v4, ROUTER_V4, NODE_ASN) for h in hosts]
        router = router_class(self.lab.router_ns, self.workdir, ROUTER_ASN, ROUTER_V4, peers,
                              peer_options=router_options)
        router.generated = generated
        self.lab.adopt(router)
        router.start()
        nodes = [self.lab.start_node("speaker", h, NODE_ASN, [peer], [SERVICE_V4, "10.96.0.10/32", OUTSIDE],
                                     **node_options)
                 for h in hosts]
        for p in peers:
            wait_for(f"{p.address} Established", lambda p=p: router.established(p.address), timeout=30)
        wait_for("ECMP over both nodes in the router's kernel", lambda: kernel_next_hops(router.ns, SERVICE_V4),
                 until=lambda hops: hops == set(NODES), timeout=30)
        wait_for("the per-Service /32 accepted", lambda: kernel_next_hops(router.ns, "10.96.0.10"),
                 until=lambda hops: hops == set(NODES), timeout=30)
        return router, nodes

    def session(self, router_class, flavour):
        # A drain long enough to see GRACEFUL_SHUTDOWN at work before the withdrawal; leaving for good,
        # since the generated configs make the router a graceful-restart helper.
        router, nodes = self.start(router_class, flavour, drain_time="6s", on_sigterm="leave")
        # The nodes also send a prefix outside the Service CIDR: the import filter drops it.
        self.assertEqual(router.rib(OUTSIDE), [], f"{OUTSIDE} passed the generated import filter")
        self.assertEqual(kernel_next_hops(router.ns, OUTSIDE), set())
        # RFC 8326: node1 leaving tags its routes; the filter drops their preference, so the
        # router's kernel route keeps only node2 while node1 still drains.
        nodes[0].graceful_stop()
        paths = wait_for("node1's path at LOCAL_PREF 0", lambda: router.rib(SERVICE_V4),
                         until=lambda ps: any(p.next_hop == NODES[0] and p.local_pref == 0 for p in ps), timeout=10)
        self.assertTrue(nodes[0].running(), f"node1 left before its drain was seen: {paths}")
        wait_for("the kernel route through node2 only", lambda: kernel_next_hops(router.ns, SERVICE_V4),
                 until=lambda hops: hops == {NODES[1]}, timeout=10)
        self.assertEqual(nodes[0].wait(20), 0, "node1's exit code")

    def test_bird_session(self):
        self.session(GeneratedBird, "bird")

    def test_frr_session(self):
        self.session(GeneratedFrr, "frr")

    # Asymmetric, so that the router's own timers show: a router at its defaults would differ.
    BFD = {"enabled": True, "min_rx": "400ms", "min_tx": "200ms", "multiplier": 3}

    def test_bird_bfd_session(self):
        """The generated `protocol bfd` and `bfd on;` as they are: BIRD brings up a single-hop BFD
        session with each node at the nodes' timers: it sends at the nodes' min_rx (400 ms) and
        declares a node dead after the nodes' 3 x max(their 200 ms min_tx, its 400 ms min rx)."""
        router, _ = self.start(GeneratedBird, "bird", peer={"address": ROUTER_V4, "asn": ROUTER_ASN, "bfd": self.BFD})
        for node in NODES:
            wait_for(f"BFD Up at the router for {node} at the negotiated timers",
                     lambda node=node: router.bfd_sessions().get(node, {}),
                     until=lambda s: s.get("state") == "Up" and round(s["interval"]) == 400 and
                     round(s["timeout"]) == 1200, timeout=30)

    def test_frr_bfd_session(self):
        """The generated `bfd` profile and `neighbor CIS-NODES bfd profile cis-nodes` as they are
        (bfdd reads the profile, bgpd the rest): bfdd brings up a BFD session with each node, with
        the profile's timers applied through the peer group."""
        router, _ = self.start(GeneratedFrr, "frr", peer={"address": ROUTER_V4, "asn": ROUTER_ASN, "bfd": self.BFD},
                               router_options={n: {"bfd": True} for n in NODES})

        def session(node):
            peers = router.vtysh_json("show bfd peers json")
            return next((p for p in peers if p.get("peer") == node), {}) if isinstance(peers, list) else {}
        for node in NODES:
            wait_for(f"BFD up at the router for {node} with the profile's timers", lambda node=node: session(node),
                     until=lambda p: p.get("status") == "up" and p.get("receive-interval") == 400 and
                     p.get("transmit-interval") == 200 and p.get("detect-multiplier") == 3 and
                     p.get("remote-receive-interval") == 400 and not p.get("multihop"), timeout=30)

if __name__ == "__main__":
    unittest.main(verbosity=2)
