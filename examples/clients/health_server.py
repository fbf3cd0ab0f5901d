#!/usr/bin/env python3
"""A service's health endpoint whose self-check costs CPU (the fixed configuration).

GET /health runs the self-check (about 0.2 s of CPU: hashing, standing in for checking caches and
pools) and waits for it at most CHECK_TIMEOUT. The fixed configuration keeps that timeout well below
the load balancer's health-check timeout (1 s) and runs one self-check at a time: when the host is
starved of CPU the endpoint still answers in time, with the last completed result.

Usage: health_server.py PORT [--check-timeout SECONDS]
The misconfigured variant (health_server_misconfigured.py) waits 2 s and starts a check per request.
"""
import hashlib
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
CHECK_TIMEOUT = float(sys.argv[sys.argv.index("--check-timeout") + 1]) if "--check-timeout" in sys.argv else 0.3
SINGLE_FLIGHT = "--check-per-request" not in sys.argv

last_result = "healthy"
running = None
lock = threading.Lock()


def self_check():
    global last_result
    digest = b"faultline"
    for _ in range(150_000):
        digest = hashlib.sha256(digest).digest()
    last_result = "healthy"


def start_check():
    """The running self-check, or a new one (always new without single-flight)."""
    global running
    with lock:
        if not SINGLE_FLIGHT or running is None or not running.is_alive():
            running = threading.Thread(target=self_check, daemon=True)
            running.start()
        return running


class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        check = start_check()
        check.join(CHECK_TIMEOUT)
        body = (last_result if not check.is_alive() else f"{last_result} (check still running)").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


print(f"health endpoint on :{PORT}, self-check timeout {CHECK_TIMEOUT}s", flush=True)
ThreadingHTTPServer(("0.0.0.0", PORT), Health).serve_forever()
