#!/usr/bin/env python3
"""The health endpoint with the timeout mismatch: it waits up to 2 s for its self-check.

Everything else is health_server.py, but the self-check timeout (2 s) is longer than the load
balancer's health-check timeout (1 s), and every request starts its own check. Unloaded, a check
takes 0.4 s and nobody notices; under a 10 % CPU cap it takes about 4 s (its 0.4 s of CPU is
measured at startup, so on any machine), and checks started per request share that starved CPU:
every health check waits the full 2 s, times out at the load balancer, and a healthy instance is
pulled from rotation.

Usage: health_server_misconfigured.py PORT
"""
import os
import sys

sys.argv += ["--check-timeout", "2", "--check-per-request"]
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "health_server.py")).read())
