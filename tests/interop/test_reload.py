"""Config reload against a real BIRD: a good change is applied without touching an unchanged
session, a bad file is refused with its errors and the old config keeps running, an unchanged
file does nothing, a changed peer reconnects, and a peer added by reload comes up."""
import os
import re
import signal
import time
import unittest

from lab import ROUTER_V4, LabTestCase, report, require
from poll import wait_for
from routes import Peer
from speaker import config_yaml

ROUTER_ASN, NODE_ASN = 64512, 64513
SERVICE_V4, EXTRA = "10.96.0.0/12", "192.0.2.0/24"


def setUpModule():
    require("bird", "speaker")


class Reload(LabTestCase):
    def write_config(self, node, prefixes, **peer_options):
        """Replace the node's config the way a ConfigMap update does: a new file renamed over the old."""
        peer = {"address": ROUTER_V4, "asn": ROUTER_ASN, **peer_options}
        text = config_yaml(node.name, node.host.v4, NODE_ASN, [peer], prefixes, "1s")
        self.write_raw(node, text)

    @staticmethod
    def write_raw(node, text):
        tmp = node.conf + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, node.conf)

    def log(self, node):
        with open(node.log, errors="replace") as f:
            return f.read()

    def established_count(self, node):
        return len(re.findall(r"-> Established", self.log(node)))

    def wait_log(self, node, pattern, what, offset=0):
        return wait_for(what, lambda: re.search(pattern, self.log(node)[offset:]), timeout=15)

    def wait_rib(self, router, prefix, present, what):
        wait_for(what, lambda: router.rib(prefix), until=lambda paths: bool(paths) == present, timeout=15)

    def test_reload(self):
        host = self.lab.add_host()
        router = self.lab.start_router("bird", ROUTER_ASN, [Peer(host.name, host.v4, ROUTER_V4, NODE_ASN)])
        node = self.lab.start_node("speaker", host, NODE_ASN, [{"address": ROUTER_V4, "asn": ROUTER_ASN}], [SERVICE_V4])
        self.wait_rib(router, SERVICE_V4, True, "the Service CIDR at the router")
        self.assertEqual(self.established_count(node), 1)

        # 1. A new prefix by file change (inotify): advertised, the session untouched.
        t0 = time.monotonic()
        self.write_config(node, [SERVICE_V4, EXTRA])
        self.wait_rib(router, EXTRA, True, "the prefix added by reload")
        report(f"file changed -> new prefix at the router {time.monotonic() - t0:.2f}s")
        self.assertEqual(self.established_count(node), 1, "an unchanged session was reset by the reload")

        # 2. A bad file: refused with its errors, nothing changes.
        with open(node.conf) as f:
            good = f.read()
        self.write_raw(node, good.replace("node:", "nodes:"))
        self.wait_log(node, r"keeping the running configuration", "the bad config to be refused")
        self.assertRegex(self.log(node), r"reload: .*:1:1: nodes: unknown key")

        # 3. The good file back, and SIGHUP: "unchanged", a no-op. It is also what shows that the bad
        # file changed nothing: the daemon handles reloads in order, so by the time it compares the
        # good file with what runs (and finds them equal) the bad one is done with, and had it
        # changed anything, this would not be "unchanged" and the router would have seen it.
        offset = len(self.log(node))
        self.write_config(node, [SERVICE_V4, EXTRA])
        node.process.signal(signal.SIGHUP)
        self.wait_log(node, r"configuration unchanged", "a reload of an unchanged config", offset)
        self.assertNotRegex(self.log(node)[offset:], r"reload: applied",
                            "the good file after a bad one changed something")
        self.assertTrue(router.rib(SERVICE_V4) and router.rib(EXTRA), "a bad reload changed the routes")
        self.assertEqual([e for prefix in (SERVICE_V4, EXTRA) for e in router.log_events(host.v4, prefix)], [],
                         "the router saw a withdrawal or a Cease during the bad reload")
        self.assertTrue(node.running())
        self.assertEqual(self.established_count(node), 1)

        # 4. The peer's settings change: that session reconnects; the removed prefix goes.
        self.write_config(node, [SERVICE_V4], hold_time="30s", keepalive_time="10s")
        wait_for("the changed peer to reconnect", lambda: self.established_count(node), until=lambda n: n == 2,
                 timeout=20)
        self.wait_rib(router, EXTRA, False, "the prefix removed by reload to be withdrawn")
        self.wait_rib(router, SERVICE_V4, True, "the Service CIDR back after the reconnect")
        self.assertTrue(node.running())

    def test_static_file(self):
        """advertise.static_file, beside the config (a relative path): read at start, re-read when
        it changes (it sits in the config's watched directory) and on SIGHUP; a bad line refuses
        the reload, naming the file and the line."""
        host = self.lab.add_host()
        router = self.lab.start_router("bird", ROUTER_ASN, [Peer(host.name, host.v4, ROUTER_V4, NODE_ASN)])
        peers = [{"address": ROUTER_V4, "asn": ROUTER_ASN}]
        listed = os.path.join(self.lab.workdir, "static.txt")
        with open(listed, "w") as f:
            f.write(f"# from a file\n{EXTRA}\n\n198.51.100.7   # a bare address: a /32\n")
        node = self.lab.start_node("speaker", host, NODE_ASN, peers, [SERVICE_V4],
                                   sections={"advertise": {"static_file": "static.txt"}})
        self.assertEqual(os.path.dirname(node.conf), self.lab.workdir)  # so "static.txt" is beside it
        self.wait_rib(router, EXTRA, True, "the file's prefix at the router")
        self.wait_rib(router, "198.51.100.7/32", True, "the file's host route at the router")

        # The file edited, no signal: one prefix goes, one comes.
        with open(listed, "w") as f:
            f.write("198.51.100.7/32\n203.0.113.0/24\n")
        self.wait_rib(router, "203.0.113.0/24", True, "the prefix added to the file")
        self.wait_rib(router, EXTRA, False, "the prefix removed from the file")

        # And again with SIGHUP.
        with open(listed, "w") as f:
            f.write("198.51.100.7/32\n203.0.113.0/24\n192.0.2.0/24\n")
        node.process.signal(signal.SIGHUP)
        self.wait_rib(router, "192.0.2.0/24", True, "the prefix added to the file")

        # A bad line: the reload is refused with file:line and the text; the routes stay.
        offset = len(self.log(node))
        with open(listed, "w") as f:
            f.write("198.51.100.7/32\nnot a prefix\n")
        node.process.signal(signal.SIGHUP)
        self.wait_log(node, r"keeping the running configuration", "the bad static file to be refused", offset)
        self.assertIn(f'{listed}:2:1: advertise.static_file: expected a prefix like 10.96.0.0/12, got "not a prefix"',
                      self.log(node)[offset:])
        self.assertTrue(router.rib("203.0.113.0/24"), "a refused reload changed the routes")
        self.assertTrue(node.running())


if __name__ == "__main__":
    unittest.main()
