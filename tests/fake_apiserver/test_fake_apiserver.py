"""Self-tests of the fake kube-apiserver, with a plain Python HTTPS client (http.client + ssl)."""
from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import certs  # noqa: E402
import fake_apiserver as fa  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
_PKI: certs.Pki | None = None
_PKI_DIR: str | None = None


def shared_pki() -> certs.Pki:
    global _PKI, _PKI_DIR
    if _PKI is None:
        _PKI_DIR = tempfile.mkdtemp(prefix="fake-apiserver-test-")
        _PKI = certs.make_pki(os.path.join(_PKI_DIR, "pki"), key_type="ec", untrusted=True)
    return _PKI


def tearDownModule():  # noqa: N802
    if _PKI_DIR:
        shutil.rmtree(_PKI_DIR, ignore_errors=True)


class Client:
    def __init__(self, server: fa.FakeApiServer, token: str | None = "test-token",
                 cert: tuple[str, str] | None = None, timeout: float = 5.0):
        self.port, self.token, self.timeout = server.port, token, timeout
        self.ctx = ssl.create_default_context(cafile=server.pki.ca_crt)
        if cert:
            self.ctx.load_cert_chain(*cert)
        self.conn: http.client.HTTPSConnection | None = None
        self.watch_conns: list[http.client.HTTPSConnection] = []

    def _conn(self) -> http.client.HTTPSConnection:
        if self.conn is None:
            self.conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=self.timeout)
        return self.conn

    def close(self) -> None:
        for c in self.watch_conns:
            c.close()
        self.watch_conns.clear()
        if self.conn:
            self.conn.close()
            self.conn = None

    def _headers(self, extra: dict | None = None) -> dict:
        h = {"Accept": "application/json", "User-Agent": "fake-apiserver-selftest"}
        if self.token is not None:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(extra or {})
        return h

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        h = self._headers(headers)
        if data is not None:
            h["Content-Type"] = "application/json"
        c = self._conn()
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            raw = r.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        ctype = r.getheader("Content-Type", "")
        return r.status, r, (json.loads(raw) if ctype.startswith("application/json") else raw)

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def watch(self, path: str):
        """Open a watch on a connection of its own; return (status, response) to read lines from."""
        c = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=self.timeout)
        self.watch_conns.append(c)
        c.request("GET", path, headers=self._headers())
        r = c.getresponse()
        return r.status, r


def read_events(resp: http.client.HTTPResponse, n: int, deadline: float = 5.0,
                skip_bookmarks: bool = True) -> list[dict]:
    out = []
    end = time.monotonic() + deadline
    while len(out) < n and time.monotonic() < end:
        line = resp.readline()
        if not line:
            break
        ev = json.loads(line)
        if skip_bookmarks and ev["type"] == "BOOKMARK":
            continue
        out.append(ev)
    return out


class ServerCase(unittest.TestCase):
    server_kwargs: dict = {}

    def setUp(self):
        self.server = fa.FakeApiServer(pki=shared_pki(), **self.server_kwargs).start()
        self.client = Client(self.server)

    def tearDown(self):
        self.client.close()
        self.server.stop()


class AuthTest(ServerCase):
    def test_no_credentials_is_401_status(self):
        c = Client(self.server, token=None)
        status, _, body = c.get("/api/v1/services")
        c.close()
        self.assertEqual(status, 401)
        self.assertEqual(body, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": "Unauthorized", "reason": "Unauthorized", "code": 401})

    def test_bad_token_is_401_and_good_token_200(self):
        c = Client(self.server, token="wrong")
        self.assertEqual(c.get("/api/v1/nodes")[0], 401)
        c.close()
        self.assertEqual(self.client.get("/api/v1/nodes")[0], 200)

    def test_healthz_and_version_need_auth_too(self):
        c = Client(self.server, token=None)
        self.assertEqual(c.get("/healthz")[0], 401)
        c.close()
        status, _, body = self.client.get("/healthz")
        self.assertEqual((status, body), (200, b"ok"))
        status, _, body = self.client.get("/version")
        self.assertEqual(status, 200)
        self.assertEqual(body["gitVersion"], "v1.31.0")

    def test_token_rotation(self):
        self.assertEqual(self.client.get("/api/v1/services")[0], 200)
        self.server.set_tokens(["rotated"])
        self.assertEqual(self.client.get("/api/v1/services")[0], 401)  # same connection, old token
        self.client.token = "rotated"
        self.assertEqual(self.client.get("/api/v1/services")[0], 200)
        log = self.server.requests()
        self.assertEqual([e["token"] for e in log[-3:]], ["test-token", "test-token", "rotated"])
        self.assertEqual([e["status"] for e in log[-3:]], [200, 401, 200])

    def test_client_certificate_authenticates(self):
        pki = shared_pki()
        c = Client(self.server, token=None, cert=(pki.client_crt, pki.client_key))
        status, _, _ = c.get("/api/v1/services")
        c.close()
        self.assertEqual(status, 200)
        self.assertEqual(self.server.requests()[-1]["user"], "clusterip-speaker")

    def test_untrusted_client_certificate_is_refused_at_handshake(self):
        pki = shared_pki()
        c = Client(self.server, token=None, cert=(pki.untrusted_client_crt, pki.untrusted_client_key))
        with self.assertRaises((ssl.SSLError, OSError, http.client.HTTPException)):
            c.get("/api/v1/services")
        c.close()

    def test_tls12_minimum(self):
        ctx = ssl.create_default_context(cafile=self.server.pki.ca_crt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
            ctx.minimum_version = ssl.TLSVersion.TLSv1
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as raw:
            with self.assertRaises((ssl.SSLError, OSError)):
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1"):
                    pass

    def test_rbac_warmup_after_up(self):
        # A real kube-apiserver refuses everyone until its RBAC informers have synced after a start.
        self.server.configure(rbac_warmup=30)
        self.server.down()
        self.server.up()
        status, _, body = self.client.get("/api/v1/services")
        self.assertEqual((status, body["reason"]), (403, "Forbidden"))
        self.server.configure(rbac_warmup=0)
        self.assertEqual(self.client.get("/api/v1/services")[0], 200)

    def test_forbidden_like_rbac(self):
        self.server.configure(forbidden=[["list", "servicecidrs"]])
        status, _, body = self.client.get("/apis/networking.k8s.io/v1/servicecidrs")
        self.assertEqual(status, 403)
        self.assertEqual(body["reason"], "Forbidden")
        self.assertEqual(body["message"], 'servicecidrs is forbidden: User "system:serviceaccount:kube-system:'
                                          'clusterip-speaker" cannot list resource "servicecidrs" in API group '
                                          '"networking.k8s.io" at the cluster scope')
        self.assertEqual(body["details"], {"group": "networking.k8s.io", "kind": "servicecidrs"})


class ListTest(ServerCase):
    def test_list_shapes(self):
        self.server.apply(fa.make_service("default", "web", "10.96.0.20", type="LoadBalancer",
                                          lb_ips=["192.0.2.10"], external_policy="Local"))
        self.server.apply(fa.make_endpointslice("default", "web", [("10.244.1.5", "node-a", True),
                                                                   ("10.244.2.5", "node-b", None)]))
        self.server.apply(fa.make_node("node-a"))
        status, resp, body = self.client.get("/api/v1/services")
        self.assertEqual(status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "application/json")
        self.assertEqual(list(body)[:4], ["kind", "apiVersion", "metadata", "items"])
        self.assertEqual((body["kind"], body["apiVersion"]), ("ServiceList", "v1"))
        self.assertIsInstance(body["metadata"]["resourceVersion"], str)
        self.assertEqual(body["metadata"]["resourceVersion"], str(self.server.resource_version))
        names = [i["metadata"]["name"] for i in body["items"]]
        self.assertEqual(names, ["kubernetes", "web"])
        for item in body["items"]:
            self.assertNotIn("kind", item)
            self.assertNotIn("apiVersion", item)
        web = body["items"][1]
        self.assertEqual(web["spec"]["externalTrafficPolicy"], "Local")
        self.assertEqual(web["status"]["loadBalancer"]["ingress"][0]["ip"], "192.0.2.10")
        self.assertNotIn("externalTrafficPolicy", body["items"][0]["spec"])  # ClusterIP Service
        status, _, eps = self.client.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices")
        self.assertEqual((status, eps["kind"], eps["apiVersion"]), (200, "EndpointSliceList", "discovery.k8s.io/v1"))
        ep = eps["items"][0]
        self.assertEqual(ep["metadata"]["labels"]["kubernetes.io/service-name"], "web")
        self.assertEqual(ep["endpoints"][0]["conditions"], {"ready": True, "serving": True, "terminating": False})
        self.assertEqual(ep["endpoints"][1]["conditions"], {})  # "absent means ready"
        status, _, one = self.client.get("/api/v1/namespaces/default/services/web")
        self.assertEqual((one["kind"], one["apiVersion"]), ("Service", "v1"))

    def test_unknown_path_and_missing_object(self):
        status, _, body = self.client.get("/api/v1/frobnicators")
        self.assertEqual((status, body["reason"], body["message"]),
                         (404, "NotFound", "the server could not find the requested resource"))
        status, _, body = self.client.get("/api/v1/namespaces/default/services/nope")
        self.assertEqual((status, body["message"], body["details"]),
                         (404, 'services "nope" not found', {"name": "nope", "kind": "services"}))

    def test_paging_limit_continue(self):
        for i in range(5):
            self.server.apply(fa.make_service("paging", f"svc{i}", f"10.96.1.{i + 1}"))
        path = "/api/v1/namespaces/paging/services?limit=2"
        status, _, p1 = self.client.get(path)
        self.assertEqual(status, 200)
        self.assertEqual([i["metadata"]["name"] for i in p1["items"]], ["svc0", "svc1"])
        self.assertEqual(p1["metadata"]["remainingItemCount"], 3)
        rv = p1["metadata"]["resourceVersion"]
        token = p1["metadata"]["continue"]
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        self.assertEqual(decoded["v"], "meta.k8s.io/v1")
        # a change between pages does not show up: the list is one snapshot
        self.server.apply(fa.make_service("paging", "svc1b", "10.96.1.99"))
        _, _, p2 = self.client.get(f"{path}&continue={token}")
        self.assertEqual([i["metadata"]["name"] for i in p2["items"]], ["svc2", "svc3"])
        self.assertEqual(p2["metadata"]["resourceVersion"], rv)
        self.assertEqual(p2["metadata"]["remainingItemCount"], 1)
        _, _, p3 = self.client.get(f"{path}&continue={p2['metadata']['continue']}")
        self.assertEqual([i["metadata"]["name"] for i in p3["items"]], ["svc4"])
        self.assertNotIn("continue", p3["metadata"])
        self.assertNotIn("remainingItemCount", p3["metadata"])
        # after compaction the token has expired: 410 with an inconsistent-continue token
        self.server.compact()
        status, _, gone = self.client.get(f"{path}&continue={token}")
        self.assertEqual((status, gone["reason"], gone["code"]), (410, "Expired", 410))
        self.assertIn("continue", gone["metadata"])
        status, _, p = self.client.get(f"{path}&continue={gone['metadata']['continue']}")
        self.assertEqual(status, 200)
        self.assertEqual([i["metadata"]["name"] for i in p["items"]], ["svc1b", "svc2"])
        self.assertEqual(self.client.get(f"{path}&continue=garbage!")[0], 400)

    def test_limit_ignored_for_resource_version_zero(self):
        for i in range(3):
            self.server.apply(fa.make_node(f"n{i}"))
        _, _, body = self.client.get("/api/v1/nodes?limit=1&resourceVersion=0")
        self.assertEqual(len(body["items"]), 3)
        self.assertNotIn("continue", body["metadata"])

    def test_field_selector_on_nodes(self):
        for n in ("node-a", "node-b", "node-c"):
            self.server.apply(fa.make_node(n, internal_ip="192.168.1.1"))
        _, _, body = self.client.get("/api/v1/nodes?fieldSelector=metadata.name%3Dnode-b")
        self.assertEqual([i["metadata"]["name"] for i in body["items"]], ["node-b"])
        status, _, body = self.client.get("/api/v1/nodes?fieldSelector=spec.bogus%3Dx")
        self.assertEqual((status, body["message"]), (400, "field label not supported: spec.bogus"))
        _, _, body = self.client.get("/apis/discovery.k8s.io/v1/endpointslices?labelSelector="
                                     "kubernetes.io%2Fservice-name%3Dnone")
        self.assertEqual(body["items"], [])

    def test_large_list_is_chunked_and_gzip_when_asked(self):
        for i in range(40):
            self.server.apply(fa.make_node(f"big{i:03}"))
        status, resp, body = self.client.get("/api/v1/nodes")
        self.assertEqual(status, 200)
        self.assertEqual(resp.getheader("Transfer-Encoding"), "chunked")
        self.assertIsNone(resp.getheader("Content-Length"))
        self.assertEqual(len(body["items"]), 40)

    def test_servicecidrs_versions_switch_off(self):
        for v in ("v1", "v1beta1"):
            status, _, body = self.client.get(f"/apis/networking.k8s.io/{v}/servicecidrs")
            self.assertEqual(status, 200)
            self.assertEqual(body["apiVersion"], f"networking.k8s.io/{v}")
            self.assertEqual(body["items"][0]["spec"]["cidrs"], ["10.96.0.0/12"])
        self.server.configure(servicecidr_v1=False)
        status, _, body = self.client.get("/apis/networking.k8s.io/v1/servicecidrs")
        self.assertEqual((status, body["kind"], body["reason"]), (404, "Status", "NotFound"))
        self.assertEqual(self.client.get("/apis/networking.k8s.io/v1beta1/servicecidrs")[0], 200)
        self.server.configure(servicecidr_v1beta1=False)
        self.assertEqual(self.client.get("/apis/networking.k8s.io/v1beta1/servicecidrs")[0], 404)

    def test_kubeadm_config(self):
        status, _, cm = self.client.get("/api/v1/namespaces/kube-system/configmaps/kubeadm-config")
        self.assertEqual((status, cm["kind"]), (200, "ConfigMap"))
        self.assertIn("networking:\n  dnsDomain: cluster.local\n  podSubnet: 10.244.0.0/16\n"
                      "  serviceSubnet: 10.96.0.0/12\n", cm["data"]["ClusterConfiguration"])
        self.server.delete("configmaps", "kube-system", "kubeadm-config")
        self.assertEqual(self.client.get("/api/v1/namespaces/kube-system/configmaps/kubeadm-config")[0], 404)

    def test_dry_run_probe(self):
        before = self.server.resource_version
        svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
               "spec": {"clusterIP": "1.1.1.1", "ports": [{"port": 443}]}}
        status, _, body = self.client.request("POST", "/api/v1/namespaces/default/services?dryRun=All", svc)
        self.assertEqual(status, 422)
        # kube-apiserver 1.36.3's message, word for word (tests/e2e/test_real_cluster.py runs the real one).
        msg = ('Service "x" is invalid: spec.clusterIPs: Invalid value: ["1.1.1.1"]: failed to allocate '
               'IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is '
               '10.96.0.0/12')
        self.assertEqual(body["message"], msg)
        self.assertEqual((body["reason"], body["code"], body["status"]), ("Invalid", 422, "Failure"))
        self.assertEqual(body["details"]["name"], "x")
        self.assertEqual(body["details"]["kind"], "Service")
        self.assertEqual(body["details"]["causes"], [{
            "reason": "FieldValueInvalid", "field": "spec.clusterIPs",
            "message": msg.split("spec.clusterIPs: ", 1)[1]}])
        svc["spec"]["clusterIP"] = "10.96.5.5"
        status, _, body = self.client.request("POST", "/api/v1/namespaces/default/services?dryRun=All", svc)
        self.assertEqual((status, body["spec"]["clusterIP"]), (201, "10.96.5.5"))
        self.assertEqual(self.server.resource_version, before)  # nothing created
        self.assertIsNone(self.server.get("services", "default", "x"))


    def test_events_create_and_list(self):
        path = "/apis/events.k8s.io/v1/namespaces/default/events"
        event = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
                 "metadata": {"name": "web.18f0", "namespace": "default"},
                 "eventTime": "2026-12-07T14:50:00.123456Z", "reportingController": "clusterip-speaker",
                 "reportingInstance": "node-a", "action": "Advertise", "reason": "Advertised", "type": "Normal",
                 "regarding": {"kind": "Service", "apiVersion": "v1", "namespace": "default", "name": "web"},
                 "note": "Node node-a advertises 10.96.0.20 (ClusterIP)"}
        status, _, body = self.client.request("POST", path, event)
        self.assertEqual(status, 201)
        self.assertEqual((body["kind"], body["apiVersion"], body["reason"]), ("Event", "events.k8s.io/v1", "Advertised"))
        self.assertTrue(body["metadata"]["uid"])
        status, _, body = self.client.request("POST", path, event)
        self.assertEqual((status, body["reason"]), (409, "AlreadyExists"))
        incomplete = {k: v for k, v in event.items() if k not in ("reportingController", "eventTime")}
        incomplete["metadata"] = {"name": "web.2"}
        status, _, body = self.client.request("POST", path, incomplete)
        self.assertEqual((status, body["reason"]), (422, "Invalid"))
        self.assertEqual([c["field"] for c in body["details"]["causes"]], ["reportingController", "eventTime"])
        status, _, lst = self.client.get(path)
        self.assertEqual((status, [e["metadata"]["name"] for e in lst["items"]]), (200, ["web.18f0"]))
        self.assertEqual(lst["items"][0]["note"], "Node node-a advertises 10.96.0.20 (ClusterIP)")


class WatchTest(ServerCase):
    server_kwargs = {"bookmark_interval": 0.3}

    def test_watch_added_modified_deleted_in_order(self):
        _, _, lst = self.client.get("/api/v1/services")
        rv = lst["metadata"]["resourceVersion"]
        status, resp = self.client.watch(f"/api/v1/services?watch=true&resourceVersion={rv}&timeoutSeconds=10")
        self.assertEqual(status, 200)
        self.assertEqual(resp.getheader("Transfer-Encoding"), "chunked")
        self.assertEqual(resp.getheader("Content-Type"), "application/json")
        self.assertTrue(self.server.wait_for_watches("services", 1, 5))
        self.server.apply(fa.make_service("default", "w", "10.96.0.50"))
        self.server.apply(fa.make_service("default", "w", "10.96.0.50", annotations={"a": "b"}))
        self.server.apply(fa.make_node("not-a-service"))
        self.server.delete("services", "default", "w")
        evs = read_events(resp, 3)
        self.assertEqual([e["type"] for e in evs], ["ADDED", "MODIFIED", "DELETED"])
        for e in evs:
            self.assertEqual((e["object"]["kind"], e["object"]["apiVersion"]), ("Service", "v1"))
        rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
        self.assertEqual(rvs, sorted(rvs))
        self.assertEqual(rvs[2], self.server.resource_version)
        self.assertEqual(evs[1]["object"]["metadata"]["annotations"], {"a": "b"})
        self.assertEqual(evs[0]["object"]["metadata"]["uid"], evs[2]["object"]["metadata"]["uid"])
        resp.close()

    def test_watch_replays_history_after_rv(self):
        rv = self.server.resource_version
        self.server.apply(fa.make_service("default", "a", "10.96.0.51"))
        self.server.apply(fa.make_service("default", "b", "10.96.0.52"))
        _, resp = self.client.watch(f"/api/v1/namespaces/default/services?watch=1&resourceVersion={rv}")
        evs = read_events(resp, 2)
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in evs], [("ADDED", "a"), ("ADDED", "b")])
        resp.close()

    def test_watch_without_rv_starts_with_synthetic_added(self):
        _, resp = self.client.watch("/api/v1/services?watch=true&resourceVersion=0")
        evs = read_events(resp, 1)
        self.assertEqual((evs[0]["type"], evs[0]["object"]["metadata"]["name"]), ("ADDED", "kubernetes"))
        resp.close()

    def test_bookmarks(self):
        rv = self.server.resource_version
        _, resp = self.client.watch(f"/api/v1/nodes?watch=true&resourceVersion={rv}&allowWatchBookmarks=true"
                                    "&timeoutSeconds=5")
        self.server.apply(fa.make_node("n1"))
        evs = read_events(resp, 2, skip_bookmarks=False)
        self.assertEqual(evs[0]["type"], "ADDED")
        self.assertEqual(evs[1]["type"], "BOOKMARK")
        bm = evs[1]["object"]
        self.assertEqual((bm["kind"], bm["apiVersion"]), ("Node", "v1"))
        self.assertEqual(bm["metadata"]["resourceVersion"], str(self.server.resource_version))
        self.assertNotIn("name", bm["metadata"])
        resp.close()
        _, resp = self.client.watch(f"/api/v1/nodes?watch=true&resourceVersion={rv}&timeoutSeconds=1")
        evs = read_events(resp, 10, skip_bookmarks=False)
        self.assertEqual([e["type"] for e in evs], ["ADDED"])  # no bookmarks unless asked

    def test_last_bookmark_before_timeout(self):
        self.server.configure(bookmark_interval=30)
        rv = self.server.resource_version
        _, resp = self.client.watch(f"/api/v1/services?watch=true&resourceVersion={rv}"
                                    "&allowWatchBookmarks=true&timeoutSeconds=1")
        evs = read_events(resp, 5, skip_bookmarks=False)
        self.assertEqual([e["type"] for e in evs], ["BOOKMARK"])

    def test_send_initial_events_and_too_large_rv(self):
        _, resp = self.client.watch("/api/v1/services?watch=true&sendInitialEvents=true"
                                    "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1")
        evs = read_events(resp, 2, skip_bookmarks=False)
        self.assertEqual([e["type"] for e in evs], ["ADDED", "BOOKMARK"])
        self.assertEqual(evs[1]["object"]["metadata"]["annotations"], {"k8s.io/initial-events-end": "true"})
        self.server.configure(too_large_rv_wait=0.5)
        future = self.server.resource_version + 100
        _, resp = self.client.watch(f"/api/v1/services?watch=true&resourceVersion={future}")
        evs = read_events(resp, 2, deadline=6)
        self.assertEqual(len(evs), 1)
        self.assertEqual((evs[0]["type"], evs[0]["object"]["code"], evs[0]["object"]["reason"]),
                         ("ERROR", 504, "Timeout"))

    def test_watch_timeout_ends_stream_cleanly_and_connection_is_reused(self):
        rv = self.server.resource_version
        t0 = time.monotonic()
        c = self.client._conn()
        c.request("GET", f"/api/v1/services?watch=true&resourceVersion={rv}&timeoutSeconds=1",
                  headers=self.client._headers())
        resp = c.getresponse()
        self.assertEqual(resp.read(), b"")
        self.assertLess(time.monotonic() - t0, 3)
        self.assertEqual(self.client.get("/api/v1/services")[0], 200)  # same connection, kept alive

    def test_compacted_history_gives_410_error_event(self):
        old = self.server.resource_version
        self.server.apply(fa.make_service("default", "c", "10.96.0.53"))
        compacted = self.server.compact()
        status, resp = self.client.watch(f"/api/v1/services?watch=true&resourceVersion={old}")
        self.assertEqual(status, 200)
        evs = read_events(resp, 5, skip_bookmarks=False)
        self.assertEqual(len(evs), 1)
        self.assertEqual(evs[0]["type"], "ERROR")
        self.assertEqual(evs[0]["object"], {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": f"too old resource version: {old} ({compacted})", "reason": "Expired", "code": 410})
        # a watch from the current RV works
        _, resp = self.client.watch(f"/api/v1/services?watch=true&resourceVersion={compacted}&timeoutSeconds=1")
        self.assertEqual(read_events(resp, 5), [])

    def test_history_is_bounded(self):
        self.server.store.history_size = 5
        rv = self.server.resource_version
        for i in range(10):
            self.server.apply(fa.make_node(f"h{i}"))
        _, resp = self.client.watch(f"/api/v1/nodes?watch=true&resourceVersion={rv}")
        evs = read_events(resp, 5)
        self.assertEqual(evs[0]["type"], "ERROR")
        self.assertEqual(evs[0]["object"]["code"], 410)

    def test_field_selector_on_node_watch(self):
        rv = self.server.resource_version
        _, resp = self.client.watch(f"/api/v1/nodes?watch=true&resourceVersion={rv}"
                                    "&fieldSelector=metadata.name%3Dme&timeoutSeconds=5")
        self.assertTrue(self.server.wait_for_watches("nodes", 1, 5))
        self.server.apply(fa.make_node("other"))
        self.server.apply(fa.make_node("me", ready=True))
        self.server.apply(fa.make_node("other", ready=False))
        self.server.apply(fa.make_node("me", ready=False))
        evs = read_events(resp, 2)
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in evs],
                         [("ADDED", "me"), ("MODIFIED", "me")])
        ready = [c for c in evs[1]["object"]["status"]["conditions"] if c["type"] == "Ready"][0]
        self.assertEqual(ready["status"], "False")
        resp.close()

    def test_close_watches_gracefully_and_abruptly(self):
        rv = self.server.resource_version
        _, resp = self.client.watch(f"/api/v1/services?watch=true&resourceVersion={rv}")
        self.assertTrue(self.server.wait_for_watches("services", 1, 5))
        self.server.close_watches()
        self.assertEqual(resp.read(), b"")  # clean end of the chunked stream
        _, resp = self.client.watch(f"/api/v1/services?watch=true&resourceVersion={rv}")
        self.assertTrue(self.server.wait_for_watches("services", 1, 5))
        self.server.close_watches(abrupt=True)
        with self.assertRaises((http.client.IncompleteRead, OSError, ssl.SSLError)):
            resp.read()
        self.client.close()

    def test_malformed_object_and_raw_line(self):
        rv = self.server.resource_version
        _, resp = self.client.watch(f"/api/v1/services?watch=true&resourceVersion={rv}")
        self.assertTrue(self.server.wait_for_watches("services", 1, 5))
        self.server.inject_raw("services", fa.make_malformed_service("default", "bad"))
        self.server.inject_watch_line("services", "this is not json")
        ev = json.loads(resp.readline())
        self.assertEqual(ev["object"]["spec"]["clusterIP"], 1234567)
        self.assertEqual(resp.readline(), b"this is not json\n")
        resp.close()
        self.client.close()
        _, _, body = self.client.get("/api/v1/services")
        self.assertIn("bad", [i["metadata"]["name"] for i in body["items"]])

    def test_watch_chunking_modes(self):
        for mode in ("split", "coalesce"):
            self.server.configure(watch_chunking=mode)
            rv = self.server.resource_version
            self.server.apply(fa.make_node(f"chunk-{mode}-1"))
            self.server.apply(fa.make_node(f"chunk-{mode}-2"))
            _, resp = self.client.watch(f"/api/v1/nodes?watch=true&resourceVersion={rv}")
            evs = read_events(resp, 2)
            self.assertEqual([e["object"]["metadata"]["name"] for e in evs],
                             [f"chunk-{mode}-1", f"chunk-{mode}-2"])
            resp.close()
            self.client.close()


class ControlTest(ServerCase):
    def test_down_and_up(self):
        rv = self.server.resource_version
        _, resp = self.client.watch(f"/api/v1/services?watch=true&resourceVersion={rv}")
        self.assertTrue(self.server.wait_for_watches("services", 1, 5))
        port = self.server.port
        self.server.down()
        with self.assertRaises((http.client.IncompleteRead, OSError, ssl.SSLError)):
            resp.read()
        self.client.close()
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        self.server.up()
        self.assertEqual(self.server.port, port)
        self.assertEqual(self.client.get("/api/v1/services")[0], 200)

    def test_request_log_latency_and_failures(self):
        self.client.get("/api/v1/nodes?fieldSelector=metadata.name%3Dx&limit=500")
        e = self.server.requests()[-1]
        self.assertEqual((e["path"], e["query"]["fieldSelector"], e["query"]["limit"], e["auth"]),
                         ("/api/v1/nodes", "metadata.name=x", "500", "bearer"))
        self.server.configure(latency=0.3, latency_prefix="/api/v1/nodes")
        t0 = time.monotonic()
        self.client.get("/api/v1/nodes")
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        self.server.configure(latency=0)
        self.server.fail_next(count=1, code=429, prefix="/api/v1/services", retry_after=2)
        status, resp, body = self.client.get("/api/v1/services")
        self.assertEqual((status, resp.getheader("Retry-After"), body["reason"]), (429, "2", "TooManyRequests"))
        self.assertEqual(self.client.get("/api/v1/services")[0], 200)


class ProcessAdminTest(unittest.TestCase):
    """The server as a process, driven through its admin HTTP API."""

    def test_process_and_admin_api(self):
        state = tempfile.mkdtemp(prefix="fake-apiserver-proc-")
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_apiserver.py"), "--state-dir", state,
                                 "--key-type", "ec", "--bookmark-interval", "0.5", "--exit-on-stdin-eof"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            ready_path = os.path.join(state, "ready.json")
            end = time.monotonic() + 15
            while not os.path.exists(ready_path) and time.monotonic() < end and proc.poll() is None:
                time.sleep(0.05)
            with open(ready_path, encoding="utf-8") as f:
                ready = json.load(f)
            admin = ready["admin_url"]

            def post(path: str, body: dict | None = None) -> dict:
                req = urllib.request.Request(admin + path, data=json.dumps(body or {}).encode(), method="POST",
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=10) as r:
                    return json.loads(r.read())

            post("/make/service", {"args": ["default", "p1", "10.96.0.77"], "annotations": {
                "clusterip-speaker.io/advertise": "true"}})
            post("/make/endpointslice", {"args": ["default", "p1"], "endpoints": [["10.244.0.9", "n1", True]]})
            ctx = ssl.create_default_context(cafile=ready["ca"])
            conn = http.client.HTTPSConnection("127.0.0.1", ready["port"], context=ctx, timeout=5)
            conn.request("GET", "/api/v1/services?limit=10", headers={"Authorization": f"Bearer {ready['token']}"})
            body = json.loads(conn.getresponse().read())
            self.assertIn("p1", [i["metadata"]["name"] for i in body["items"]])
            post("/tokens", {"tokens": ["t2"]})
            conn.request("GET", "/api/v1/services", headers={"Authorization": f"Bearer {ready['token']}"})
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 401)
            with urllib.request.urlopen(admin + "/requests", timeout=10) as r:
                log = json.loads(r.read())["requests"]
            self.assertEqual(log[0]["query"], {"limit": "10"})
            post("/down")
            conn.close()
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", ready["port"]), timeout=2).close()
            post("/up")
            conn = http.client.HTTPSConnection("127.0.0.1", ready["port"], context=ctx, timeout=5)
            conn.request("GET", "/api/v1/nodes", headers={"Authorization": "Bearer t2"})
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
            conn.close()
            with open(ready["kubeconfig"], encoding="utf-8") as f:
                kc = f.read()
            self.assertIn(f"server: https://127.0.0.1:{ready['port']}", kc)
            self.assertIn("certificate-authority-data: ", kc)
            post("/shutdown")
            self.assertEqual(proc.wait(timeout=10), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)
            for s in (proc.stdin, proc.stdout, proc.stderr):
                s.close()
            shutil.rmtree(state, ignore_errors=True)

    def test_stdin_commands(self):
        state = tempfile.mkdtemp(prefix="fake-apiserver-stdin-")
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_apiserver.py"), "--state-dir", state,
                                 "--key-type", "ec", "--no-seed", "--stdin-commands"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            ready = json.loads(proc.stdout.readline())

            def cmd(path: str, body: dict | None = None, method: str = "POST") -> dict:
                proc.stdin.write(json.dumps({"cmd": path, "method": method, "body": body or {}}).encode() + b"\n")
                proc.stdin.flush()
                return json.loads(proc.stdout.readline())

            r = cmd("/make/node", {"args": ["n1"], "ready": None})
            self.assertEqual(r["code"], 200)
            self.assertEqual(r["reply"]["object"]["metadata"]["name"], "n1")
            self.assertEqual(cmd("/state", method="GET")["reply"]["objects"]["nodes"], ["n1"])
            self.assertEqual(cmd("/nonsense")["code"], 404)
            ctx = ssl.create_default_context(cafile=ready["ca"])
            conn = http.client.HTTPSConnection("127.0.0.1", ready["port"], context=ctx, timeout=5)
            conn.request("GET", "/api/v1/nodes", headers={"Authorization": "Bearer test-token"})
            items = json.loads(conn.getresponse().read())["items"]
            conn.close()
            self.assertEqual([c["type"] for c in items[0]["status"]["conditions"]],
                             ["MemoryPressure", "DiskPressure", "PIDPressure"])  # no Ready condition
            proc.stdin.close()  # EOF: the server exits
            self.assertEqual(proc.wait(timeout=10), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)
            for s in (proc.stdin, proc.stdout, proc.stderr):
                s.close()
            shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
