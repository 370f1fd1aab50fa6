"""clusterip-speaker against FRR (zebra + bgpd) as the upstream router, the daemon on the nodes."""
import unittest

from lab import LabTestCase, require
from scenarios import BgpScenarios


def setUpModule():
    require("frr", "speaker")


class FrrWithClusteripSpeaker(BgpScenarios, LabTestCase):
    router_kind, node_kind = "frr", "speaker"


if __name__ == "__main__":
    unittest.main(verbosity=2)
