#!/usr/bin/env python3
"""An auto-healing HTTP client (the correct one).

Calls the primary API every 200 ms with requests (timeout 500 ms). After 3 consecutive failures
(timeouts, refused connections, 5xx) it switches to the fallback URL and serves the degraded answer;
while on the fallback it probes the primary's health every 500 ms and switches back on the first
healthy answer. Whenever the API it is using answers 503 or 504 (overloaded, or its gateway timed
out), the call is answered with the degraded template instead of the error.

Usage: healing_client.py PRIMARY_URL FALLBACK_URL [--never-switch-back]
"""
import sys
import time

import requests

PRIMARY, FALLBACK = sys.argv[1], sys.argv[2]
# The broken variant (healing_client_broken.py) sets this: it fails over but never comes back.
NEVER_SWITCH_BACK = "--never-switch-back" in sys.argv[3:]
POLL_SECONDS = 0.2
TIMEOUT_SECONDS = 0.5
FAILURES_TO_SWITCH = 3
PROBE_SECONDS = 0.5
# What the client's own callers get when the API it uses answers 503/504: an empty, flagged answer.
DEGRADED_TEMPLATE = '{"items":[],"degraded":true}'


def serve_degraded(source, status):
    print(f"served degraded template {DEGRADED_TEMPLATE} ({source} answered {status})", flush=True)


def get(http, url):
    """The status code, or None when the connection failed or timed out."""
    try:
        return http.get(url, timeout=TIMEOUT_SECONDS).status_code
    except requests.RequestException:
        return None


def main():
    http = requests.Session()
    on_fallback = False
    failures = 0
    last_probe = 0.0
    while True:
        if on_fallback:
            if not NEVER_SWITCH_BACK and time.monotonic() - last_probe >= PROBE_SECONDS:
                last_probe = time.monotonic()
                if get(http, PRIMARY) == 200:
                    on_fallback, failures = False, 0
                    print("primary healthy again: switched back", flush=True)
                    continue
            status = get(http, FALLBACK)
            if status in (503, 504):
                serve_degraded("fallback", status)
            else:
                print(f"degraded: fallback answered {status}", flush=True)
        else:
            status = get(http, PRIMARY)
            if status == 200:
                failures = 0
                print("ok primary", flush=True)
            else:
                failures += 1
                print(f"primary failed ({status}), {failures} in a row", flush=True)
                if status in (503, 504):
                    serve_degraded("primary", status)
                if failures >= FAILURES_TO_SWITCH:
                    on_fallback, last_probe = True, time.monotonic()
                    print("switched to the fallback", flush=True)
                    continue
        time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    main()
