"""A LAN host floods the HTTP endpoint (docs/security.md, "The HTTP endpoint"): from one address it
holds 400 idle and 100 slowloris connections to the endpoint on 0.0.0.0 for 25 s, reopening each
one the daemon closes. Meanwhile:

    another LAN address scrapes /metrics          every answer within 2 s (curl -m 2), 200
    the probes of deploy/daemonset.yaml            /readyz and /healthz, from the node itself to
                                                   its own address as the kubelet does: all 200
    the BGP session with BIRD                      never leaves Established (one transition)
    the daemon's RSS                               grows by less than 32 MB

    router namespace: BIRD + the scraper (10.0.1.1) + the flooder (10.0.1.66) on the LAN bridge
      |-- node1: clusterip-speaker, http.listen 0.0.0.0:19474
"""
import json
import os
import re
import subprocess
import sys
import time
import unittest

from lab import ROUTER_V4, LabTestCase, require
from poll import wait_for
from routes import Peer

HERE = os.path.dirname(os.path.abspath(__file__))
FLOOD = os.path.join(HERE, "http_flood.py")
ROUTER_ASN, NODE_ASN = 64512, 64513
PORT = 19474
FLOODER = "10.0.1.66"
SERVICE_V4 = "10.96.0.0/12"
SECONDS = 25
# The flood may not grow the daemon's RSS by more than this (it idles at ~10 MB; ~130 MB under
# ASan, whose shadow memory is no growth).
RSS_GROWTH_BOUND_KB = 32 * 1024


def setUpModule():
    require("bird", "speaker")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


class HttpFlood(LabTestCase):
    def test_one_flooding_address_starves_only_itself(self):
        host = self.lab.add_host()
        router = self.lab.start_router("bird", ROUTER_ASN, [Peer(host.name, host.v4, ROUTER_V4, NODE_ASN)])
        self.lab.router_ns.add_address("lan", f"{FLOODER}/24")
        node = self.lab.start_node("speaker", host, NODE_ASN, [{"address": ROUTER_V4, "asn": ROUTER_ASN}],
                                   [SERVICE_V4], sections={"http": {"listen": f"0.0.0.0:{PORT}"}})
        wait_for("BIRD's session Established", lambda: router.established(host.v4), timeout=30)
        base = f"http://{host.v4}:{PORT}"
        wait_for("/readyz 200", lambda: host.ns.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2",
                                                    f"{base}/readyz", check=False).strip() == "200", timeout=30)
        rss_before = rss_kb(node.process.pid)

        flood = subprocess.Popen(self.lab.router_ns.argv(sys.executable, FLOOD, "--source", FLOODER, "--target",
                                                         host.v4, "--port", str(PORT), "--idle", "400",
                                                         "--slowloris", "100", "--seconds", str(SECONDS)),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: flood.poll() is None and flood.kill())
        time.sleep(2)  # let the flood fill its share first

        scrapes = probes = 0
        rss_max = rss_before
        failures = []
        deadline = time.monotonic() + SECONDS - 4
        while time.monotonic() < deadline:
            # Prometheus on another LAN address.
            code = self.lab.router_ns.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2",
                                          f"{base}/metrics", check=False).strip()
            scrapes += 1
            if code != "200":
                failures.append(f"/metrics from {ROUTER_V4}: {code or 'no answer within 2 s'}")
            # The kubelet: from this node to its own address, the way it probes a hostNetwork pod.
            for path in ("/readyz", "/healthz"):
                code = host.ns.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2",
                                   f"{base}{path}", check=False).strip()
                probes += 1
                if code != "200":
                    failures.append(f"{path} from {host.v4}: {code or 'no answer within 2 s'}")
            self.assertTrue(router.established(host.v4), "BIRD's session left Established during the flood")
            self.assertTrue(node.running(), "the daemon exited during the flood")
            rss_max = max(rss_max, rss_kb(node.process.pid))
            time.sleep(0.5)

        out, err = flood.communicate(timeout=SECONDS + 30)
        self.assertEqual(flood.returncode, 0, err)
        stats = json.loads(out.strip().splitlines()[-1])
        status = json.loads(host.ns.run("curl", "-s", "-m", "2", f"{base}/status"))
        transitions = status["bgp"]["peers"][0]["counters"]["established_transitions"]
        lab_report = (f"flood {stats}; {scrapes} scrapes, {probes} probes, {len(failures)} failed; "
                      f"RSS {rss_before} kB before, {rss_max} kB at most; established_transitions {transitions}")
        print(f"\nTIMING http_flood: {lab_report}", file=sys.stderr, flush=True)
        self.assertEqual(failures, [], lab_report)
        self.assertGreater(stats["opened"], 500, f"the flood never got going: {stats}")
        self.assertGreater(stats["closed_by_daemon"], 0, f"the daemon never closed a flooding connection: {stats}")
        self.assertEqual(transitions, 1, "the BGP session flapped")
        self.assertLess(rss_max - rss_before, RSS_GROWTH_BOUND_KB, lab_report)
        with open(node.log, errors="replace") as f:
            self.assertRegex(f.read(), r"http: refused \d+ connection\(s\) over the per-client limits")


if __name__ == "__main__":
    unittest.main(verbosity=2)
