"""clusterip-speaker with Kubernetes on, end to end: fake API server + fake kube-proxy -> daemon -> BIRD.

Each case builds its own namespaces (kube_lab.py on top of tests/interop), drives the fake API server
and the fake kube-proxies, and checks what the BIRD router learned: its BGP RIB (birdc) and its
kernel FIB (ip route), with bounded polls. Timings are printed as TIMING lines, never asserted.
"""
import time
import unittest

from kube_lab import ADVERTISE, ROUTER_V4, KubeTestCase, kernel_next_hops, wait_for

import lab  # tests/interop, on the path once kube_lab is imported

SERVICE_CIDR, KUBEADM_CIDR, PROBE_CIDR = "10.96.0.0/12", "10.112.0.0/12", "10.100.0.0/16"
EXTRA_CIDR = "10.200.0.0/16"
KUBERNETES_SVC = "10.96.0.1/32"  # the seeded default/kubernetes Service
WEB, WEB2, WEB3, LOCAL = "10.96.0.20", "10.96.0.21", "10.96.0.22", "10.96.0.30"


def host(ip):
    return f"{ip}/32"


def setUpModule():
    lab.require("bird", "speaker")


class Discovery(KubeTestCase):
    """Case 1: advertise.service_cidrs auto."""

    def test_servicecidr_object(self):
        # kubeadm-config says something else: the ServiceCIDR object must win.
        self.build(setup=lambda api: api.command("/make/kubeadm-config", {"service_subnet": KUBEADM_CIDR}))
        t_rib, t_fib = self.wait_route(SERVICE_CIDR, self.hop("node1"), since=self.t_start)
        line = self.wait_log(r"Service CIDRs .* \(from ServiceCIDR networking\.k8s\.io/v1\)")
        self.assertIn(SERVICE_CIDR, line)
        self.assertEqual(self.router.rib(KUBEADM_CIDR), [], "the kubeadm-config CIDR was advertised too")
        self.timing(f"daemon start -> {SERVICE_CIDR} (ServiceCIDR v1) in RIB {t_rib:.2f}s, FIB {t_fib:.2f}s; "
                    f"log: {line.strip()}")

    def test_servicecidr_added_later(self):
        # A cluster grows its Service range by adding a ServiceCIDR: the daemon watches them.
        self.build()
        self.wait_route(SERVICE_CIDR, self.hop("node1"), since=self.t_start)
        t0 = time.monotonic()
        self.api.command("/make/servicecidr", {"args": ["extra", [EXTRA_CIDR]]})
        added = self.wait_route(EXTRA_CIDR, self.hop("node1"), since=t0, what="after a ServiceCIDR was added")
        t0 = time.monotonic()
        self.api.delete("servicecidrs", "extra", ns=None)
        removed = self.wait_route(EXTRA_CIDR, set(), since=t0, what="after it was deleted")
        self.hold_routes({SERVICE_CIDR: self.hop("node1")}, 0.5, "after the extra ServiceCIDR went")
        self.timing(f"ServiceCIDR {EXTRA_CIDR} added -> RIB {added[0]:.3f}s, deleted -> withdrawn {removed[0]:.3f}s")

    def test_kubeadm_configmap(self):
        self.build(apiserver_args=["--no-servicecidr-v1", "--no-servicecidr-v1beta1"],
                   setup=lambda api: api.command("/make/kubeadm-config", {"service_subnet": KUBEADM_CIDR}))
        t_rib, t_fib = self.wait_route(KUBEADM_CIDR, self.hop("node1"), since=self.t_start)
        line = self.wait_log(r"Service CIDRs .* \(from kubeadm-config ConfigMap\)")
        self.assertIn(KUBEADM_CIDR, line)
        self.assertEqual(self.router.rib(SERVICE_CIDR), [], "10.96.0.0/12 came from somewhere else")
        self.timing(f"daemon start -> {KUBEADM_CIDR} (kubeadm-config) in RIB {t_rib:.2f}s, FIB {t_fib:.2f}s; "
                    f"log: {line.strip()}")


    def test_dry_run_probe(self):
        # Neither ServiceCIDR objects nor kubeadm-config: only the dry-run probe can tell.
        self.build(apiserver_args=["--no-servicecidr-v1", "--no-servicecidr-v1beta1", "--service-cidr", PROBE_CIDR],
                   setup=lambda api: api.delete("configmaps", "kubeadm-config", ns="kube-system"))
        t_rib, t_fib = self.wait_route(PROBE_CIDR, self.hop("node1"), since=self.t_start)
        line = self.wait_log(r"Service CIDRs .* \(from dry-run probe\)")
        self.assertIn(PROBE_CIDR, line)
        self.timing(f"daemon start -> {PROBE_CIDR} (dry-run probe) in RIB {t_rib:.2f}s, FIB {t_fib:.2f}s; "
                    f"log: {line.strip()}")


class AnnotatedClusterIps(KubeTestCase):
    """Case 2: cluster_ips annotated."""

    def test_annotation_add_remove_delete(self):
        self.build(cluster_ips="annotated")
        self.wait_route(SERVICE_CIDR, self.hop("node1"), since=self.t_start)
        n1 = self.hop("node1")
        # Never advertised: annotated "false", and not annotated at all (the seeded kubernetes Service).
        self.api.service("off", "10.96.0.40", annotations={ADVERTISE: "false"})

        t0 = time.monotonic()
        self.api.service("web", WEB, annotations={ADVERTISE: "true"})
        add = self.wait_route(host(WEB), n1, since=t0, what="after the annotated Service was added")
        self.assertEqual(self.router.rib("10.96.0.40/32"), [], "a Service annotated \"false\" was advertised")
        self.assertEqual(self.router.rib(KUBERNETES_SVC), [], "an unannotated Service was advertised")

        t0 = time.monotonic()
        self.api.service("web", WEB)  # same name: MODIFIED, annotation gone
        unannotated = self.wait_route(host(WEB), set(), since=t0, what="after the annotation was removed")
        self.assertEqual({p.next_hop for p in self.router.rib(SERVICE_CIDR)}, n1, "the CIDR went too")

        t0 = time.monotonic()
        self.api.service("web", WEB, annotations={ADVERTISE: "true"})
        again = self.wait_route(host(WEB), n1, since=t0, what="after the annotation came back")

        t0 = time.monotonic()
        self.api.delete("services", "web")
        deleted = self.wait_route(host(WEB), set(), since=t0, what="after the Service was deleted")
        self.hold_routes({SERVICE_CIDR: n1}, 1.0, "after the Service was deleted")
        self.timing("event -> /32 at the router (RIB, FIB): "
                    f"annotated ADDED {add[0]:.3f}s/{add[1]:.3f}s, annotation removed {unannotated[0]:.3f}s/"
                    f"{unannotated[1]:.3f}s, re-annotated {again[0]:.3f}s/{again[1]:.3f}s, "
                    f"DELETED {deleted[0]:.3f}s/{deleted[1]:.3f}s")


class LocalTrafficPolicy(KubeTestCase):
    """Case 3: internalTrafficPolicy Local across two nodes, cluster_ips all."""

    def test_endpoint_moves_between_nodes(self):
        self.build(nodes=2, cluster_ips="all")
        both = self.hop("node1", "node2")
        t_rib, _ = self.wait_route(SERVICE_CIDR, both, since=self.t_start)
        self.wait_route(KUBERNETES_SVC, both)  # Cluster policy: from every node

        t0 = time.monotonic()
        self.api.service("local", LOCAL, internal_policy="Local")
        self.api.endpointslice("local", [["10.244.1.5", "node1", True]], name="local-abcde")
        on1 = self.wait_route(host(LOCAL), self.hop("node1"), since=t0, what="with the endpoint on node1")
        self.hold_routes({host(LOCAL): self.hop("node1")}, 1.0, "with the endpoint on node1")

        t0 = time.monotonic()
        self.api.endpointslice("local", [["10.244.2.5", "node2", True]], name="local-abcde")  # MODIFIED
        on2 = self.wait_route(host(LOCAL), self.hop("node2"), since=t0, what="with the endpoint moved to node2")
        self.hold_routes({host(LOCAL): self.hop("node2"), SERVICE_CIDR: both}, 1.0, "with the endpoint on node2")

        t0 = time.monotonic()
        self.api.endpointslice("local", [["10.244.2.5", "node2", False]], name="local-abcde")
        unready = self.wait_route(host(LOCAL), set(), since=t0, what="with node2's endpoint not ready")
        self.hold_routes({SERVICE_CIDR: both, KUBERNETES_SVC: both}, 1.0, "while the Local Service has no endpoint")
        self.timing(f"CIDR via both nodes (ECMP) {t_rib:.2f}s after start; Local /32: endpoint on node1 -> "
                    f"via node1 {on1[0]:.3f}s (FIB {on1[1]:.3f}s), moved to node2 -> via node2 only {on2[0]:.3f}s "
                    f"(FIB {on2[1]:.3f}s), endpoint unready -> withdrawn {unready[0]:.3f}s")


class NodeHealth(KubeTestCase):
    """Cases 4 and 5: kube-proxy health, cordon and Ready on node1; node2 carries on."""

    def _world(self):
        self.build(nodes=2, cluster_ips="all")
        self.api.service("web", WEB)
        self.both, self.only2 = self.hop("node1", "node2"), self.hop("node2")
        for prefix in (SERVICE_CIDR, host(WEB)):
            self.wait_route(prefix, self.both, since=self.t_start)

    def _all(self, hops, t0, what):
        """Both prefixes via exactly hops; returns the slower of the two (RIB, FIB) times."""
        times = [self.wait_route(p, hops, since=t0, what=what) for p in (SERVICE_CIDR, host(WEB))]
        return max(t[0] for t in times), max(t[1] for t in times)

    def test_kube_proxy_unhealthy(self):
        self._world()
        mark = self.log_size()
        t0 = time.monotonic()
        self.proxies["node1"].set_healthy(False)
        down = self._all(self.only2, t0, "after node1's kube-proxy went unhealthy")
        line = self.wait_log(r"kube-proxy.*unhealthy", since_offset=mark)
        t0 = time.monotonic()
        self.proxies["node1"].set_healthy(True)
        up = self._all(self.both, t0, "after node1's kube-proxy was healthy again")
        self.timing(f"kube-proxy /healthz 503 -> node1's routes withdrawn {down[0]:.2f}s (FIB {down[1]:.2f}s; "
                    f"3 probes at 2 s expected), 200 again -> back {up[0]:.2f}s (FIB {up[1]:.2f}s); log: {line.strip()}")

    def test_cordon_and_not_ready(self):
        self._world()
        results = []
        for what, kw in (("cordoned", {"unschedulable": True}), ("NotReady", {"ready": False})):
            t0 = time.monotonic()
            self.api.node("node1", internal_ip=self.hosts[0].v4, **kw)
            gone = self._all(self.only2, t0, f"after node1 became {what}")
            t0 = time.monotonic()
            self.api.node("node1", internal_ip=self.hosts[0].v4)
            back = self._all(self.both, t0, f"after node1 was no longer {what}")
            results.append(f"{what} -> withdrawn {gone[0]:.3f}s (FIB {gone[1]:.3f}s), "
                           f"back -> re-advertised {back[0]:.3f}s (FIB {back[1]:.3f}s)")
        self.timing("node1 " + "; ".join(results))


class ApiServerTrouble(KubeTestCase):
    """Cases 6 and 7: the API server goes away, history is compacted, a malformed object arrives."""

    def _world(self):
        self.build(cluster_ips="annotated")
        self.n1 = self.hop("node1")
        self.api.service("web", WEB, annotations={ADVERTISE: "true"})
        self.wait_route(SERVICE_CIDR, self.n1, since=self.t_start)
        self.wait_route(host(WEB), self.n1)

    def test_outage_keeps_routes_then_rewatch(self):
        self._world()
        t_down = time.monotonic()
        self.api.command("/down")
        checks = self.hold_routes({SERVICE_CIDR: self.n1, host(WEB): self.n1}, 12.0, "while the API server was down")
        # Back, a real kube-apiserver refuses everyone until its RBAC informers have synced (seen in
        # test_real_cluster.py): 403s for 2 s must not cost a route either.
        self.api.command("/config", {"rbac_warmup": 2})
        self.api.command("/up")
        t_up = time.monotonic()
        self.hold_routes({SERVICE_CIDR: self.n1, host(WEB): self.n1}, 3.0, "while the API server answered 403")
        self.api.service("web2", WEB2, annotations={ADVERTISE: "true"})
        arrived = self.wait_route(host(WEB2), self.n1, since=t_up, timeout=60, what="after the API server came back")
        self.hold_routes({SERVICE_CIDR: self.n1, host(WEB): self.n1}, 0.5, "after the API server came back")
        self.timing(f"API server down {t_up - t_down:.1f}s: routes kept ({checks} checks); up -> new annotated "
                    f"Service at the router {arrived[0]:.2f}s (FIB {arrived[1]:.2f}s; includes the daemon's backoff)")

    def test_410_gone_relists_and_catches_up(self):
        self._world()
        self.api.command("/down")  # the daemon's watches break; its resourceVersion is now fixed
        time.sleep(1.0)
        # Changes during the gap, then history forgotten: the daemon's next watch gets 410 Gone.
        self.api.service("web3", WEB3, annotations={ADVERTISE: "true"})
        self.api.delete("services", "web")
        compacted = self.api.command("/compact")["compacted"]
        seq = self.api.last_seq()
        self.api.command("/up")
        t_up = time.monotonic()
        added = self.wait_route(host(WEB3), self.n1, since=t_up, timeout=60, what="(added during the gap)")
        removed = self.wait_route(host(WEB), set(), since=t_up, timeout=60, what="(deleted during the gap)")
        self.hold_routes({SERVICE_CIDR: self.n1}, 0.5, "after the relist")
        reqs = [r for r in self.api.requests(seq) if r["path"] == "/api/v1/services"]
        watches_old = [r for r in reqs if r["watch"] and 0 < int(r["query"].get("resourceVersion") or 0) < int(compacted)]
        lists = [r for r in reqs if not r["watch"]]
        self.assertTrue(lists, f"no relist of Services after the 410; requests: {reqs}")
        self.timing(f"up -> Service added during the gap at the router {added[0]:.2f}s, deleted one gone "
                    f"{removed[0]:.2f}s; {len(watches_old)} watch(es) from a compacted resourceVersion "
                    f"(410), {len(lists)} relist(s) of Services")

    def test_410_on_rewatch_without_outage(self):
        """The Services watch ends (like a timeout); the daemon's rewatch is held up for 2 s, and in that
        gap a Service is added and the history compacted, so the rewatch gets 410 Gone."""
        self._world()
        self.api.command("/config", {"latency": 2.0, "latency_prefix": "/api/v1/services"})
        seq = self.api.last_seq()
        self.api.command("/close-watches", {"abrupt": False})
        # The rewatch is logged on arrival, then held by the latency: make the change only now, so it
        # cannot travel on the old watch.
        wait_for("the daemon's Services rewatch", lambda: [r for r in self.api.requests(seq)
                                                            if r["path"] == "/api/v1/services" and r["watch"]],
                 timeout=10, step=0.02)
        self.api.service("web3", WEB3, annotations={ADVERTISE: "true"})
        compacted = self.api.command("/compact")["compacted"]
        t0 = time.monotonic()
        self.api.command("/config", {"latency": 0.0})
        added = self.wait_route(host(WEB3), self.n1, since=t0, timeout=60, what="(added during the gap)")
        reqs = [r for r in self.api.requests(seq) if r["path"] == "/api/v1/services"]
        old = [r for r in reqs if r["watch"] and 0 < int(r["query"].get("resourceVersion") or 0) < int(compacted)]
        lists = [r for r in reqs if not r["watch"]]
        self.assertTrue(old, f"the rewatch did not use the pre-compaction resourceVersion; requests: {reqs}")
        self.assertTrue(lists, f"no relist of Services after the 410; requests: {reqs}")
        self.timing(f"gap closed -> Service added during the gap at the router {added[0]:.2f}s; {len(old)} "
                    f"rewatch(es) from a compacted resourceVersion (410), {len(lists)} relist(s) of Services")

    def test_malformed_service_skipped(self):
        self._world()
        mark = self.log_size()
        self.api.command("/make/malformed-service", {"args": ["default", "bad"]})
        line = self.wait_log(r"(?i)warn.*Service", since_offset=mark)
        self.hold_routes({SERVICE_CIDR: self.n1, host(WEB): self.n1}, 3.0, "after a malformed Service arrived")
        self.assertEqual(self.router.rib("10.96.0.99/32"), [], "something of the malformed Service was advertised")
        t0 = time.monotonic()
        self.api.service("web2", WEB2, annotations={ADVERTISE: "true"})
        after = self.wait_route(host(WEB2), self.n1, since=t0, what="(added after the malformed Service)")
        self.timing(f"malformed Service logged: {line.strip()}; next good Service at the router {after[0]:.3f}s")
        # Its metadata.name and namespace are well-formed (only the annotations, spec and status are
        # not), so the warning can and must say which object was skipped.
        self.assertIn("default/bad", line, "the warning does not name the skipped Service")


class ProgrammedState(KubeTestCase):
    """require_programmed: a /32 waits until kube-proxy has programmed the ClusterIP on the node."""

    def test_ipvs_cluster_ip_waits_for_kube_ipvs0(self):
        def ipvs_interface(api):
            # kube-proxy's IPVS mode holds every ClusterIP on kube-ipvs0 (a bridge here: no dummy links).
            self.hosts[0].ns.run("ip", "link", "add", "kube-ipvs0", "type", "bridge")

        self.build(cluster_ips="annotated", proxy_mode="ipvs", advertise={"require_programmed": True},
                   setup=ipvs_interface)
        n1 = self.hop("node1")
        self.wait_route(SERVICE_CIDR, n1, since=self.t_start)
        self.api.service("web", WEB, annotations={ADVERTISE: "true"})
        # Not programmed yet: the CIDR stands, the /32 waits.
        self.hold_routes({SERVICE_CIDR: n1, host(WEB): set()}, 2.0, "before kube-proxy programmed the ClusterIP")

        t0 = time.monotonic()
        self.hosts[0].ns.run("ip", "addr", "add", WEB + "/32", "dev", "kube-ipvs0")
        programmed = self.wait_route(host(WEB), n1, since=t0, what="after the ClusterIP appeared on kube-ipvs0")

        t0 = time.monotonic()
        self.hosts[0].ns.run("ip", "addr", "del", WEB + "/32", "dev", "kube-ipvs0")
        gone = self.wait_route(host(WEB), set(), since=t0, what="after the ClusterIP left kube-ipvs0")
        self.timing(f"kube-ipvs0 address added -> /32 at the router {programmed[0]:.3f}s; "
                    f"removed -> withdrawn {gone[0]:.3f}s")


class Shutdown(KubeTestCase):
    """Case 8: SIGTERM with Kubernetes on: withdrawal, then Cease, exit 0."""

    def test_sigterm_withdraws_then_ceases(self):
        # Leaving for good: BIRD helps graceful restart, so `auto` would restart instead.
        self.build(cluster_ips="annotated", drain_time="1s", on_sigterm="leave")
        n1 = self.hop("node1")
        self.api.service("web", WEB, annotations={ADVERTISE: "true"})
        self.wait_route(SERVICE_CIDR, n1, since=self.t_start)
        self.wait_route(host(WEB), n1)
        speaker, peer = self.speakers[0], self.hosts[0].v4

        t_term, t_term_wall = time.monotonic(), time.time()
        speaker.graceful_stop()
        gone = []
        for prefix in (SERVICE_CIDR, host(WEB)):
            wait_for(f"{prefix} to leave BIRD's RIB after SIGTERM", lambda: self.router.rib(prefix),
                     until=lambda ps: not ps, timeout=30, step=0.05)
            gone.append(time.monotonic() - t_term)
        self.assertEqual(speaker.wait(20), 0, "exit status after SIGTERM")
        cease = wait_for("BIRD to report the Cease it received", lambda: self.router.last_cease(peer), timeout=10)
        self.assertTrue(cease.is_admin_shutdown, f"expected Cease/Administrative Shutdown, BIRD says {cease}")
        self.assertTrue(cease.message, "the Cease carried no RFC 9003 shutdown message")
        order = []
        for prefix in (SERVICE_CIDR, host(WEB)):
            events = [e for e in self.router.log_events(peer, prefix) if e.when.timestamp() >= t_term_wall - 0.001]
            kinds = [e.kind for e in events]
            timeline = "\n".join(e.line for e in events)
            self.assertIn("withdraw", kinds, f"no withdrawal of {prefix} in BIRD's log:\n{timeline}")
            self.assertIn("cease", kinds, f"no Cease in BIRD's log:\n{timeline}")
            self.assertLess(kinds.index("withdraw"), kinds.index("cease"),
                            f"{prefix} left only with the session, not by a withdrawal before the Cease:\n{timeline}")
            w = events[kinds.index("withdraw")]
            self.assertLessEqual(w.when.timestamp(), speaker.exit_wall,
                                 f"BIRD took the withdrawal of {prefix} only after the daemon exited:\n{timeline}")
            order.append(f"{prefix} withdrawn {w.when.timestamp() - t_term_wall:.3f}s")
        self.timing(f"SIGTERM -> {', '.join(order)}, gone from RIB {max(gone):.2f}s, exit "
                    f"{speaker.exit_wall - t_term_wall:.3f}s (drain_time 1s); Cease: {cease.reason} \"{cease.message}\"")


class SigtermAuto(KubeTestCase):
    """--on-sigterm auto (the default) with Kubernetes on: a node that can deliver restarts gracefully
    (BIRD keeps its routes as stale); one whose kube-proxy is unhealthy leaves with a Cease."""

    def test_healthy_node_restarts_gracefully(self):
        self.build(cluster_ips="annotated")
        n1, speaker, peer = self.hop("node1"), self.speakers[0], self.hosts[0].v4
        self.wait_route(SERVICE_CIDR, n1, since=self.t_start)
        speaker.graceful_stop()
        self.assertEqual(speaker.wait(20), 0, "exit status after SIGTERM")
        self.assertIn(f"peer {ROUTER_V4}: restarting: routes kept at the router as stale", self.speaker_log())
        wait_for(f"BIRD to keep {SERVICE_CIDR} as stale", lambda: self.router.stale_peers(SERVICE_CIDR),
                 until=lambda s: s == {peer}, timeout=15)
        self.assertEqual(kernel_next_hops(self.router.ns, SERVICE_CIDR), n1, "the route left BIRD's kernel FIB")
        self.assertIsNone(self.router.last_cease(peer), "BIRD got a NOTIFICATION from a restarting node")

    def test_kube_proxy_unhealthy_leaves(self):
        self.build(cluster_ips="annotated")
        n1, speaker, peer = self.hop("node1"), self.speakers[0], self.hosts[0].v4
        self.wait_route(SERVICE_CIDR, n1, since=self.t_start)
        mark = self.log_size()
        self.proxies["node1"].set_healthy(False)
        self.wait_route(SERVICE_CIDR, set(), what="after node1's kube-proxy went unhealthy")
        self.wait_log(r"plan: advertising nothing", since_offset=mark)
        speaker.graceful_stop()
        self.assertEqual(speaker.wait(20), 0, "exit status after SIGTERM")
        self.assertIn("leaving, not restarting: this node cannot deliver", self.speaker_log())
        cease = wait_for("BIRD to report the Cease it received", lambda: self.router.last_cease(peer), timeout=10)
        self.assertTrue(cease.is_admin_shutdown, f"expected Cease/Administrative Shutdown, BIRD says {cease}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
