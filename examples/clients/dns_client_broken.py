#!/usr/bin/env python3
"""The DNS client with the classic bug: no last good address, and it re-resolves in a tight loop.

Everything else is dns_client.py. When the name stops resolving it asks the resolver again at once,
over and over, and serves nothing meanwhile: a DNS incident becomes a resolver storm and an outage.

Usage: dns_client_broken.py NAME PORT PATH
"""
import os
import sys

sys.argv.append("--no-cache")
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "dns_client.py")).read())
