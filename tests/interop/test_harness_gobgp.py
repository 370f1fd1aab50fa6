"""The harness proved on a known-good speaker: the same scenarios with gobgpd playing the node.

If these pass and test_bgp_* fail, the difference is the daemon, not the harness.
"""
import unittest

from lab import LabTestCase, require
from scenarios import BgpScenarios


def setUpModule():
    require("bird", "gobgp")
    require("frr", "gobgp")


class BirdWithGobgp(BgpScenarios, LabTestCase):
    router_kind, node_kind = "bird", "gobgp"


class FrrWithGobgp(BgpScenarios, LabTestCase):
    router_kind, node_kind = "frr", "gobgp"


if __name__ == "__main__":
    unittest.main(verbosity=2)
