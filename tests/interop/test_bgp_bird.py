"""clusterip-speaker against BIRD 2 as the upstream router, the daemon on the nodes."""
import unittest

from lab import LabTestCase, require
from scenarios import BgpScenarios


def setUpModule():
    require("bird", "speaker")


class BirdWithClusteripSpeaker(BgpScenarios, LabTestCase):
    router_kind, node_kind = "bird", "speaker"


if __name__ == "__main__":
    unittest.main(verbosity=2)
