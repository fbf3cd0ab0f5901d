#!/usr/bin/env python3
"""A Consul KV reader that keeps serving through 429, 500 and 503 (the correct client).

Reads one key every 200 ms with requests, and answers each failure the way it should be answered:

- 429 Too Many Requests: urllib3's Retry backs off, honouring Retry-After; once it gives up the
  reader still waits Retry-After before its next read (a rate limit is about the next request too).
- 500: a small circuit breaker opens after 3 consecutive 500s and lets a single trial through
  every 2.5 s, like pybreaker's, so a sick server is not hammered.
- 503: the value last read is served from the local cache, with an alert line.

Usage: kv_reader.py URL   e.g. http://consul:8500/v1/kv/config/db?raw
"""
import sys
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from circuit_breaker import CircuitBreaker

URL = sys.argv[1]
POLL_SECONDS = 0.2


def session():
    s = requests.Session()
    retry = Retry(total=3, status_forcelist=[429], allowed_methods=["GET"], backoff_factor=0.1,
                  respect_retry_after_header=True, raise_on_status=False)
    s.mount("http://", HTTPAdapter(max_retries=retry))
    return s


def main():
    http = session()
    breaker = CircuitBreaker(failures_to_open=3, open_seconds=2.5)
    cached = None
    while True:
        pause = POLL_SECONDS
        if breaker.allows():
            try:
                r = http.get(URL, timeout=1)
                status = r.status_code
            except requests.RequestException as e:
                status, r = None, None
                print(f"error {type(e).__name__}", flush=True)
            if status == 200:
                breaker.succeeded()
                cached = r.text
                print(f"ok {cached}", flush=True)
            elif status == 429:
                pause = max(pause, float(r.headers.get("Retry-After", "1")))
                print(f"rate limited, waiting {pause}s", flush=True)
            elif status == 503:
                print(f"ALERT consul unavailable (503); served from cache: {cached}", flush=True)
            elif status is None or status >= 500:
                breaker.failed()
                print(f"server error {status}", flush=True)
        time.sleep(pause)


if __name__ == "__main__":
    main()
