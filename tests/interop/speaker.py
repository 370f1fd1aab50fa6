"""clusterip-speaker, the daemon under test, running in a node namespace with a generated config."""
import os
import signal

from process import Process

DEFAULT_BINARY = os.path.join(os.path.dirname(__file__), "..", "..", "build", "cmd", "clusterip-speaker")


def binary():
    """The daemon to test: $CIS_BINARY, else the build tree's. Missing is an error, never a skip."""
    path = os.path.abspath(os.environ.get("CIS_BINARY") or DEFAULT_BINARY)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"clusterip-speaker binary not found or not executable: {path} "
                           "(build it, or set CIS_BINARY)")
    return path


def _q(s):
    return '"' + str(s) + '"'  # quoted: IPv6 addresses are not safe as plain YAML scalars


def _yaml(value):
    """A peer option's value as a YAML flow scalar, list or mapping."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + " }"
    return _q(value)


def config_yaml(name, router_id, asn, peers, prefixes, drain_time, listen_port=0, sections=None):
    """A config in the documented schema (docs/configuration.md). Kubernetes is off, so nothing gates the static plan.
    A peer's keys besides address and asn (password, passive, multihop, next_hop, communities, ...)
    are added to, or replace, the defaults below.
    sections: top-level section -> {key: value} added to, or replacing, that section's keys below
    (e.g. {"kubernetes": {"enabled": True, "kubeconfig": PATH}, "advertise": {"service_cidrs": "auto"}});
    None gives exactly the config above."""
    defaults = {"hold_time": "9s", "keepalive_time": "3s", "connect_retry": "1s",
                "graceful_shutdown": f"{{ enabled: true, drain_time: {drain_time} }}"}
    peer_lines = ""
    for p in peers:
        fields = {k: v for k, v in defaults.items() if k not in p}
        fields.update({k: _yaml(v) for k, v in p.items() if k not in ("address", "asn")})
        peer_lines += (f"    - {{ address: {_q(p['address'])}, asn: {p['asn']}, "
                       + ", ".join(f"{k}: {v}" for k, v in fields.items()) + " }\n")
    node = {"name": name, "router_id": router_id}
    advertise = {"service_cidrs": f"[{', '.join(_q(p) for p in prefixes)}]", "static": "[]", "cluster_ips": "none",
                 "require_kube_proxy": "false", "require_node_ready": "false"}
    kubernetes = {"enabled": "false"}
    http = {"listen": '""'}
    for section, values in (sections or {}).items():
        {"node": node, "advertise": advertise, "kubernetes": kubernetes, "http": http}[section].update(
            {k: _yaml(v) for k, v in values.items()})

    def flow(fields):
        return "{ " + ", ".join(f"{k}: {v}" for k, v in fields.items()) + " }"
    return (
        f"node: {flow(node)}\n"
        f"advertise: {flow(advertise)}\n"
        f"kubernetes: {flow(kubernetes)}\n"
        f"http: {flow(http)}\n"
        "bgp:\n"
        f"  asn: {asn}\n"
        f"  listen_port: {listen_port}\n"
        "  peers:\n"
        f"{peer_lines}"
        "log: { level: debug }\n")


class SpeakerNode:
    kind = "speaker"
    on_sigterm = None  # subclasses that write their own config keep the default (auto)

    def __init__(self, host, workdir, asn, peers, prefixes, drain_time="1s", listen_port=0, sections=None,
                 on_sigterm=None):
        """on_sigterm: `run --on-sigterm` (auto | leave | restart); None gives the default (auto)."""
        self.host, self.name = host, host.name
        self.on_sigterm = on_sigterm
        self.conf = os.path.join(workdir, f"{self.name}.yaml")
        self.log = os.path.join(workdir, f"{self.name}.log")
        with open(self.conf, "w") as f:
            f.write(config_yaml(self.name, host.v4, asn, peers, prefixes, drain_time, listen_port, sections))
        self.process = None

    def start(self):
        # The test's own state directory: BFD sessions handed over by a graceful restart stay in it.
        argv = [binary(), "run", "-c", self.conf, "--state-dir", os.path.dirname(self.conf)]
        if self.on_sigterm:
            argv += ["--on-sigterm", self.on_sigterm]
        self.process = Process(self.host.ns, argv, self.log)

    @property
    def started(self):
        return self.process.started

    def graceful_stop(self):
        """What the kubelet does on a rolling update: SIGTERM, then the daemon leaves or restarts
        gracefully on its own (see on_sigterm)."""
        self.process.signal(signal.SIGTERM)

    def running(self):
        return self.process.running()

    def wait(self, timeout):
        return self.process.wait(timeout)

    @property
    def exit_wall(self):
        return self.process.exit_wall

    def stop(self):
        if self.process:
            self.process.stop()

    def logs(self):
        return [(f"{self.name} config", self.conf), (f"{self.name} clusterip-speaker log", self.log)]
