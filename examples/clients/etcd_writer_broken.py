#!/usr/bin/env python3
"""The etcd writer with the classic bug: it talks to one member only, and without a deadline.

Everything else is etcd_writer.py. It works while its member is healthy, and it even survives a
freeze of that member: it just waits, for as long as the member is frozen, and writes nothing.

Usage: etcd_writer_broken.py SECONDS HOST:PORT...   (only the first endpoint is used)
"""
import os
import sys

sys.argv.insert(1, "--pin-first-endpoint")
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "etcd_writer.py")).read())
