#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (tests/fuzz/corpus/<target>/) from the golden tests.

  python3 tests/fuzz/make_corpus.py          # rewrites every corpus folder

BGP and OSPF seeds are the byte vectors written out in tests/unit/bgp and tests/unit/ospf; the
Kubernetes seeds are the JSON of tests/unit/k8s plus the objects the fake API server serves; the
config seeds are the YAML of tests/unit/config, deploy/configmap.yaml and the README. The output
is deterministic, so a rerun changes no file unless a source did. Files are named after their
source, so a seed can be traced back to the test it came from. Files named finding-* are the
minimized inputs of fixed fuzzer findings, added by hand and kept by this script.
"""
from __future__ import annotations

import json
import re
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fuzz" / "corpus"
MARKER = [0xFF] * 16

# --- C++ byte vectors ---------------------------------------------------------------------------

BYTES_START = re.compile(r"\bBytes\s+(\w+)\s*\{")
TOKEN = re.compile(r"0[xX][0-9a-fA-F]+|\d+|'(?:\\.|[^'\\])'|MARKER")


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def char_value(literal: str) -> int:
    body = literal[1:-1]
    escapes = {"\\0": 0, "\\n": 10, "\\t": 9, "\\\\": 92, "\\'": 39}
    return escapes[body] if body in escapes else ord(body)


def byte_vectors(path: Path) -> list[tuple[str, bytes]]:
    """Every `Bytes name{literal, ...}` whose items are all literals (or MARKER)."""
    text = path.read_text()
    found = []
    for match in BYTES_START.finditer(text):
        end = text.find("}", match.end())
        body = strip_comments(text[match.end():end])
        items = [item.strip() for item in body.split(",") if item.strip()]
        values: list[int] = []
        for item in items:
            if not TOKEN.fullmatch(item):
                values = []
                break
            if item == "MARKER":
                values += MARKER
            elif item.startswith("'"):
                values.append(char_value(item))
            else:
                values.append(int(item, 0))
        if values and all(0 <= v <= 255 for v in values):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{path.stem}-{line}-{match.group(1)}", bytes(values)))
    return found


# --- C++ string literals --------------------------------------------------------------------------

RAW_STRING = re.compile(r'R"(\w*)\((.*?)\)\1"', re.S)
PLAIN_STRING = re.compile(r'(?<![R\w])"((?:\\.|[^"\\\n])*)"')


def raw_strings(path: Path) -> list[tuple[int, str]]:
    text = path.read_text()
    return [(text.count("\n", 0, m.start()) + 1, m.group(2)) for m in RAW_STRING.finditer(text)]


def plain_strings(path: Path) -> list[tuple[int, str]]:
    text = RAW_STRING.sub(lambda m: " " * len(m.group(0)), path.read_text())
    out = []
    for m in PLAIN_STRING.finditer(text):
        value = m.group(1).encode().decode("unicode_escape")
        out.append((text.count("\n", 0, m.start()) + 1, value))
    return out


# --- targets ----------------------------------------------------------------------------------------

def bgp_seeds() -> dict[str, bytes]:
    seeds: dict[str, bytes] = {}
    for path in sorted((ROOT / "tests/unit/bgp").glob("wire_*_test.cpp")):
        for name, data in byte_vectors(path):
            seeds[name] = data
    # A TCP stream of several messages, so the framing loop has something to walk.
    messages = [d for d in seeds.values() if len(d) >= 19 and d[:16] == bytes(MARKER)]
    by_type = {}
    for m in messages:
        by_type.setdefault(m[18], m)
    seeds["stream-open-keepalive-update"] = b"".join(by_type[t] for t in sorted(by_type) if t in (1, 4, 2))
    return seeds


def ospf_selector(packet: bytes) -> int:
    """The fuzzer's first byte: which configured authentication decodes this packet."""
    if len(packet) < 24 or packet[0] != 2:
        return 0
    au_type = packet[15]
    if au_type == 1:
        return 1
    if au_type == 2:
        return 2 if packet[18] == 1 else 3  # key 1: MD5, key 7: HMAC-SHA-256
    return 0


def ospf_seeds() -> dict[str, bytes]:
    seeds: dict[str, bytes] = {}
    for path in [ROOT / "tests/unit/ospf/packet_goldens.hpp", ROOT / "tests/unit/ospf/lsa_golden_test.cpp",
                 ROOT / "tests/unit/ospf/malformed_test.cpp", ROOT / "tests/unit/ospf/auth_test.cpp"]:
        for name, data in byte_vectors(path):
            selector = ospf_selector(data)
            seeds[name] = bytes([selector]) + data
            if selector == 0:  # the same bytes with the checksum repair bit, for the LSA path
                seeds[name + "-repair"] = bytes([0x04]) + data
    return seeds


def fake_apiserver_objects() -> list[tuple[str, dict]]:
    sys.path.insert(0, str(ROOT / "tests/fake_apiserver"))
    import fake_apiserver as fa  # noqa: E402

    # Deterministic output: fixed timestamps and counted UIDs.
    fa.now_rfc3339 = lambda: "2024-05-01T12:00:00Z"
    counter = iter(range(1, 1 << 30))
    fa.uuid.uuid4 = lambda: uuid.UUID(int=next(counter))

    svc = fa.make_service("default", "web", "10.96.0.10", annotations={"clusterip-speaker.io/advertise": "true"},
                          ports=[{"port": 80, "protocol": "TCP", "targetPort": 8080}])
    dual = fa.make_service("default", "dual", ["10.96.0.11", "fd00:10:96::11"], ip_family_policy="RequireDualStack",
                           type="LoadBalancer", external_ips=["203.0.113.5"], lb_ips=["198.51.100.9"],
                           internal_policy="Local", external_policy="Local")
    headless = fa.make_service("default", "headless", "None")
    slice_ = fa.make_endpointslice("default", "web", [("10.244.0.5", "node-a", True),
                                                       ("10.244.1.7", "node-b", False, True, True)])
    node = fa.make_node("node-a", True, internal_ip=["192.168.1.10", "fd00::10"])
    cordoned = fa.make_node("node-b", "Unknown", unschedulable=True)
    cidr = fa.make_servicecidr("kubernetes", ["10.96.0.0/12", "fd00:10:96::/112"])
    kubeadm = fa.make_kubeadm_config("10.96.0.0/12,fd00:10:96::/112")
    gone = fa.status_object(410, "Expired", "too old resource version: 1 (300)")
    objects = [("service", svc), ("service-dual", dual), ("service-headless", headless),
               ("endpointslice", slice_), ("node", node), ("node-cordoned", cordoned),
               ("servicecidr", cidr), ("kubeadm-config", kubeadm), ("status-gone", gone)]
    lists = [("list-services", {"kind": "ServiceList", "apiVersion": "v1",
                                "metadata": {"resourceVersion": "1000", "continue": "abc"},
                                "items": [svc, dual]}),
             ("list-endpointslices", {"kind": "EndpointSliceList", "metadata": {"resourceVersion": "1001"},
                                      "items": [slice_]}),
             ("list-nodes", {"kind": "NodeList", "metadata": {"resourceVersion": "1002"}, "items": [node]}),
             ("list-servicecidrs", {"kind": "ServiceCIDRList", "metadata": {"resourceVersion": "1003"},
                                    "items": [cidr]})]
    events = [("watch-added", {"type": "ADDED", "object": svc}),
              ("watch-modified-slice", {"type": "MODIFIED", "object": slice_}),
              ("watch-deleted-node", {"type": "DELETED", "object": node}),
              ("watch-bookmark", {"type": "BOOKMARK", "object": {"kind": "Service", "apiVersion": "v1",
                                  "metadata": {"resourceVersion": "1200",
                                               "annotations": {"k8s.io/initial-events-end": "true"}}}}),
              ("watch-error", {"type": "ERROR", "object": gone})]
    return objects + lists + events


def k8s_seeds() -> dict[str, bytes]:
    seeds: dict[str, bytes] = {}
    for name, obj in fake_apiserver_objects():
        seeds[f"fake_apiserver-{name}"] = json.dumps(obj, separators=(",", ":")).encode()
    for line, text in raw_strings(ROOT / "tests/unit/k8s/object_decoder_test.cpp"):
        if text.lstrip().startswith("{"):
            seeds[f"object_decoder_test-{line}"] = text.encode()
    return seeds


def configmap_config() -> str:
    """The config.yaml block of deploy/configmap.yaml, unindented."""
    lines = (ROOT / "deploy/configmap.yaml").read_text().splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "config.yaml: |") + 1
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = []
    for l in lines[start:]:
        if l.strip() and len(l) - len(l.lstrip()) < indent:
            break
        block.append(l[indent:])
    return "\n".join(block) + "\n"


def readme_yaml() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def config_seeds() -> dict[str, bytes]:
    seeds: dict[str, bytes] = {"deploy-configmap": configmap_config().encode()}
    for i, block in enumerate(readme_yaml()):
        seeds[f"readme-{i}"] = block.encode()
    for test in ["loader_test", "printer_test"]:
        path = ROOT / f"tests/unit/config/{test}.cpp"
        for line, text in raw_strings(path):
            seeds[f"{test}-{line}"] = text.encode()
    # Whole documents written as ordinary strings: they start with a top-level key.
    top = re.compile(r"(node|advertise|bgp|ospf|kubernetes|http|log):")
    for line, text in plain_strings(ROOT / "tests/unit/config/loader_test.cpp"):
        if top.match(text) and len(seeds) < 60:
            seeds[f"loader_test-{line}"] = text.encode()
    return seeds


def write(target: str, seeds: dict[str, bytes]) -> None:
    folder = OUT / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # findings (minimized crash inputs) are kept; they are not generated
        if not old.name.startswith("finding-"):
            old.unlink()
    seen = set()
    for name, data in sorted(seeds.items()):
        if data in seen or not data:
            continue
        seen.add(data)
        (folder / name).write_bytes(data)
    print(f"{target}: {len(seen)} seeds, {sum(len(d) for d in seen)} bytes")


def main() -> None:
    write("bgp_decode_fuzz", bgp_seeds())
    write("ospf_decode_fuzz", ospf_seeds())
    write("k8s_decode_fuzz", k8s_seeds())
    write("config_load_fuzz", config_seeds())


if __name__ == "__main__":
    main()
