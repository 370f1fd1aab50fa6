"""A stand-in for kube-proxy's two HTTP endpoints, run inside a node's network namespace.

    /healthz   on --healthz-listen (127.0.0.1:10256): 200 and kube-proxy's JSON while healthy,
               503 while unhealthy (kube-proxy answers 503 when its rules are stale)
    /livez     same
    /proxyMode on --metrics-listen (127.0.0.1:10249): the mode, e.g. "iptables"
    /metrics   a tiny Prometheus text page

Healthy or not is the content of --state-file, read on every request: "healthy" (or a missing
file) = healthy, anything else = unhealthy. A test switches it by rewriting the file, so it needs no
network access to this namespace. Python 3 standard library only; stops on SIGTERM.
"""
import argparse
import http.server
import json
import os
import signal
import sys
import threading
from datetime import datetime, timezone


def _healthy(state_file):
    try:
        with open(state_file) as f:
            return f.read().strip() in ("", "healthy")
    except FileNotFoundError:
        return True


def _handler(state_file, mode):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass  # one line per probe every 2 s would drown the test's logs

        def _send(self, code, body, ctype):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            now = datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
            if path in ("/healthz", "/livez"):
                ok = _healthy(state_file)
                body = json.dumps({"lastUpdated": now, "currentTime": now, "nodeEligible": True})
                self._send(200 if ok else 503, body, "application/json")
            elif path == "/proxyMode":
                self._send(200, mode, "text/plain; charset=utf-8")
            elif path == "/metrics":
                ok = 1 if _healthy(state_file) else 0
                self._send(200, f"# TYPE kubeproxy_fake_healthy gauge\nkubeproxy_fake_healthy {ok}\n",
                           "text/plain; version=0.0.4")
            else:
                self._send(404, "404 page not found\n", "text/plain; charset=utf-8")

    return Handler


def _serve(addr, handler):
    host, port = addr.rsplit(":", 1)
    srv = http.server.ThreadingHTTPServer((host.strip("[]"), int(port)), handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--healthz-listen", default="127.0.0.1:10256")
    ap.add_argument("--metrics-listen", default="127.0.0.1:10249")
    ap.add_argument("--state-file", required=True, help='"healthy" or missing = healthy; else unhealthy')
    ap.add_argument("--mode", default="iptables", help="what /proxyMode answers")
    a = ap.parse_args(argv)
    handler = _handler(a.state_file, a.mode)
    servers = [_serve(a.healthz_listen, handler), _serve(a.metrics_listen, handler)]
    print(f"fake kube-proxy: /healthz on {a.healthz_listen}, /proxyMode on {a.metrics_listen}, "
          f"state file {a.state_file}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    while not done.wait(0.5):
        pass
    for s in servers:
        s.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
