#!/usr/bin/env python3
"""An etcd config reader that keeps serving through gRPC's failure codes (the correct client).

Reads one key every 200 ms with python etcd3 (Debian's python3-etcd3, gRPC), each call with a
1 s deadline, and answers each status the way gRPC's guidance says it should be answered:

- RESOURCE_EXHAUSTED: the server is shedding load; wait as long as its grpc-retry-pushback-ms
  says (1 s when it says nothing) before the next call, and never retry at once.
- UNAVAILABLE: transient, but a member that keeps failing is not hammered: a circuit breaker opens
  after 3 consecutive failures and lets a single trial through every 2.5 s; meanwhile the
  value last read is served from the local cache, with an alert line.
- INVALID_ARGUMENT (and every other non-retryable code): the same call would get the same answer,
  so it is not retried; the reader alerts and checks again only after RECHECK_SECONDS.

Usage: etcd_reader.py HOST:PORT KEY
"""
import sys
import time

import etcd3
import grpc

from circuit_breaker import CircuitBreaker

POLL_SECONDS = 0.2
RECHECK_SECONDS = 2.0
DEFAULT_PUSHBACK = 1.0


def status_of(error):
    """The gRPC status behind an error: etcd3 turns UNAVAILABLE into its own exception type."""
    for e in (error, error.__context__):
        if isinstance(e, grpc.RpcError):
            return e.code(), dict(e.trailing_metadata() or ())
    return None, {}


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    key = sys.argv[2]
    client = etcd3.client(host=host, port=int(port), timeout=1)
    breaker = CircuitBreaker(failures_to_open=3, open_seconds=2.5)
    cached = None
    while True:
        pause = POLL_SECONDS
        if breaker.allows():
            try:
                value, _ = client.get(key)
                breaker.succeeded()
                cached = value.decode() if value is not None else None
                print(f"ok {cached}", flush=True)
            except Exception as error:  # etcd3 raises its own types and grpc.RpcError
                code, trailers = status_of(error)
                if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
                    # A negative pushback means "do not retry": take it like a non-retryable code.
                    pushback = int(trailers.get("grpc-retry-pushback-ms", DEFAULT_PUSHBACK * 1000))
                    pause = max(pause, pushback / 1000 if pushback >= 0 else RECHECK_SECONDS)
                    print(f"resource exhausted, waiting {pause}s", flush=True)
                elif code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, None):
                    breaker.failed()
                    print(f"ALERT etcd unavailable ({code}); served from cache: {cached}", flush=True)
                else:
                    pause = RECHECK_SECONDS
                    print(f"ALERT not retried: {code}; checking again in {pause}s", flush=True)
        time.sleep(pause)


if __name__ == "__main__":
    main()
