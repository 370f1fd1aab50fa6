"""A LAN host flooding the daemon's HTTP endpoint, for test_http_flood.py. Runs inside a namespace
(`ip netns exec`), from one source address, for a bounded time:

    idle       connections opened and never written to (reopened whenever the daemon closes them)
    slowloris  connections that send a request head one byte every `--trickle` seconds, never ending it

Prints one JSON line at the end: how many connections were opened and how many the daemon closed.
"""
import argparse
import json
import selectors
import socket
import time

HEAD = b"GET /status?routes=all HTTP/1.1\r\nHost: x\r\n" + b"X-Padding: " + b"a" * 4000


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--source", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--idle", type=int, default=400)
    p.add_argument("--slowloris", type=int, default=100)
    p.add_argument("--seconds", type=float, default=25)
    p.add_argument("--trickle", type=float, default=1.0)
    a = p.parse_args()

    sel = selectors.DefaultSelector()
    stats = {"opened": 0, "closed_by_daemon": 0, "connect_failures": 0, "max_open": 0}
    conns = {}  # socket -> [kind, bytes sent]

    def open_one(kind):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((a.source, 0))
        s.settimeout(2)
        try:
            s.connect((a.target, a.port))
        except OSError:
            stats["connect_failures"] += 1
            s.close()
            return
        s.setblocking(False)
        stats["opened"] += 1
        conns[s] = [kind, 0]
        sel.register(s, selectors.EVENT_READ)

    deadline = time.monotonic() + a.seconds
    next_trickle = time.monotonic()
    while time.monotonic() < deadline:
        want = {"idle": a.idle, "slowloris": a.slowloris}
        for kind, n in want.items():
            have = sum(1 for k, _ in conns.values() if k == kind)
            for _ in range(n - have):
                if time.monotonic() >= deadline:
                    break
                open_one(kind)
        stats["max_open"] = max(stats["max_open"], len(conns))
        if time.monotonic() >= next_trickle:
            next_trickle = time.monotonic() + a.trickle
            for s, state in list(conns.items()):
                if state[0] == "slowloris" and state[1] < len(HEAD):
                    try:
                        s.send(HEAD[state[1]:state[1] + 1])
                        state[1] += 1
                    except OSError:
                        pass
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:  # closed or reset by the daemon
                stats["closed_by_daemon"] += 1
                sel.unregister(s)
                conns.pop(s, None)
                s.close()
    for s in list(conns):
        s.close()
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    main()
