#!/usr/bin/env python3
"""Writes to an etcd cluster without pause, through every member, and proves nothing acknowledged was lost.

Built on python etcd3 (Debian's python3-etcd3, gRPC). What makes it correct:
- every call has a deadline (1 s): a frozen member costs one timeout, never a stall;
- it spreads writes over all the endpoints it was given, and sets a failed one aside for 3 s, so
  the next attempt of the same write goes to another member at once (when all have failed lately,
  to the one that failed longest ago);
- at the end it reads every acknowledged key back (a linearizable range read) and compares values.

Usage: etcd_writer.py SECONDS HOST:PORT...

Prints "ok <n> <endpoint> <ms>ms" for each acknowledged write, "fail <n> <endpoint>: <error>" for
each failed attempt, and once SECONDS have passed:
"summary: acknowledged=<n> lost=<n> longest-gap=<s>s" (the longest time between two acknowledged writes).
"""
import sys
import time

import etcd3

DEADLINE = 1.0  # seconds one call may take
SET_ASIDE = 3.0  # seconds a failed endpoint is skipped
PREFIX = "/writer/"


def connect(endpoint, timeout):
    host, port = endpoint.rsplit(":", 1)
    return etcd3.client(host=host, port=int(port), timeout=timeout)


def main(argv):
    # The broken twin (etcd_writer_broken.py) pins the first endpoint and waits on it for ever.
    pinned = argv[1:2] == ["--pin-first-endpoint"]
    if pinned:
        argv = argv[:1] + argv[2:]
    seconds, endpoints = float(argv[1]), argv[2:]
    if pinned:
        endpoints = endpoints[:1]
    clients = {e: connect(e, None if pinned else DEADLINE) for e in endpoints}
    skip_until = {e: 0.0 for e in endpoints}

    acknowledged = {}
    n, turn = 0, 0
    start = time.monotonic()
    last_ack, longest_gap = None, 0.0
    while time.monotonic() - start < seconds:
        now = time.monotonic()
        # When every endpoint failed lately, the one that failed longest ago is the best bet.
        usable = [e for e in endpoints if skip_until[e] <= now] or [min(endpoints, key=skip_until.get)]
        endpoint = usable[turn % len(usable)]
        turn += 1
        key, value = f"{PREFIX}{n:06d}", f"value-{n}"
        sent = time.monotonic()
        try:
            clients[endpoint].put(key, value)
        except Exception as error:  # timeouts, "no leader", refused connections: try elsewhere
            print(f"fail {n} {endpoint}: {type(error).__name__} {str(error)[:80]}", flush=True)
            skip_until[endpoint] = time.monotonic() + SET_ASIDE
            if pinned:
                time.sleep(0.1)
            continue
        acked = time.monotonic()
        if last_ack is not None:
            longest_gap = max(longest_gap, acked - last_ack)
        last_ack = acked
        acknowledged[key] = value
        print(f"ok {n} {endpoint} {(acked - sent) * 1000:.0f}ms", flush=True)
        n += 1
        time.sleep(0.05)

    stored = None
    for endpoint in endpoints * 3:
        try:
            stored = {meta.key.decode(): v.decode() for v, meta in clients[endpoint].get_prefix(PREFIX)}
            break
        except Exception as error:
            print(f"read-back via {endpoint} failed: {type(error).__name__}", flush=True)
    if stored is None:
        print("summary: read-back failed", flush=True)
        return 1
    lost = [k for k, v in acknowledged.items() if stored.get(k) != v]
    for k in lost[:10]:
        print(f"lost {k}", flush=True)
    print(f"summary: acknowledged={len(acknowledged)} lost={len(lost)} longest-gap={longest_gap:.2f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
