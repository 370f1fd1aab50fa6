"""A node whose network namespace belongs to a container, and clusterip-speaker running in it as the
container image with the DaemonSet's settings.

Docker cannot put a container into a namespace made by `ip netns add`, and `--network host` would be
the machine's own network, not a node's. So the node is made the other way round, the way a
Kubernetes pod sandbox works: a sandbox container (the image with `sleep`, like the pause
container) is started with `--network none`, its network namespace is named with
`ip netns attach` so that the test can wire it up like any node (veth to the router's LAN,
addresses, kube-proxy, pod routes), and the daemon container joins it with
`--network container:SANDBOX`. For the daemon that namespace is the node's host network, as
`hostNetwork: true` gives it in a cluster.

The daemon container gets what deploy/daemonset.yaml asks for: uid/gid 65532, every capability
dropped but NET_ADMIN, NET_RAW and NET_BIND_SERVICE, a read-only root with a tmpfs /tmp, the default
seccomp profile, NODE_NAME, the ConfigMap's config.yaml as a mounted file
and the ServiceAccount token, ca.crt and namespace as projected files, both in the kubelet's
layout (a timestamped directory behind a `..data` symlink), and the API server reached as in a
pod: KUBERNETES_SERVICE_HOST=10.96.0.1 (the kubernetes Service, through this node's kube-proxy).

All but allowPrivilegeEscalation: false (no-new-privileges). Docker Engine starts a non-root
container with an empty permitted set (only the bounding set holds the added capabilities), and
under no-new-privileges the kernel then ignores the binary's file capabilities, so the daemon could
not listen on port 179. containerd and CRI-O, which Kubernetes uses, put the added capabilities in
the permitted set before the exec, which no-new-privileges keeps (deploy/Dockerfile explains it);
Docker cannot be made to do that, so here the file capabilities are gained the ordinary way.
"""
import json
import os
import subprocess
import time

import netns
from netns import sh

RUN_AS = "65532:65532"
CAPS = ("NET_ADMIN", "NET_RAW", "NET_BIND_SERVICE")


def docker(*args, check=True, timeout=120):
    return sh("docker", *args, check=check, timeout=timeout)


def image_size(image):
    return int(docker("image", "inspect", "--format", "{{.Size}}", image).strip())


class SandboxNamespace(netns.Namespace):
    """A netns.Namespace that is a sandbox container's network namespace."""

    def __init__(self, role, image):
        self.container = f"{netns.PREFIX}{role}-sandbox"
        docker("run", "-d", "--name", self.container, "--network", "none", "--user", RUN_AS, "--read-only",
               "--cap-drop", "ALL", "--entrypoint", "/bin/sleep", image, "infinity")
        pid = docker("inspect", "--format", "{{.State.Pid}}", self.container).strip()
        self.name = f"{netns.PREFIX}{next(netns._counter)}-{role}"
        sh("ip", "netns", "attach", self.name, pid)
        netns._live[self.name] = self
        self.ip("link", "set", "lo", "up")
        for conf in ("all", "default"):
            self.sysctl(f"net.ipv6.conf.{conf}.disable_ipv6", 0)  # Docker turns IPv6 off in containers
            self.sysctl(f"net.ipv6.conf.{conf}.accept_dad", 0)

    def delete(self):
        docker("rm", "-f", self.container, check=False)
        sh("ip", "netns", "del", self.name, check=False)
        netns._live.pop(self.name, None)


def kubelet_volume(path, files, mode=0o644):
    """files {name: text} in the kubelet's atomic-writer layout: DIR/..TIMESTAMP/name, DIR/..data ->
    ..TIMESTAMP, DIR/name -> ..data/name (what a ConfigMap or projected volume looks like in a pod)."""
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o755)
    stamp = time.strftime("..%Y_%m_%d_%H_%M_%S.000000000")
    real = os.path.join(path, stamp)
    os.makedirs(real)
    os.chmod(real, 0o755)
    for name, text in files.items():
        with open(os.path.join(real, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(real, name), mode)
    os.symlink(stamp, os.path.join(path, "..data"))
    for name in files:
        os.symlink(os.path.join("..data", name), os.path.join(path, name))
    return path


class ContainerSpeaker:
    """clusterip-speaker as the image, in a SandboxNamespace, with the DaemonSet's settings."""

    kind = "container"

    def __init__(self, host, sandbox, workdir, image, config_text, token, ca_pem):
        self.host, self.name, self.image = host, host.name, image
        self.container = f"{sandbox.container.removesuffix('-sandbox')}-speaker"
        self.sandbox = sandbox
        self.config_dir = kubelet_volume(os.path.join(workdir, f"{self.name}-configmap"), {"config.yaml": config_text})
        self.sa_dir = kubelet_volume(os.path.join(workdir, f"{self.name}-serviceaccount"),
                                     {"token": token, "ca.crt": ca_pem, "namespace": "kube-system"})
        self._log = os.path.join(workdir, f"{self.name}-container.log")
        self.started = None
        self._running, self._checked_at = False, 0.0

    def start(self):
        self.started = time.monotonic()
        docker("run", "-d", "--name", self.container, "--network", f"container:{self.sandbox.container}",
               "--user", RUN_AS, "--read-only", "--tmpfs", "/tmp:rw,size=16m",
               "--cap-drop", "ALL", *[a for c in CAPS for a in ("--cap-add", c)],
               "-e", f"NODE_NAME={self.name}", "-e", "KUBERNETES_SERVICE_HOST=10.96.0.1",
               "-e", "KUBERNETES_SERVICE_PORT=443",
               "-v", f"{self.config_dir}:/etc/clusterip-speaker:ro",
               "-v", f"{self.sa_dir}:/var/run/secrets/kubernetes.io/serviceaccount:ro",
               self.image)
        return self

    def inspect(self):
        return json.loads(docker("inspect", self.container))[0]

    def running(self):
        """Asked of Docker at most twice a second: the route waits call this on every poll."""
        now = time.monotonic()
        if now - self._checked_at > 0.5:
            out = docker("inspect", "--format", "{{.State.Running}}", self.container, check=False)
            self._running, self._checked_at = out.strip() == "true", now
        return self._running

    def wait(self, timeout):
        """The exit code, or None if still running after timeout seconds."""
        try:
            return int(docker("wait", self.container, timeout=timeout).strip())
        except subprocess.TimeoutExpired:
            return None

    def graceful_stop(self, grace=30):
        """What the kubelet does: SIGTERM, then SIGKILL after terminationGracePeriodSeconds."""
        docker("stop", "--time", str(grace), self.container, timeout=grace + 30)

    def process_status(self):
        """/proc/1/status of the daemon: Uid, Gid, capabilities, NoNewPrivs, as the kernel sees them."""
        pid = docker("inspect", "--format", "{{.State.Pid}}", self.container).strip()
        with open(f"/proc/{pid}/status") as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)

    @property
    def log(self):
        """The container's output, refreshed on every read."""
        with open(self._log, "w") as f:
            subprocess.run(["docker", "logs", self.container], stdout=f, stderr=subprocess.STDOUT, timeout=30)
        return self._log

    def stop(self):
        self.log  # keep the output for the failure report
        docker("rm", "-f", self.container, check=False)

    def logs(self):
        return [(f"{self.name} clusterip-speaker container", self._log),
                (f"{self.name} config (ConfigMap volume)", os.path.join(self.config_dir, "config.yaml"))]
