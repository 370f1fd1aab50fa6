"""The BGP interop scenarios, written once and run against each router (BIRD, FRR) and node speaker
(clusterip-speaker, or gobgpd to prove the harness itself)."""
import time

from lab import ROUTER_V4, ROUTER_V6, report
from poll import wait_for
from routes import GRACEFUL_SHUTDOWN, Peer, kernel_next_hops

ROUTER_ASN, NODE_ASN = 64512, 64513
SERVICE_V4, SERVICE_V6 = "10.96.0.0/12", "fd00:10:96::/112"


class BgpScenarios:
    """Mixed into a LabTestCase whose class sets router_kind and node_kind."""
    router_kind = node_kind = None

    def build(self, nodes=1, ibgp=False, ipv6=False, drain_time="1s", on_sigterm=None):
        """A router and `nodes` nodes on its LAN, each node advertising the Service CIDR.
        on_sigterm: clusterip-speaker's `run --on-sigterm` (gobgpd, the harness's reference, always leaves)."""
        node_asn = ROUTER_ASN if ibgp else NODE_ASN
        router_address = ROUTER_V6 if ipv6 else ROUTER_V4
        prefix = SERVICE_V6 if ipv6 else SERVICE_V4
        hosts = [self.lab.add_host() for _ in range(nodes)]
        peers = [Peer(h.name, h.v6 if ipv6 else h.v4, router_address, node_asn) for h in hosts]
        router = self.lab.start_router(self.router_kind, ROUTER_ASN, peers)
        options = {"on_sigterm": on_sigterm} if on_sigterm and self.node_kind == "speaker" else {}
        started = [self.lab.start_node(self.node_kind, h, node_asn, [{"address": router_address, "asn": ROUTER_ASN}],
                                       [prefix], drain_time, **options) for h in hosts]
        return router, started, peers, prefix

    def label(self):
        return f"{self.router_kind}/{self.node_kind} {self._testMethodName}"

    def wait_route(self, router, prefix, next_hops, nodes=(), timeout=30):
        """Wait until the router's BGP RIB, then its kernel FIB, reach prefix through exactly next_hops.
        Fails at once if one of `nodes` exits meanwhile."""
        want = set(next_hops)

        def rib():
            for n in nodes:
                self.assertTrue(n.running(), f"{n.name}'s {n.kind} exited with {n.wait(0)} before the route arrived")
            return router.rib(prefix)
        paths = wait_for(f"{prefix} via {sorted(want)} in {router.kind}'s RIB", rib,
                         until=lambda ps: {p.next_hop for p in ps} == want, timeout=timeout)
        wait_for(f"{prefix} via {sorted(want)} in the router's kernel FIB",
                 lambda: kernel_next_hops(router.ns, prefix), until=lambda hops: hops == want, timeout=timeout)
        return paths

    def time_to_route(self, router, nodes, prefix, next_hops):
        paths = self.wait_route(router, prefix, next_hops, nodes)
        report(f"{self.label()}: node start -> route in router's RIB and FIB: "
               f"{time.monotonic() - min(n.started for n in nodes):.2f}s")
        return paths

    def test_ebgp_ipv4(self):
        router, nodes, [peer], prefix = self.build()
        self.time_to_route(router, nodes, prefix, {peer.address})

    def test_ibgp_ipv4(self):
        router, nodes, [peer], prefix = self.build(ibgp=True)
        paths = self.time_to_route(router, nodes, prefix, {peer.address})
        self.assertEqual([p.local_pref for p in paths], [100], "iBGP LOCAL_PREF as the router stored it")

    def test_ipv6_session(self):
        router, nodes, [peer], prefix = self.build(ipv6=True)
        self.time_to_route(router, nodes, prefix, {peer.address})

    def test_two_nodes_ecmp(self):
        router, nodes, peers, prefix = self.build(nodes=2)
        self.time_to_route(router, nodes, prefix, {p.address for p in peers})

    def test_sigterm_drains_withdraws_then_ceases(self):
        drain = 2.0
        # Leaving for good: both routers help graceful restart, so `auto` would restart instead.
        router, [node], [peer], prefix = self.build(drain_time=f"{drain:g}s", on_sigterm="leave")
        self.wait_route(router, prefix, {peer.address}, [node])
        self.assertTrue(router.established(peer.address))

        t_term, t_term_wall = time.monotonic(), time.time()
        node.graceful_stop()

        def rib_while_draining():
            self.assertTrue(node.running(), "the node exited before the router saw GRACEFUL_SHUTDOWN on its route")
            return router.rib(prefix)
        wait_for("GRACEFUL_SHUTDOWN (65535,0) on the route while the node drains", rib_while_draining,
                 until=lambda ps: ps and all(GRACEFUL_SHUTDOWN in p.communities for p in ps),
                 timeout=drain + 10, step=0.05)
        t_gshut = time.monotonic()
        wait_for("the route to leave the router's RIB", lambda: router.rib(prefix), until=lambda ps: not ps,
                 timeout=drain + 20, step=0.05)
        t_gone = time.monotonic()
        self.assertEqual(node.wait(20), 0, "exit status after SIGTERM")

        cease = wait_for("the router to report the Cease it received", lambda: router.last_cease(peer.address),
                         timeout=10)
        self.assertTrue(cease.is_admin_shutdown, f"expected Cease/Administrative Shutdown, router says {cease}")
        self.assertTrue(cease.message, "the Cease carried no RFC 9003 shutdown message")

        # TCP keeps order, so the router's log tells whether the route went by an explicit withdrawal
        # before the Cease, or only with the session; the stamps tell whether that was before the exit.
        events = [e for e in router.log_events(peer.address, prefix) if e.when.timestamp() >= t_term_wall - 0.001]
        timeline = "\n".join(e.line for e in events)
        kinds = [e.kind for e in events]
        self.assertIn("cease", kinds, f"no received Cease in the router's log:\n{timeline}")
        self.assertIn("withdraw", kinds, f"no withdrawal in the router's log:\n{timeline}")
        withdrawal = events[kinds.index("withdraw")]
        self.assertLess(kinds.index("withdraw"), kinds.index("cease"),
                        f"the route left only with the session, not by a withdrawal before the Cease:\n{timeline}")
        self.assertLessEqual(withdrawal.when.timestamp(), node.exit_wall,
                             f"the router took the withdrawal only after the node had exited:\n{timeline}")
        wait_for(f"{prefix} to leave the router's kernel FIB", lambda: kernel_next_hops(router.ns, prefix),
                 until=lambda hops: not hops, timeout=10)
        report(f"{self.label()}: SIGTERM -> GRACEFUL_SHUTDOWN seen {t_gshut - t_term:.2f}s, "
               f"withdrawal logged {withdrawal.when.timestamp() - t_term_wall:.3f}s, "
               f"route gone from RIB {t_gone - t_term:.2f}s, exit {node.exit_wall - t_term_wall:.3f}s "
               f"(drain_time {drain:g}s); Cease: {cease.reason} \"{cease.message}\"")

    def test_router_restart(self):
        router, nodes, [peer], prefix = self.build()
        self.wait_route(router, prefix, {peer.address}, nodes)
        t_down = time.monotonic()
        router.restart()
        wait_for("the session to come back", lambda: router.established(peer.address), timeout=30)
        t_up = time.monotonic()
        self.wait_route(router, prefix, {peer.address}, nodes)
        report(f"{self.label()}: router restart -> Established {t_up - t_down:.2f}s, "
               f"route back in RIB and FIB {time.monotonic() - t_down:.2f}s")
