#!/usr/bin/env python3
"""A client that rides out DNS incidents (the correct one).

A resolver thread looks the service name up (glibc's resolver, through the host's resolv.conf)
every 200 ms; when a lookup fails (NXDOMAIN, SERVFAIL, no answer at all) it keeps the last answer
and asks again only a second later, so a DNS incident costs the resolver nothing extra and a
silent resolver (each lookup blocking for seconds) never holds up a call. The calling loop calls
the service every 200 ms with requests on the latest answer; when a new answer does not work (the
name hijacked to a dead address) it goes back to its last good address at once and ignores that
answer for BAD_ADDRESS_SECONDS.

Usage: dns_client.py NAME PORT PATH [--no-cache]
"""
import socket
import sys
import threading
import time

import requests

NAME, PORT, PATH = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# The broken variant (dns_client_broken.py): resolves before every call, keeps no last good address,
# and re-resolves at once on failure.
NO_CACHE = "--no-cache" in sys.argv[4:]
POLL_SECONDS = 0.2
RESOLVE_AGAIN_AFTER_FAILURE = 1.0
CALL_TIMEOUT_SECONDS = 0.5
BAD_ADDRESS_SECONDS = 5.0


def resolve(name):
    try:
        return socket.getaddrinfo(name, PORT, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    except socket.gaierror as e:
        print(f"lookup of {name} failed: {e.strerror}", flush=True)
        return None


class Resolver(threading.Thread):
    """The latest answer for NAME, refreshed in the background; kept through failed lookups."""

    def __init__(self):
        super().__init__(daemon=True)
        self.latest = resolve(NAME)

    def run(self):
        while True:
            address = resolve(NAME)
            if address:
                self.latest = address
                time.sleep(POLL_SECONDS)
            else:
                time.sleep(RESOLVE_AGAIN_AFTER_FAILURE)


def call(http, address):
    """True when the service answered."""
    try:
        r = http.get(f"http://{address}:{PORT}{PATH}", timeout=CALL_TIMEOUT_SECONDS)
        print(f"ok {r.status_code} from {address}", flush=True)
        return True
    except requests.RequestException as e:
        print(f"error {type(e).__name__} from {address}", flush=True)
        return False


def main_no_cache():
    http = requests.Session()
    while True:
        address = resolve(NAME)
        if not address:
            time.sleep(0.02)  # "just try again": 20 ms only to keep the run's history small
            continue
        call(http, address)
        time.sleep(POLL_SECONDS)


def main():
    http = requests.Session()
    resolver = Resolver()
    resolver.start()
    last_good = None
    bad = {}  # address → when it failed
    while True:
        address = resolver.latest
        failed_at = bad.get(address)
        if address != last_good and failed_at is not None and time.monotonic() - failed_at < BAD_ADDRESS_SECONDS:
            address = last_good  # a new answer that just failed: not again for a while
        if address is None:
            print("no address yet", flush=True)
        elif call(http, address):
            last_good = address
        elif last_good and address != last_good:
            bad[address] = time.monotonic()
            print(f"new address {address} does not answer; back to last good address {last_good}", flush=True)
            call(http, last_good)
        time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    main_no_cache() if NO_CACHE else main()
