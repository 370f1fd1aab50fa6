"""A real control plane in the router namespace: etcd, kube-apiserver and, per node, kube-proxy, all
from the upstream Go modules (tests/cluster, one program `cluster`), plus a client-go helper
driven over a pipe. It replaces the fake API server and fake kube-proxy of kube_lab.py.

    router namespace: BIRD 2 + etcd (127.0.0.1:23790) + kube-apiserver (https://10.0.1.1:6443)
                      + `cluster client` (admin: server-side apply, delete, tokens, etcd compaction)
      |-- nodeN namespace: real kube-proxy (nftables or iptables; 0.0.0.0:10256, 127.0.0.1:10249)
      |                    + clusterip-speaker under the ServiceAccount of deploy/rbac.yaml
      |     \\-- podN namespace (veth): a "pod" process, 10.244.N.5
      \\-- client namespace: the LAN host that digs and curls ClusterIPs through the router

Nothing but the processes the test starts: no kubelet, so the test makes Nodes (with a Ready
condition), EndpointSlices and ServiceAccount tokens through the API itself.
"""
import json
import os
import subprocess
import time
from datetime import datetime

from kube_lab import ROUTER_V4, wait_for

from line_pipe import LinePipe
from netns import veth
from process import Process

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
APISERVER_PORT = 6443
ETCD_URL = "http://127.0.0.1:23790"
SERVICE_CIDR = "10.96.0.0/12"
CLUSTER_CIDR = "10.244.0.0/16"
DEFAULT_CLUSTER = os.path.join(REPO, "build", "tests", "cluster", "cluster")


def cluster_binary():
    """The control-plane program: $CIS_CLUSTER, else the build tree's (cmake --build build --target
    cluster_control_plane). Missing is an error, never a skip."""
    path = os.path.abspath(os.environ.get("CIS_CLUSTER") or DEFAULT_CLUSTER)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"the test control plane is not built: {path} "
                           "(cmake --build BUILD --target cluster_control_plane, or set CIS_CLUSTER)")
    return path


class Client:
    """`cluster client`: one JSON command per line, one reply line each."""

    def __init__(self, ns, kubeconfig, log):
        self.pipe = LinePipe(ns.argv(cluster_binary(), "client", "--kubeconfig", kubeconfig, "--etcd", ETCD_URL),
                             log, "cluster client")

    def call(self, op, check=True, timeout=90, **fields):
        reply = self.pipe.exchange({"op": op, **fields}, timeout, op)
        if check and not reply["ok"]:
            raise AssertionError(f"cluster client {op} {json.dumps(fields)[:400]}: {reply['error']}")
        return reply

    def apply(self, manifest, timeout=90, **kw):
        """YAML/JSON text, or a dict / list of dicts; server-side apply. Returns the applied objects."""
        if not isinstance(manifest, str):
            items = manifest if isinstance(manifest, list) else [manifest]
            manifest = "\n---\n".join(json.dumps(m) for m in items)
        return self.call("apply", manifest=manifest, timeout=timeout, **kw)

    def delete(self, kind, name, namespace="default", api_version="v1"):
        return self.call("delete", apiVersion=api_version, kind=kind, namespace=namespace, name=name)

    def get(self, path, check=True):
        reply = self.call("get", path=path, check=check)
        return reply["result"] if reply["ok"] else reply

    def stop(self):
        self.pipe.close()


class ControlPlane:
    """etcd + kube-apiserver (+ the admin client) in the router namespace."""

    def __init__(self, ns, workdir, ip=ROUTER_V4):
        self.ns, self.ip = ns, ip
        self.dir = os.path.join(workdir, "control-plane")
        self.pki = os.path.join(self.dir, "pki")
        os.makedirs(self.pki, exist_ok=True)
        self.etcd = self.apiserver = self.client = None
        self.apiserver_starts = 0
        self.ready_seconds = []  # start -> /readyz ok, per API server start
        self.starting = []  # (wall start, wall ready) of each API server start

    @property
    def admin_kubeconfig(self):
        return os.path.join(self.pki, "admin.kubeconfig")

    @property
    def proxy_kubeconfig(self):
        return os.path.join(self.pki, "kube-proxy.kubeconfig")

    @property
    def ca(self):
        return os.path.join(self.pki, "ca.crt")

    def start(self):
        subprocess.run(self.ns.argv(cluster_binary(), "pki", "--dir", self.pki, "--ip", self.ip,
                                    "--port", str(APISERVER_PORT)), check=True, timeout=60)
        self.etcd = Process(self.ns, [cluster_binary(), "etcd", "--dir", os.path.join(self.dir, "etcd"),
                                      "--client-url", ETCD_URL], os.path.join(self.dir, "etcd.log"))
        wait_for("etcd to serve", lambda: self.etcd.assert_running() and self._log_has("etcd.log", "ready"),
                 timeout=60, step=0.2)
        self.start_apiserver()
        self.client = Client(self.ns, self.admin_kubeconfig, os.path.join(self.dir, "client.log"))
        self.wait_ready()
        return self

    def _log_has(self, name, text):
        with open(os.path.join(self.dir, name), errors="replace") as f:
            return text in f.read()

    def start_apiserver(self):
        self.apiserver_starts += 1
        self._apiserver_started = time.monotonic()
        self._apiserver_started_wall = time.time()
        self.apiserver = Process(self.ns, [cluster_binary(), "apiserver", "--dir", self.pki, "--etcd", ETCD_URL,
                                           "--ip", self.ip, "--port", str(APISERVER_PORT),
                                           "--service-cidr", SERVICE_CIDR],
                                 os.path.join(self.dir, f"apiserver-{self.apiserver_starts}.log"))

    def wait_ready(self, timeout=180):
        """/readyz answers ok (every post-start hook done: RBAC bootstrap, the default ServiceCIDR,
        the kubernetes Service and namespaces)."""
        def ready():
            self.apiserver.assert_running()
            reply = self.client.get("/readyz", check=False)
            return reply == "ok"
        wait_for("kube-apiserver /readyz", ready, timeout=timeout, step=0.5)
        # The bootstrap objects the tests rely on exist once readyz is ok; wait for them anyway.
        wait_for("the default ServiceCIDR and kube-system",
                 lambda: self.client.get("/apis/networking.k8s.io/v1/servicecidrs/kubernetes", check=False)
                 and self.client.get("/api/v1/namespaces/kube-system", check=False), timeout=60, step=0.5)
        self.ready_seconds.append(time.monotonic() - self._apiserver_started)
        self.starting.append((self._apiserver_started_wall, time.time()))

    def while_starting(self, stamp):
        """Whether a daemon log stamp ("2026-12-07T12:48:56.909", local time) falls between an API
        server's start and its /readyz."""
        try:
            t = datetime.fromisoformat(stamp).timestamp()
        except ValueError:
            return False
        return any(start <= t <= ready for start, ready in self.starting)

    def stop_apiserver(self):
        """SIGTERM, and SIGKILL after 10 s: with watches open, this kube-apiserver takes longer than
        the kubelet's default 30 s grace period to exit (its HTTP server's shutdown waits on them)."""
        return self.apiserver.stop(timeout=10)

    def restart_apiserver(self):
        self.stop_apiserver()
        self.start_apiserver()
        self.wait_ready()

    def compact(self):
        """Everything older than now is gone from etcd (returns the compacted revision)."""
        return self.client.call("compact")["result"]

    def service_account_token(self, name="clusterip-speaker", namespace="kube-system", seconds=3600):
        return self.client.call("token", namespace=namespace, name=name, seconds=seconds)["result"]

    def write_token_kubeconfig(self, path, token_file):
        """A kubeconfig like in-cluster config: the CA and a token file (re-read by the daemon)."""
        with open(path, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: i14
  cluster: {{server: "https://{self.ip}:{APISERVER_PORT}", certificate-authority: "{self.ca}"}}
users:
- name: sa
  user: {{tokenFile: "{token_file}"}}
contexts:
- name: sa
  context: {{cluster: i14, user: sa}}
current-context: sa
""")
        return path

    def stop(self):
        if self.client:
            self.client.stop()
        for p in (self.apiserver, self.etcd):
            if p:
                p.stop(timeout=20)

    def logs(self):
        out = [(f"kube-apiserver start {i}", os.path.join(self.dir, f"apiserver-{i}.log"))
               for i in range(1, self.apiserver_starts + 1)]
        return out + [("etcd", os.path.join(self.dir, "etcd.log")),
                      ("cluster client", os.path.join(self.dir, "client.log"))]


class KubeProxy:
    """The real kube-proxy for one node, inside the node's namespace."""

    def __init__(self, host, workdir, control_plane, mode):
        self.host, self.mode, self.cp = host, mode, control_plane
        self.log = os.path.join(workdir, f"{host.name}-kube-proxy-{mode}.log")
        self.process = None

    def start(self):
        self.process = Process(self.host.ns, [cluster_binary(), "proxy", "--kubeconfig", self.cp.proxy_kubeconfig,
                                              "--node", self.host.name, "--node-ip", self.host.v4,
                                              "--mode", self.mode, "--cluster-cidr", CLUSTER_CIDR], self.log)
        return self

    def healthy(self):
        out = self.host.ns.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2",
                               "http://127.0.0.1:10256/healthz", check=False)
        return out.strip() == "200"

    def wait_healthy(self, timeout=60):
        wait_for(f"kube-proxy ({self.mode}) in {self.host.name} to be healthy",
                 lambda: self.process.assert_running() and self.healthy(), timeout=timeout, step=0.5)

    def stop(self):
        if self.process:
            self.process.stop(timeout=15)

    def logs(self):
        return [(f"{self.host.name} kube-proxy ({self.mode})", self.log)]


def node_object(name, internal_ip):
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {"podCIDR": pod_cidr(name), "podCIDRs": [pod_cidr(name)]}}


def node_status(name, internal_ip, ready=True):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "status": {"addresses": [{"type": "InternalIP", "address": internal_ip},
                                     {"type": "Hostname", "address": name}],
                       "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                       "reason": "KubeletReady" if ready else "KubeletNotReady",
                                       "message": "set by the test", "lastHeartbeatTime": now,
                                       "lastTransitionTime": now}]}}


def pod_cidr(node_name):
    return f"10.244.{int(node_name.removeprefix('node'))}.0/24"


def pod_ip(node_name):
    return f"10.244.{int(node_name.removeprefix('node'))}.5"


def service(name, cluster_ip, ports, namespace="default", annotations=None):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "annotations": annotations or {}},
            "spec": {"type": "ClusterIP", "clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "ports": ports}}


def endpoint_slice(service_name, endpoints, ports, namespace="default"):
    """endpoints: [(pod ip, node name, ready)]."""
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{service_name}-i14", "namespace": namespace,
                         "labels": {"kubernetes.io/service-name": service_name,
                                    "endpointslice.kubernetes.io/managed-by": "i14-test"}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [ip], "nodeName": node, "conditions": {"ready": ready}}
                          for ip, node, ready in endpoints],
            "ports": ports}


class Pod:
    """A "pod": its own namespace behind a veth from the node (10.244.N.1 <-> 10.244.N.5), running argv."""

    def __init__(self, lab, host, workdir):
        self.host, self.ip = host, pod_ip(host.name)
        self.ns = lab._namespace(f"pod{host.name.removeprefix('node')}")
        veth(host.ns, "pod0", self.ns, "eth0")
        gw = self.ip.rsplit(".", 1)[0] + ".1"
        host.ns.add_address("pod0", f"{gw}/24")
        self.ns.add_address("eth0", f"{self.ip}/24")
        self.ns.ip("route", "add", "default", "via", gw)
        self.workdir = workdir
        self.processes = []

    def run(self, title, argv):
        p = Process(self.ns, argv, os.path.join(self.workdir, f"{self.host.name}-pod-{title}.log"))
        self.processes.append((title, p))
        return p

    def stop(self):
        for _, p in self.processes:
            p.stop(timeout=5)

    def logs(self):
        return [(f"{self.host.name} pod {t}", p.log_path) for t, p in self.processes]


__all__ = ["APISERVER_PORT", "CLUSTER_CIDR", "ControlPlane", "KubeProxy", "Pod", "REPO", "SERVICE_CIDR",
           "cluster_binary", "endpoint_slice", "node_object", "node_status", "pod_cidr", "pod_ip", "service"]
