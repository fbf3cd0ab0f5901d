#!/usr/bin/env python3
"""A Consul KV writer with bounded retries, backoff and a deadline per write (the correct client).

Every 1.5 s it writes a heartbeat (app/heartbeat = a counter) with py-consul, and gives each write:

- a deadline of DEADLINE_SECONDS: no attempt starts after it, and an attempt's timeout is cut to
  what is left of it (like a Go context deadline), so a write never blocks the writer for longer;
- at most MAX_RETRIES retries, waiting 200 ms, 400 ms, 800 ms (exponential backoff) between them,
  for the failures a retry can fix: refused or reset connections, timeouts, 5xx, 429;
- no retry at all for 400, 401 and 403 (ACL denial): the same write gets the same answer, so the
  writer alerts and drops that write.

Usage: kv_writer.py HOST PORT [--naive]
The token comes from CONSUL_HTTP_TOKEN.
"""
import os
import sys
import time

import consul
from consul.exceptions import ACLDisabled, ACLPermissionDenied, BadRequest, ConsulException

HOST, PORT = sys.argv[1], int(sys.argv[2])
# The broken variant (kv_writer_broken.py): retries every failure at once, without a bound or a deadline.
NAIVE = "--naive" in sys.argv[3:]
KEY = "app/heartbeat"
WRITE_EVERY_SECONDS = 1.5
DEADLINE_SECONDS = 1.5
ATTEMPT_TIMEOUT_SECONDS = 0.5
MAX_RETRIES = 3
BACKOFF_SECONDS = [0.2, 0.4, 0.8]
# Only in the broken variant: 20 ms between attempts keeps the run's history small; to Consul it is a storm.
NAIVE_RETRY_SECONDS = 0.02


class DeadlineExceeded(Exception):
    pass


CLIENT = consul.Consul(host=HOST, port=PORT, token=os.environ.get("CONSUL_HTTP_TOKEN"))


def attempt(key, value, timeout):
    """One PUT with its own timeout (py-consul reads its HTTP client's timeout on every request)."""
    CLIENT.http.connections_timeout = timeout
    if not CLIENT.kv.put(key, value):
        raise ConsulException("put answered false")


def permanent(error):
    return isinstance(error, (BadRequest, ACLDisabled, ACLPermissionDenied))


def write(value):
    """Writes once with retries; returns how many retries it took, raises on giving up."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    retries = 0
    while True:
        left = deadline - time.monotonic()
        try:
            attempt(KEY, value, ATTEMPT_TIMEOUT_SECONDS if NAIVE else min(ATTEMPT_TIMEOUT_SECONDS, left))
            return retries
        except (ConsulException, OSError) as e:
            if NAIVE:
                print(f"write {value}: {type(e).__name__}, retrying", flush=True)
                time.sleep(NAIVE_RETRY_SECONDS)
                retries += 1
                continue
            if permanent(e):
                raise
            if retries >= MAX_RETRIES:
                raise
            pause = BACKOFF_SECONDS[min(retries, len(BACKOFF_SECONDS) - 1)]
            if time.monotonic() + pause >= deadline:
                raise DeadlineExceeded(f"deadline {DEADLINE_SECONDS}s exceeded after {retries + 1} attempts") from e
            print(f"write {value}: {type(e).__name__}, retry {retries + 1} in {pause}s", flush=True)
            time.sleep(pause)
            retries += 1


def main():
    n = 0
    while True:
        n += 1
        started = time.monotonic()
        try:
            retries = write(str(n))
            print(f"ok write {n} in {time.monotonic() - started:.3f}s ({retries} retries)", flush=True)
        except DeadlineExceeded as e:
            print(f"write {n} failed: {e}", flush=True)
        except (ConsulException, OSError) as e:
            if permanent(e):
                print(f"ALERT write {n} denied ({type(e).__name__}: {e}); not retrying", flush=True)
            else:
                print(f"write {n} failed after {MAX_RETRIES} retries: {type(e).__name__}", flush=True)
        time.sleep(WRITE_EVERY_SECONDS)


if __name__ == "__main__":
    main()
