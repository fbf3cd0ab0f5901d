#!/usr/bin/env python3
"""A client that rides out DNS incidents (the correct one).

Every 200 ms it resolves the service name (glibc's resolver, through the host's resolv.conf) and
calls the service with requests. When the lookup fails (NXDOMAIN, SERVFAIL, timeout) it keeps its
last good address and asks the resolver again at most once a second, so a DNS incident costs the
resolver nothing extra and the client keeps working.

Usage: dns_client.py NAME PORT PATH [--no-cache]
"""
import socket
import sys
import time

import requests

NAME, PORT, PATH = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# The broken variant (dns_client_broken.py): no last good address, re-resolves at once on failure.
NO_CACHE = "--no-cache" in sys.argv[4:]
POLL_SECONDS = 0.2
RESOLVE_AGAIN_AFTER_FAILURE = 1.0


def resolve(name):
    try:
        return socket.getaddrinfo(name, PORT, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    except socket.gaierror as e:
        print(f"lookup of {name} failed: {e.strerror}", flush=True)
        return None


def main():
    http = requests.Session()
    last_good = None
    failed_at = None
    while True:
        address = None
        if NO_CACHE or failed_at is None or time.monotonic() - failed_at >= RESOLVE_AGAIN_AFTER_FAILURE:
            address = resolve(NAME)
            failed_at = None if address else time.monotonic()
        if address:
            last_good = address
        elif NO_CACHE:
            time.sleep(0.02)  # "just try again": 20 ms only to keep the run's history small
            continue
        else:
            address = last_good
            print(f"using last good address {address}", flush=True)
        try:
            r = http.get(f"http://{address}:{PORT}{PATH}", timeout=1)
            print(f"ok {r.status_code} from {address}", flush=True)
        except requests.RequestException as e:
            print(f"error {type(e).__name__}", flush=True)
        time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    main()
