"""Static checks of deploy/: manifests, example config, Helm chart, Grafana dashboard, Dockerfile.

No cluster, no Docker, no Helm: every YAML parses; the DaemonSet has what the node daemon needs;
the example configs pass `clusterip-speaker check-config`; the chart's templates only reference
values that exist; the dashboard and docs/metrics.md cover every metric; the Dockerfile's runtime
packages exist in Debian and provide every library the built binary loads.

The binary comes from $CIS_BINARY (CTest sets it), else build/cmd/clusterip-speaker.
Run: python3 -m unittest -v test_manifests   (in tests/deploy)
"""
import json
import os
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CHART = DEPLOY / "helm" / "clusterip-speaker"
CAPS = {"NET_ADMIN", "NET_RAW", "NET_BIND_SERVICE"}
# Seconds the DaemonSet must leave beyond the longest drain: withdraw, wait for the router, Cease.
LEAVE_MARGIN_S = 10

# Every metric the daemon promises (prefix clusterip_speaker_) and its labels: what docs/metrics.md
# documents and the dashboard must show. Histograms are marked.
METRICS = {
    "bgp_session_up": {"peer"},
    "bgp_session_state": {"peer", "state"},
    "bgp_updates_sent_total": {"peer"},
    "bgp_updates_received_total": {"peer"},
    "bgp_notifications_sent_total": {"peer", "code", "subcode"},
    "bgp_advertised_prefixes": {"peer", "family"},
    "ospf_neighbor_state": {"interface", "neighbor"},
    "ospf_lsas_originated": set(),
    "advertised_routes": {"kind"},
    "kube_proxy_healthy": set(),
    "node_ready": set(),
    "k8s_watch_restarts_total": {"resource"},
    "k8s_last_sync_timestamp_seconds": {"resource"},
    "plan_duration_seconds": set(),
    "event_to_advertisement_seconds": set(),
    "build_info": {"version"},
    "bfd_session_up": {"peer"},
    "bfd_session_state_changes_total": {"peer"},
    "bfd_worst_transmit_gap_seconds": {"peer"},
    "advertise_refused_total": {"reason"},
    "kubernetes_events_total": {"result"},
}
HISTOGRAMS = {"plan_duration_seconds", "event_to_advertisement_seconds"}
PREFIX = "clusterip_speaker_"


def binary():
    path = os.environ.get("CIS_BINARY") or str(REPO / "build" / "cmd" / "clusterip-speaker")
    if not Path(path).is_file():
        raise AssertionError(f"clusterip-speaker binary not found at {path}: build it or set CIS_BINARY")
    return path


def check_config(test, text, what):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
        name = f.name
    try:
        r = subprocess.run([binary(), "check-config", "-c", name], capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(name)
    test.assertEqual(r.returncode, 0, f"{what} fails check-config:\n{r.stderr}{r.stdout}")
    return r.stdout


def duration_seconds(s):
    """'90s', '500ms', '1m30s' -> seconds (the config's duration syntax)."""
    s = str(s)
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", s)
    if not parts or "".join(n + u for n, u in parts) != s:
        raise ValueError(f"not a duration: {s!r}")
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * scale[u] for n, u in parts)


def max_drain_seconds(config):
    bgp = config.get("bgp") or {}
    drains = [duration_seconds(((p or {}).get("graceful_shutdown") or {}).get("drain_time", "5s"))
              for p in bgp.get("peers") or []]
    return max(drains, default=5.0)


def load_docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def by_kind(docs, kind):
    found = [d for d in docs if d.get("kind") == kind]
    if len(found) != 1:
        raise AssertionError(f"expected one {kind}, found {len(found)}")
    return found[0]


def dpkg_owner(lib):
    """The package that ships a shared library, trying the path ldd printed, its real path and the
    /usr-merged path (Debian 12 ships most libraries under /usr/lib, ldd prints /lib)."""
    p = Path(lib)
    candidates = [str(p), str(p.resolve())]
    if str(p).startswith("/lib"):
        candidates.append("/usr" + str(p))
    if str(p).startswith("/usr/lib"):
        candidates.append(str(p)[len("/usr"):])
    for c in dict.fromkeys(candidates):
        r = subprocess.run(["dpkg", "-S", c], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.splitlines()[0].split(":")[0].split(",")[0].strip()
    return None


def dockerfile_runtime_packages(text):
    joined = re.sub(r"\\\n", " ", text)
    m = re.search(r'^ARG RUNTIME_PACKAGES="([^"]*)"', joined, re.M)
    if not m:
        raise AssertionError('deploy/Dockerfile has no ARG RUNTIME_PACKAGES="..."')
    return m.group(1).split()


# The ASan/UBSan runtimes of a sanitizer build (CI's) are never part of an image.
SANITIZER_RUNTIMES = re.compile(r"^lib(asan|ubsan|lsan|tsan)\.so")


class DeployYaml(unittest.TestCase):
    def test_every_yaml_in_deploy_parses(self):
        files = [p for p in DEPLOY.rglob("*") if p.suffix in (".yaml", ".yml")
                 and "templates" not in p.relative_to(DEPLOY).parts]
        self.assertGreaterEqual(len(files), 5, files)
        for p in files:
            with self.subTest(file=str(p.relative_to(REPO))):
                with open(p) as f:
                    docs = list(yaml.safe_load_all(f))
                self.assertTrue(any(d is not None for d in docs))
                for d in docs:
                    if d is not None and p.name not in ("values.yaml", "Chart.yaml"):
                        self.assertIn("apiVersion", d)
                        self.assertIn("kind", d)


class DaemonSet(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ds = by_kind(load_docs(DEPLOY / "daemonset.yaml"), "DaemonSet")
        cls.cm = by_kind(load_docs(DEPLOY / "configmap.yaml"), "ConfigMap")
        cls.rbac = load_docs(DEPLOY / "rbac.yaml")
        cls.pod = cls.ds["spec"]["template"]["spec"]
        cls.container = cls.pod["containers"][0]
        cls.config = yaml.safe_load(cls.cm["data"]["config.yaml"])

    def test_selector_matches_template_labels(self):
        labels = self.ds["spec"]["template"]["metadata"]["labels"]
        for k, v in self.ds["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(labels.get(k), v)

    def test_host_network_and_dns(self):
        self.assertIs(self.pod.get("hostNetwork"), True)
        self.assertEqual(self.pod.get("dnsPolicy"), "ClusterFirstWithHostNet")

    def test_service_account_is_the_one_of_rbac_yaml(self):
        sa = by_kind(self.rbac, "ServiceAccount")
        self.assertEqual(self.pod.get("serviceAccountName"), sa["metadata"]["name"])
        self.assertEqual(self.ds["metadata"]["namespace"], sa["metadata"]["namespace"])
        self.assertEqual(self.cm["metadata"]["namespace"], sa["metadata"]["namespace"])

    def test_node_name_from_downward_api(self):
        env = {e["name"]: e for e in self.container.get("env", [])}
        self.assertIn("NODE_NAME", env)
        self.assertEqual(env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "spec.nodeName")

    def test_probes(self):
        ports = {p["name"]: p["containerPort"] for p in self.container["ports"]}
        ready = self.container["readinessProbe"]["httpGet"]
        live = self.container["livenessProbe"]["httpGet"]
        self.assertEqual(ready["path"], "/readyz")
        self.assertEqual(live["path"], "/healthz")
        listen = self.config["http"]["listen"]
        host, port = listen.rsplit(":", 1)
        for probe in (ready, live):
            probe_port = ports[probe["port"]] if isinstance(probe["port"], str) else probe["port"]
            self.assertEqual(probe_port, int(port), "probe port != http.listen port")
            # hostNetwork: the kubelet probes the node IP unless told otherwise.
            if host.startswith("127.") or host == "[::1]":
                self.assertEqual(probe.get("host"), host.strip("[]"),
                                 "http.listen is loopback-only: the probe needs host: " + host)

    def test_graceful_leave_fits_in_termination_grace_period(self):
        grace = self.pod["terminationGracePeriodSeconds"]
        self.assertGreaterEqual(grace, max_drain_seconds(self.config) + LEAVE_MARGIN_S)

    def test_security_context(self):
        sc = self.container["securityContext"]
        self.assertEqual(set(sc["capabilities"]["drop"]), {"ALL"})
        self.assertEqual(set(sc["capabilities"]["add"]), CAPS)
        self.assertEqual(len(sc["capabilities"]["add"]), len(CAPS))
        self.assertIs(sc["runAsNonRoot"], True)
        self.assertEqual(sc["runAsUser"], 65532)
        self.assertIs(sc["allowPrivilegeEscalation"], False)
        self.assertIs(sc["readOnlyRootFilesystem"], True)

    def test_scheduling(self):
        self.assertEqual(self.pod["priorityClassName"], "system-node-critical")
        self.assertIn({"operator": "Exists"}, self.pod["tolerations"])
        ru = self.ds["spec"]["updateStrategy"]
        self.assertEqual(ru["type"], "RollingUpdate")
        self.assertEqual(ru["rollingUpdate"]["maxUnavailable"], 1)
        self.assertEqual(ru["rollingUpdate"].get("maxSurge", 0), 0)

    def test_resources(self):
        res = self.container["resources"]
        self.assertIn("cpu", res["requests"])
        self.assertIn("memory", res["requests"])
        self.assertIn("memory", res["limits"])

    def test_config_mounted_from_the_configmap(self):
        mounts = {m["name"]: m for m in self.container["volumeMounts"]}
        vols = {v["name"]: v for v in self.pod["volumes"]}
        cfg = [n for n, v in vols.items() if v.get("configMap", {}).get("name") == self.cm["metadata"]["name"]]
        self.assertEqual(len(cfg), 1)
        self.assertEqual(mounts[cfg[0]]["mountPath"], "/etc/clusterip-speaker")
        self.assertIn("config.yaml", self.cm["data"])

    def test_example_config_passes_check_config(self):
        out = check_config(self, self.cm["data"]["config.yaml"], "deploy/configmap.yaml config.yaml")
        effective = yaml.safe_load(out)
        self.assertEqual(effective["bgp"]["asn"], 64513)
        self.assertEqual(effective["bgp"]["peers"][0]["address"], "gateway")  # zero config
        self.assertEqual(effective["bgp"]["peers"][0]["asn"], 64512)


class HelmChart(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(CHART / "Chart.yaml") as f:
            cls.chart = yaml.safe_load(f)
        with open(CHART / "values.yaml") as f:
            cls.values = yaml.safe_load(f)
        cls.templates = {p.name: p.read_text() for p in (CHART / "templates").iterdir() if p.is_file()}

    def test_chart_yaml(self):
        self.assertEqual(self.chart["apiVersion"], "v2")
        self.assertEqual(self.chart["name"], "clusterip-speaker")
        self.assertRegex(str(self.chart["version"]), r"^\d+\.\d+\.\d+")
        self.assertIn("appVersion", self.chart)

    def test_templates_present(self):
        for name in ("daemonset.yaml", "configmap.yaml", "rbac.yaml", "serviceaccount.yaml", "_helpers.tpl", "NOTES.txt"):
            self.assertIn(name, self.templates)

    def test_every_referenced_value_exists(self):
        refs = set()
        for name, text in self.templates.items():
            for m in re.finditer(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)", text):
                refs.add((name, m.group(1)[1:]))
        self.assertTrue(refs)
        for name, ref in sorted(refs):
            with self.subTest(template=name, ref=ref):
                node = self.values
                for key in ref.split("."):
                    self.assertIsInstance(node, dict, f".Values.{ref}: {key} is under a non-map")
                    self.assertIn(key, node, f".Values.{ref} is not in values.yaml")
                    node = node[key]

    def test_every_included_template_is_defined(self):
        defined = set()
        for text in self.templates.values():
            defined.update(re.findall(r'define\s+"([^"]+)"', text))
        for name, text in self.templates.items():
            for used in re.findall(r'include\s+"([^"]+)"', text):
                self.assertIn(used, defined, f"{name} includes undefined template {used}")

    def test_values_mirror_the_config_and_pass_check_config(self):
        config = self.values["config"]
        for key in ("node", "advertise", "bgp", "ospf", "kubernetes", "http", "log"):
            self.assertIn(key, config)
        check_config(self, yaml.safe_dump(config, sort_keys=False), "values.yaml config:")
        self.assertGreaterEqual(self.values["terminationGracePeriodSeconds"],
                                max_drain_seconds(config) + LEAVE_MARGIN_S)

    def test_values_defaults(self):
        v = self.values
        self.assertIs(v["rbac"]["create"], True)
        self.assertIn("create", v["serviceAccount"])
        self.assertEqual(v["priorityClassName"], "system-node-critical")
        self.assertIn({"operator": "Exists"}, v["tolerations"])
        for key in ("image", "resources", "nodeSelector"):
            self.assertIn(key, v)

    def test_configmap_renders_config_with_to_yaml(self):
        self.assertRegex(self.templates["configmap.yaml"], r"toYaml\s+\.Values\.config\b")

    def test_daemonset_template_has_the_node_daemon_fields(self):
        t = self.templates["daemonset.yaml"]
        for needle in ("hostNetwork: true", "dnsPolicy: ClusterFirstWithHostNet", "fieldPath: spec.nodeName",
                       "name: NODE_NAME", "path: /readyz", "path: /healthz", "drop: [ALL]",
                       "add: [NET_ADMIN, NET_RAW, NET_BIND_SERVICE]", "allowPrivilegeEscalation: false",
                       "readOnlyRootFilesystem: true", "runAsNonRoot: true", "mountPath: /etc/clusterip-speaker",
                       ".Values.terminationGracePeriodSeconds", ".Values.tolerations", ".Values.priorityClassName",
                       "checksum/config"):
            self.assertIn(needle, t)

    def test_rbac_template_has_the_rules_of_rbac_yaml(self):
        def rules(docs):
            return sorted((d["kind"], json.dumps(d["rules"], sort_keys=True)) for d in docs if "rules" in d)
        # Drop the template lines; what is left of each document is plain YAML.
        plain = "\n".join(l for l in self.templates["rbac.yaml"].splitlines() if "{{" not in l)
        rendered = [d for d in yaml.safe_load_all(plain) if d]
        self.assertEqual(rules(rendered),
                         rules(load_docs(DEPLOY / "rbac.yaml") + load_docs(DEPLOY / "rbac-cidr-probe.yaml") +
                               load_docs(DEPLOY / "rbac-events.yaml")))

    # Writing Events is opt-in with the config key that turns them on, in both forms.
    def test_events_grant_is_opt_in(self):
        events = [d for d in load_docs(DEPLOY / "rbac-events.yaml") if d.get("kind") == "ClusterRole"]
        self.assertEqual(events[0]["rules"], [{"apiGroups": ["events.k8s.io"], "resources": ["events"],
                                               "verbs": ["create"]}])
        self.assertIs(self.values["config"]["kubernetes"]["events"], False)
        self.assertIn("if .Values.config.kubernetes.events", self.templates["rbac.yaml"])

    def test_zero_config_default_peer_is_the_gateway(self):
        peer = self.values["config"]["bgp"]["peers"][0]
        self.assertEqual(peer["address"], "gateway")
        self.assertEqual(peer["node_selector"], {})

    # Abuse resistance: the dry-run probe's `create services` is opt-in in both forms.
    def test_service_create_grant_is_opt_in(self):
        for d in load_docs(DEPLOY / "rbac.yaml"):
            for rule in d.get("rules", []):
                self.assertNotIn("create", rule["verbs"], d["metadata"]["name"])
        probe = [d for d in load_docs(DEPLOY / "rbac-cidr-probe.yaml") if d.get("kind") == "Role"]
        self.assertEqual(probe[0]["rules"], [{"apiGroups": [""], "resources": ["services"], "verbs": ["create"]}])
        self.assertIs(self.values["rbac"]["cidrProbe"], False)
        self.assertIn("if .Values.rbac.cidrProbe", self.templates["rbac.yaml"])


class GrafanaDashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(DEPLOY / "grafana-dashboard.json") as f:
            cls.dash = json.load(f)

        def walk(panels):
            for p in panels:
                yield p
                yield from walk(p.get("panels", []))
        cls.exprs = [t["expr"] for p in walk(cls.dash["panels"]) for t in p.get("targets", []) if "expr" in t]

    def test_shape(self):
        self.assertEqual(self.dash["uid"], "clusterip-speaker")
        self.assertTrue(self.exprs)
        ids = [p["id"] for p in self.dash["panels"]]
        self.assertEqual(len(ids), len(set(ids)))

    def test_every_metric_is_queried(self):
        text = "\n".join(self.exprs)
        for name in METRICS:
            with self.subTest(metric=name):
                if name in HISTOGRAMS:
                    self.assertRegex(text, r"histogram_quantile\([^\n]*" + PREFIX + name + "_bucket")
                else:
                    self.assertRegex(text, PREFIX + name + r"\b")



class MetricsDoc(unittest.TestCase):
    def test_the_documented_metrics_are_the_ones_listed_here(self):
        text = (REPO / "docs" / "metrics.md").read_text()
        names = {re.sub(r"_bucket$", "", n) for n in re.findall(PREFIX + r"([a-z0-9_]+)", text)}
        self.assertEqual(names, set(METRICS))

    def test_every_metric_is_documented_with_its_labels(self):
        text = (REPO / "docs" / "metrics.md").read_text()
        for name, labels in METRICS.items():
            with self.subTest(metric=name):
                self.assertIn(PREFIX + name, text)
                for label in labels:
                    self.assertIn(f"`{label}`", text)


class Dockerfile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.text = (DEPLOY / "Dockerfile").read_text()
        cls.packages = dockerfile_runtime_packages(cls.text)

    def test_stages_user_caps_entrypoint(self):
        t = self.text
        self.assertRegex(t, r"(?m)^FROM debian:12 AS build$")
        self.assertRegex(t, r"(?m)^FROM debian:12-slim$")
        self.assertIn("-G Ninja", t)
        self.assertIn("-DCMAKE_BUILD_TYPE=Release", t)
        self.assertIn("ctest -L unit", t)
        self.assertIn("setcap cap_net_admin,cap_net_raw,cap_net_bind_service+ep /usr/bin/clusterip-speaker", t)
        self.assertRegex(t, r"(?m)^USER 65532(:65532)?$")
        self.assertIn('ENTRYPOINT ["/usr/bin/clusterip-speaker", "run", "-c", "/etc/clusterip-speaker/config.yaml", "--user", "65532"]', t)
        self.assertTrue((DEPLOY / "Dockerfile.dockerignore").is_file())

    def test_build_stage_has_the_dev_packages_of_setup_sh(self):
        setup = (REPO / "scripts" / "setup.sh").read_text()
        listed = re.search(r"PACKAGES=\((.*?)\)", setup, re.S).group(1)
        dev = {p for p in listed.split() if p.endswith("-dev")}
        build = self.text.split("FROM debian:12-slim")[0]
        for p in sorted(dev):
            self.assertRegex(build, r"(?<![\w.-])" + re.escape(p) + r"(?![\w.-])", f"{p} missing in the build stage")

    def test_runtime_packages_exist_in_debian(self):
        for p in self.packages:
            with self.subTest(package=p):
                r = subprocess.run(["apt-cache", "show", p], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, f"apt-cache show {p} failed (apt-get update?): {r.stderr}")
                self.assertIn(f"Package: {p}", r.stdout)

    def test_runtime_packages_provide_every_library_the_binary_loads(self):
        r = subprocess.run(["ldd", binary()], capture_output=True, text=True, check=True)
        libs = {}
        for line in r.stdout.splitlines():
            self.assertNotIn("not found", line)
            m = re.match(r"\s*(\S+) => (/\S+)", line)
            if m:
                libs[m.group(1)] = m.group(2)
        self.assertTrue(libs)
        # The packages apt installs with the listed ones (their Depends, recursively).
        deps = subprocess.run(
            ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
             "--no-breaks", "--no-replaces", "--no-enhances", *self.packages],
            capture_output=True, text=True, check=True).stdout
        closure = set(self.packages)
        for line in deps.splitlines():
            m = re.match(r"^(\S+)$", line) or re.match(r"^\s+(?:Pre)?Depends: <?([^>\s]+)>?", line)
            if m:
                closure.add(m.group(1).split(":")[0])
        for soname, path in sorted(libs.items()):
            if SANITIZER_RUNTIMES.match(soname):
                continue
            with self.subTest(library=soname):
                pkg = dpkg_owner(path)
                self.assertIsNotNone(pkg, f"no Debian package owns {path}")
                self.assertIn(pkg, closure, f"{soname} ({path}) comes from {pkg}, which RUNTIME_PACKAGES "
                                            f"does not bring: add it to deploy/Dockerfile")

    def test_libraries_loaded_at_run_time_are_named(self):
        # daemon/nftables_library opens libnftables with dlopen, so ldd and NEEDED do not show it.
        source = (REPO / "daemon" / "nftables_library.cpp").read_text()
        soname = re.search(r'kSoname = "(.+?)"', source).group(1)
        cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
        path = re.search(r"^\s*" + re.escape(soname) + r" \(libc6,x86-64\) => (/\S+)", cache, re.M)
        self.assertIsNotNone(path, f"{soname} is not installed")
        self.assertIn(dpkg_owner(path.group(1)), self.packages)

    def test_direct_libraries_are_named(self):
        # What the binary links itself must be named, not merely pulled in by another package.
        r = subprocess.run(["readelf", "-d", binary()], capture_output=True, text=True, check=True)
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", r.stdout)
        ldd = subprocess.run(["ldd", binary()], capture_output=True, text=True, check=True).stdout
        paths = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd, re.M))
        # The dynamic loader, which ldd prints by path alone: NEEDED when a linked-in archive uses
        # __tls_get_addr (libcrypto.a does).
        paths.update((path.rsplit("/", 1)[1], path) for path in re.findall(r"^\s*(/\S+) \(0x", ldd, re.M))
        for soname in needed:
            if SANITIZER_RUNTIMES.match(soname):
                continue
            with self.subTest(library=soname):
                self.assertIn(dpkg_owner(paths[soname]), self.packages)


class Docs(unittest.TestCase):
    def test_docs_exist_and_link_only_existing_files(self):
        for name in ("quickstart.md", "troubleshooting.md", "metrics.md"):
            path = REPO / "docs" / name
            with self.subTest(doc=name):
                text = path.read_text()
                for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
                    if "://" in target:
                        continue
                    self.assertTrue((path.parent / target).exists(), f"{name} links to missing {target}")


if __name__ == "__main__":
    unittest.main()
