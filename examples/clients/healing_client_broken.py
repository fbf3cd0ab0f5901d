#!/usr/bin/env python3
"""The auto-healing HTTP client with the classic bug: it fails over but never switches back.

Everything else is healing_client.py; the fallback becomes the client's new home for good, so
once the primary recovers the fleet keeps leaning on the (smaller, degraded) fallback.

Usage: healing_client_broken.py PRIMARY_URL FALLBACK_URL
"""
import os
import sys

sys.argv.append("--never-switch-back")
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "healing_client.py")).read())
