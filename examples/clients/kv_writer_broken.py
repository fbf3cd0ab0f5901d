#!/usr/bin/env python3
"""The Consul KV writer with the classic bug: "just retry until it works".

Everything else is kv_writer.py, but every failure — an ACL denial (403) as much as a refused
connection or a timeout — is retried at once, with no bound and no deadline: a write can block the
writer for as long as the incident lasts, while it hammers Consul.

Usage: kv_writer_broken.py HOST PORT
"""
import os
import sys

sys.argv.append("--naive")
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "kv_writer.py")).read())
