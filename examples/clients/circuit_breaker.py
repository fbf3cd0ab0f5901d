"""A small circuit breaker, shared by the library's correct clients (kv_reader.py, etcd_reader.py).

Closed → open after `failures_to_open` consecutive failures → a single trial every `open_seconds`
(half-open); a failed trial opens it again, a success closes it. Like pybreaker's, printed as it
changes so a run's history shows it.
"""
import time


class CircuitBreaker:
    def __init__(self, failures_to_open=3, open_seconds=2.5):
        self.failures_to_open = failures_to_open
        self.open_seconds = open_seconds
        self.failures = 0
        self.opened_at = None

    def allows(self):
        return self.opened_at is None or time.monotonic() - self.opened_at >= self.open_seconds

    def failed(self):
        self.failures += 1
        if self.opened_at is not None or self.failures >= self.failures_to_open:
            self.opened_at = time.monotonic()  # a failed trial opens it again
            print(f"circuit open after {self.failures} failures", flush=True)

    def succeeded(self):
        if self.opened_at is not None:
            print("circuit closed", flush=True)
        self.failures = 0
        self.opened_at = None
