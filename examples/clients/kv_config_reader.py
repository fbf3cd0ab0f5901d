#!/usr/bin/env python3
"""A Consul KV config reader that knows which errors a retry can fix (the correct client).

Reads two keys every 200 ms with py-consul: config/db (set) and config/feature-flag (optional:
never set, so Consul answers 404). Each answer is handled the way it should be:

- 404: the key is not set. That is an answer, not an error: the reader uses the default and
  asks again at its normal pace, never at once.
- 400 (a malformed request), 401 and 403 (ACL: the token was revoked or is wrong): a retry
  sends the same request and gets the same answer, so the reader does not retry. It alerts once,
  keeps serving the last good value and checks that key again only every RECHECK_SECONDS.
- Anything else (5xx, connection errors) is retried on the next poll, as usual.

Usage: kv_config_reader.py HOST PORT [--retry-client-errors]
The token comes from CONSUL_HTTP_TOKEN.
"""
import os
import sys
import time

import consul
from consul.exceptions import ACLDisabled, ACLPermissionDenied, BadRequest, ConsulException, NotFound

HOST, PORT = sys.argv[1], int(sys.argv[2])
# The broken variant (kv_config_reader_broken.py): every 4xx, 404 included, is retried at once.
RETRY_CLIENT_ERRORS = "--retry-client-errors" in sys.argv[3:]
KEYS = {"config/db": None, "config/feature-flag": "off"}  # key → default when not set
POLL_SECONDS = 0.2
RECHECK_SECONDS = 2.0
# Only in the broken variant: up to 10 retries per read, 20 ms apart (the pause only keeps the run's
# history small; to Consul it is still a storm).
RETRIES = 10
RETRY_SECONDS = 0.02


def read(kv, key):
    """(value, None) on an answer — None when the key is not set — or (None, error)."""
    try:
        _, entry = kv.get(key)
    except (ConsulException, OSError) as e:
        return None, e
    if entry is None:
        if RETRY_CLIENT_ERRORS:
            return None, NotFound(f"404 {key}")  # the bug: "not found" taken for a failure
        return None, None
    return entry["Value"].decode(), None


def permanent(error):
    """Errors no retry can fix: 400 and the ACL answers (401, 403)."""
    return isinstance(error, (BadRequest, ACLDisabled, ACLPermissionDenied))


def main():
    kv = consul.Consul(host=HOST, port=PORT, token=os.environ.get("CONSUL_HTTP_TOKEN"), connections_timeout=1).kv
    last_good = dict(KEYS)
    parked_until = {}  # key → when to check it again after a permanent error
    while True:
        for key, default in KEYS.items():
            if time.monotonic() < parked_until.get(key, 0):
                continue
            value, error = read(kv, key)
            for _ in range(RETRIES if RETRY_CLIENT_ERRORS else 0):
                if error is None:
                    break
                print(f"{key}: {type(error).__name__} {error}, retrying", flush=True)
                time.sleep(RETRY_SECONDS)
                value, error = read(kv, key)
            if error is None:
                if value is None:
                    print(f"ok {key} not set, using default {default!r}", flush=True)
                    value = default
                else:
                    print(f"ok {key} = {value}", flush=True)
                if key in parked_until:
                    print(f"{key} readable again", flush=True)
                    del parked_until[key]
                last_good[key] = value
            elif permanent(error) and not RETRY_CLIENT_ERRORS:
                if key not in parked_until:
                    print(f"ALERT {key}: {type(error).__name__} ({error}); not retrying, serving {last_good[key]!r}",
                          flush=True)
                parked_until[key] = time.monotonic() + RECHECK_SECONDS
            else:
                print(f"{key}: {type(error).__name__} {error}; serving {last_good[key]!r}", flush=True)
        time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    main()
