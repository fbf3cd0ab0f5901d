#!/usr/bin/env python3
"""A Consul KV reader that retries every failure at once (the subtly broken client).

It looks careful — a timeout, a retry loop — but it retries 429, 500 and 503 instantly, ignores
Retry-After, has no circuit breaker and no cache: a rate limit or a sick server gets a storm.

Usage: kv_reader_broken.py URL
"""
import sys
import time

import requests

URL = sys.argv[1]
POLL_SECONDS = 0.2
# 20 ms between attempts only to keep the run's history small; to the server it is a storm.
RETRY_SECONDS = 0.02


def main():
    http = requests.Session()
    while True:
        try:
            r = http.get(URL, timeout=1)
            status = r.status_code
        except requests.RequestException as e:
            status = None
            print(f"error {type(e).__name__}", flush=True)
        if status == 200:
            print(f"ok {r.text}", flush=True)
            time.sleep(POLL_SECONDS)
        else:
            print(f"failed {status}, retrying", flush=True)
            time.sleep(RETRY_SECONDS)


if __name__ == "__main__":
    main()
