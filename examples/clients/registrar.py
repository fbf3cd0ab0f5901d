#!/usr/bin/env python3
"""A service that registers with its Consul agent before it serves (the correct client).

On start it registers itself (py-consul: PUT /v1/agent/service/register, 1 s timeout) and only
once the agent has accepted the registration does it open its port and serve. A failed
registration — agent unreachable, too slow to answer within the timeout, or 409 because an
instance with the same ID is still registered — is retried with exponential backoff (250 ms,
doubling, at most 2 s), so a sick agent is not hammered. On SIGTERM it deregisters (best effort).

Usage: registrar.py AGENT_HOST AGENT_PORT SERVICE_ID PORT [--eager]
"""
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import consul
from consul.exceptions import ConsulException

AGENT_HOST, AGENT_PORT, SERVICE_ID, PORT = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
# The broken variant (registrar_broken.py): serves at once and retries registration immediately.
EAGER = "--eager" in sys.argv[5:]
TIMEOUT_SECONDS = 1.0
BACKOFF_INITIAL, BACKOFF_MAX = 0.25, 2.0
# Only in the broken variant: 20 ms between attempts keeps the run's history small; to the agent it is a storm.
EAGER_RETRY_SECONDS = 0.02


class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{SERVICE_ID} ok".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve():
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving on :{PORT}", flush=True)


def register(agent):
    agent.service.register("web", service_id=SERVICE_ID, port=PORT)


def main():
    client = consul.Consul(host=AGENT_HOST, port=AGENT_PORT, connections_timeout=TIMEOUT_SECONDS)
    signal.signal(signal.SIGTERM, lambda *_: deregister_and_exit(client))
    print(f"starting {SERVICE_ID}: registering with the agent", flush=True)
    if EAGER:
        serve()  # the bug: traffic arrives before the agent knows about the instance
    wait = BACKOFF_INITIAL
    attempt = 0
    while True:
        attempt += 1
        try:
            register(client.agent)
            break
        except (ConsulException, OSError) as e:
            pause = EAGER_RETRY_SECONDS if EAGER else wait
            print(f"registration attempt {attempt} failed ({type(e).__name__}: {e}); retrying in {pause}s", flush=True)
            time.sleep(pause)
            wait = min(wait * 2, BACKOFF_MAX)
    print(f"registered {SERVICE_ID} after {attempt} attempt(s)", flush=True)
    if not EAGER:
        serve()
    while True:
        time.sleep(3600)


def deregister_and_exit(client):
    try:
        client.http.connections_timeout = 0.3
        client.agent.service.deregister(SERVICE_ID)
        print(f"deregistered {SERVICE_ID}", flush=True)
    except (ConsulException, OSError) as e:
        print(f"deregistration failed ({type(e).__name__})", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
