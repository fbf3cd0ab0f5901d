#!/usr/bin/env python3
"""The Consul KV config reader with the classic bug: it retries every 4xx, at once.

Everything else is kv_config_reader.py, but a 400, a 401/403 (revoked ACL token) and even a 404
(an optional key that is simply not set) are treated like a passing glitch and retried
immediately, over and over: the same request, the same answer, a storm against Consul.

Usage: kv_config_reader_broken.py HOST PORT
"""
import os
import sys

sys.argv.append("--retry-client-errors")
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "kv_config_reader.py")).read())
