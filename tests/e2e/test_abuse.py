"""Abuse resistance end to end (docs/security.md): a tenant's Service asks for addresses and
communities; only what the operator allows reaches BIRD, and the metrics and `explain` say why for
the rest.

    router namespace: BIRD (10.0.1.1, the node's BGP peer) + the fake API server
      |-- node1 (10.0.1.2): clusterip-speaker with
            advertise.external_ips: [198.51.100.0/24, 10.0.1.0/24]   (the LAN range is allowed on purpose:
                                                                     what stops 10.0.1.1 and .2 is the hijack rule)
            advertise.annotation_communities: ["65000:*"]

The tenant's Service tenant/shop (annotated advertise: "true") has the externalIPs
    198.51.100.10   inside the ranges                 -> advertised
    203.0.113.10    outside                            -> refused (external_ip_not_allowed)
    10.0.1.1        the router, our BGP peer           -> refused (hijack)
    10.0.1.2        this node's own address            -> refused (hijack)
and the communities annotation "blackhole, 65535:666, 65000:7": only 65000:7 reaches BIRD.
"""
import re
import time
import unittest

from kube_lab import ADVERTISE, KubeTestCase, wait_for

import lab  # tests/interop, on the path once kube_lab is imported

COMMUNITIES = "clusterip-speaker.io/communities"
SHOP = "10.96.0.70"
ALLOWED, OUTSIDE = "198.51.100.10", "203.0.113.10"
PORT = 19475


def setUpModule():
    lab.require("bird", "speaker")


class TenantServices(KubeTestCase):
    def test_tenant_service(self):
        """Only what the operator allows reaches the router."""
        self.build(cluster_ips="annotated", http_listen=f"127.0.0.1:{PORT}",
                   advertise={"external_ips": ["198.51.100.0/24", "10.0.1.0/24"],
                              "annotation_communities": ["65000:*"]})
        node, router_ip = self.hosts[0], lab.ROUTER_V4
        n1 = self.hop("node1")
        self.wait_route("10.96.0.0/12", n1, since=self.t_start)
        self.api.service("shop", SHOP, ns="tenant", external_ips=[ALLOWED, OUTSIDE, router_ip, node.v4],
                         annotations={ADVERTISE: "true", COMMUNITIES: "blackhole, 65535:666, 65000:7"})

        self.wait_route(f"{ALLOWED}/32", n1, what="(externalIP inside the operator's ranges)")
        self.wait_route(f"{SHOP}/32", n1, what="(the tenant's annotated ClusterIP)")
        for path in self.router.rib(f"{SHOP}/32") + self.router.rib(f"{ALLOWED}/32"):
            self.assertEqual(path.communities, frozenset({(65000, 7)}), "a community not allowed reached BIRD")
        time.sleep(1)  # the refused ones were in the same plan; give BIRD a moment to show a mistake
        for ip in (OUTSIDE, router_ip, node.v4):
            self.assertEqual(self.router.rib(f"{ip}/32"), [], f"{ip}/32 reached BIRD")

        # The counters: each refusal once.
        def refused():
            text = node.ns.run("curl", "-s", "-m", "2", f"http://127.0.0.1:{PORT}/metrics")
            return {m.group(1): float(m.group(2)) for m in
                    re.finditer(r'^clusterip_speaker_advertise_refused_total\{reason="(\w+)"\} (\S+)$', text, re.M)}
        counts = wait_for("the refusals to be counted", refused,
                          until=lambda c: c.get("hijack") == 2, timeout=10)
        self.assertEqual(counts, {"external_ip_not_allowed": 1, "load_balancer_ip_not_allowed": 0, "hijack": 2,
                                  "community_not_allowed": 1})  # blackhole and 65535:666 are one community

        # explain says why, for each address.
        def explain(ip):
            return node.ns.run(lab.binary(), "explain", ip, "--http", f"127.0.0.1:{PORT}")
        self.assertIn("outside advertise.external_ips", explain(OUTSIDE))
        self.assertIn(f"the address of BGP peer {router_ip}", explain(router_ip))
        self.assertIn("an address of this node", explain(node.v4))
        shop = explain(SHOP)
        self.assertIn("refused: community blackhole", shop)
        self.assertRegex(explain(ALLOWED), r"^198\.51\.100\.10: advertised")

        # And the log names the Service.
        self.wait_log(r"refused for Service tenant/shop: .*\(hijack\)")


if __name__ == "__main__":
    unittest.main(verbosity=2)
