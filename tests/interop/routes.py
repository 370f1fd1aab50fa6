"""What the tests ask routers about, in one shape for BIRD and FRR alike."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

GRACEFUL_SHUTDOWN = (65535, 0)  # RFC 8326


@dataclass(frozen=True)
class Peer:
    """A BGP neighbour as the router sees it: a node."""
    name: str        # e.g. node1; BIRD's protocol name
    address: str     # the node's address
    local: str       # the router's address on that session
    asn: int


@dataclass(frozen=True)
class Path:
    """One path for a prefix in the router's BGP RIB."""
    peer: str                  # address of the neighbour that sent it
    next_hop: str
    communities: frozenset = field(default_factory=frozenset)  # of (asn, value)
    local_pref: Optional[int] = None


@dataclass(frozen=True)
class Cease:
    """The last NOTIFICATION the router received from a neighbour."""
    reason: str      # e.g. "Administrative shutdown"
    message: str     # the RFC 9003 shutdown communication, "" if none

    @property
    def is_admin_shutdown(self):
        return "administrative shutdown" in self.reason.lower()


@dataclass(frozen=True)
class LogEvent:
    """A line of the router's log that matters for ordering: a withdrawal or a received Cease."""
    when: datetime
    kind: str        # "withdraw" | "cease"
    line: str


def kernel_next_hops(ns, prefix):
    """The gateways of prefix in the namespace's kernel FIB (all of them for an ECMP route)."""
    routes = ns.ip_json("-6" if ":" in prefix else "-4", "route", "show", "exact", prefix)
    hops = set()
    for r in routes:
        if "gateway" in r:
            hops.add(r["gateway"])
        for nh in r.get("nexthops", []):
            if "gateway" in nh:
                hops.add(nh["gateway"])
    return hops
