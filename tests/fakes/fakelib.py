"""Shared machinery of the HTTP fakes (Metabase, Microsoft Graph, Slack).

Each fake is a ThreadingHTTPServer on 127.0.0.1 (port 0: the kernel picks a
free one) speaking HTTP/1.1 with keep-alive, optionally over TLS. Once it
listens it writes its port to --port-file (atomically) and prints
"listening on 127.0.0.1:PORT", so a caller waits for the file, never a fixed
time.

Control API (never counted as a service call, never faulted):
  GET  /_fake/state      the fake's state, request counts, connections (TCP
                         connections that carried a service request)
  GET  /_fake/requests   every service request: method, path, body
  POST /_fake/reset      back to the initial state (faults and counts too)
  POST /_fake/config     merge settings, e.g. {"list_shape": "list"}
  POST /_fake/seed       add objects (per fake)
  * /_fake/NAME          handled by the fake's control_NAME(req) method, if any
                         (e.g. fake_metabase.py's /_fake/remove)
  POST /_fake/faults     add faults: one object or a list of
        {"method": "GET"|"*", "path": "<regex searched in path?query>",
         "count": N (default 1), "skip": S (default 0: let the first S
         matching requests through, then fault), "kind": K, ...}
     kinds: "status"    answer "status" (default 500) with "body" (default:
                        the service's own error body), "content_type",
                        "headers" (e.g. {"Retry-After": "3"})
            "hang"      sleep "seconds" (default 5), then close without answering
            "close"     close the connection without answering
            "close_after"  carry the request out, then close the connection
                        without answering (it took effect; the answer is lost)
            "malformed" 200 with a body that is not JSON
            "big"       200 with a JSON body of "size" bytes (default 9 MiB)
            "cut"       200 announcing a longer body than it sends, then close
                        (libcurl re-sends a request once when a reused
                        connection closes before any answer: a "close" fault
                        needs "count": 2 to reach a client that reuses one)
            others      handled by the fake (Metabase: "bump_revision")
"""

import argparse
import json
import os
import re
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Reply:
    def __init__(self, status=200, body=None, content_type="application/json", headers=None):
        self.status = status
        if body is None:
            self.data = b""
        elif isinstance(body, (bytes, bytearray)):
            self.data = bytes(body)
        elif isinstance(body, str):
            self.data = body.encode()
        else:
            self.data = json.dumps(body).encode()
        self.content_type = content_type
        self.headers = headers or {}


def text(status, msg):
    return Reply(status, msg, "text/plain")


class Request:
    def __init__(self, method, raw_path, headers, body):
        self.method = method
        self.raw_path = raw_path
        parts = urlsplit(raw_path)
        self.path = parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.body = body

    def arg(self, name, default=None):
        v = self.query.get(name)
        return v[0] if v else default

    def json(self):
        try:
            return json.loads(self.body.decode() or "null")
        except ValueError:
            return None

    def form(self):
        ctype = self.headers.get("Content-Type", "")
        if "application/json" in ctype:
            j = self.json()
            return j if isinstance(j, dict) else {}
        out = {}
        for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items():
            out[k] = v[0]
        return out


class Fake:
    """Subclasses define name, initial(), route(req) -> Reply, seed(data)."""

    name = "fake"
    defaults = {}

    def __init__(self, options):
        self.options = options
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.config = dict(self.defaults)
            self.faults = []
            self.counts = {}
            self.log = []
            self.connections = 0
            self.initial()

    def initial(self):
        pass

    def seed(self, data):
        return {}

    def route(self, req):
        return text(404, "Not found.")

    def state(self):
        return {}

    def default_error(self, status):
        return Reply(status, {"message": "fake fault %d" % status})

    def custom_fault(self, fault, req):
        """Returns a Reply, or None to go on with the normal route."""
        return None

    # ---- plumbing ----

    def take_fault(self, req):
        with self.lock:
            for f in self.faults:
                if f.get("count", 1) <= 0:
                    continue
                m = f.get("method", "*")
                if m != "*" and m != req.method:
                    continue
                if not re.search(f.get("path", ".*"), req.raw_path):
                    continue
                if f.get("skip", 0) > 0:
                    f["skip"] -= 1
                    continue
                f["count"] = f.get("count", 1) - 1
                return dict(f)
        return None

    def full_state(self):
        with self.lock:
            s = self.state()
            s["requests"] = dict(self.counts)
            s["total_requests"] = sum(self.counts.values())
            s["connections"] = self.connections
            s["config"] = self.config
            s["faults_left"] = sum(max(f.get("count", 1), 0) for f in self.faults)
            return s

    def control(self, req):
        what = req.path[len("/_fake/"):]
        if what == "state" and req.method == "GET":
            return Reply(200, self.full_state())
        if what == "requests" and req.method == "GET":
            with self.lock:
                return Reply(200, list(self.log))
        if what == "reset" and req.method == "POST":
            self.reset()
            return Reply(200, {"ok": True})
        if what == "config" and req.method == "POST":
            with self.lock:
                self.config.update(req.json() or {})
                return Reply(200, self.config)
        if what == "faults" and req.method == "POST":
            j = req.json()
            with self.lock:
                self.faults.extend(j if isinstance(j, list) else [j])
                return Reply(200, self.faults)
        if what == "seed" and req.method == "POST":
            with self.lock:
                return Reply(200, self.seed(req.json() or {}))
        extra = self.control_extra(what, req)
        if not extra and re.fullmatch(r"[a-z_]+", what) and hasattr(self, "control_" + what):
            extra = getattr(self, "control_" + what)(req)
        return extra if extra else text(404, "unknown control endpoint")

    def control_extra(self, what, req):
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake/1"
    # Headers and body go out in two writes: without TCP_NODELAY the second
    # waits for the client's delayed ACK (measured: 40+ ms per call on a
    # kept-alive connection).
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        self.counted = False  # connections are counted at their first service request

    def log_message(self, fmt, *args):
        if os.environ.get("FAKE_VERBOSE"):
            sys.stderr.write("%s %s\n" % (self.server.fake.name, fmt % args))

    def send_reply(self, r):
        self.send_response(r.status)
        for k, v in r.headers.items():
            self.send_header(k, v)
        if r.status != 204:
            self.send_header("Content-Type", r.content_type)
        self.send_header("Content-Length", str(len(r.data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(r.data)

    def handle_any(self):
        fake = self.server.fake
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        req = Request(self.command, self.path, self.headers, body)
        if req.path.startswith("/_fake/"):
            return self.send_reply(fake.control(req))
        with fake.lock:
            if not self.counted:
                self.counted = True
                fake.connections += 1
            key = "%s %s" % (req.method, req.path)
            fake.counts[key] = fake.counts.get(key, 0) + 1
            fake.log.append({"method": req.method, "path": req.raw_path,
                             "body": body.decode("utf-8", "replace")})
        f = fake.take_fault(req)
        if f:
            kind = f.get("kind", "status")
            if kind == "status":
                st = int(f.get("status", 500))
                if "body" in f:
                    r = Reply(st, f["body"], f.get("content_type", "application/json"), f.get("headers"))
                else:
                    r = fake.default_error(st)
                    r.headers.update(f.get("headers") or {})
                return self.send_reply(r)
            if kind == "hang":
                time.sleep(float(f.get("seconds", 5)))
                self.close_connection = True
                return
            if kind == "close":
                self.close_connection = True
                return
            if kind == "close_after":
                with fake.lock:
                    fake.route(req)
                self.close_connection = True
                return
            if kind == "malformed":
                return self.send_reply(Reply(200, "<html><body>Bad gateway\x1b[31m</body></html>", "application/json"))
            if kind == "big":
                size = int(f.get("size", 9 * 1024 * 1024))
                return self.send_reply(Reply(200, b'"' + b"x" * max(size - 2, 0) + b'"'))
            if kind == "cut":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b'{"partial": ')
                self.wfile.flush()
                self.close_connection = True
                return
            r = fake.custom_fault(f, req)
            if r:
                return self.send_reply(r)
        with fake.lock:
            r = fake.route(req)
        self.send_reply(r)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(fake_class, add_args=None):
    ap = argparse.ArgumentParser(description="%s fake for HyOpps tests" % fake_class.name)
    ap.add_argument("--port-file", required=True, help="where to write the port once listening")
    ap.add_argument("--tls-cert", help="serve https with this certificate (PEM)")
    ap.add_argument("--tls-key", help="... and this key")
    if add_args:
        add_args(ap)
    opts = ap.parse_args()
    fake = fake_class(opts)
    srv = Server(("127.0.0.1", 0), Handler)
    srv.fake = fake
    if opts.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, opts.port_file)
    print("%s listening on 127.0.0.1:%d" % (fake.name, port), flush=True)

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv.serve_forever(poll_interval=0.1)
    srv.server_close()
