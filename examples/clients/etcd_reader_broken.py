#!/usr/bin/env python3
"""An etcd config reader that retries every failed call at once (the subtly broken client).

It looks careful (a deadline on every call, a retry loop) but it retries RESOURCE_EXHAUSTED,
UNAVAILABLE and INVALID_ARGUMENT alike and instantly: it ignores grpc-retry-pushback-ms, has no
circuit breaker and no cache, and resends a call the server has already called invalid. A
server shedding load gets a storm.

Usage: etcd_reader_broken.py HOST:PORT KEY
"""
import sys
import time

import etcd3

POLL_SECONDS = 0.2
# 20 ms between attempts only to keep the run's history small; to the server it is a storm.
RETRY_SECONDS = 0.02


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    key = sys.argv[2]
    client = etcd3.client(host=host, port=int(port), timeout=1)
    while True:
        try:
            value, _ = client.get(key)
            print(f"ok {value.decode() if value is not None else None}", flush=True)
            time.sleep(POLL_SECONDS)
        except Exception as error:
            print(f"error {type(error).__name__}; retrying", flush=True)
            time.sleep(RETRY_SECONDS)


if __name__ == "__main__":
    main()
