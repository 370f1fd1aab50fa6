"""gobgpd as a stand-in node speaker: proves the harness against a known-good BGP speaker.

It plays the daemon's part of the contract, including the graceful stop (GRACEFUL_SHUTDOWN
community, drain, withdrawal, Cease with a shutdown message), driven through the gobgp CLI.
"""
import os
import threading
import time

from netns import sh
from poll import wait_for
from process import Process

API = "127.0.0.1:50051"  # each node namespace has its own loopback, so the port never clashes


class GobgpNode:
    kind = "gobgp"

    def __init__(self, host, workdir, asn, peers, prefixes, drain_time="1s"):
        self.host, self.name, self.peers, self.prefixes = host, host.name, peers, prefixes
        self.drain = float(drain_time.rstrip("s"))
        self.conf = os.path.join(workdir, f"{self.name}-gobgp.toml")
        self.log = os.path.join(workdir, f"{self.name}-gobgp.log")
        text = f'[global.config]\n  as = {asn}\n  router-id = "{host.v4}"\n  port = 179\n'
        for p in peers:
            family = "ipv6-unicast" if ":" in p["address"] else "ipv4-unicast"
            text += (f'[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "{p["address"]}"\n'
                     f'    peer-as = {p["asn"]}\n'
                     f'  [neighbors.timers.config]\n    connect-retry = 1\n    hold-time = 9\n'
                     f'    keepalive-interval = 3\n'
                     f'  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n'
                     f'      afi-safi-name = "{family}"\n')
        with open(self.conf, "w") as f:
            f.write(text)
        self.process = None
        self._stopping = None
        self.exit_wall = None
        self._rc = None

    def gobgp(self, *args):
        host, port = API.split(":")
        return sh(*self.host.ns.argv("gobgp", "-u", host, "-p", port, *args), timeout=10)

    def _announce(self, communities=()):
        for prefix in self.prefixes:
            extra = ["community", ",".join(communities)] if communities else []
            self.gobgp("global", "rib", "add", "-a", "ipv6" if ":" in prefix else "ipv4", prefix, *extra)

    def start(self):
        self.process = Process(self.host.ns, ["gobgpd", "-f", self.conf, "--api-hosts", API], self.log)
        wait_for("gobgpd's API", lambda: self.process.assert_running() and self.gobgp("global"), timeout=15)
        self._announce()

    @property
    def started(self):
        return self.process.started

    def _drain_and_leave(self):
        self._announce(["65535:0"])               # re-advertise with GRACEFUL_SHUTDOWN
        time.sleep(self.drain)                    # the drain period
        for prefix in self.prefixes:
            self.gobgp("global", "rib", "del", "-a", "ipv6" if ":" in prefix else "ipv4", prefix)
        time.sleep(0.3)                           # let the router take the withdrawal in
        for p in self.peers:
            self.gobgp("neighbor", p["address"], "shutdown", "--reason", "gobgp stand-in stopping")
        time.sleep(0.3)                           # the Cease leaves before the socket closes
        self.process.stop()
        self._rc = 0                              # gobgpd's own SIGTERM status is not the contract
        self.exit_wall = time.time()

    def graceful_stop(self):
        self._stopping = threading.Thread(target=self._drain_and_leave, daemon=True)
        self._stopping.start()

    def running(self):
        return self._stopping.is_alive() if self._stopping else self.process.running()

    def wait(self, timeout):
        if self._stopping:
            self._stopping.join(timeout)
            return None if self._stopping.is_alive() else self._rc
        return self.process.wait(timeout)

    def stop(self):
        if self.process:
            self.process.stop()

    def logs(self):
        return [(f"{self.name} gobgpd config", self.conf), (f"{self.name} gobgpd log", self.log)]
