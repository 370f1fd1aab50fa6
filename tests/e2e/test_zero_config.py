"""Zero config, end to end (docs/quickstart.md): one config for every node, each rack's router
loaded once with `router-config --dynamic`, and a node that joins later needs no router change.

    rack 1 router namespace: bridge lan 10.0.1.1/24, the router kind under test (BIRD or FRR),
      |                      AS 64512, and the fake API server on https://10.0.1.1:6443
      |-- node1 10.0.1.2 (label rack=r1), default route via 10.0.1.1
      |-- node3 10.0.1.4 (rack=r1), joins later
      `-- link 10.0.9.1/30 -- 10.0.9.2/30: rack 2 router namespace, bridge lan 10.0.5.1/24, the other
                                           router kind, AS 64522
            `-- node2 10.0.5.2 (rack=r2), default route via 10.0.5.1

Every node runs the same config: two peers, both `address: gateway`, picked by `node_selector`
(rack r1 peers with AS 64512, rack r2 with AS 64522); kubernetes.events on. The routers run
exactly what `router-config --dynamic <rack subnet> --node-labels rack=<rack>` printed. Later
node1's default route moves to the router's second address (10.0.1.254): its session follows.
"""
import json
import os
import sys
import unittest

from kube_lab import ADVERTISE, ApiServer, FakeKubeProxy, report, speaker_sections, wait_for

import lab  # noqa: E402  (tests/interop, on the path through kube_lab)
import netns  # noqa: E402
from routes import Peer, kernel_next_hops  # noqa: E402
from speaker import SpeakerNode, binary, config_yaml  # noqa: E402
from test_generated_configs import GeneratedBird, GeneratedFrr  # noqa: E402

RACK1_ASN, RACK2_ASN, NODE_ASN = 64512, 64522, 64513
RACK1_NET, RACK2_NET = "10.0.1.0/24", "10.0.5.0/24"
ROUTER2_V4, LINK1_V4, LINK2_V4 = "10.0.5.1", "10.0.9.1", "10.0.9.2"
GATEWAY2_V4 = "10.0.1.254"  # a second address of rack 1's router, node1's gateway later
SERVICE_CIDR, WEB = "10.96.0.0/12", "10.96.0.20"
ROUTERS = {"bird": GeneratedBird, "frr": GeneratedFrr}
OTHER = {"bird": "frr", "frr": "bird"}
PEERS = [{"address": "gateway", "asn": RACK1_ASN, "node_selector": {"rack": "r1"}, "families": ["ipv4"]},
         {"address": "gateway", "asn": RACK2_ASN, "node_selector": {"rack": "r2"}, "families": ["ipv4"]}]


def read(path):
    with open(path) as f:
        return f.read()


def setUpModule():
    lab.require("bird", "speaker")
    lab.require("frr", "speaker")


class ZeroConfig(lab.LabTestCase):
    # --- the world -------------------------------------------------------------------------------

    def rack2(self):
        """The second rack's router namespace, linked to the first; each router has a static route to
        the other rack (rack 2's nodes reach the API server through it)."""
        ns = self.lab._namespace("rack2")
        ns.add_bridge("lan")
        ns.add_address("lan", f"{ROUTER2_V4}/24")
        ns.sysctl("net.ipv4.ip_forward", 1)
        netns.veth(self.lab.router_ns, "rack2", ns, "rack1")
        self.lab.router_ns.add_address("rack2", f"{LINK1_V4}/30")
        ns.add_address("rack1", f"{LINK2_V4}/30")
        self.lab.router_ns.ip("route", "add", RACK2_NET, "via", LINK2_V4)
        ns.ip("route", "add", RACK1_NET, "via", LINK1_V4)
        return ns

    def rack2_host(self, ns):
        """node2 on rack 2's LAN (numbered in the lab's sequence, so the next add_host() is node3)."""
        i = len(self.lab.hosts) + 1
        name = f"node{i}"
        host_ns = self.lab._namespace(name)
        netns.veth(ns, name, host_ns, "uplink")
        ns.ip("link", "set", name, "master", "lan")
        host = lab.Host(name, host_ns, f"10.0.5.{i}", "")
        host_ns.add_address("uplink", f"{host.v4}/24")
        host_ns.ip("route", "add", "default", "via", ROUTER2_V4)
        self.lab.hosts.append(host)
        return host

    def join(self, host, rack):
        """What the cluster does for a new node: its Node object (labelled), kube-proxy, then the
        DaemonSet's pod with the one config every node has."""
        self.api.node(host.name, ready=True, internal_ip=host.v4, labels={"rack": rack})
        self.lab.adopt(FakeKubeProxy(host, self.workdir)).start()
        speaker = SpeakerNode(host, self.workdir, NODE_ASN, PEERS, [], "1s", sections=self.sections)
        self.lab.adopt(speaker)
        speaker.start()
        self.speakers[host.name] = speaker
        return speaker

    def router_config(self, host, flavour, subnet, rack):
        """`router-config --dynamic`, run where the daemon runs (the Service CIDR comes from the API)."""
        return host.ns.run(binary(), "router-config", "--router", flavour, "-c", self.speakers_conf,
                           "--dynamic", subnet, "--node-labels", f"rack={rack}")

    def start_router(self, kind, ns, asn, router_id, generated):
        router = ROUTERS[kind](ns, self.workdir, asn, router_id, [])
        router.generated = generated
        self.lab.adopt(router)
        router.start()
        return router

    def fib(self, router, prefix, hops, what):
        wait_for(f"{prefix} via {sorted(hops) or 'nobody'} in the {router.kind} router's kernel FIB {what}",
                 lambda: self._alive() and kernel_next_hops(router.ns, prefix), until=lambda h: h == set(hops),
                 timeout=60, step=0.05)

    def _alive(self):
        for name, s in self.speakers.items():
            self.assertTrue(s.running(), f"{name}'s clusterip-speaker exited with {s.wait(0)}")
        return True

    def events(self):
        """The Events in `default`, read back through the API as kubectl would."""
        ready = self.api.ready
        out = self.lab.router_ns.run("curl", "-sS", "--fail", "--cacert", ready["ca"], "-H",
                                     f"Authorization: Bearer {ready['token']}",
                                     f"{ready['url']}/apis/events.k8s.io/v1/namespaces/default/events")
        return json.loads(out)["items"]

    # --- the story -------------------------------------------------------------------------------

    def story(self, kind):
        ns2 = self.rack2()
        self.api = self.lab.adopt(ApiServer(self.lab.router_ns, self.workdir))
        self.api.start()
        self.api.service("web", WEB, annotations={ADVERTISE: "true"},
                         ports=[{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 80}])
        node1 = self.lab.add_host()
        node2 = self.rack2_host(ns2)
        self.sections = speaker_sections(self.api.kubeconfig, "annotated")
        self.sections["kubernetes"]["events"] = True
        self.sections["http"] = {"listen": "127.0.0.1:9474"}
        self.speakers = {}
        # The ConfigMap's config, written once; router-config reads the same file.
        self.speakers_conf = os.path.join(self.workdir, "configmap.yaml")
        with open(self.speakers_conf, "w") as f:
            f.write(config_yaml("any", "auto", NODE_ASN, PEERS, [], "1s", sections=self.sections))
        self.api.node(node1.name, ready=True, internal_ip=node1.v4, labels={"rack": "r1"})
        conf1 = self.router_config(node1, kind, RACK1_NET, "r1")
        self.api.node(node2.name, ready=True, internal_ip=node2.v4, labels={"rack": "r2"})
        conf2 = self.router_config(node2, OTHER[kind], RACK2_NET, "r2")
        for text in (conf1, conf2):
            self.assertIn(SERVICE_CIDR, text)
        router1 = self.start_router(kind, self.lab.router_ns, RACK1_ASN, lab.ROUTER_V4, conf1)
        router2 = self.start_router(OTHER[kind], ns2, RACK2_ASN, ROUTER2_V4, conf2)
        loaded = {r.kind: read(r.conf) for r in (router1, router2)}

        self.join(node1, "r1")
        self.join(node2, "r2")
        for prefix in (SERVICE_CIDR, WEB):
            self.fib(router1, prefix, {node1.v4}, "(rack 1: node1)")
            self.fib(router2, prefix, {node2.v4}, "(rack 2: node2)")
        status = node1.ns.run(binary(), "status", "--http", "127.0.0.1:9474")
        self.assertIn(f"BGP peer gateway (IPv4) is {lab.ROUTER_V4}", status)
        self.assertIn("rack=r2", status)  # the other rack's peer, left out and why

        # node3 joins rack 1: the router's config stays as it was loaded; its next hop appears.
        node3 = self.lab.add_host()
        self.join(node3, "r1")
        for prefix in (SERVICE_CIDR, WEB):
            self.fib(router1, prefix, {node1.v4, node3.v4}, "(rack 1: ECMP over node1 and node3)")
        self.assertEqual(read(router1.conf), loaded[router1.kind], "the router's config was changed")
        self.assertEqual(kernel_next_hops(router2.ns, SERVICE_CIDR), {node2.v4})

        # node1's default gateway moves to the router's second address: the session to the old one
        # closes and one to the new one opens, without a restart or a config change.
        self.lab.router_ns.add_address("lan", f"{GATEWAY2_V4}/24")
        node1.ns.ip("route", "replace", "default", "via", GATEWAY2_V4)
        wait_for("node1's BGP session with its new gateway", lambda: node1.ns.run(
                     binary(), "status", "--http", "127.0.0.1:9474"),
                 until=lambda text: f"BGP peer gateway (IPv4) is {GATEWAY2_V4}" in text and any(
                     line.startswith(GATEWAY2_V4) and "Established" in line for line in text.splitlines())
                 and not any(line.startswith(lab.ROUTER_V4 + " ") for line in text.splitlines()), timeout=30)
        self.fib(router1, SERVICE_CIDR, {node1.v4, node3.v4}, "(node1 through its new gateway)")

        # Each node said so on the Service, through the API.
        def advertised_by():
            return {e["reportingInstance"] for e in self.events()
                    if e["reason"] == "Advertised" and e["regarding"]["name"] == "web"
                    and e["reportingController"] == "clusterip-speaker" and WEB in e["note"]}
        wait_for("an Advertised Event on Service web from each node", advertised_by,
                 until=lambda nodes: nodes == {"node1", "node2", "node3"}, timeout=30)

        # The Service stops being advertised: the /32 goes, and a Withdrawn Event says where from.
        self.api.service("web", WEB, annotations={},
                         ports=[{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 80}])
        self.fib(router1, WEB, set(), "(web no longer annotated)")
        self.fib(router2, WEB, set(), "(web no longer annotated)")
        wait_for("Withdrawn Events on Service web", lambda: {
                     e["reportingInstance"] for e in self.events() if e["reason"] == "Withdrawn"},
                 until=lambda nodes: nodes == {"node1", "node2", "node3"}, timeout=30)
        self.assertEqual(kernel_next_hops(router1.ns, SERVICE_CIDR), {node1.v4, node3.v4})
        report(f"e2e zero config ({kind} rack 1, {OTHER[kind]} rack 2): routers loaded once with "
               "--dynamic; node3 joined without a router change")

    def test_bird(self):
        self.story("bird")

    def test_frr(self):
        self.story("frr")


if __name__ == "__main__":
    unittest.main()
