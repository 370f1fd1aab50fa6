"""clusterip-speaker against a real control plane: etcd, kube-apiserver and kube-proxy from their
upstream Go modules (tests/cluster), a BIRD router, three node namespaces and a LAN client.

The daemons run under the ServiceAccount of deploy/rbac.yaml, applied exactly as shipped, with a
bound token from the TokenRequest API; any 403 in their logs fails the test. Each case checks what
BIRD learned (RIB and kernel FIB) and what the LAN client gets through kube-proxy's real DNAT.
Timings are printed as TIMING lines, never asserted. Root, BIRD, curl, dig and dnsmasq required.
"""
import json
import os
import re
import threading
import time
import unittest

from kube_lab import ADVERTISE, ROUTER_V4, KubeTestCase, kernel_next_hops, speaker_sections, wait_for
from real_cluster import (REPO, SERVICE_CIDR, ControlPlane, KubeProxy, Pod, cluster_binary, endpoint_slice,
                          node_object, node_status, pod_cidr, service)

import lab  # tests/interop, on the path once kube_lab is imported
import netns
from routes import Peer

ROUTER_ASN, NODE_ASN = 64512, 64513
RBAC = os.path.join(REPO, "deploy", "rbac.yaml")
RBAC_EVENTS = os.path.join(REPO, "deploy", "rbac-events.yaml")
KUBE_DNS, WEB, LATE = "10.96.0.10", "10.96.0.20", "10.96.0.30"
EXTRA_CIDR = "10.200.0.0/16"  # a second ServiceCIDR, added while the daemons run
WEB_NAME = "web.default.svc.cluster.local"
CLIENT_V4, CLIENT_GW = "192.168.100.2", "192.168.100.1"
WEB_PORTS = [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]
WEB_SLICE_PORTS = [{"name": "http", "port": 8080, "protocol": "TCP"}]
DNS_PORTS = [{"name": "dns", "port": 53, "targetPort": 53, "protocol": "UDP"},
             {"name": "dns-tcp", "port": 53, "targetPort": 53, "protocol": "TCP"}]
DNS_SLICE_PORTS = [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]
# deploy/rbac.yaml's grant for the dry-run probe, for when it is not in the file (it is opt-in there).
PROBE_GRANT = """
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: clusterip-speaker-cidr-probe, namespace: default}
rules: [{apiGroups: [""], resources: [services], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: clusterip-speaker-cidr-probe, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: clusterip-speaker-cidr-probe}
subjects: [{kind: ServiceAccount, name: clusterip-speaker, namespace: kube-system}]
"""
FORBIDDEN = re.compile(r"HTTP 403|forbidden", re.IGNORECASE)


def host(ip):
    return f"{ip}/32"


def setUpModule():
    lab.require("bird", "speaker")
    missing = [t for t in ("curl", "dig", "dnsmasq", "nft", "iptables-restore") if not _which(t)]
    if missing:
        raise RuntimeError(f"the real-cluster tests cannot run: {', '.join(missing)} not found "
                           "(scripts/setup.sh --packages-only)")
    cluster_binary()


def _which(tool):
    return any(os.access(os.path.join(d, tool), os.X_OK) for d in os.environ.get("PATH", "").split(":") + ["/usr/sbin"])


class RealClusterCase(KubeTestCase):
    """A LabTestCase whose world has the real control plane, real kube-proxies and daemons under the
    ServiceAccount of deploy/rbac.yaml."""

    mode = "nftables"

    def build_real(self, nodes=3, rbac_text=None, start_speakers=True, cluster_ips="annotated", make_hosts=None):
        """make_hosts: one callable per node that adds its host to the lab (default: lab.add_host)."""
        self.hosts = [make() for make in (make_hosts or [self.lab.add_host] * nodes)]
        self.peers = [Peer(h.name, h.v4, ROUTER_V4, NODE_ASN) for h in self.hosts]
        self.router = self.lab.start_router("bird", ROUTER_ASN, self.peers)
        t0 = time.monotonic()
        self.cp = self.lab.adopt(ControlPlane(self.lab.router_ns, self.workdir)).start()
        self.api = self.cp.client
        self.timing(f"control plane (etcd + kube-apiserver) start -> /readyz {time.monotonic() - t0:.1f}s")
        for h in self.hosts:
            self.api.apply(node_object(h.name, h.v4))
            self.api.apply(node_status(h.name, h.v4), subresource="status")
            h.ns.sysctl("net.ipv4.ip_forward", 1)
            for other in self.hosts:
                if other is not h:
                    h.ns.ip("route", "add", pod_cidr(other.name), "via", other.v4)
        self.api.apply(rbac_text if rbac_text is not None else open(RBAC).read())
        self.token_file = os.path.join(self.workdir, "sa-token")
        self.write_token()
        self.kubeconfig = self.cp.write_token_kubeconfig(os.path.join(self.workdir, "sa.kubeconfig"), self.token_file)
        self.proxies = {h.name: self.lab.adopt(KubeProxy(h, self.workdir, self.cp, self.mode)).start()
                        for h in self.hosts}
        self.pods = {h.name: self.lab.adopt(Pod(self.lab, h, self.workdir)) for h in self.hosts}
        for name, pod in self.pods.items():
            webroot = os.path.join(self.workdir, f"{name}-www")
            os.makedirs(webroot, exist_ok=True)
            with open(os.path.join(webroot, "index.html"), "w") as f:
                f.write(f"pod on {name}\n")
            pod.run("web", ["python3", "-m", "http.server", "8080", "--bind", pod.ip, "--directory", webroot])
        for p in self.proxies.values():
            p.wait_healthy()
        self.sections = speaker_sections(self.kubeconfig, cluster_ips)
        self.speakers = []
        if start_speakers:
            self.start_speakers()

    def write_token(self):
        tmp = self.token_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(self.cp.service_account_token())
        os.replace(tmp, self.token_file)

    def start_speakers(self, hosts=None):
        for h in hosts or self.hosts:
            self.speakers.append(self.lab.start_node("speaker", h, NODE_ASN, [{"address": ROUTER_V4, "asn": ROUTER_ASN}],
                                                     [], "1s", sections=self.sections))
        self.t_start = min(s.started for s in self.speakers)

    def add_client(self):
        """The LAN host, on its own subnet behind the router (no ICMP redirect can bypass it)."""
        self.client = self.lab._namespace("client")
        netns.veth(self.lab.router_ns, "client", self.client, "eth0")
        self.lab.router_ns.add_address("client", f"{CLIENT_GW}/24")
        self.client.add_address("eth0", f"{CLIENT_V4}/24")
        self.client.ip("route", "add", "default", "via", CLIENT_GW)

    def hops(self, hosts=None):
        return {h.v4 for h in (hosts or self.hosts)}

    def router_choice(self, ip):
        """The node the router's ECMP sends the client's packets for ip to."""
        out = self.lab.router_ns.ip_json("route", "get", ip, "from", CLIENT_V4, "iif", "client")
        gw = out[0].get("gateway")
        return next(h for h in self.hosts if h.v4 == gw)

    def curl(self, url, check=True):
        out = self.client.run("curl", "-sS", "--max-time", "3", url, check=check)
        return out.strip()

    def assert_no_forbidden(self):
        """No 403 in any daemon's log, except while an API server was starting: a real kube-apiserver
        serves before its RBAC informers have synced and refuses everyone until then (its /readyz
        says so); the daemon retries with backoff and keeps its routes."""
        for s in self.speakers:
            with open(s.log, errors="replace") as f:
                bad = [line for line in f if FORBIDDEN.search(line) and not self.cp.while_starting(line[:23])]
            self.assertEqual(bad, [], f"{s.name}'s daemon was refused by RBAC (deploy/rbac.yaml lacks a rule?)")

    def route_monitor(self, expected):
        """Samples the router's RIB and FIB for `expected` ({prefix: hops}) in a thread until stopped;
        returns (stop, deviations)."""
        deviations, stop = [], threading.Event()

        def sample():
            while not stop.is_set():
                for prefix, hops in expected.items():
                    rib = {p.next_hop for p in self.router.rib(prefix)}
                    fib = kernel_next_hops(self.router.ns, prefix)
                    if rib != set(hops) or fib != set(hops):
                        deviations.append((time.strftime("%H:%M:%S"), prefix, sorted(rib), sorted(fib)))
                stop.wait(0.25)
        t = threading.Thread(target=sample, daemon=True)
        t.start()

        def finish():
            stop.set()
            t.join(10)
            return deviations
        return finish


class Story(RealClusterCase):
    """The whole story in one world per kube-proxy mode."""

    def story(self):
        self.build_real(start_speakers=False)
        self.add_client()
        api, n = self.api, self.hosts
        # kube-dns on node2's pod, web on whichever pod the router will not send the client to.
        dns_pod = self.pods["node2"]
        dns_pod.run("dnsmasq", ["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces",
                                f"--listen-address={dns_pod.ip}", "--pid-file=", "--user=root",
                                f"--address=/{WEB_NAME}/{WEB}", "--log-facility=-"])
        api.apply([service("kube-dns", KUBE_DNS, DNS_PORTS, namespace="kube-system", annotations={ADVERTISE: "true"}),
                   endpoint_slice("kube-dns", [(dns_pod.ip, "node2", True)], DNS_SLICE_PORTS, namespace="kube-system"),
                   service("web", WEB, WEB_PORTS, annotations={ADVERTISE: "true"})])
        self.start_speakers()

        all_hops = self.hops()
        t_cidr = self.wait_route(SERVICE_CIDR, all_hops, since=self.t_start, timeout=60)
        line = self.wait_log(r"Service CIDRs .* \(from ServiceCIDR networking\.k8s\.io/v1\)")
        self.assertIn(SERVICE_CIDR, line)
        self.wait_route(host(WEB), all_hops)
        self.wait_route(host(KUBE_DNS), all_hops)
        self.timing(f"[{self.mode}] daemon start -> {SERVICE_CIDR} via 3 nodes (RIB {t_cidr[0]:.2f}s, FIB "
                    f"{t_cidr[1]:.2f}s); log: {line.strip()}")

        # The client resolves the name through kube-dns's ClusterIP, then fetches the page through the
        # router and kube-proxy's DNAT, from a pod on a node other than the one the router picked.
        entry = self.router_choice(WEB)
        target = next(h for h in n if h is not entry)
        api.apply(endpoint_slice("web", [(self.pods[target.name].ip, target.name, True)], WEB_SLICE_PORTS))
        answer = wait_for("dig through the router to kube-dns",
                          lambda: self.client.run("dig", "+short", "+time=2", "+tries=1", f"@{KUBE_DNS}", WEB_NAME,
                                                  check=False).strip(), until=lambda a: a == WEB, timeout=30)
        body = wait_for(f"curl http://{WEB}/ through {entry.name} to the pod on {target.name}",
                        lambda: self.curl(f"http://{WEB}/", check=False), until=lambda b: b == f"pod on {target.name}",
                        timeout=30, step=0.5)
        self.timing(f"[{self.mode}] dig {WEB_NAME} @{KUBE_DNS} -> {answer}; curl http://{WEB}/ entered "
                    f"{entry.name}, answered '{body}'")

        self.latencies()
        self.service_cidr_grows()
        self.restart_and_compaction()
        self.kube_proxy_stops(entry)
        self.assert_no_forbidden()

    def latencies(self):
        """Service create / annotate / delete -> the router, through the real watch."""
        all_hops = self.hops()
        late = service("late", LATE, WEB_PORTS, annotations={ADVERTISE: "true"})
        t0 = time.monotonic()
        self.api.apply(late)
        add = self.wait_route(host(LATE), all_hops, since=t0, what="after the Service was created")
        t0 = time.monotonic()
        self.api.apply({**late, "metadata": {**late["metadata"], "annotations": {ADVERTISE: "false"}}})
        off = self.wait_route(host(LATE), set(), since=t0, what="after the annotation became false")
        t0 = time.monotonic()
        self.api.apply(late)
        on = self.wait_route(host(LATE), all_hops, since=t0, what="after the annotation became true again")
        t0 = time.monotonic()
        self.api.delete("Service", "late")
        gone = self.wait_route(host(LATE), set(), since=t0, what="after the Service was deleted")
        self.timing(f"[{self.mode}] API write -> /32 at the router via the real watch (RIB/FIB): create "
                    f"{add[0]*1000:.0f}/{add[1]*1000:.0f} ms, annotate false {off[0]*1000:.0f}/{off[1]*1000:.0f} ms, "
                    f"annotate true {on[0]*1000:.0f}/{on[1]*1000:.0f} ms, delete {gone[0]*1000:.0f}/{gone[1]*1000:.0f} ms")

    def service_cidr_grows(self):
        """The cluster's Service range grows by a second ServiceCIDR object, and shrinks back."""
        extra = {"apiVersion": "networking.k8s.io/v1", "kind": "ServiceCIDR", "metadata": {"name": "extra"},
                 "spec": {"cidrs": [EXTRA_CIDR]}}
        t0 = time.monotonic()
        self.api.apply(extra)
        added = self.wait_route(EXTRA_CIDR, self.hops(), since=t0, what="after a ServiceCIDR was added")
        t0 = time.monotonic()
        self.api.delete("ServiceCIDR", "extra", namespace="", api_version="networking.k8s.io/v1")
        removed = self.wait_route(EXTRA_CIDR, set(), since=t0, what="after that ServiceCIDR was deleted")
        self.hold_routes({SERVICE_CIDR: self.hops()}, 0.5, "after the extra ServiceCIDR went")
        self.timing(f"[{self.mode}] ServiceCIDR {EXTRA_CIDR} added -> at the router {added[0]*1000:.0f} ms, "
                    f"deleted -> withdrawn {removed[0]*1000:.0f} ms")

    def restart_and_compaction(self):
        """kube-apiserver goes away, etcd's history is compacted while it is gone, it comes back: the
        daemons' rewatches get a real 410 Gone, they relist, and no route moves meanwhile."""
        all_hops = self.hops()
        expected = {SERVICE_CIDR: all_hops, host(WEB): all_hops, host(KUBE_DNS): all_hops}
        offsets = [self.log_size(i) for i in range(len(self.speakers))]
        finish = self.route_monitor(expected)
        t0 = time.monotonic()
        self.cp.stop_apiserver()
        time.sleep(3)  # the daemons notice: their watches break and their retries are refused
        revision = self.cp.compact()
        self.cp.start_apiserver()
        self.cp.wait_ready()
        t_up = time.monotonic() - t0
        gone = []
        for i in range(len(self.speakers)):
            gone.append(self.wait_log(r"k8s services: resourceVersion \S* is gone, listing again", node=i,
                                      timeout=90, since_offset=offsets[i]))
        self.api.apply(service("after", "10.96.0.31", WEB_PORTS, annotations={ADVERTISE: "true"}))
        self.wait_route(host("10.96.0.31"), all_hops, timeout=30, what="after the API server came back")
        deviations = finish()
        self.assertEqual(deviations, [], "routes moved while the API server restarted (a withdrawal)")
        self.timing(f"[{self.mode}] API server down, etcd compacted at revision {revision}, up again after "
                    f"{t_up:.1f}s (start -> readyz {self.cp.ready_seconds[-1]:.1f}s); every daemon relisted after "
                    f"410 Gone ({gone[0].strip()[:160]}); no route moved")

    def kube_proxy_stops(self, node):
        """kube-proxy on one node stops: that node withdraws everything, the others keep it all."""
        others = self.hops([h for h in self.hosts if h is not node])
        t0 = time.monotonic()
        self.proxies[node.name].stop()
        down = self.wait_route(SERVICE_CIDR, others, since=t0, timeout=60, what=f"with kube-proxy on {node.name} stopped")
        self.wait_route(host(WEB), others, timeout=30)
        body = wait_for("curl through the remaining nodes", lambda: self.curl(f"http://{WEB}/", check=False),
                        until=lambda b: b.startswith("pod on"), timeout=30, step=0.5)
        t0 = time.monotonic()
        self.proxies[node.name].start()
        back = self.wait_route(SERVICE_CIDR, self.hops(), since=t0, timeout=90, what=f"with kube-proxy on {node.name} back")
        self.timing(f"[{self.mode}] kube-proxy stopped on {node.name} -> withdrawn in {down[0]:.1f}s (RIB), client "
                    f"still served ('{body}'); restarted -> back in {back[0]:.1f}s")


class NftablesMode(Story):
    mode = "nftables"

    def test_story(self):
        self.story()


class IptablesMode(Story):
    mode = "iptables"

    def test_story(self):
        self.story()


class Discovery(RealClusterCase):
    """The fallbacks of Service CIDR discovery against the real API server: RBAC without the
    servicecidrs rule (as on a cluster older than the ServiceCIDR API, the daemon goes on), then
    the kubeadm-config ConfigMap, then the dry-run probe and the real allocator's message."""

    def test_kubeadm_config_then_dry_run_probe(self):
        text = open(RBAC).read()
        without, count = re.subn(r"  - apiGroups: \[networking\.k8s\.io\]\n    resources: \[servicecidrs\]\n"
                                 r"    verbs: \[[^\]]*\]\n", "", text)
        self.assertEqual(count, 1, "deploy/rbac.yaml changed shape: update this test's rule removal")
        if "resources: [services]\n    verbs: [create]" not in without:
            # The probe's grant is opt-in in deploy/rbac.yaml: grant it here as its comment says to.
            without += PROBE_GRANT
        self.build_real(nodes=1, rbac_text=without, start_speakers=False)
        self.api.apply({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "kubeadm-config", "namespace": "kube-system"},
                        "data": {"ClusterConfiguration": "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n"
                                                         "networking:\n  dnsDomain: cluster.local\n"
                                                         f"  serviceSubnet: {SERVICE_CIDR}\n  podSubnet: 10.244.0.0/16\n"}})
        self.start_speakers()
        t_kubeadm = self.wait_route(SERVICE_CIDR, self.hops(), since=self.t_start, timeout=60)
        kubeadm = self.wait_log(r"Service CIDRs .* \(from kubeadm-config ConfigMap\)")
        self.speakers[0].stop()
        self.speakers.clear()
        offset = os.path.getsize(os.path.join(self.workdir, "node1.log"))
        self.api.delete("ConfigMap", "kubeadm-config", namespace="kube-system")
        self.start_speakers()
        probe = self.wait_log(r"Service CIDRs .* \(from dry-run probe\)", timeout=60, since_offset=offset)
        self.assertIn(SERVICE_CIDR, probe)
        t_probe = self.wait_route(SERVICE_CIDR, self.hops(), since=self.t_start, timeout=60)
        self.assertEqual(self.api.get("/api/v1/namespaces/default/services/clusterip-speaker-range-probe",
                                      check=False)["status"], 404, "the dry-run probe left a Service behind")
        self.timing(f"without the servicecidrs grant: {kubeadm.strip()[24:]} ({t_kubeadm[0]:.2f}s to the RIB); "
                    f"without kubeadm-config: {probe.strip()[24:]} ({t_probe[0]:.2f}s)")


class Paging(RealClusterCase):
    """More Services than one page (the daemon asks for 500 at a time): the real continue tokens."""

    def test_list_in_pages(self):
        count = 1100
        self.build_real(nodes=1, start_speakers=False, cluster_ips="all")
        manifest = [service(f"bulk-{i:04d}", f"10.97.{i // 250}.{i % 250 + 1}", WEB_PORTS) for i in range(count)]
        t0 = time.monotonic()
        self.api.apply(manifest, timeout=300)
        t_create = time.monotonic() - t0
        self.start_speakers()
        line = self.wait_log(r"k8s services: listed \d+ objects", timeout=60)
        self.assertIn(f"listed {count + 1} objects", line)  # and default/kubernetes
        last = manifest[-1]["spec"]["clusterIP"]
        t_last = self.wait_route(host(last), self.hops(), since=self.t_start, timeout=120)
        self.timing(f"{count} Services created in {t_create:.1f}s; the daemon listed them in pages of 500 "
                    f"({line.strip()[24:]}); the last one's /32 at the router {t_last[0]:.2f}s after the start")


class Events(RealClusterCase):
    """Kubernetes Events on Services (kubernetes.events) against the real events.k8s.io API."""

    def test_events(self):
        """kubernetes.events on, deploy/rbac-events.yaml applied as shipped: each node's Advertised
        Event on the Service, then its Withdrawn one, read back through the real events.k8s.io API."""
        self.build_real(nodes=2, start_speakers=False)
        with open(RBAC_EVENTS) as f:
            self.api.apply(f.read())
        self.sections["kubernetes"]["events"] = True
        self.api.apply([service("web", WEB, WEB_PORTS, annotations={ADVERTISE: "true"})])
        self.start_speakers()
        self.wait_route(host(WEB), self.hops(), timeout=60)

        def reporters(reason):
            events = json.loads(self.api.get("/apis/events.k8s.io/v1/namespaces/default/events"))["items"]
            return {e["reportingInstance"] for e in events
                    if e.get("reason") == reason and e["regarding"]["name"] == "web"
                    and e.get("reportingController") == "clusterip-speaker" and WEB in e.get("note", "")}
        nodes = {h.name for h in self.hosts}
        wait_for("an Advertised Event on Service web from each node", lambda: reporters("Advertised"),
                 until=lambda seen: seen == nodes, timeout=30)
        self.api.delete("Service", "web")
        self.wait_route(host(WEB), set())
        wait_for("a Withdrawn Event on Service web from each node", lambda: reporters("Withdrawn"),
                 until=lambda seen: seen == nodes, timeout=30)
        self.assert_no_forbidden()
        self.timing("Events: Advertised and Withdrawn on Service web from both nodes, through the real API")


class Manifests(RealClusterCase):
    """What real validation and real RBAC say about deploy/ and the Helm chart."""

    def test_missing_permission_fails(self):
        # deploy/rbac.yaml without its endpointslices rule: the daemon must say it is forbidden, which
        # is what assert_no_forbidden catches in the story. A failing RBAC rule cannot pass unnoticed.
        text = open(RBAC).read()
        crippled, count = re.subn(r"  - apiGroups: \[discovery\.k8s\.io\]\n    resources: \[endpointslices\]\n"
                                  r"    verbs: \[[^\]]*\]\n", "", text)
        self.assertEqual(count, 1, "deploy/rbac.yaml changed shape: update this test's rule removal")
        self.build_real(nodes=1, rbac_text=crippled)
        line = self.wait_log(r"k8s endpointslices: list: HTTP 403", timeout=60)
        with self.assertRaises(AssertionError):
            self.assert_no_forbidden()
        self.timing(f"missing rule seen: {line.strip()[:220]}")

    def test_helm_chart_and_manifests_accepted(self):
        self.hosts, self.speakers = [], []
        self.cp = self.lab.adopt(ControlPlane(self.lab.router_ns, self.workdir)).start()
        chart = os.path.join(REPO, "deploy", "helm", "clusterip-speaker")
        rendered = self.lab.router_ns.run(cluster_binary(), "helm", "template", "clusterip-speaker", chart,
                                          "--namespace", "kube-system", timeout=120)
        kinds = sorted(json.loads(json.dumps(o))["kind"] for o in self.cp.client.apply(rendered, dry_run=True)["result"])
        self.assertIn("DaemonSet", kinds)
        self.assertIn("ClusterRole", kinds)
        plain = "\n---\n".join(open(os.path.join(REPO, "deploy", f)).read()
                               for f in ("rbac.yaml", "configmap.yaml", "daemonset.yaml"))
        plain_kinds = sorted(o["kind"] for o in self.cp.client.apply(plain, dry_run=True)["result"])
        self.assertIn("DaemonSet", plain_kinds)
        self.timing(f"helm template (helm v4 SDK) -> {len(kinds)} objects accepted by a server-side dry-run "
                    f"({', '.join(kinds)}); deploy/*.yaml -> {len(plain_kinds)} accepted")


if __name__ == "__main__":
    unittest.main()
