#!/usr/bin/env python3
"""A fake kube-apiserver that speaks the real wire protocol, for clusterip-speaker's tests.

Python 3.11 stdlib only. Import it (`FakeApiServer`, `make_service`, ...) or run it as a process:

    python3 fake_apiserver.py --state-dir DIR [--port 0] [--admin-port 0] [--listen 127.0.0.1]

See README.md in this folder for the admin API and the behaviour it reproduces.
"""
from __future__ import annotations

import argparse
import base64
import collections
import copy
import gzip
import http.server
import ipaddress
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
import zlib
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import certs  # noqa: E402  (same folder)

__all__ = [
    "FakeApiServer", "AdminServer", "make_service", "make_endpointslice", "make_node",
    "make_servicecidr", "make_kubeadm_config", "make_configmap", "make_malformed_service",
    "status_object", "KUBEADM_CLUSTER_CONFIGURATION",
]

DEFAULT_USER = "system:serviceaccount:kube-system:clusterip-speaker"
GO_CHUNK_THRESHOLD = 2048        # net/http: responses bigger than its buffer go out chunked
GZIP_THRESHOLD = 128 * 1024      # apiserver: defaultGzipThresholdBytes
MAX_WATCHER_QUEUE = 10_000       # a watcher further behind than this is terminated (like the cacher)
MAX_BODY = 4 * 1024 * 1024


# ----------------------------------------------------------------------------------------------
# JSON and small helpers
# ----------------------------------------------------------------------------------------------

def go_json(obj: Any) -> bytes:
    """Serialize like Go's encoding/json Encoder: compact, HTML-escaped, raw UTF-8, trailing newline."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    # Go escapes these everywhere; they can only occur inside strings in JSON text.
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return (text + "\n").encode("utf-8")


def now_rfc3339() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_go_bool(v: str | None) -> bool:
    return v in ("1", "t", "T", "true", "TRUE", "True")


def status_object(code: int, reason: str, message: str, details: dict | None = None,
                  continue_token: str | None = None) -> dict:
    """A metav1.Status failure, field order as the apiserver writes it."""
    meta: dict = {}
    if continue_token is not None:
        meta["continue"] = continue_token
    st: dict = {"kind": "Status", "apiVersion": "v1", "metadata": meta, "status": "Failure",
                "message": message}
    if reason:
        st["reason"] = reason
    if details is not None:
        st["details"] = details
    st["code"] = code
    return st


def _details(name: str | None = None, group: str | None = None, kind: str | None = None,
             causes: list | None = None, retry_after: int | None = None) -> dict:
    d: dict = {}
    if name:
        d["name"] = name
    if group:
        d["group"] = group
    if kind:
        d["kind"] = kind
    if causes:
        d["causes"] = causes
    if retry_after:
        d["retryAfterSeconds"] = retry_after
    return d


_META_ORDER = ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
               "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
               "annotations", "ownerReferences", "finalizers", "managedFields"]


def _ordered_meta(meta: dict) -> dict:
    out = {k: meta[k] for k in _META_ORDER if k in meta}
    out.update({k: v for k, v in meta.items() if k not in out})
    return out


def _stable_hash(*parts: Any) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


def _family(ip: str) -> str:
    return "IPv6" if ":" in ip else "IPv4"


# ----------------------------------------------------------------------------------------------
# Object constructors (JSON as the apiserver serves it, fields in Go struct order)
# ----------------------------------------------------------------------------------------------

def _managed_fields(manager: str, api_version: str, fields: dict, ts: str) -> list:
    return [{"manager": manager, "operation": "Update", "apiVersion": api_version, "time": ts,
             "fieldsType": "FieldsV1", "fieldsV1": fields}]


def make_service(ns: str, name: str, cluster_ip: str | list[str] | None = "10.96.0.10", *,
                 annotations: dict | None = None, labels: dict | None = None, type: str = "ClusterIP",
                 external_ips: list[str] | None = None, lb_ips: list[str] | None = None,
                 lb_hostnames: list[str] | None = None, internal_policy: str | None = "Cluster",
                 external_policy: str | None = None, ports: list[dict] | None = None,
                 selector: dict | None = None, ip_family_policy: str | None = None,
                 external_name: str | None = None) -> dict:
    """A core/v1 Service. cluster_ip: one IP, a list (dual-stack), "None" (headless) or None
    (ExternalName). internal_policy/external_policy: "Cluster" | "Local" (None omits the field)."""
    ts = now_rfc3339()
    if ports is None:
        ports = [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080}]
    ports = copy.deepcopy(ports)
    for i, p in enumerate(ports):
        p.setdefault("protocol", "TCP")
        p.setdefault("targetPort", p.get("port", 80))
        if type in ("NodePort", "LoadBalancer") and "nodePort" not in p:
            p["nodePort"] = 30000 + (_stable_hash(ns, name) + i) % 2767
        order = ["name", "protocol", "appProtocol", "port", "targetPort", "nodePort"]
        ports[i] = {k: p[k] for k in order if k in p} | {k: v for k, v in p.items() if k not in order}
    if selector is None and type != "ExternalName":
        selector = {"app": name}
    meta: dict = {"name": name, "namespace": ns, "uid": str(uuid.uuid4()), "creationTimestamp": ts}
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    meta["managedFields"] = _managed_fields("kubectl-create", "v1", {"f:spec": {
        "f:internalTrafficPolicy": {}, "f:ports": {}, "f:selector": {}, "f:sessionAffinity": {},
        "f:type": {}}}, ts)
    spec: dict = {"ports": ports}
    if selector:
        spec["selector"] = dict(selector)
    if type == "ExternalName":
        spec.pop("ports") if not ports else None
        spec["type"] = "ExternalName"
        spec["sessionAffinity"] = "None"
        spec["externalName"] = external_name or f"{name}.example.com"
        return {"kind": "Service", "apiVersion": "v1", "metadata": meta, "spec": spec,
                "status": {"loadBalancer": {}}}
    if cluster_ip is None or cluster_ip == "None" or cluster_ip == ["None"]:
        ips = ["None"]
    elif isinstance(cluster_ip, str):
        ips = [cluster_ip]
    else:
        ips = list(cluster_ip)
    spec["clusterIP"] = ips[0]
    spec["clusterIPs"] = ips
    spec["type"] = type
    if external_ips:
        spec["externalIPs"] = list(external_ips)
    spec["sessionAffinity"] = "None"
    if type in ("NodePort", "LoadBalancer"):
        spec["externalTrafficPolicy"] = external_policy or "Cluster"
        if type == "LoadBalancer" and (external_policy or "Cluster") == "Local":
            spec["healthCheckNodePort"] = 32000 + _stable_hash(ns, name) % 700
    elif external_policy is not None:
        spec["externalTrafficPolicy"] = external_policy  # not what the apiserver stores; for tests
    fams = [_family(ip) for ip in ips] if ips != ["None"] else ["IPv4"]
    spec["ipFamilies"] = fams
    spec["ipFamilyPolicy"] = ip_family_policy or ("RequireDualStack" if len(fams) > 1 else "SingleStack")
    if type == "LoadBalancer":
        spec["allocateLoadBalancerNodePorts"] = True
    if internal_policy is not None:
        spec["internalTrafficPolicy"] = internal_policy
    ingress = [{"ip": ip, "ipMode": "VIP"} for ip in (lb_ips or [])]
    ingress += [{"hostname": h} for h in (lb_hostnames or [])]
    status: dict = {"loadBalancer": {"ingress": ingress} if ingress else {}}
    return {"kind": "Service", "apiVersion": "v1", "metadata": meta, "spec": spec, "status": status}


def make_malformed_service(ns: str, name: str) -> dict:
    """A Service whose fields have the wrong JSON types (what a broken proxy or a bug might serve)."""
    return {"kind": "Service", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": ns, "uid": str(uuid.uuid4()),
                         "creationTimestamp": now_rfc3339(), "annotations": ["not", "a", "map"]},
            "spec": {"ports": "eighty", "clusterIP": 1234567, "clusterIPs": "10.96.0.99",
                     "type": ["ClusterIP"], "ipFamilies": {"IPv4": True}},
            "status": {"loadBalancer": {"ingress": [{"ip": 42}]}}}


def make_endpointslice(ns: str, service: str, endpoints: Iterable = (), *, name: str | None = None,
                       address_type: str | None = None, ports: list[dict] | None = None,
                       labels: dict | None = None) -> dict:
    """A discovery.k8s.io/v1 EndpointSlice for `service`.

    endpoints: tuples (ip, node, ready) or (ip, node, ready, serving, terminating), or dicts used as
    they are. ready=None leaves conditions.ready out ("absent means ready"); serving/terminating
    None leave those out. node None leaves nodeName out."""
    ts = now_rfc3339()
    eps = []
    first_ip = None
    for e in endpoints:
        if isinstance(e, dict):
            eps.append(copy.deepcopy(e))
            continue
        ip, node, ready, *rest = e
        serving = rest[0] if len(rest) > 0 else ready
        terminating = rest[1] if len(rest) > 1 else (False if ready is not None else None)
        first_ip = first_ip or ip
        cond: dict = {}
        if ready is not None:
            cond["ready"] = bool(ready)
        if serving is not None:
            cond["serving"] = bool(serving)
        if terminating is not None:
            cond["terminating"] = bool(terminating)
        pod = f"{service}-{_stable_hash(ns, service, ip) % 0xffffff:06x}"
        ep: dict = {"addresses": [ip], "conditions": cond,
                    "targetRef": {"kind": "Pod", "namespace": ns, "name": pod,
                                  "uid": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{ns}/{pod}"))}}
        if node is not None:
            ep["nodeName"] = node
        eps.append(ep)
    if address_type is None:
        address_type = _family(first_ip) if first_ip else "IPv4"
    if ports is None:
        ports = [{"name": "http", "protocol": "TCP", "port": 8080}]
    name = name or f"{service}-{secrets.token_hex(3)[:5]}"
    lbl = {"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
           "kubernetes.io/service-name": service}
    lbl.update(labels or {})
    meta = {"name": name, "generateName": f"{service}-", "namespace": ns, "uid": str(uuid.uuid4()),
            "generation": 1, "creationTimestamp": ts, "labels": lbl,
            "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": ts},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": service,
                                 "uid": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"svc/{ns}/{service}")),
                                 "controller": True, "blockOwnerDeletion": True}],
            "managedFields": _managed_fields("kube-controller-manager", "discovery.k8s.io/v1",
                                             {"f:addressType": {}, "f:endpoints": {}, "f:ports": {}}, ts)}
    return {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1", "metadata": meta,
            "addressType": address_type, "endpoints": eps, "ports": copy.deepcopy(ports)}


def make_node(name: str, ready: bool | str | None = True, unschedulable: bool = False,
              internal_ip: str | list[str] | None = "192.168.1.10", *, labels: dict | None = None,
              pod_cidr: str | None = "10.244.0.0/24", extra_conditions: list | None = None) -> dict:
    """A core/v1 Node. ready: True/False/"Unknown", or None for no Ready condition at all."""
    ts = now_rfc3339()
    lbl = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
           "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
    lbl.update(labels or {})
    meta = {"name": name, "uid": str(uuid.uuid4()), "creationTimestamp": ts, "labels": lbl,
            "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"}}
    spec: dict = {}
    if pod_cidr:
        spec["podCIDR"] = pod_cidr
        spec["podCIDRs"] = [pod_cidr]
    if unschedulable:
        spec["unschedulable"] = True
        spec["taints"] = [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule",
                           "timeAdded": ts}]
    conds = []
    for t, r, m in (("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available")):
        conds.append({"type": t, "status": "False", "lastHeartbeatTime": ts, "lastTransitionTime": ts,
                      "reason": r, "message": m})
    if ready is not None:
        if ready is True or ready == "True":
            st, r, m = "True", "KubeletReady", "kubelet is posting ready status"
        elif ready == "Unknown":
            st, r, m = "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."
        else:
            st, r, m = "False", "KubeletNotReady", ("container runtime network not ready: NetworkReady=false "
                                                    "reason:NetworkPluginNotReady message:Network plugin returns "
                                                    "error: cni plugin not initialized")
        conds.append({"type": "Ready", "status": st, "lastHeartbeatTime": ts, "lastTransitionTime": ts,
                      "reason": r, "message": m})
    conds += extra_conditions or []
    ips = [internal_ip] if isinstance(internal_ip, str) else list(internal_ip or [])
    addrs = [{"type": "InternalIP", "address": ip} for ip in ips] + [{"type": "Hostname", "address": name}]
    status = {"capacity": {"cpu": "2", "ephemeral-storage": "20134592Ki", "memory": "4015876Ki", "pods": "110"},
              "allocatable": {"cpu": "2", "ephemeral-storage": "18556039957", "memory": "3913476Ki", "pods": "110"},
              "conditions": conds, "addresses": addrs,
              "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
              "nodeInfo": {"machineID": secrets.token_hex(16), "systemUUID": str(uuid.uuid4()),
                           "bootID": str(uuid.uuid4()), "kernelVersion": "6.1.0-18-amd64",
                           "osImage": "Debian GNU/Linux 12 (bookworm)",
                           "containerRuntimeVersion": "containerd://1.7.13", "kubeletVersion": "v1.31.0",
                           "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64"}}
    return {"kind": "Node", "apiVersion": "v1", "metadata": meta, "spec": spec, "status": status}


def make_servicecidr(name: str, cidrs: list[str], ready: bool | None = True) -> dict:
    """A networking.k8s.io ServiceCIDR (stored once, served as v1 and v1beta1)."""
    ts = now_rfc3339()
    # As kube-apiserver 1.36.3 serves its default one: no generation, no labels; the finalizer is the
    # controller manager's (a cluster has one).
    meta = {"name": name, "uid": str(uuid.uuid4()), "creationTimestamp": ts,
            "finalizers": ["networking.k8s.io/service-cidr-finalizer"]}
    conds = []
    if ready is not None:
        ready_message = "Kubernetes default Service CIDR is ready" if name == "kubernetes" else "Kubernetes Service CIDR is ready"
        conds.append({"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": ts,
                      "reason": "" if ready else "Terminating",
                      "message": ready_message if ready else "ServiceCIDR is being deleted"})
    status = {"conditions": conds} if conds else {}
    return {"kind": "ServiceCIDR", "apiVersion": "networking.k8s.io/v1", "metadata": _ordered_meta(meta),
            "spec": {"cidrs": list(cidrs)}, "status": status}


KUBEADM_CLUSTER_CONFIGURATION = """apiServer: {{}}
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controlPlaneEndpoint: 192.168.1.10:6443
controllerManager: {{}}
dns: {{}}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: v1.31.0
networking:
  dnsDomain: cluster.local
  podSubnet: {pod_subnet}
  serviceSubnet: {service_subnet}
proxy: {{}}
scheduler: {{}}
"""


def make_configmap(ns: str, name: str, data: dict) -> dict:
    ts = now_rfc3339()
    return {"kind": "ConfigMap", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": ns, "uid": str(uuid.uuid4()), "creationTimestamp": ts},
            "data": dict(data)}


def make_kubeadm_config(service_subnet: str = "10.96.0.0/12", pod_subnet: str = "10.244.0.0/16",
                        cluster_configuration: str | None = None) -> dict:
    """kube-system/kubeadm-config; data.ClusterConfiguration is YAML (kubeadm writes it sorted)."""
    text = cluster_configuration if cluster_configuration is not None else \
        KUBEADM_CLUSTER_CONFIGURATION.format(service_subnet=service_subnet, pod_subnet=pod_subnet)
    return make_configmap("kube-system", "kubeadm-config", {"ClusterConfiguration": text})


# ----------------------------------------------------------------------------------------------
# Resources, selectors
# ----------------------------------------------------------------------------------------------

class Resource:
    def __init__(self, plural: str, group: str, versions: list[str], kind: str, namespaced: bool,
                 fields: tuple[str, ...], verbs: list[str], short: list[str] | None = None):
        self.plural, self.group, self.versions, self.kind = plural, group, versions, kind
        self.namespaced, self.fields, self.verbs, self.short = namespaced, fields, verbs, short or []

    def api_version(self, version: str) -> str:
        return f"{self.group}/{version}" if self.group else version


_RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
RESOURCES: dict[str, Resource] = {r.plural: r for r in [
    Resource("services", "", ["v1"], "Service", True, ("spec.clusterIP", "spec.type"),
             ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], ["svc"]),
    Resource("endpointslices", "discovery.k8s.io", ["v1"], "EndpointSlice", True, (), _RW),
    Resource("nodes", "", ["v1"], "Node", False, ("spec.unschedulable",), _RW, ["no"]),
    Resource("servicecidrs", "networking.k8s.io", ["v1", "v1beta1"], "ServiceCIDR", False, (), _RW),
    Resource("configmaps", "", ["v1"], "ConfigMap", True, (), _RW, ["cm"]),
    # Events as clients POST them (kubectl describe reads them back); reportingController and
    # friends are stored as sent.
    Resource("events", "events.k8s.io", ["v1"], "Event", True, (), _RW, ["ev"]),
]}
KIND_TO_RESOURCE = {r.kind: r.plural for r in RESOURCES.values()}


class SelectorError(ValueError):
    pass


def _split_top(s: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [p.strip() for p in out if p.strip()]


def parse_label_selector(s: str) -> Callable[[dict], bool]:
    reqs: list[Callable[[dict], bool]] = []
    for part in _split_top(s or ""):
        m = re.fullmatch(r"(\S+)\s+(in|notin)\s+\((.*)\)", part)
        if m:
            key, op, vals = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",") if v.strip()}
            if op == "in":
                reqs.append(lambda l, k=key, vs=vals: k in l and l[k] in vs)
            else:
                reqs.append(lambda l, k=key, vs=vals: k not in l or l[k] not in vs)
            continue
        m = re.fullmatch(r"([^=!\s]+)\s*(==|=|!=)\s*(\S*)", part)
        if m:
            key, op, val = m.groups()
            if op == "!=":
                reqs.append(lambda l, k=key, v=val: l.get(k) != v)
            else:
                reqs.append(lambda l, k=key, v=val: k in l and l[k] == v)
            continue
        m = re.fullmatch(r"(!?)([A-Za-z0-9./_-]+)", part)
        if m:
            neg, key = m.groups()
            reqs.append((lambda l, k=key: k not in l) if neg else (lambda l, k=key: k in l))
            continue
        raise SelectorError(f"unable to parse requirement: {part}")

    def match(obj: dict) -> bool:
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
        return all(r(labels) for r in reqs)
    return match


def _field_value(obj: dict, path: str) -> str:
    cur: Any = obj
    for p in path.split("."):
        cur = cur.get(p) if isinstance(cur, dict) else None
    if cur is None:
        return "false" if path == "spec.unschedulable" else ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def parse_field_selector(s: str, res: Resource) -> Callable[[dict], bool]:
    allowed = {"metadata.name"} | ({"metadata.namespace"} if res.namespaced else set()) | set(res.fields)
    reqs = []
    for part in [p for p in (s or "").split(",") if p]:
        m = re.fullmatch(r"([^=!]+)(==|=|!=)(.*)", part)
        if not m:
            raise SelectorError(f"invalid selector: '{s}'; can't understand '{part}'")
        f, op, v = m.groups()
        if f not in allowed:
            raise SelectorError(f'field label not supported: {f}')
        reqs.append((f, op == "!=", v))

    def match(obj: dict) -> bool:
        return all((_field_value(obj, f) == v) != neg for f, neg, v in reqs)
    return match


# ----------------------------------------------------------------------------------------------
# The store: objects, one global resourceVersion, bounded per-resource history, watchers
# ----------------------------------------------------------------------------------------------

class Event:
    __slots__ = ("rv", "type", "obj", "prev", "raw")

    def __init__(self, rv: int, type_: str, obj: dict | None, prev: dict | None, raw: bytes | None = None):
        self.rv, self.type, self.obj, self.prev, self.raw = rv, type_, obj, prev, raw


class Watcher:
    def __init__(self, res: str, ns: str | None):
        self.res, self.ns = res, ns
        self.queue: collections.deque[Event] = collections.deque()
        self.closed = False          # terminated by the server (overflow)
        self.close_mode: str | None = None   # "graceful" | "abrupt" when asked to close


class Store:
    def __init__(self, history_size: int = 1000, start_rv: int = 1000):
        self.cond = threading.Condition()
        self.rv = start_rv
        self.compacted_rv = start_rv      # etcd compaction revision (continue tokens older are expired)
        self.objects: dict[str, dict[tuple[str, str], dict]] = {r: {} for r in RESOURCES}
        self.history_size = history_size
        self.history: dict[str, collections.deque[Event]] = {r: collections.deque() for r in RESOURCES}
        self.history_start: dict[str, int] = {r: start_rv for r in RESOURCES}
        self.watchers: list[Watcher] = []
        self.snapshots: collections.OrderedDict[int, dict[str, list]] = collections.OrderedDict()

    # All methods below expect self.cond held unless stated.
    def _publish(self, res: str, ev: Event) -> None:
        h = self.history[res]
        h.append(ev)
        while len(h) > self.history_size:
            self.history_start[res] = h.popleft().rv
        for w in self.watchers:
            if w.res == res and not w.closed:
                if len(w.queue) >= MAX_WATCHER_QUEUE:
                    w.closed = True
                    w.queue.clear()
                else:
                    w.queue.append(ev)
        self.cond.notify_all()

    def put(self, res: str, obj: dict, raw: bool = False) -> tuple[str, dict]:
        with self.cond:
            meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
            name = meta.get("name") if isinstance(meta.get("name"), str) else None
            ns = meta.get("namespace") if isinstance(meta.get("namespace"), str) else ""
            if not name:
                raise ValueError("object has no metadata.name")
            if not RESOURCES[res].namespaced:
                ns = ""
            key = (ns, name)
            prev = self.objects[res].get(key)
            self.rv += 1
            if isinstance(obj.get("metadata"), dict):
                m = obj["metadata"]
                if prev is not None and not raw and isinstance(prev.get("metadata"), dict):
                    # an update keeps the object's identity (delete + create gives a new uid)
                    for k in ("uid", "creationTimestamp"):
                        if prev["metadata"].get(k) is not None:
                            m[k] = prev["metadata"][k]
                if not raw:
                    m.setdefault("uid", str(uuid.uuid4()))
                    m.setdefault("creationTimestamp", now_rfc3339())
                m["resourceVersion"] = str(self.rv)
                if not raw:
                    obj["metadata"] = _ordered_meta(m)
            self.objects[res][key] = obj
            etype = "MODIFIED" if prev is not None else "ADDED"
            self._publish(res, Event(self.rv, etype, obj, prev))
            return etype, obj

    def delete(self, res: str, ns: str, name: str, as_line: bytes | None = None) -> dict | None:
        with self.cond:
            key = (ns if RESOURCES[res].namespaced else "", name)
            prev = self.objects[res].pop(key, None)
            if prev is None:
                return None
            self.rv += 1
            final = copy.copy(prev)
            if isinstance(prev.get("metadata"), dict):
                final["metadata"] = dict(prev["metadata"], resourceVersion=str(self.rv))
            if as_line is not None:  # the event reaches watchers as these bytes (a garbled DELETED)
                self._publish(res, Event(self.rv, "RAW", None, None, raw=as_line))
            else:
                self._publish(res, Event(self.rv, "DELETED", final, prev))
            return final

    def raw_line(self, res: str, line: bytes) -> None:
        with self.cond:
            for w in self.watchers:
                if w.res == res and not w.closed:
                    w.queue.append(Event(self.rv, "RAW", None, None, raw=line))
            self.cond.notify_all()

    def compact(self) -> int:
        with self.cond:
            self.compacted_rv = self.rv
            for r in RESOURCES:
                self.history[r].clear()
                self.history_start[r] = self.rv
            self.snapshots.clear()
            return self.rv

    def sorted_items(self, res: str) -> list[tuple[tuple[str, str], dict]]:
        return sorted(self.objects[res].items(), key=lambda kv: kv[0])


# ----------------------------------------------------------------------------------------------
# The HTTPS server
# ----------------------------------------------------------------------------------------------

class _Listener(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 64

    def __init__(self, host: str, port: int, owner: "FakeApiServer"):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.owner = owner
        super().__init__((host, port), _ApiHandler, bind_and_activate=False)
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            self.server_bind()
            self.server_activate()
        except BaseException:
            self.server_close()
            raise

    def finish_request(self, request, client_address):
        owner = self.owner
        request.settimeout(10)
        owner._track(request)
        try:
            tls = owner.tls_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            owner._untrack(request)
            return
        owner._untrack(request)
        owner._track(tls)
        try:
            tls.settimeout(owner.cfg["idle_timeout"])
            _ApiHandler(tls, client_address, self)
        except (OSError, ssl.SSLError, ValueError, AttributeError):
            pass
        finally:
            owner._untrack(tls)
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):  # keep test output quiet
        pass


class _ClientGone(Exception):
    pass


class _ApiHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-kube-apiserver"
    server: _Listener

    def log_message(self, format, *args):  # noqa: A002
        if self.server.owner.verbose:
            sys.stderr.write("fake-apiserver: " + (format % args) + "\n")

    def send_response(self, code, message=None):  # no Server header (the apiserver sends none)
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())
        self._status = code

    # ---- plumbing ------------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            for _ in range(100_000):
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline(1024)
                    break
                body += self.rfile.read(size)
                self.rfile.readline(8)
                if len(body) > MAX_BODY:
                    raise ValueError("body too large")
            return body
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def _common_headers(self, content_type: str) -> None:
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", content_type)
        self.send_header("X-Kubernetes-Pf-Flowschema-Uid", self.server.owner.flowschema_uid)
        self.send_header("X-Kubernetes-Pf-Prioritylevel-Uid", self.server.owner.prioritylevel_uid)

    def _send_bytes(self, code: int, body: bytes, content_type: str = "application/json",
                    extra: dict | None = None) -> None:
        owner = self.server.owner
        self.send_response(code)
        self._common_headers(content_type)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if (len(body) > GZIP_THRESHOLD and "gzip" in self.headers.get("Accept-Encoding", "")
                and owner.cfg["gzip"]):
            body = gzip.compress(body, compresslevel=1)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        if len(body) > owner.cfg["chunk_threshold"] and self.command != "HEAD":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            step = 16384
            out = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + step]), body[i:i + step])
                           for i in range(0, len(body), step))
            self.wfile.write(out + b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    def _send_json(self, code: int, obj: Any, extra: dict | None = None) -> None:
        self._send_bytes(code, go_json(obj), extra=extra)

    def _send_status(self, code: int, reason: str, message: str, details: dict | None = None,
                     extra: dict | None = None, continue_token: str | None = None) -> None:
        self._send_json(code, status_object(code, reason, message, details, continue_token), extra)

    def _not_found(self) -> None:
        self._send_status(404, "NotFound", "the server could not find the requested resource", {})

    # ---- dispatch ------------------------------------------------------------------------------
    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def _dispatch(self) -> None:
        owner = self.server.owner
        self._status = 0
        parsed = urllib.parse.urlsplit(self.path)
        self.req_path = parsed.path
        self.query = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        entry = owner._log_request(self, parsed)
        try:
            body = self._read_body() if self.command in ("POST", "PUT", "PATCH") else b""
        except (ValueError, OSError):
            self.close_connection = True
            return
        try:
            owner._apply_latency(self.req_path)
            user = self._authenticate(entry)
            if user is None:
                self._send_status(401, "Unauthorized", "Unauthorized")
                return
            failure = owner._take_failure(self.req_path)
            if failure is not None:
                self._send_failure(failure)
                return
            self._route(user, body)
        except _ClientGone:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
        finally:
            entry["status"] = self._status

    def _send_failure(self, f: dict) -> None:
        code = int(f.get("code", 500))
        ra = f.get("retry_after")
        extra = {"Retry-After": str(ra)} if ra else None
        if code == 429:
            self._send_status(429, "TooManyRequests", "Too many requests, please try again later.",
                              _details(retry_after=ra or 1), extra={"Retry-After": str(ra or 1)})
        elif code == 503:
            self._send_status(503, "ServiceUnavailable", f.get("message", "the server is currently unable to handle the request"),
                              {}, extra)
        elif code == 504:
            self._send_status(504, "Timeout", f.get("message", "the server was unable to return a response in the time allotted, but may still be processing the request"),
                              {}, extra)
        elif code == 403:
            self._send_status(403, "Forbidden", f.get("message", "forbidden"), {}, extra)
        else:
            self._send_status(code, "InternalError", f.get("message", "Internal error occurred: injected failure"),
                              _details(causes=[{"message": "injected failure"}]), extra)

    def _authenticate(self, entry: dict) -> str | None:
        owner = self.server.owner
        # x509 client certificates come first in the apiserver's union authenticator.
        if owner.cfg["client_cert_auth"]:
            try:
                cert = self.connection.getpeercert()
            except (ValueError, OSError):
                cert = None
            if cert:
                cn = ""
                for rdn in cert.get("subject", ()):
                    for k, v in rdn:
                        if k == "commonName":
                            cn = v
                if cn:
                    entry["user"] = cn
                    return cn
        auth = self.headers.get("Authorization")
        if auth is not None:
            parts = auth.strip().split(" ", 2)
            if len(parts) >= 2 and parts[0].lower() == "bearer":
                token = parts[1]
                if token:
                    with owner.lock:
                        user = owner.tokens.get(token)
                    if user is None:
                        return None
                    entry["user"] = user
                    return user
        if owner.cfg["anonymous_auth"]:
            entry["user"] = "system:anonymous"
            return "system:anonymous"
        return None

    def _route(self, user: str, body: bytes) -> None:
        owner = self.server.owner
        path = self.req_path.rstrip("/") or "/"
        if path in ("/healthz", "/livez", "/readyz") and self.command in ("GET", "HEAD"):
            self.send_response(200)
            self.send_header("Audit-Id", str(uuid.uuid4()))
            self.send_header("Cache-Control", "no-cache, private")
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Length", "2")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(b"ok")
            return
        if path == "/version":
            self._send_json(200, owner.version_info())
            return
        anonymous = user == "system:anonymous"
        if anonymous and not (path.startswith("/api/") or path.startswith("/apis/")):
            self._send_status(403, "Forbidden",
                              f'forbidden: User "system:anonymous" cannot {self.command.lower()} path "{path}"',
                              {})
            return
        if path == "/api":
            self._send_json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]})
            return
        if path == "/apis":
            self._send_json(200, owner.api_group_list())
            return
        segs = path.strip("/").split("/")
        if segs[0] == "api" and len(segs) >= 2:
            group, version, rest = "", segs[1], segs[2:]
        elif segs[0] == "apis" and len(segs) >= 3:
            group, version, rest = segs[1], segs[2], segs[3:]
        else:
            self._not_found()
            return
        if not owner.version_enabled(group, version):
            self._not_found()
            return
        if not rest and not anonymous:
            self._send_json(200, owner.api_resource_list(group, version))
            return
        watch_path = False
        if rest[0] == "watch":
            watch_path, rest = True, rest[1:]
        ns = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            ns, rest = rest[1], rest[2:]
        if anonymous and not rest:
            self._send_status(403, "Forbidden",
                              f'forbidden: User "system:anonymous" cannot get path "{path}"', {})
            return
        if not rest or len(rest) > 2:
            self._not_found()
            return
        res = RESOURCES.get(rest[0])
        name = rest[1] if len(rest) == 2 else None
        if (res is None or res.group != group or version not in res.versions
                or not owner.resource_enabled(res.plural, version) or (ns is not None and not res.namespaced)):
            self._not_found()
            return
        if self.command == "GET" and (watch_path or parse_go_bool(self.query.get("watch"))):
            verb = "watch"
        elif self.command == "GET":
            verb = "get" if name else "list"
        elif self.command == "POST" and name is None:
            verb = "create"
        else:
            self._send_status(405, "MethodNotAllowed",
                              "the server does not allow this method on the requested resource", {})
            return
        if verb in ("list", "watch") and name is not None:
            # a named watch/list: the apiserver turns it into a metadata.name field selector
            fs = self.query.get("fieldSelector", "")
            self.query["fieldSelector"] = f"metadata.name={name}" + ("," + fs if fs else "")
        if anonymous or owner.is_forbidden(verb, res.plural):
            self._forbidden(user, verb, res, ns, name)
            return
        if verb == "get":
            self._get(res, version, ns, name)
        elif verb == "list":
            self._list(res, version, ns)
        elif verb == "watch":
            self._watch(res, version, ns)
        elif verb == "create" and res.plural == "events" and ns is not None:
            self._create_event(ns, body)
        elif verb == "create":
            if res.plural != "services" or ns is None:
                self._send_status(405, "MethodNotAllowed",
                                  "the server does not allow this method on the requested resource", {})
                return
            self._create_service(ns, body)

    def _forbidden(self, user: str, verb: str, res: Resource, ns: str | None, name: str | None) -> None:
        scope = f'in the namespace "{ns}"' if ns else "at the cluster scope"
        what = f'{res.plural} "{name}"' if name else res.plural
        msg = (f'{what} is forbidden: User "{user}" cannot {verb} resource "{res.plural}" '
               f'in API group "{res.group}" {scope}')
        self._send_status(403, "Forbidden", msg, _details(name=name, group=res.group or None, kind=res.plural))

    # ---- output shapes ---------------------------------------------------------------------------
    @staticmethod
    def _typed(obj: dict, res: Resource, version: str) -> dict:
        out = {"kind": res.kind, "apiVersion": res.api_version(version)}
        out.update({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
        return out

    @staticmethod
    def _untyped(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}

    def _get(self, res: Resource, version: str, ns: str | None, name: str) -> None:
        store = self.server.owner.store
        with store.cond:
            obj = store.objects[res.plural].get((ns or "", name))
        if obj is None:
            self._send_status(404, "NotFound", f'{res.plural} "{name}" not found',
                              _details(name=name, group=res.group or None, kind=res.plural))
            return
        self._send_json(200, self._typed(obj, res, version))

    def _selectors(self, res: Resource) -> tuple[Callable[[dict], bool], bool] | None:
        try:
            lsel = parse_label_selector(self.query.get("labelSelector", ""))
            fsel = parse_field_selector(self.query.get("fieldSelector", ""), res)
        except SelectorError as e:
            self._send_status(400, "BadRequest", str(e))
            return None
        has = bool(self.query.get("labelSelector") or self.query.get("fieldSelector"))
        return (lambda o: lsel(o) and fsel(o)), has

    def _list(self, res: Resource, version: str, ns: str | None) -> None:
        owner = self.server.owner
        store = owner.store
        sel = self._selectors(res)
        if sel is None:
            return
        match, has_selector = sel
        try:
            limit = int(self.query.get("limit") or 0)
        except ValueError:
            self._send_status(400, "BadRequest", f'invalid limit: {self.query.get("limit")}')
            return
        rv_param = self.query.get("resourceVersion", "")
        cont = self.query.get("continue", "")
        if rv_param == "0" and not cont and not owner.cfg["paging_with_rv0"]:
            limit = 0  # served from the watch cache, which ignores limit
        start_key = ""
        with store.cond:
            if cont:
                try:
                    tok = json.loads(base64.urlsafe_b64decode(cont + "=" * (-len(cont) % 4)))
                    if tok.get("v") != "meta.k8s.io/v1" or not isinstance(tok.get("rv"), int) \
                            or not isinstance(tok.get("start"), str):
                        raise ValueError("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
                except (ValueError, json.JSONDecodeError, UnicodeDecodeError) as e:
                    msg = str(e) if "continue key" in str(e) else f"continue key is not valid: {e}"
                    self._send_status(400, "BadRequest", f"invalid continue token: {msg}")
                    return
                list_rv, start_key = tok["rv"], tok["start"]
                if list_rv != -1 and (list_rv < store.compacted_rv or list_rv not in store.snapshots):
                    new_tok = _encode_continue(-1, start_key)
                    self._send_status(410, "Expired", INCONSISTENT_CONTINUE, continue_token=new_tok)
                    return
                if list_rv == -1:
                    list_rv = store.rv
                    items = store.sorted_items(res.plural)
                else:
                    items = store.snapshots[list_rv][res.plural]
            else:
                list_rv = store.rv
                items = store.sorted_items(res.plural)
            selected = []
            for (ons, oname), obj in items:
                if ns is not None and ons != ns:
                    continue
                k = f"{oname}" if ns is not None or not res.namespaced else f"{ons}/{oname}"
                if start_key and k < start_key:
                    continue
                if match(obj):
                    selected.append((k, obj))
            page, more = selected, False
            if limit > 0 and len(selected) > limit:
                page, more = selected[:limit], True
            meta: dict = {"resourceVersion": str(list_rv)}
            if more:
                meta["continue"] = _encode_continue(list_rv, page[-1][0] + "\x00")
                if not has_selector:
                    meta["remainingItemCount"] = len(selected) - len(page)
                if list_rv not in store.snapshots:
                    store.snapshots[list_rv] = {r: store.sorted_items(r) for r in RESOURCES}
                    while len(store.snapshots) > 32:
                        store.snapshots.popitem(last=False)
        body = {"kind": f"{res.kind}List", "apiVersion": res.api_version(version), "metadata": meta,
                "items": [self._untyped(o) for _, o in page]}
        self._send_json(200, body)

    # ---- watch ---------------------------------------------------------------------------------
    def _watch(self, res: Resource, version: str, ns: str | None) -> None:
        owner = self.server.owner
        store = owner.store
        sel = self._selectors(res)
        if sel is None:
            return
        match, _ = sel
        bookmarks = parse_go_bool(self.query.get("allowWatchBookmarks"))
        send_initial = parse_go_bool(self.query.get("sendInitialEvents"))
        try:
            timeout = float(self.query["timeoutSeconds"]) if self.query.get("timeoutSeconds") else \
                float(owner.cfg["default_watch_timeout"])
        except ValueError:
            self._send_status(400, "BadRequest", "invalid timeoutSeconds")
            return
        rv_param = self.query.get("resourceVersion", "")
        try:
            want_rv = int(rv_param) if rv_param not in ("", "0") else None
        except ValueError:
            self._send_status(400, "BadRequest", f'invalid resource version: strconv.ParseUint: parsing "{rv_param}": invalid syntax')
            return
        watcher = Watcher(res.plural, ns)
        initial: list[Event] = []
        error_status: dict | None = None
        deadline_large = time.monotonic() + float(owner.cfg["too_large_rv_wait"])
        with store.cond:
            while want_rv is not None and want_rv > store.rv and time.monotonic() < deadline_large:
                store.cond.wait(0.1)
            if want_rv is not None and want_rv > store.rv:
                error_status = status_object(504, "Timeout", f"Too large resource version: {want_rv}, current: {store.rv}",
                                             {"causes": [{"reason": "ResourceVersionTooLarge",
                                                          "message": "Too large resource version"}],
                                              "retryAfterSeconds": 1})
            elif want_rv is not None and want_rv < store.history_start[res.plural]:
                error_status = status_object(410, "Expired",
                                             f"too old resource version: {want_rv} ({store.history_start[res.plural]})")
            elif want_rv is None or send_initial:
                for _, obj in store.sorted_items(res.plural):
                    initial.append(Event(store.rv, "ADDED", obj, None))
                if want_rv is not None:  # sendInitialEvents with an RV: state at now, not replay
                    pass
                start_rv = store.rv
            else:
                initial = [e for e in store.history[res.plural] if e.rv > want_rv]
                start_rv = want_rv
            if error_status is None:
                store.watchers.append(watcher)
            gen = owner.watch_generation
        # 200 + chunked stream, like the apiserver (errors too travel as an ERROR event)
        self.send_response(200)
        self._common_headers("application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = False
        try:
            if error_status is not None:
                self._write_events([go_json({"type": "ERROR", "object": error_status})])
                self._end_chunks()
                return
            owner._watch_started(res.plural)
            lines = [self._event_line(e, res, version, ns, match) for e in initial]
            # kube-apiserver 1.36 ends the synthetic ADDEDs of a watch from "now" (resourceVersion
            # unset or 0) with this bookmark too, not only for sendInitialEvents.
            if (send_initial or want_rv is None) and bookmarks:
                lines.append(self._bookmark_line(res, version, start_rv, initial_end=True))
            self._write_events([ln for ln in lines if ln])
            deadline = time.monotonic() + max(0.0, timeout)
            interval = float(owner.cfg["bookmark_interval"])
            next_bm = time.monotonic() + interval
            for _ in range(10_000_000):  # bounded: each turn waits up to 0.25 s
                now = time.monotonic()
                batch: list[Event] = []
                bm_rv = None
                with store.cond:
                    if not (watcher.queue or watcher.closed or watcher.close_mode or now >= deadline
                            or owner.watch_generation != gen or owner.stopping
                            or (bookmarks and now >= next_bm)):
                        store.cond.wait(min(0.25, max(0.0, deadline - now),
                                            max(0.0, next_bm - now) if bookmarks else 0.25))
                    now = time.monotonic()
                    batch = list(watcher.queue)
                    watcher.queue.clear()
                    if bookmarks and now >= next_bm and not batch:
                        bm_rv = store.rv
                        next_bm = now + interval
                    close_mode = watcher.close_mode
                    if owner.watch_generation != gen:
                        close_mode = owner.watch_close_mode
                    if owner.stopping or watcher.closed:
                        close_mode = "abrupt"
                lines = [self._event_line(e, res, version, ns, match) for e in batch]
                if bm_rv is not None:
                    lines.append(self._bookmark_line(res, version, bm_rv))
                self._write_events([ln for ln in lines if ln])
                if close_mode == "abrupt":
                    self._abort()
                    return
                if close_mode == "graceful":
                    break
                if now >= deadline:
                    if bookmarks:  # the apiserver sends a last bookmark as a watch times out
                        with store.cond:
                            last = [] if watcher.queue else [self._bookmark_line(res, version, store.rv)]
                        self._write_events(last)
                    break
                if not batch and bm_rv is None and self._peer_closed():
                    raise _ClientGone()
            self._end_chunks()
        finally:
            with store.cond:
                if watcher in store.watchers:
                    store.watchers.remove(watcher)
                store.cond.notify_all()

    def _event_line(self, e: Event, res: Resource, version: str, ns: str | None,
                    match: Callable[[dict], bool]) -> bytes | None:
        if e.type == "RAW":
            return e.raw
        obj = e.obj
        if ns is not None:
            m = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
            if m.get("namespace") != ns:
                return None
        etype = e.type
        if etype == "MODIFIED":
            now_m, was_m = match(obj), e.prev is not None and match(e.prev)
            if now_m and not was_m:
                etype = "ADDED"
            elif was_m and not now_m:
                etype = "DELETED"
            elif not now_m:
                return None
        elif etype == "DELETED":
            if not match(e.prev or obj):
                return None
        elif not match(obj):
            return None
        return go_json({"type": etype, "object": self._typed(obj, res, version)})

    def _bookmark_line(self, res: Resource, version: str, rv: int, initial_end: bool = False) -> bytes:
        meta: dict = {"resourceVersion": str(rv)}  # 1.36: no "creationTimestamp": null any more
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj: dict = {"kind": res.kind, "apiVersion": res.api_version(version), "metadata": meta}
        obj.update(copy.deepcopy(BOOKMARK_BODIES.get(res.plural, {})))
        return go_json({"type": "BOOKMARK", "object": obj})

    def _write_events(self, lines: list[bytes]) -> None:
        if not lines:
            return
        mode = self.server.owner.cfg["watch_chunking"]
        chunks: list[bytes]
        if mode == "coalesce":
            chunks = [b"".join(lines)]
        elif mode == "split":
            chunks = []
            for ln in lines:
                cut = max(1, len(ln) // 2)
                chunks += [ln[:cut], ln[cut:]]
        else:
            chunks = lines
        self.wfile.write(b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks))

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")

    def _abort(self) -> None:
        self.close_connection = True
        try:
            socket.socket.shutdown(self.connection, socket.SHUT_RDWR)
        except OSError:
            pass

    def _peer_closed(self) -> bool:
        sock = self.connection
        try:
            r, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        if not r:
            return False
        old = sock.gettimeout()
        try:
            sock.settimeout(0.05)
            data = sock.recv(1)
            return data == b""
        except (socket.timeout, ssl.SSLWantReadError):
            return False
        except (OSError, ssl.SSLError, ValueError):
            return True
        finally:
            try:
                sock.settimeout(old)
            except OSError:
                pass

    # ---- create (dry-run probe) ----------------------------------------------------------------
    def _create_event(self, ns: str, body: bytes) -> None:
        """events.k8s.io/v1 create, with the checks the apiserver's validation makes on what a
        client must set (name or generateName, regarding, reason, action, reportingController,
        reportingInstance, eventTime); answers 201 with the stored object."""
        try:
            obj = json.loads(body)
            if not isinstance(obj, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            self._send_status(400, "BadRequest", "the object provided is unrecognized (unknown)")
            return
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        if meta.get("namespace") not in (None, "", ns):
            self._send_status(400, "BadRequest",
                              "the namespace of the provided object does not match the namespace sent on the request")
            return
        name = meta.get("name") or ""
        if not name and meta.get("generateName"):
            name = meta["generateName"] + secrets.token_hex(3)[:5]
        missing = [f for f in ("regarding", "reason", "action", "reportingController", "reportingInstance",
                               "eventTime") if not obj.get(f)]
        if not name:
            missing.insert(0, "metadata.name")
        if missing:
            causes = [{"reason": "FieldValueRequired", "message": "Required value", "field": f} for f in missing]
            self._send_status(422, "Invalid", f'Event "{name}" is invalid: {missing[0]}: Required value',
                              _details(name=name, group="events.k8s.io", kind="Event", causes=causes))
            return
        with self.server.owner.store.cond:
            if (ns, name) in self.server.owner.store.objects["events"]:
                self._send_status(409, "AlreadyExists", f'events.events.k8s.io "{name}" already exists',
                                  _details(name=name, group="events.k8s.io", kind="events"))
                return
        obj = dict(obj, metadata=dict(meta, name=name, namespace=ns))
        obj.pop("kind", None)
        obj.pop("apiVersion", None)
        _, stored = self.server.owner.store.put("events", obj)
        self._send_json(201, self._typed(stored, RESOURCES["events"], "v1"))

    def _create_service(self, ns: str, body: bytes) -> None:
        owner = self.server.owner
        try:
            obj = json.loads(body)
            if not isinstance(obj, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            self._send_status(400, "BadRequest", "the object provided is unrecognized (unknown)")
            return
        dry = bool(self.query.get("dryRun"))
        if self.query.get("dryRun") not in (None, "", "All"):
            self._send_status(400, "BadRequest",
                              f'dryRun: Unsupported value: "{self.query.get("dryRun")}": supported values: "All"')
            return
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        name = meta.get("name") or ""
        if not name and meta.get("generateName"):
            name = meta["generateName"] + secrets.token_hex(3)[:5]
        if meta.get("namespace") not in (None, "", ns):
            self._send_status(400, "BadRequest",
                              "the namespace of the provided object does not match the namespace sent on the request")
            return

        def invalid(field: str, detail: str, value_go: str, value_json: str | None = None, reason="FieldValueInvalid"):
            value = value_go if owner.cfg["invalid_value_style"] == "go" else (value_json or value_go)
            cmsg = f"Invalid value: {value}: {detail}" if reason == "FieldValueInvalid" else detail
            self._send_status(422, "Invalid", f'Service "{name}" is invalid: {field}: {cmsg}',
                              _details(name=name, kind="Service",
                                       causes=[{"reason": reason, "message": cmsg, "field": field}]))

        if not name:
            self._send_status(422, "Invalid", 'Service "" is invalid: metadata.name: Required value: name or generateName is required',
                              _details(kind="Service", causes=[{"reason": "FieldValueRequired",
                                                                "message": "Required value: name or generateName is required",
                                                                "field": "metadata.name"}]))
            return
        spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
        ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
        ranges = [ipaddress.ip_network(c, strict=False) for c in owner.cfg["service_cidrs"]]
        go_list = "[]string{" + ", ".join(f'"{ip}"' for ip in ips) + "}"
        json_list = "[" + ",".join(f'"{ip}"' for ip in ips) + "]"
        allocated = set()
        with owner.store.cond:
            for o in owner.store.objects["services"].values():
                s = o.get("spec") if isinstance(o.get("spec"), dict) else {}
                v = s.get("clusterIPs")
                if isinstance(v, list):
                    allocated.update(x for x in v if isinstance(x, str))
        final_ips = []
        for i, ip_s in enumerate(ips):
            if ip_s == "None":
                final_ips.append(ip_s)
                continue
            try:
                ip = ipaddress.ip_address(ip_s)
            except ValueError:
                invalid(f"spec.clusterIPs[{i}]", "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                        f'"{ip_s}"')
                return
            fam_ranges = [r for r in ranges if r.version == ip.version]
            if not fam_ranges:
                fam = "IPv6" if ip.version == 6 else "IPv4"
                invalid("spec.ipFamilies[0]", "not configured on this cluster", f'"{fam}"')
                return
            if not any(ip in r for r in fam_ranges):
                rng = fam_ranges[0]
                invalid("spec.clusterIPs",
                        f"failed to allocate IP {ip_s}: the provided IP ({ip_s}) is not in the valid range. "
                        f"The range of valid IPs is {rng}", go_list, json_list)
                return
            if ip_s in allocated:
                invalid("spec.clusterIPs", f"failed to allocate IP {ip_s}: provided IP is already allocated",
                        go_list, json_list)
                return
            final_ips.append(ip_s)
        with owner.store.cond:
            if (ns, name) in owner.store.objects["services"]:
                self._send_status(409, "AlreadyExists", f'services "{name}" already exists',
                                  _details(name=name, kind="services"))
                return
        if not final_ips:
            r = ranges[0]
            for n in range(10, min(r.num_addresses - 1, 65536)):
                cand = str(r.network_address + n)
                if cand not in allocated:
                    final_ips = [cand]
                    break
        svc = make_service(ns, name, final_ips or "None", annotations=meta.get("annotations"),
                           labels=meta.get("labels"), type=spec.get("type", "ClusterIP"),
                           ports=spec.get("ports") if isinstance(spec.get("ports"), list) else None,
                           selector=spec.get("selector") if isinstance(spec.get("selector"), dict) else {})
        if dry:
            svc["metadata"].pop("managedFields", None)
            self._send_json(201, svc)
            return
        _, stored = owner.store.put("services", svc)
        self._send_json(201, stored)


INCONSISTENT_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can start a new "
    "list without the continue parameter, or use the continue token in this response to retrieve the "
    "remainder of the results. Continuing with the provided token results in an inconsistent list - objects "
    "that were created, modified, or deleted between the time the first chunk was returned and now may "
    "show up in the list.")

# What the apiserver's bookmark objects look like besides kind/apiVersion/metadata: an empty object
# of the type, serialized (zero values that are not omitempty show up).
BOOKMARK_BODIES = {
    "services": {"spec": {}, "status": {"loadBalancer": {}}},
    "endpointslices": {"addressType": "", "endpoints": None, "ports": None},
    "nodes": {"spec": {}, "status": {"daemonEndpoints": {"kubeletEndpoint": {"Port": 0}}, "nodeInfo": {
        "machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "", "osImage": "",
        "containerRuntimeVersion": "", "kubeletVersion": "", "kubeProxyVersion": "", "operatingSystem": "",
        "architecture": ""}}},
    "servicecidrs": {"spec": {}, "status": {}},
    "configmaps": {},
}


def _encode_continue(rv: int, start: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------

DEFAULT_CONFIG: dict[str, Any] = {
    "bookmark_interval": 60.0,        # seconds between BOOKMARKs (the apiserver: about a minute)
    "default_watch_timeout": 1800.0,  # when the client gives no timeoutSeconds
    "idle_timeout": 60.0,             # idle keep-alive connections are closed after this
    "servicecidr_v1": True,           # serve networking.k8s.io/v1 servicecidrs
    "servicecidr_v1beta1": True,      # serve networking.k8s.io/v1beta1 servicecidrs
    "client_cert_auth": True,         # accept client certificates signed by the CA
    "anonymous_auth": False,          # requests without credentials: 401 (False) or system:anonymous
    "paging_with_rv0": False,         # False: like the watch cache, limit is ignored for resourceVersion=0
    "watch_chunking": "event",        # event | split | coalesce
    "chunk_threshold": GO_CHUNK_THRESHOLD,
    "gzip": True,
    "latency": 0.0,                   # seconds added before answering
    "latency_prefix": "",             # only for paths starting with this
    "service_cidrs": ["10.96.0.0/12"],  # the cluster's --service-cluster-ip-range (dry-run probe)
    # How a 422 shows the invalid value: json ["1.1.1.1"] as kube-apiserver 1.36 does (checked
    # against the real one, tests/e2e/test_real_cluster.py), go []string{"1.1.1.1"} as older ones.
    "invalid_value_style": "json",
    "forbidden": [],                  # [[verb, resource], ...] -> 403 as RBAC would answer
    # For this long after each start or /up, every request is answered 403 as RBAC would: a real
    # kube-apiserver serves before its RBAC informers have synced and refuses everyone until then.
    "rbac_warmup": 0.0,
    "git_version": "v1.31.0",
    "too_large_rv_wait": 3.0,         # a watch from a future RV waits this long, then ERROR 504
}


class FakeApiServer:
    """The fake apiserver. `start()` listens on 127.0.0.1 (and the given addresses), port `port`."""

    def __init__(self, pki: certs.Pki | None = None, port: int = 0, listen: Iterable[str] = ("127.0.0.1",),
                 tokens: Iterable[str] | dict | None = ("test-token",), seed: bool = True,
                 history_size: int = 1000, verbose: bool = False, **config: Any):
        self.listen_addrs = list(listen)
        for a in self.listen_addrs:
            ip = ipaddress.ip_address(a)
            if ip.is_unspecified or ip.is_multicast:
                raise ValueError(f"refusing to listen on {a}: give loopback or a namespace address")
        self._own_pki = pki is None
        self.pki = pki or certs.make_pki(extra_ips=[a for a in self.listen_addrs if a not in ("127.0.0.1", "::1")],
                                         key_type="ec")
        self.port = port
        self.verbose = verbose
        self.lock = threading.RLock()
        self.cfg = dict(DEFAULT_CONFIG)
        self.configure(**config)
        self.tokens: dict[str, str] = {}
        self.set_tokens(tokens or [])
        self.store = Store(history_size=history_size)
        self.listeners: list[_Listener] = []
        self.threads: list[threading.Thread] = []
        self.conns: set = set()
        self.up_state = False
        self.up_at = 0.0
        self.stopping = False
        self.watch_generation = 0
        self.watch_close_mode = "graceful"
        self.failures: list[dict] = []
        self.request_log: collections.deque[dict] = collections.deque(maxlen=20_000)
        self.request_seq = 0
        self.watch_starts: collections.Counter = collections.Counter()
        self.flowschema_uid = str(uuid.uuid4())
        self.prioritylevel_uid = str(uuid.uuid4())
        self.tls_context = self._make_tls_context()
        if seed:
            self.seed_defaults()

    # ---- lifecycle ------------------------------------------------------------------------------
    def _make_tls_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.pki.server_crt, self.pki.server_key)
        ctx.load_verify_locations(self.pki.ca_crt)
        ctx.verify_mode = ssl.CERT_OPTIONAL if self.cfg["client_cert_auth"] else ssl.CERT_NONE
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    def start(self) -> "FakeApiServer":
        with self.lock:
            if self.up_state:
                return self
            self.stopping = False
            port = self.port
            listeners = []
            try:
                for host in self.listen_addrs:
                    lst = _Listener(host, port, self)
                    port = lst.server_address[1]
                    listeners.append(lst)
            except BaseException:
                for lst in listeners:
                    lst.server_close()
                raise
            self.port = port
            self.listeners = listeners
            self.threads = []
            for lst in listeners:
                t = threading.Thread(target=lst.serve_forever, kwargs={"poll_interval": 0.1},
                                     name=f"fake-apiserver-{lst.server_address[0]}", daemon=True)
                t.start()
                self.threads.append(t)
            self.up_state = True
            self.up_at = time.monotonic()
        return self

    def down(self) -> None:
        """Stop listening (new connections are refused) and cut every open connection."""
        with self.lock:
            listeners, self.listeners = self.listeners, []
            self.up_state = False
        for lst in listeners:
            lst.shutdown()
            lst.server_close()
        for t in self.threads:
            t.join(timeout=5)
        with self.store.cond:
            self.stopping = True
            self.store.cond.notify_all()
        self._cut_connections()
        with self.store.cond:
            self.stopping = False

    def up(self) -> None:
        """Listen again on the same address(es) and port."""
        self.start()

    def stop(self) -> None:
        """down() for good; a PKI this server made itself is deleted."""
        self.down()
        if self._own_pki:
            shutil.rmtree(self.pki.dir, ignore_errors=True)
            self._own_pki = False

    def __enter__(self) -> "FakeApiServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _track(self, sock) -> None:
        with self.lock:
            self.conns.add(sock)

    def _untrack(self, sock) -> None:
        with self.lock:
            self.conns.discard(sock)

    def _cut_connections(self) -> None:
        with self.lock:
            conns = list(self.conns)
        for s in conns:
            try:
                socket.socket.shutdown(s, socket.SHUT_RDWR)
            except (OSError, ValueError, TypeError):
                pass

    @property
    def url(self) -> str:
        host = self.listen_addrs[0]
        return f"https://[{host}]:{self.port}" if ":" in host else f"https://{host}:{self.port}"

    def write_kubeconfig(self, path: str, token: str | None = "test-token", client_cert: bool = False,
                         inline: bool = True, server: str | None = None) -> str:
        return certs.write_kubeconfig(path, server or self.url, self.pki, token=token,
                                      client_cert=client_cert, inline=inline)

    # ---- control ---------------------------------------------------------------------------------
    def configure(self, **kw: Any) -> None:
        with self.lock:
            for k, v in kw.items():
                if k not in DEFAULT_CONFIG:
                    raise KeyError(f"unknown setting {k!r}; known: {sorted(DEFAULT_CONFIG)}")
                if k == "watch_chunking" and v not in ("event", "split", "coalesce"):
                    raise ValueError("watch_chunking: event | split | coalesce")
                if k == "forbidden":
                    v = [list(x) for x in v]
                if k == "service_cidrs":
                    v = [str(ipaddress.ip_network(c, strict=False)) for c in v]
                if k in ("bookmark_interval", "default_watch_timeout", "latency", "idle_timeout",
                         "too_large_rv_wait", "rbac_warmup"):
                    v = float(v)
                    if not 0 <= v <= 86400:
                        raise ValueError(f"{k} out of range")
                self.cfg[k] = v
            if "client_cert_auth" in kw and hasattr(self, "tls_context"):
                self.tls_context = self._make_tls_context()

    def set_tokens(self, tokens: Iterable[str] | dict) -> None:
        """Replace the valid bearer tokens (list, or dict token -> user name)."""
        with self.lock:
            if isinstance(tokens, dict):
                self.tokens = dict(tokens)
            else:
                self.tokens = {t: DEFAULT_USER for t in tokens}

    def apply(self, obj: dict) -> dict:
        """Create or update an object (kind decides the resource). Returns the stored object."""
        obj = copy.deepcopy(obj)
        res = KIND_TO_RESOURCE.get(obj.get("kind", ""))
        if res is None:
            raise ValueError(f"unknown kind {obj.get('kind')!r}")
        return self.store.put(res, obj)[1]

    create = update = apply

    def delete(self, resource: str, namespace: str | None, name: str, as_line: bytes | str | None = None) -> dict | None:
        """Deletes the object; with as_line, watchers get those bytes as the event's line instead of
        the DELETED event (what a client that cannot decode the event sees)."""
        resource = KIND_TO_RESOURCE.get(resource, resource)
        if isinstance(as_line, str):
            as_line = as_line.encode()
        if as_line is not None and not as_line.endswith(b"\n"):
            as_line += b"\n"
        return self.store.delete(resource, namespace or "", name, as_line)

    def get(self, resource: str, namespace: str | None, name: str) -> dict | None:
        resource = KIND_TO_RESOURCE.get(resource, resource)
        with self.store.cond:
            return self.store.objects[resource].get(((namespace or "") if RESOURCES[resource].namespaced else "", name))

    def inject_raw(self, resource: str, obj: dict) -> dict:
        """Store `obj` as it is (wrong field types and all); only metadata.resourceVersion is set
        (when metadata is a map). metadata.name must be a string so the object has a key."""
        resource = KIND_TO_RESOURCE.get(resource, resource)
        return self.store.put(resource, copy.deepcopy(obj), raw=True)[1]

    def inject_watch_line(self, resource: str, line: bytes | str) -> None:
        """Send these bytes as one line to every open watch on `resource` (e.g. not JSON at all)."""
        if isinstance(line, str):
            line = line.encode()
        if not line.endswith(b"\n"):
            line += b"\n"
        self.store.raw_line(KIND_TO_RESOURCE.get(resource, resource), line)

    def close_watches(self, abrupt: bool = False) -> None:
        """End every open watch: cleanly (final chunk, as on timeout) or by cutting the connection."""
        with self.store.cond:
            self.watch_close_mode = "abrupt" if abrupt else "graceful"
            self.watch_generation += 1
            self.store.cond.notify_all()

    def compact(self) -> int:
        """Forget all history: a watch from any older resourceVersion gets 410, and so do old continue tokens."""
        return self.store.compact()

    def fail_next(self, count: int = 1, code: int = 503, prefix: str = "", retry_after: int | None = None,
                  message: str | None = None) -> None:
        """Answer the next `count` requests whose path starts with `prefix` with `code`."""
        f = {"count": int(count), "code": int(code), "prefix": prefix}
        if retry_after:
            f["retry_after"] = int(retry_after)
        if message:
            f["message"] = message
        with self.lock:
            self.failures.append(f)

    def _take_failure(self, path: str) -> dict | None:
        with self.lock:
            for f in self.failures:
                if path.startswith(f["prefix"]) and f["count"] > 0:
                    f["count"] -= 1
                    if f["count"] == 0:
                        self.failures.remove(f)
                    return f
        return None

    def _apply_latency(self, path: str) -> None:
        lat, pre = self.cfg["latency"], self.cfg["latency_prefix"]
        if lat > 0 and path.startswith(pre):
            end = time.monotonic() + lat
            while not self.stopping and time.monotonic() < end:
                time.sleep(min(0.05, max(0.0, end - time.monotonic())))

    def is_forbidden(self, verb: str, resource: str) -> bool:
        if time.monotonic() - self.up_at < self.cfg["rbac_warmup"]:
            return True
        return any(v in (verb, "*") and r in (resource, "*") for v, r in self.cfg["forbidden"])

    def version_enabled(self, group: str, version: str) -> bool:
        if group == "":
            return version == "v1"
        if group in ("discovery.k8s.io", "events.k8s.io"):
            return version == "v1"
        if group == "networking.k8s.io":
            return version == "v1" or (version == "v1beta1" and self.cfg["servicecidr_v1beta1"])
        return False

    def resource_enabled(self, plural: str, version: str) -> bool:
        if plural == "servicecidrs":
            return bool(self.cfg["servicecidr_v1" if version == "v1" else "servicecidr_v1beta1"])
        return True

    def seed_defaults(self) -> None:
        """What every cluster has: the `kubernetes` Service, the default ServiceCIDR, kubeadm-config."""
        cidrs = self.cfg["service_cidrs"]
        first = str(ipaddress.ip_network(cidrs[0]).network_address + 1)
        self.apply(make_service("default", "kubernetes", first, selector={}, labels={
            "component": "apiserver", "provider": "kubernetes"},
            ports=[{"name": "https", "protocol": "TCP", "port": 443, "targetPort": 6443}]))
        self.apply(make_servicecidr("kubernetes", cidrs))
        self.apply(make_kubeadm_config(service_subnet=",".join(cidrs)))

    def version_info(self) -> dict:
        gv = self.cfg["git_version"]
        m = re.match(r"v(\d+)\.(\d+)", gv)
        major, minor = (m.group(1), m.group(2)) if m else ("1", "31")
        info = {"major": major, "minor": minor}
        if int(minor) >= 32:  # the emulation fields appeared in 1.32
            info.update({"emulationMajor": major, "emulationMinor": minor,
                         "minCompatibilityMajor": major, "minCompatibilityMinor": str(int(minor) - 1)})
        return info | {"gitVersion": gv, "gitCommit": "9edcffcde5595e8a5b1a35f88c421764e575afce",
                "gitTreeState": "clean", "buildDate": "2024-08-13T07:28:49Z", "goVersion": "go1.22.5",
                       "compiler": "gc", "platform": "linux/amd64"}

    def api_group_list(self) -> dict:
        groups = []
        for g, vs in (("discovery.k8s.io", ["v1"]), ("events.k8s.io", ["v1"]), ("networking.k8s.io", ["v1", "v1beta1"])):
            served = [v for v in vs if self.version_enabled(g, v)]
            if served:
                groups.append({"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in served],
                               "preferredVersion": {"groupVersion": f"{g}/{served[0]}", "version": served[0]}})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def api_resource_list(self, group: str, version: str) -> dict:
        rl = []
        for r in RESOURCES.values():
            if r.group == group and version in r.versions and self.resource_enabled(r.plural, version):
                e = {"name": r.plural, "singularName": r.kind.lower(), "namespaced": r.namespaced,
                     "kind": r.kind, "verbs": r.verbs}
                if r.short:
                    e["shortNames"] = r.short
                rl.append(e)
        return {"kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": f"{group}/{version}" if group else version, "resources": rl}

    # ---- introspection ---------------------------------------------------------------------------
    def _log_request(self, h: _ApiHandler, parsed) -> dict:
        auth = h.headers.get("Authorization")
        token = None
        kind = "none"
        if auth:
            parts = auth.strip().split(" ", 2)
            kind = parts[0].lower() if parts else "other"
            if kind == "bearer" and len(parts) >= 2:
                token = parts[1]
        try:
            has_cert = bool(h.connection.getpeercert())
        except (ValueError, OSError):
            has_cert = False
        with self.lock:
            self.request_seq += 1
            entry = {"seq": self.request_seq, "time": time.time(), "method": h.command, "path": parsed.path,
                     "raw_query": parsed.query, "query": dict(h.query), "auth": kind, "token": token,
                     "client_cert": has_cert, "user": None, "user_agent": h.headers.get("User-Agent"),
                     "accept": h.headers.get("Accept"), "watch": parse_go_bool(h.query.get("watch"))
                     or "/watch/" in parsed.path, "status": None}
            self.request_log.append(entry)
        return entry

    def requests(self, since: int = 0) -> list[dict]:
        with self.lock:
            return [dict(e) for e in self.request_log if e["seq"] > since]

    def clear_requests(self) -> None:
        with self.lock:
            self.request_log.clear()

    def _watch_started(self, res: str) -> None:
        with self.store.cond:
            self.watch_starts[res] += 1
            self.store.cond.notify_all()

    def open_watches(self, resource: str | None = None) -> int:
        with self.store.cond:
            return sum(1 for w in self.store.watchers if resource is None or w.res == resource)

    def wait_for_watches(self, resource: str, count: int = 1, timeout: float = 10.0) -> bool:
        """Wait until at least `count` watches on `resource` are open."""
        end = time.monotonic() + timeout
        with self.store.cond:
            while time.monotonic() < end:
                if sum(1 for w in self.store.watchers if w.res == resource) >= count:
                    return True
                self.store.cond.wait(min(0.1, max(0.0, end - time.monotonic())))
        return False

    @property
    def resource_version(self) -> int:
        return self.store.rv

    def state(self) -> dict:
        with self.store.cond:
            watches = collections.Counter(w.res for w in self.store.watchers)
            objs = {r: sorted(f"{k[0]}/{k[1]}" if k[0] else k[1] for k in self.store.objects[r])
                    for r in RESOURCES}
            rv, hs = self.store.rv, dict(self.store.history_start)
            starts = dict(self.watch_starts)
        with self.lock:
            return {"up": self.up_state, "port": self.port, "url": self.url, "resourceVersion": rv,
                    "history_start": hs, "open_watches": dict(watches), "watch_starts": starts,
                    "objects": objs, "tokens": sorted(self.tokens), "config": dict(self.cfg),
                    "pending_failures": [dict(f) for f in self.failures], "requests": self.request_seq}


# ----------------------------------------------------------------------------------------------
# Admin API (plain HTTP on 127.0.0.1) for tests that run the server as a process
# ----------------------------------------------------------------------------------------------

MAKERS = {"service": make_service, "endpointslice": make_endpointslice, "node": make_node,
          "servicecidr": make_servicecidr, "kubeadm-config": make_kubeadm_config, "configmap": make_configmap,
          "malformed-service": make_malformed_service}


def admin_command(api: FakeApiServer, method: str, path: str, body: dict | None = None,
                  query: dict | None = None, on_shutdown: Callable[[], None] | None = None) -> tuple[int, Any]:
    """One admin command (shared by the admin HTTP listener and --stdin-commands): (code, JSON reply)."""
    body = body or {}
    q = query or {}
    try:
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        p = path.rstrip("/")
        if p == "/state":
            return 200, api.state()
        if p == "/requests":
            if method == "POST" and body.get("clear"):
                api.clear_requests()
                return 200, {"ok": True}
            return 200, {"requests": api.requests(int(body.get("since", q.get("since", 0))))}
        if method != "POST":
            return 405, {"error": "use POST"}
        if p == "/apply":
            objs = body.get("objects") or [body["object"]]
            out = [api.apply(o) for o in objs]
            return 200, {"resourceVersion": str(api.resource_version), "objects": out}
        if p.startswith("/make/"):
            kind = p[len("/make/"):]
            if kind not in MAKERS:
                return 404, {"error": f"unknown maker {kind}; known: {sorted(MAKERS)}"}
            args = body.get("args", [])
            kwargs = {k: v for k, v in body.items() if k != "args"}
            if kind == "endpointslice" and "endpoints" in kwargs:
                kwargs["endpoints"] = [tuple(e) if isinstance(e, list) else e for e in kwargs["endpoints"]]
            obj = MAKERS[kind](*args, **kwargs)
            stored = api.inject_raw("services", obj) if kind == "malformed-service" else api.apply(obj)
            return 200, {"resourceVersion": str(api.resource_version), "object": stored}
        if p == "/delete":
            gone = api.delete(body["resource"], body.get("namespace"), body["name"], body.get("as_line"))
            return (200 if gone else 404), {"resourceVersion": str(api.resource_version), "deleted": gone is not None}
        if p == "/inject":
            stored = api.inject_raw(body["resource"], body["object"])
            return 200, {"resourceVersion": str(api.resource_version), "object": stored}
        if p == "/inject-watch-line":
            api.inject_watch_line(body["resource"], body["line"])
            return 200, {"ok": True}
        if p == "/tokens":
            api.set_tokens(body["tokens"])
            return 200, {"ok": True}
        if p == "/close-watches":
            api.close_watches(abrupt=bool(body.get("abrupt")))
            return 200, {"ok": True}
        if p == "/compact":
            return 200, {"compacted": str(api.compact())}
        if p == "/down":
            api.down()
            return 200, {"up": False}
        if p == "/up":
            api.up()
            return 200, {"up": True, "port": api.port}
        if p == "/config":
            api.configure(**body)
            return 200, {"config": api.state()["config"]}
        if p == "/fail":
            api.fail_next(**body)
            return 200, {"ok": True}
        if p == "/wait-watches":
            ok = api.wait_for_watches(body["resource"], int(body.get("count", 1)),
                                      min(float(body.get("timeout", 10)), 60))
            return (200 if ok else 408), {"ok": ok, "open": api.open_watches(body["resource"])}
        if p == "/shutdown":
            if on_shutdown:
                threading.Thread(target=on_shutdown, daemon=True).start()
            return 200, {"ok": True}
        return 404, {"error": f"unknown admin path {p}"}
    except (KeyError, ValueError, TypeError) as e:
        return 400, {"error": f"{type(e).__name__}: {e}"}


class _AdminHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "AdminServer"

    def log_message(self, format, *args):  # noqa: A002
        pass

    def _reply(self, code: int, obj: Any) -> None:
        body = json.dumps(obj, indent=1).encode() + b"\n"
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._handle(b"")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(min(n, MAX_BODY)) if n else b"")

    def _handle(self, raw: bytes) -> None:
        u = urllib.parse.urlsplit(self.path)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query).items()}
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError as e:
            self._reply(400, {"error": f"bad JSON: {e}"})
            return
        self._reply(*admin_command(self.server.api, self.command, u.path, body, q, self.server.on_shutdown))


class AdminServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, api: FakeApiServer, host: str = "127.0.0.1", port: int = 0,
                 on_shutdown: Callable[[], None] | None = None):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        if ipaddress.ip_address(host).is_unspecified:
            raise ValueError("the admin API listens on a specific address only")
        self.api = api
        self.on_shutdown = on_shutdown or (lambda: None)
        super().__init__((host, port), _AdminHandler)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                                       name="fake-apiserver-admin", daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


# ----------------------------------------------------------------------------------------------
# Process entry point
# ----------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="fake kube-apiserver for tests (see README.md)")
    ap.add_argument("--state-dir", required=True, help="certs, kubeconfigs and ready.json go here")
    ap.add_argument("--port", type=int, default=0, help="HTTPS port (0 = pick one; see ready.json)")
    ap.add_argument("--listen", action="append", help="address to listen on (repeatable; default 127.0.0.1)")
    ap.add_argument("--admin-port", type=int, default=0)
    ap.add_argument("--admin-listen", default="127.0.0.1")
    ap.add_argument("--token", action="append", help="valid bearer token (repeatable; default test-token)")
    ap.add_argument("--extra-ip", action="append", default=[], help="extra IP SAN in the server cert")
    ap.add_argument("--bookmark-interval", type=float, default=1.0)
    ap.add_argument("--default-watch-timeout", type=float, default=1800.0)
    ap.add_argument("--history-size", type=int, default=1000)
    ap.add_argument("--service-cidr", action="append", help="service CIDR(s) (default 10.96.0.0/12)")
    ap.add_argument("--no-seed", action="store_true", help="start empty (no kubernetes Service, ServiceCIDR, kubeadm-config)")
    ap.add_argument("--no-servicecidr-v1", action="store_true")
    ap.add_argument("--no-servicecidr-v1beta1", action="store_true")
    ap.add_argument("--key-type", choices=["rsa", "ec"], default="rsa")
    ap.add_argument("--exit-on-stdin-eof", action="store_true", help="exit when stdin closes (the parent died)")
    ap.add_argument("--stdin-commands", action="store_true",
                    help="read admin commands as JSON lines on stdin, reply on stdout; exit at EOF")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args(argv)
    listen = a.listen or ["127.0.0.1"]
    os.makedirs(a.state_dir, exist_ok=True)
    pki_dir = os.path.join(a.state_dir, "pki")
    pki = certs.make_pki(pki_dir, extra_ips=[x for x in listen + a.extra_ip if x not in ("127.0.0.1", "::1")],
                         key_type=a.key_type)
    tokens = a.token or ["test-token"]
    cfg: dict[str, Any] = {"bookmark_interval": a.bookmark_interval,
                           "default_watch_timeout": a.default_watch_timeout,
                           "servicecidr_v1": not a.no_servicecidr_v1,
                           "servicecidr_v1beta1": not a.no_servicecidr_v1beta1}
    if a.service_cidr:
        cfg["service_cidrs"] = a.service_cidr
    api = FakeApiServer(pki=pki, port=a.port, listen=listen, tokens=tokens, seed=not a.no_seed,
                        history_size=a.history_size, verbose=a.verbose, **cfg)
    api.start()
    done = threading.Event()
    admin = AdminServer(api, a.admin_listen, a.admin_port, on_shutdown=done.set)
    kc = api.write_kubeconfig(os.path.join(a.state_dir, "kubeconfig"), token=tokens[0])
    kc_mtls = api.write_kubeconfig(os.path.join(a.state_dir, "kubeconfig-mtls"), token=None, client_cert=True)
    kc_files = api.write_kubeconfig(os.path.join(a.state_dir, "kubeconfig-files"), token=tokens[0], inline=False)
    sa_dir = certs.write_serviceaccount_dir(os.path.join(a.state_dir, "serviceaccount"), pki, tokens[0])
    admin_host = f"[{a.admin_listen}]" if ":" in a.admin_listen else a.admin_listen
    ready = {"pid": os.getpid(), "port": api.port, "listen": listen, "url": api.url,
             "admin_port": admin.port, "admin_url": f"http://{admin_host}:{admin.port}",
             "token": tokens[0], "ca": pki.ca_crt, "client_cert": pki.client_crt, "client_key": pki.client_key,
             "kubeconfig": kc, "kubeconfig_mtls": kc_mtls, "kubeconfig_files": kc_files,
             "serviceaccount_dir": sa_dir}
    tmp = os.path.join(a.state_dir, ".ready.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(ready, f, indent=1)
    os.replace(tmp, os.path.join(a.state_dir, "ready.json"))
    stdout_lock = threading.Lock()
    with stdout_lock:
        print(json.dumps(ready), flush=True)

    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    if a.stdin_commands:
        def serve_stdin() -> None:
            # one JSON command per line: {"cmd": "/make/service", "body": {...}} -> one JSON reply line
            f = os.fdopen(os.dup(0), "rb", buffering=0)
            buf = b""
            try:
                while True:
                    chunk = f.read(65536)
                    if not chunk:
                        break
                    buf += chunk
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        if not line.strip():
                            continue
                        try:
                            cmd = json.loads(line)
                            code, reply = admin_command(api, cmd.get("method", "POST"), cmd["cmd"],
                                                        cmd.get("body") or {}, None, done.set)
                        except (ValueError, KeyError, TypeError, AttributeError) as e:
                            code, reply = 400, {"error": f"bad command: {e}"}
                        out = json.dumps({"code": code, "reply": reply}, separators=(",", ":")) + "\n"
                        with stdout_lock:
                            sys.stdout.write(out)
                            sys.stdout.flush()
            except (OSError, ValueError):
                pass
            done.set()
        threading.Thread(target=serve_stdin, daemon=True).start()
    elif a.exit_on_stdin_eof:
        def watch_stdin() -> None:
            try:
                while os.read(0, 4096):
                    pass
            except (OSError, ValueError):
                pass
            done.set()
        threading.Thread(target=watch_stdin, daemon=True).start()
    while not done.wait(0.5):
        pass
    admin.stop()
    api.stop()
    try:
        os.unlink(os.path.join(a.state_dir, "ready.json"))
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    rc = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)  # daemon threads (connections, stdin reader) must not stall interpreter shutdown
