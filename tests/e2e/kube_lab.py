"""The Kubernetes side of the end-to-end world, on top of the interop harness (tests/interop).

    router namespace: BIRD 2 (interop/bird.py) + the fake kube-apiserver on https://10.0.1.1:6443
      |-- node1 namespace: clusterip-speaker (kubernetes on) + fake kube-proxy on 127.0.0.1:10256/10249
      |-- node2 namespace: the same

The fake API server (tests/fake_apiserver/fake_apiserver.py) runs as a process inside the router
namespace and is driven over a pipe (--stdin-commands: one JSON command per line, one reply line),
so the test needs no network path into any namespace, and the server exits when the test's end of
the pipe closes, even if the test is killed.
"""
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
sys.path.insert(0, os.path.join(HERE, "..", "fake_apiserver"))

from lab import ROUTER_V4, LabTestCase, report  # noqa: E402
from poll import wait_for  # noqa: E402
from line_pipe import LinePipe  # noqa: E402
from process import Process  # noqa: E402
from routes import Peer, kernel_next_hops  # noqa: E402

FAKE_APISERVER = os.path.join(HERE, "..", "fake_apiserver", "fake_apiserver.py")
FAKE_KUBE_PROXY = os.path.join(HERE, "fake_kube_proxy.py")
ROUTER_ASN, NODE_ASN = 64512, 64513
APISERVER_PORT = 6443
ADVERTISE = "clusterip-speaker.io/advertise"


class ApiServer:
    """fake_apiserver.py in a namespace, listening on `listen`; commands go over its stdin."""

    def __init__(self, ns, workdir, listen=ROUTER_V4, port=APISERVER_PORT, extra_args=()):
        self.ns, self.listen, self.port, self.extra_args = ns, listen, port, list(extra_args)
        self.dir = os.path.join(workdir, "apiserver")
        os.makedirs(self.dir, exist_ok=True)
        self.stderr_path = os.path.join(self.dir, "apiserver.stderr")
        self.transcript = os.path.join(self.dir, "commands.log")
        self.pipe, self.ready = None, None

    def start(self):
        argv = self.ns.argv(sys.executable, FAKE_APISERVER, "--state-dir", self.dir, "--listen", self.listen,
                            "--port", str(self.port), "--key-type", "ec", "--stdin-commands", *self.extra_args)
        self.pipe = LinePipe(argv, self.stderr_path, "the fake API server")
        self.ready = json.loads(self.pipe.next_line(60, "its start"))
        return self

    @property
    def kubeconfig(self):
        return self.ready["kubeconfig"]

    def command(self, path, body=None, method="POST", ok=(200,), timeout=70):
        """One admin command (see tests/fake_apiserver/README.md); returns the reply object."""
        t = time.monotonic()
        reply = self.pipe.exchange({"cmd": path, "method": method, "body": body or {}}, timeout, path)
        with open(self.transcript, "a") as f:
            f.write(f"{time.strftime('%H:%M:%S')} {method} {path} {json.dumps(body or {})[:300]} -> "
                    f"{reply['code']} ({time.monotonic() - t:.3f}s)\n")
        if reply["code"] not in ok:
            raise AssertionError(f"fake API server: {method} {path} {body} -> {reply}")
        return reply["reply"]

    # The few commands the tests use, named.
    def service(self, name, cluster_ip, ns="default", **kw):
        return self.command("/make/service", {"args": [ns, name, cluster_ip], **kw})

    def endpointslice(self, service, endpoints, name, ns="default"):
        return self.command("/make/endpointslice", {"args": [ns, service], "endpoints": endpoints, "name": name})

    def node(self, name, ready=True, unschedulable=False, internal_ip=None, labels=None):
        return self.command("/make/node", {"args": [name], "ready": ready, "unschedulable": unschedulable,
                                           "internal_ip": internal_ip, "labels": labels or {}})

    def delete(self, resource, name, ns="default"):
        return self.command("/delete", {"resource": resource, "namespace": ns, "name": name})

    def requests(self, since=0):
        return self.command("/requests", {"since": since}, method="GET")["requests"]

    def last_seq(self):
        reqs = self.requests()
        return reqs[-1]["seq"] if reqs else 0

    def stop(self):
        if self.pipe:
            self.pipe.close()

    def logs(self):
        return [("fake API server stderr", self.stderr_path), ("fake API server commands", self.transcript)]


class FakeKubeProxy:
    """fake_kube_proxy.py in a node namespace; healthy or not through a state file."""

    def __init__(self, host, workdir, mode="iptables"):
        self.host, self.ns, self.mode = host, host.ns, mode
        self.state_file = os.path.join(workdir, f"{host.name}-kube-proxy.state")
        self.log = os.path.join(workdir, f"{host.name}-kube-proxy.log")
        self.process = None

    def set_healthy(self, healthy):
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("healthy\n" if healthy else "unhealthy\n")
        os.replace(tmp, self.state_file)

    def start(self):
        self.set_healthy(True)
        self.process = Process(self.ns, [sys.executable, FAKE_KUBE_PROXY, "--state-file", self.state_file,
                                         "--mode", self.mode], self.log)
        wait_for(f"the fake kube-proxy in {self.host.name} to listen",
                 lambda: self.process.assert_running() and self.ns.run("ss", "-ltnH", "sport = :10256").strip()
                 and self.ns.run("ss", "-ltnH", "sport = :10249").strip(), timeout=15)

    def stop(self):
        if self.process:
            self.process.stop()

    def logs(self):
        return [(f"{self.host.name} fake kube-proxy", self.log)]


def speaker_sections(kubeconfig, cluster_ips, service_cidrs="auto", **advertise):
    """The config sections (interop/speaker.py `sections`) that turn Kubernetes on."""
    return {"advertise": {"service_cidrs": service_cidrs, "cluster_ips": cluster_ips,
                          "require_kube_proxy": True, "require_node_ready": True, **advertise},
            "kubernetes": {"enabled": True, "kubeconfig": kubeconfig,
                           "kube_proxy_healthz": "http://127.0.0.1:10256/healthz",
                           "kube_proxy_metrics": "http://127.0.0.1:10249"}}


class KubeTestCase(LabTestCase):
    """A LabTestCase whose world has a fake API server, fake kube-proxies and daemons with Kubernetes on."""

    def build(self, nodes=1, cluster_ips="annotated", apiserver_args=(), setup=None, drain_time="1s",
              proxy_mode="iptables", advertise=None, on_sigterm=None, http_listen=None):
        """Router, API server (Node objects Ready for every node), kube-proxies, then `setup(api)`,
        then the daemons. Returns nothing; sets self.router, self.api, self.hosts, self.proxies, self.speakers."""
        self.hosts = [self.lab.add_host() for _ in range(nodes)]
        self.peers = [Peer(h.name, h.v4, ROUTER_V4, NODE_ASN) for h in self.hosts]
        self.router = self.lab.start_router("bird", ROUTER_ASN, self.peers)
        self.api = self.lab.adopt(ApiServer(self.lab.router_ns, self.workdir, extra_args=apiserver_args))
        self.api.start()
        for h in self.hosts:
            self.api.node(h.name, ready=True, internal_ip=h.v4)
        self.proxies = {}
        for h in self.hosts:
            self.proxies[h.name] = self.lab.adopt(FakeKubeProxy(h, self.workdir, proxy_mode))
            self.proxies[h.name].start()
        if setup:
            setup(self.api)
        sections = speaker_sections(self.api.kubeconfig, cluster_ips, **(advertise or {}))
        if http_listen:
            sections["http"] = {"listen": http_listen}
        self.speakers = [self.lab.start_node("speaker", h, NODE_ASN, [{"address": ROUTER_V4, "asn": ROUTER_ASN}],
                                             [], drain_time, sections=sections, on_sigterm=on_sigterm)
                         for h in self.hosts]
        self.t_start = min(s.started for s in self.speakers)

    def hop(self, *names):
        """The next hops (node addresses) of the named nodes."""
        by_name = {h.name: h.v4 for h in self.hosts}
        return {by_name[n] for n in names}

    def _check_alive(self):
        for s in self.speakers:
            self.assertTrue(s.running(), f"{s.name}'s clusterip-speaker exited with {s.wait(0)}")

    def wait_route(self, prefix, next_hops, timeout=30, since=None, what=""):
        """Wait until the router's BGP RIB, then its kernel FIB, have prefix via exactly next_hops
        (empty: absent). Returns (seconds to RIB, seconds to FIB) from `since` (default: now)."""
        t0 = since if since is not None else time.monotonic()
        want = set(next_hops)

        def rib():
            self._check_alive()
            return {p.next_hop for p in self.router.rib(prefix)}
        wait_for(f"{prefix} via {sorted(want) or 'nobody'} in BIRD's RIB {what}", rib,
                 until=lambda hops: hops == want, timeout=timeout, step=0.02)
        t_rib = time.monotonic() - t0
        wait_for(f"{prefix} via {sorted(want) or 'nobody'} in the router's kernel FIB {what}",
                 lambda: kernel_next_hops(self.router.ns, prefix), until=lambda hops: hops == want,
                 timeout=timeout, step=0.02)
        return t_rib, time.monotonic() - t0

    def hold_routes(self, expected, seconds, what):
        """For `seconds`, the router must keep every prefix of `expected` ({prefix: next_hops}) in RIB and FIB."""
        deadline = time.monotonic() + seconds
        checks = 0
        while time.monotonic() < deadline:
            self._check_alive()
            for prefix, hops in expected.items():
                rib = {p.next_hop for p in self.router.rib(prefix)}
                fib = kernel_next_hops(self.router.ns, prefix)
                self.assertEqual(rib, set(hops), f"{prefix} in BIRD's RIB changed {what} "
                                 f"after {seconds - (deadline - time.monotonic()):.1f}s")
                self.assertEqual(fib, set(hops), f"{prefix} in the kernel FIB changed {what}")
            checks += 1
            time.sleep(0.25)
        return checks

    def timing(self, text):
        report(f"e2e {self._testMethodName}: {text}")

    def speaker_log(self, node=0):
        with open(self.speakers[node].log, errors="replace") as f:
            return f.read()

    def wait_log(self, pattern, node=0, timeout=15, since_offset=0):
        """Wait until the daemon's log (from byte since_offset) has a line matching pattern; return the line."""
        rx = re.compile(pattern)

        def find():
            for line in self.speaker_log(node)[since_offset:].splitlines():
                if rx.search(line):
                    return line
            return None
        return wait_for(f"a line matching /{pattern}/ in {self.speakers[node].name}'s log", find, timeout=timeout)

    def log_size(self, node=0):
        return os.path.getsize(self.speakers[node].log)


__all__ = ["ADVERTISE", "ApiServer", "FakeKubeProxy", "KubeTestCase", "ROUTER_V4", "kernel_next_hops",
           "report", "speaker_sections", "wait_for"]
