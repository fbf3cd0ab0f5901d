#!/usr/bin/env python3
"""A service's health endpoint whose self-check costs CPU (the fixed configuration).

GET /health runs the self-check (hashing, standing in for checking caches and pools) and waits for
it at most CHECK_TIMEOUT. The fixed configuration keeps that timeout well below the load
balancer's health-check timeout (1 s) and runs one self-check at a time: when the host is starved
of CPU the endpoint still answers in time, with the last completed result.

A self-check costs about CHECK_CPU (0.4 s) of CPU on any machine: at startup, before any fault,
the server measures how many hashing rounds this CPU does per second of its own CPU time and
sizes the check from that. A fixed number of rounds takes a different time on every CPU (150k
rounds cost 0.12 s on one machine, 0.04 s on a CPU three times faster), and under a 10 % cap the
incident then sits at the edge of the 1 s timeout, or vanishes. Sized in CPU time, a check under
a 10 % cap takes about CHECK_CPU / 10 % = 4 s, four times the load balancer's timeout and twice
the misconfigured variant's 2 s wait, whatever the CPU. (The two vCPUs of one test machine differ
by 1.4x, so a check calibrated on one and run on the other was measured at 0.31-0.59 s of CPU:
3-6 s under the cap, still past the 2 s wait.)

Each round hashes a 4 KiB block: hashlib releases the GIL for inputs of 2 KiB or more, so a
running check does not hold the request threads off the interpreter (a real check waits on
caches and pools, which releases it too).

Every completed check prints its wall and CPU time ("self-check done: ..."), and startup prints
the calibration, so a report shows what the cap did to the checks.

Usage: health_server.py PORT [--check-timeout SECONDS] [--check-cpu SECONDS] [--check-per-request]
The misconfigured variant (health_server_misconfigured.py) waits 2 s and starts a check per request.
"""
import hashlib
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def option(name, default):
    return float(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


PORT = int(sys.argv[1])
CHECK_TIMEOUT = option("--check-timeout", 0.3)
CHECK_CPU = option("--check-cpu", 0.4)
SINGLE_FLIGHT = "--check-per-request" not in sys.argv

BLOCK = bytes(4096)


def hash_rounds(n, digest=b"faultline"):
    for _ in range(n):
        digest = hashlib.sha256(digest + BLOCK).digest()
    return digest


def calibrate(samples=10, sample_cpu=0.02):
    """Hashing rounds that cost at least CHECK_CPU of CPU here.

    time.thread_time counts only this thread's time on a CPU, so waiting for a CPU on a busy
    machine does not skew it; a busy sibling hyperthread or a cold cache still slows a sample.
    Sizing the check from the fastest of several short samples makes CHECK_CPU a lower bound on
    the CPU that calibrated: at a slower moment the check costs more, not less (a faster CPU of
    the same machine can still run it for less)."""
    hash_rounds(200)  # warm up: the first calls allocate
    fastest = 0.0
    for _ in range(samples):
        rounds, start = 0, time.thread_time()
        while (spent := time.thread_time() - start) < sample_cpu:
            hash_rounds(100)
            rounds += 100
        fastest = max(fastest, rounds / spent)
    return max(1, round(fastest * CHECK_CPU)), fastest


CHECK_ROUNDS, ROUNDS_PER_CPU_SECOND = calibrate()

last_result = "healthy"
running = None
lock = threading.Lock()


def self_check():
    global last_result
    wall, cpu = time.monotonic(), time.thread_time()
    hash_rounds(CHECK_ROUNDS)
    last_result = "healthy"
    print(f"self-check done: {time.monotonic() - wall:.2f}s wall, {time.thread_time() - cpu:.3f}s CPU", flush=True)


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


print(f"self-check: {CHECK_ROUNDS} rounds = {CHECK_CPU}s of CPU here ({ROUNDS_PER_CPU_SECOND:.0f} rounds per CPU second)",
      flush=True)
print(f"health endpoint on :{PORT}, self-check timeout {CHECK_TIMEOUT}s", flush=True)
ThreadingHTTPServer(("0.0.0.0", PORT), Health).serve_forever()
