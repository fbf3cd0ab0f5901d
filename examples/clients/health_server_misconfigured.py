#!/usr/bin/env python3
"""The health endpoint with the timeout mismatch: it waits up to 2 s for its self-check.

Everything else is health_server.py, but the self-check timeout (2 s) is longer than the load
balancer's health-check timeout (1 s), and every request starts its own check. Unloaded, checks
take a tenth of a second and nobody notices; when a noisy neighbour or a CPU cap slows the self-check past 1 s,
every health check times out and a healthy instance is pulled from rotation.

Usage: health_server_misconfigured.py PORT
"""
import os
import sys

sys.argv += ["--check-timeout", "2", "--check-per-request"]
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "health_server.py")).read())
