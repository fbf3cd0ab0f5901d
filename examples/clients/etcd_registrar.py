#!/usr/bin/env python3
"""Registers a service in the primary etcd cluster, falls back to a second one, and comes back.

Built on python etcd3 (Debian's python3-etcd3). The registration is a key under a lease:
/services/api/<name> = <address>. What makes it correct:
- the lease is kept alive every second with a 1 s deadline; two missed keep-alives in a row
  mean the primary is gone, and the service registers in the fallback cluster at once;
- the fallback lease has a shorter TTL (3 s against 5 s): an entry left behind there after a
  crash disappears quickly;
- while on the fallback it asks the primary every second, on a fresh connection (a connection
  that lived through a partition may wait seconds for TCP's retransmission backoff), and when the
  primary answers it registers there again and revokes the fallback lease: one registration,
  in the primary, as before the incident.

Usage: etcd_registrar.py NAME ADDRESS PRIMARY FALLBACK   (clusters as HOST:PORT)

Prints "registered <cluster> lease <id>", "lost <cluster>: <error>", "withdrew <cluster>".
"""
import sys
import time

import etcd3

DEADLINE = 1.0
TTL = {"primary": 5, "fallback": 3}
# A client of its own for every connection attempt: gRPC would otherwise share one TCP connection
# between clients of the same address.
OPTIONS = [("grpc.use_local_subchannel_pool", 1)]


def connect(endpoint):
    host, port = endpoint.rsplit(":", 1)
    return etcd3.client(host=host, port=int(port), timeout=DEADLINE, grpc_options=OPTIONS)


class Registration:
    """One cluster's registration: a client, a lease and the key under it."""

    def __init__(self, cluster, endpoint, key, value):
        self.cluster, self.endpoint, self.key, self.value = cluster, endpoint, key, value
        self.client, self.lease = None, None

    def register(self):
        self.close()
        self.client = connect(self.endpoint)
        self.lease = self.client.lease(TTL[self.cluster])
        self.client.put(self.key, self.value, lease=self.lease)
        print(f"registered {self.cluster} lease {self.lease.id}", flush=True)

    def keep_alive(self):
        """Refreshes the lease; re-registers if the lease expired meanwhile."""
        response = list(self.lease.refresh())
        if not response or response[0].TTL <= 0:
            self.register()

    def withdraw(self):
        try:
            self.lease.revoke()
            print(f"withdrew {self.cluster}", flush=True)
        except Exception as error:
            print(f"withdrawing {self.cluster} failed: {type(error).__name__} (its TTL will end it)", flush=True)
        self.close()

    def close(self):
        if self.client is not None:
            self.client.close()
        self.client, self.lease = None, None


def main(argv):
    # The broken twin (etcd_registrar_broken.py) stays on the fallback for good.
    never_back = "--never-switch-back" in argv
    name, address, primary_endpoint, fallback_endpoint = [a for a in argv[1:] if not a.startswith("--")]
    key = f"/services/api/{name}"
    primary = Registration("primary", primary_endpoint, key, address)
    fallback = Registration("fallback", fallback_endpoint, key, address)

    while True:  # the first registration must succeed before the service counts as up
        try:
            primary.register()
            break
        except Exception as error:
            print(f"lost primary: {type(error).__name__}", flush=True)
            time.sleep(1)

    current, misses = primary, 0
    while True:
        time.sleep(1)
        try:
            current.keep_alive()
            misses = 0
        except Exception as error:
            misses += 1
            print(f"lost {current.cluster}: {type(error).__name__}", flush=True)
            if current is primary and misses >= 2:
                primary.close()
                try:
                    fallback.register()
                    current, misses = fallback, 0
                except Exception as error:
                    print(f"lost fallback: {type(error).__name__}", flush=True)
            continue
        if current is fallback and not never_back:
            try:
                primary.register()
            except Exception:
                primary.close()  # still unreachable: ask again in a second
                continue
            fallback.withdraw()
            current = primary


if __name__ == "__main__":
    sys.exit(main(sys.argv))
