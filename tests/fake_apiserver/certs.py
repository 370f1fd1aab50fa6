"""Throwaway PKI for the fake Kubernetes API server, made with the `openssl` CLI.

    from certs import make_pki, write_kubeconfig
    pki = make_pki("/tmp/dir", extra_ips=["10.0.0.1"])
    pki.ca_crt, pki.server_crt, pki.server_key, pki.client_crt, pki.client_key

What it writes into DIR (all PEM):
    ca.crt ca.key                 the cluster CA (CN=fake-kubernetes-ca), like kubeadm's ca.crt
    apiserver.crt apiserver.key   server cert, SANs: 127.0.0.1, ::1, localhost, kubernetes,
                                  kubernetes.default[.svc[.cluster.local]], 10.96.0.1 + extra_ips/names
    client.crt client.key         client cert signed by the CA (CN=clusterip-speaker, O=clusterip-speaker)
    untrusted-ca.crt, untrusted-client.crt/.key   (only with untrusted=True) a client cert from
                                  another CA, which the server must refuse at the handshake
Keys are RSA 2048 (what kubeadm makes) unless key_type="ec" (P-256, faster).

Run as a script it prints the paths:  python3 certs.py DIR [--extra-ip IP ...]
"""
from __future__ import annotations

import argparse
import base64
import dataclasses
import os
import secrets
import subprocess
import tempfile

__all__ = ["Pki", "make_pki", "write_kubeconfig", "write_serviceaccount_dir"]


@dataclasses.dataclass
class Pki:
    dir: str
    ca_crt: str
    ca_key: str
    server_crt: str
    server_key: str
    client_crt: str
    client_key: str
    client_cn: str
    untrusted_ca_crt: str | None = None
    untrusted_client_crt: str | None = None
    untrusted_client_key: str | None = None


def _run(args: list[str], cwd: str) -> None:
    proc = subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=60, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): "
                           f"{proc.stderr.decode(errors='replace').strip()}")


def _newkey_args(key_type: str) -> list[str]:
    if key_type == "ec":
        return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    return ["-newkey", "rsa:2048"]


def _make_ca(d: str, name: str, cn: str, key_type: str, days: int) -> tuple[str, str]:
    crt, key = os.path.join(d, f"{name}.crt"), os.path.join(d, f"{name}.key")
    _run(["openssl", "req", "-x509", *_newkey_args(key_type), "-nodes", "-keyout", key, "-out", crt,
          "-days", str(days), "-subj", f"/CN={cn}", "-sha256",
          "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
          "-addext", "subjectKeyIdentifier=hash"], d)
    os.chmod(key, 0o600)
    return crt, key


def _make_leaf(d: str, name: str, subj: str, ext_lines: list[str], ca_crt: str, ca_key: str,
               key_type: str, days: int) -> tuple[str, str]:
    crt, key, csr = (os.path.join(d, f"{name}.{x}") for x in ("crt", "key", "csr"))
    ext = os.path.join(d, f"{name}.ext")
    with open(ext, "w", encoding="ascii") as f:
        f.write("\n".join(ext_lines) + "\n")
    _run(["openssl", "req", *_newkey_args(key_type), "-nodes", "-keyout", key, "-out", csr,
          "-subj", subj, "-sha256"], d)
    _run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
          "-set_serial", "0x" + secrets.token_hex(8), "-days", str(days), "-sha256",
          "-extfile", ext, "-out", crt], d)
    os.chmod(key, 0o600)
    os.unlink(csr)
    os.unlink(ext)
    return crt, key


def make_pki(directory: str | None = None, extra_ips: list[str] | tuple[str, ...] = (),
             extra_names: list[str] | tuple[str, ...] = (), client_cn: str = "clusterip-speaker",
             client_groups: list[str] | tuple[str, ...] = ("clusterip-speaker",),
             key_type: str = "rsa", days: int = 2, untrusted: bool = False) -> Pki:
    """Make a CA, a server cert and a client cert in `directory` (a new temp dir if None)."""
    d = os.path.abspath(directory or tempfile.mkdtemp(prefix="fake-apiserver-pki-"))
    os.makedirs(d, exist_ok=True)
    ca_crt, ca_key = _make_ca(d, "ca", "fake-kubernetes-ca", key_type, days)
    sans = ["IP:127.0.0.1", "IP:::1", "DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default",
            "DNS:kubernetes.default.svc", "DNS:kubernetes.default.svc.cluster.local", "IP:10.96.0.1"]
    sans += [f"IP:{ip}" for ip in extra_ips if f"IP:{ip}" not in sans]
    sans += [f"DNS:{n}" for n in extra_names]
    server_crt, server_key = _make_leaf(
        d, "apiserver", "/CN=kube-apiserver",
        ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment",
         "extendedKeyUsage=serverAuth", "subjectAltName=" + ",".join(sans)],
        ca_crt, ca_key, key_type, days)
    subj = "".join(f"/O={g}" for g in client_groups) + f"/CN={client_cn}"
    client_ext = ["basicConstraints=critical,CA:FALSE",
                  "keyUsage=critical,digitalSignature,keyEncipherment", "extendedKeyUsage=clientAuth"]
    client_crt, client_key = _make_leaf(d, "client", subj, client_ext, ca_crt, ca_key, key_type, days)
    pki = Pki(d, ca_crt, ca_key, server_crt, server_key, client_crt, client_key, client_cn)
    if untrusted:
        u_ca, u_key = _make_ca(d, "untrusted-ca", "some-other-ca", key_type, days)
        pki.untrusted_ca_crt = u_ca
        pki.untrusted_client_crt, pki.untrusted_client_key = _make_leaf(
            d, "untrusted-client", subj, client_ext, u_ca, u_key, key_type, days)
    return pki


def _b64file(path: str) -> str:
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode("ascii")


def write_kubeconfig(path: str, server_url: str, pki: Pki, token: str | None = None,
                     client_cert: bool = False, inline: bool = True, token_file: str | None = None,
                     namespace: str = "default") -> str:
    """Write a kubeconfig (YAML, as kubeadm/kubectl write it) for `server_url`.

    token: `user.token`; token_file: `user.tokenFile`; client_cert: client-certificate(-data) and
    client-key(-data). inline=True embeds *-data (base64 PEM); False points at the files."""
    if inline:
        cluster = [f"    certificate-authority-data: {_b64file(pki.ca_crt)}"]
    else:
        cluster = [f"    certificate-authority: {pki.ca_crt}"]
    user: list[str] = []
    if client_cert:
        if inline:
            user += [f"    client-certificate-data: {_b64file(pki.client_crt)}",
                     f"    client-key-data: {_b64file(pki.client_key)}"]
        else:
            user += [f"    client-certificate: {pki.client_crt}", f"    client-key: {pki.client_key}"]
    if token is not None:
        user.append(f"    token: {token}")
    if token_file is not None:
        user.append(f"    tokenFile: {token_file}")
    if not user:
        user = ["    {}"]
        user_block = "  user: {}"
    else:
        user_block = "  user:\n" + "\n".join(user)
    text = "\n".join([
        "apiVersion: v1",
        "clusters:",
        "- cluster:",
        *cluster,
        f"    server: {server_url}",
        "  name: fake",
        "contexts:",
        "- context:",
        "    cluster: fake",
        f"    namespace: {namespace}",
        "    user: fake-user",
        "  name: fake",
        "current-context: fake",
        "kind: Config",
        "preferences: {}",
        "users:",
        "- name: fake-user",
        user_block,
    ]) + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def write_serviceaccount_dir(directory: str, pki: Pki, token: str, namespace: str = "kube-system") -> str:
    """Write what a Pod sees in /var/run/secrets/kubernetes.io/serviceaccount: token, ca.crt, namespace."""
    os.makedirs(directory, exist_ok=True)
    for name, content in (("token", token), ("namespace", namespace)):
        tmp = os.path.join(directory, f".{name}.tmp")
        with open(tmp, "w", encoding="ascii") as f:
            f.write(content)
        os.replace(tmp, os.path.join(directory, name))
    with open(pki.ca_crt, "rb") as src, open(os.path.join(directory, "ca.crt"), "wb") as dst:
        dst.write(src.read())
    return directory


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--extra-ip", action="append", default=[])
    ap.add_argument("--key-type", choices=["rsa", "ec"], default="rsa")
    args = ap.parse_args()
    pki = make_pki(args.dir, extra_ips=args.extra_ip, key_type=args.key_type)
    for k, v in dataclasses.asdict(pki).items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
