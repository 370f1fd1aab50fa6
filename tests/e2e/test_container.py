"""clusterip-speaker as its container image (deploy/Dockerfile), run with the DaemonSet's settings on a
node of the real control plane (tests/cluster), next to a node that runs the binary.

    router: BIRD 2 + etcd + kube-apiserver
      |-- node1: kube-proxy + clusterip-speaker (binary); a web "pod"
      |-- node2: a sandbox container's network namespace (see container_node.py) with kube-proxy and
                 the daemon container: uid 65532, three capabilities, read-only root, the ConfigMap
                 and the ServiceAccount token as files, the API server through 10.96.0.1 (kube-proxy)

The image must exist: scripts/test.sh makes it (deploy/base-image.sh, then docker build -f
deploy/Dockerfile -t clusterip-speaker:ci .); $CIS_IMAGE names another. Root and Docker required.
"""
import os
import re
import time
import unittest

import yaml

from kube_lab import ADVERTISE, ROUTER_V4, wait_for  # first: it puts tests/interop on the path
from container_node import CAPS, ContainerSpeaker, SandboxNamespace, docker, image_size
from test_real_cluster import (CLIENT_V4, WEB, WEB_PORTS, WEB_SLICE_PORTS, RealClusterCase, host,
                               setUpModule as real_cluster_setup)
from real_cluster import REPO, SERVICE_CIDR, endpoint_slice, service

import lab
import netns

IMAGE = os.environ.get("CIS_IMAGE", "clusterip-speaker:ci")
CAP_BITS = {"NET_BIND_SERVICE": 10, "NET_ADMIN": 12, "NET_RAW": 13}


def setUpModule():
    real_cluster_setup()
    if docker("image", "inspect", "--format", "{{.Id}}", IMAGE, check=False).strip() == "":
        raise RuntimeError(f"image {IMAGE} not found: run deploy/base-image.sh, then "
                           f"docker build -f deploy/Dockerfile -t {IMAGE} . (scripts/test.sh does)")
    remove_stale_containers()


def remove_stale_containers():
    """Containers of earlier runs (cis-<pid>-...) whose test process is gone."""
    for name in docker("ps", "-a", "--format", "{{.Names}}").split():
        m = re.match(r"cis-(\d+)-", name)
        if m and int(m.group(1)) != os.getpid() and not netns._alive(int(m.group(1))):
            docker("rm", "-f", name, check=False)


def shipped_config(peer):
    """deploy/configmap.yaml's config.yaml with the peer pointed at the test's router; everything else
    (in-cluster credentials, service_cidrs auto, listen port 179, http 0.0.0.0:9474) as shipped."""
    cm = yaml.safe_load(open(os.path.join(REPO, "deploy", "configmap.yaml")))
    cfg = yaml.safe_load(cm["data"]["config.yaml"])
    cfg["bgp"]["peers"][0].update(peer)
    cfg["log"]["level"] = "debug"
    return yaml.safe_dump(cfg, sort_keys=False)


class DaemonSetContainer(RealClusterCase):
    mode = "nftables"

    def add_container_host(self):
        """Like lab.add_host, with the node's namespace owned by a sandbox container."""
        i = len(self.lab.hosts) + 1
        name = f"node{i}"
        ns = SandboxNamespace(name, IMAGE)
        self.lab.namespaces.append(ns)
        netns.veth(self.lab.router_ns, name, ns, "uplink")
        self.lab.router_ns.ip("link", "set", name, "master", "lan")
        h = lab.Host(name, ns, f"10.0.1.{i + 1}", f"fd00:1::{i + 1}")
        ns.add_address("uplink", f"{h.v4}/24")
        ns.add_address("uplink", f"{h.v6}/64")
        ns.ip("route", "add", "default", "via", ROUTER_V4)
        self.lab.hosts.append(h)
        return h

    def test_image_with_daemonset_settings(self):
        self.build_real(start_speakers=False, make_hosts=[self.lab.add_host, self.add_container_host])
        self.add_client()
        node1, node2 = self.hosts
        self.api.apply([service("web", WEB, WEB_PORTS, annotations={ADVERTISE: "true"}),
                        endpoint_slice("web", [(self.pods["node1"].ip, "node1", True)], WEB_SLICE_PORTS)])
        self.start_speakers([node1])
        config = shipped_config({"address": ROUTER_V4, "asn": 64512, "hold_time": "9s", "keepalive_time": "3s",
                                 "connect_retry": "1s"})
        with open(self.cp.ca) as f:
            ca = f.read()
        container = self.lab.adopt(ContainerSpeaker(node2, node2.ns, self.workdir, IMAGE, config,
                                                    self.cp.service_account_token(), ca))
        t0 = time.monotonic()
        container.start()
        self.speakers.append(container)

        both = self.hops()
        t_cidr = self.wait_route(SERVICE_CIDR, both, since=t0, timeout=60)
        self.wait_route(host(WEB), both)
        line = self.wait_log(r"Service CIDRs .* \(from ServiceCIDR networking\.k8s\.io/v1\)", node=1)
        self.assertIn(SERVICE_CIDR, line)

        # The DaemonSet's settings, as the kernel and Docker see them.
        info = container.inspect()
        self.assertTrue(info["HostConfig"]["ReadonlyRootfs"])
        self.assertEqual(info["Config"]["User"], "65532:65532")
        bare = lambda caps: sorted(c.removeprefix("CAP_") for c in caps)  # Docker spells them either way
        self.assertEqual(bare(info["HostConfig"]["CapAdd"]), sorted(CAPS))
        self.assertEqual(bare(info["HostConfig"]["CapDrop"]), ["ALL"])
        status = container.process_status()
        self.assertEqual(status["Uid"].split()[:2], ["65532", "65532"])
        # The daemon drops what it does not need once it has bound its ports (docs/security.md):
        # whatever is left must be within the three the container was given.
        allowed = sum(1 << CAP_BITS[c] for c in CAPS)
        for field in ("CapBnd", "CapPrm", "CapEff"):
            self.assertEqual(int(status[field], 16) & ~allowed, 0, f"{field} {status[field]}")
        # Port 179 (bgp.listen_port of the ConfigMap) is privileged: the file capability worked.
        self.assertIn(":179", node2.ns.run("ss", "-ltnH", "sport = :179"))
        kept = self.wait_log(r"capabilities: kept", node=1)

        entry = self.router_choice(WEB)
        body = wait_for("curl to the ClusterIP", lambda: self.curl(f"http://{WEB}/", check=False),
                        until=lambda b: b == "pod on node1", timeout=30, step=0.5)
        self.assert_no_forbidden()

        # The container probes kube-proxy on the node's loopback: kube-proxy stops, node2 withdraws.
        t_kp = time.monotonic()
        self.proxies["node2"].stop()
        withdrawn = self.wait_route(SERVICE_CIDR, {node1.v4}, since=t_kp, timeout=60,
                                    what="with kube-proxy on node2 stopped")
        self.proxies["node2"].start()
        back = self.wait_route(SERVICE_CIDR, both, timeout=90, what="with kube-proxy on node2 back")

        # What the kubelet does to the pod: SIGTERM (graceful restart or leave, by --on-sigterm auto), exit 0.
        container.graceful_stop()
        self.assertEqual(container.wait(30), 0, "the daemon container did not exit 0 on SIGTERM")
        self.speakers.remove(container)
        size = image_size(IMAGE)
        self.timing(f"image {IMAGE}: {size / 1e6:.1f} MB; container start -> {SERVICE_CIDR} via both nodes "
                    f"{t_cidr[0]:.2f}s (RIB); uid 65532, listening on 179, CapBnd {status['CapBnd']}, CapEff "
                    f"{status['CapEff']} ({kept.strip()[24:]}), read-only root; curl entered {entry.name}: '{body}'; kube-proxy stopped on "
                    f"node2 -> withdrawn in {withdrawn[0]:.1f}s, back {back[0]:.1f}s after its restart; "
                    f"docker stop -> exit 0")


if __name__ == "__main__":
    unittest.main()
