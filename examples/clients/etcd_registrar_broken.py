#!/usr/bin/env python3
"""The fallback registrar with the classic bug: it fails over, but never goes back to the primary.

Everything else is etcd_registrar.py. After the incident the service stays registered in the
fallback cluster only, invisible to every client that looks it up in the primary.

Usage: etcd_registrar_broken.py NAME ADDRESS PRIMARY FALLBACK
"""
import os
import sys

sys.argv.append("--never-switch-back")
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "etcd_registrar.py")).read())
