"""The daemon explains itself: its HTTP endpoint (/healthz /readyz /metrics) and the `status` and
`explain` subcommands, against BIRD 2 as the upstream router."""
import json
import subprocess
import unittest

from lab import ROUTER_V4, LabTestCase, require
from poll import wait_for
from routes import Peer
from scenarios import NODE_ASN, ROUTER_ASN, SERVICE_V4
from speaker import binary

LISTEN = "127.0.0.1:9474"  # inside the node's namespace: no clash with anything else


def setUpModule():
    require("bird", "speaker")


class Observability(LabTestCase):
    def get(self, host, path):
        """(HTTP status, body) of a GET to the daemon, from inside the node's namespace."""
        out = host.ns.run("curl", "-s", "-m", "5", "-w", "\n%{http_code}", f"http://{LISTEN}{path}", check=False)
        body, _, code = out.rpartition("\n")
        return int(code or 0), body

    def cli(self, host, node, *args):
        """The CLI run as an operator on the node would: (exit code, stdout, stderr)."""
        r = subprocess.run(host.ns.argv(binary(), *args[:1], "-c", node.conf, *args[1:]), capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout, r.stderr

    def test_endpoint_and_cli(self):
        host = self.lab.add_host()
        node = self.lab.start_node("speaker", host, NODE_ASN, [{"address": ROUTER_V4, "asn": ROUTER_ASN}],
                                   [SERVICE_V4], sections={"http": {"listen": LISTEN}})

        # Alive at once; not ready while no router answers.
        wait_for("/healthz 200", lambda: node.process.assert_running() and self.get(host, "/healthz"),
                 until=lambda r: r[0] == 200, timeout=10)
        code, body = self.get(host, "/readyz")
        self.assertEqual(code, 503, body)
        self.assertIn("no BGP session Established", body)
        code, out, _ = self.cli(host, node, "status")
        self.assertEqual(code, 0)
        self.assertRegex(out, r"10\.0\.1\.1\s+BGP\s+(Idle|Connect|Active)")

        router = self.lab.start_router("bird", ROUTER_ASN, [Peer(host.name, host.v4, ROUTER_V4, NODE_ASN)])
        wait_for("BIRD Established", lambda: router.established(host.v4), timeout=30)
        wait_for("/readyz 200", lambda: self.get(host, "/readyz"), until=lambda r: r[0] == 200, timeout=10)

        metrics = wait_for("metrics with the session up",
                           lambda: self.get(host, "/metrics")[1],
                           until=lambda t: 'clusterip_speaker_bgp_session_up{peer="10.0.1.1"} 1' in t.splitlines(),
                           timeout=10)
        lines = metrics.splitlines()
        self.assertIn('clusterip_speaker_advertised_routes{kind="service_cidr"} 1', lines)
        self.assertIn('clusterip_speaker_bgp_session_state{peer="10.0.1.1",state="Established"} 1', lines)
        self.assertIn('clusterip_speaker_build_info{version="0.1.0"} 1', lines)
        self.assertTrue(any(l.startswith("clusterip_speaker_plan_duration_seconds_count ") for l in lines))

        code, out, err = self.cli(host, node, "status")
        self.assertEqual(code, 0, err)
        print("\n" + out)
        self.assertRegex(out, r"10\.0\.1\.1\s+BGP\s+Established\s+\d\d:\d\d:\d\d\s+AS64512")
        self.assertRegex(out, r"10\.96\.0\.0/12\s+service_cidr\s+Service CIDR \(config\)")

        code, out, err = self.cli(host, node, "status", "--json")
        self.assertEqual(code, 0, err)
        status = json.loads(out)
        self.assertEqual(status["bgp"]["peers"][0]["state"], "Established")
        self.assertEqual(status["bgp"]["peers"][0]["advertised"]["ipv4"], 1)
        self.assertTrue(status["ready"])

        code, out, err = self.cli(host, node, "explain", "10.96.0.10")
        self.assertEqual(code, 0, err)
        print(out)
        self.assertIn("10.96.0.10: advertised: covered by 10.96.0.0/12 (Service CIDR (config))", out)
        code, out, err = self.cli(host, node, "explain", "192.0.2.1")
        self.assertEqual(code, 0, err)
        print(out)
        self.assertIn("192.0.2.1: not advertised: not a Service address and outside every advertised prefix", out)
        code, out, err = self.cli(host, node, "explain", "192.0.2.1", "--json")
        self.assertEqual(json.loads(out)["advertised"], False)

        # Nobody listening there: a clear error, exit 1.
        r = subprocess.run(host.ns.argv(binary(), "status", "--http", "127.0.0.1:9"), capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot reach clusterip-speaker at 127.0.0.1:9", r.stderr)

    def test_bind_failure_is_not_fatal(self):
        host = self.lab.add_host()
        # Something else holds the port: the daemon logs it and still advertises.
        blocker = subprocess.Popen(host.ns.argv("python3", "-c",
                                                "import socket,time; s=socket.socket(); s.bind(('127.0.0.1', 9474));"
                                                " s.listen(); time.sleep(60)"), stdin=subprocess.DEVNULL)
        self.addCleanup(lambda: (blocker.kill(), blocker.wait()))
        wait_for("the blocker listening", lambda: "127.0.0.1:9474" in host.ns.run("ss", "-ltn"), timeout=10)
        router = self.lab.start_router("bird", ROUTER_ASN, [Peer(host.name, host.v4, ROUTER_V4, NODE_ASN)])
        node = self.lab.start_node("speaker", host, NODE_ASN, [{"address": ROUTER_V4, "asn": ROUTER_ASN}],
                                   [SERVICE_V4], sections={"http": {"listen": LISTEN}})
        wait_for(f"{SERVICE_V4} at BIRD", lambda: node.process.assert_running() and router.rib(SERVICE_V4),
                 until=bool, timeout=30)
        with open(node.log) as f:
            self.assertIn("http: cannot listen on 127.0.0.1:9474", f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
