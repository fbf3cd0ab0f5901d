#!/usr/bin/env python3
"""The registering service with the classic bugs: it serves before it is registered, and it
retries its registration at once, over and over.

Everything else is registrar.py. Unloaded nobody notices; when the agent is unreachable, slow or
answers 409 for a duplicate ID, the instance takes traffic it is not registered for (health checks
and deregistration cannot see it) and hammers the agent.

Usage: registrar_broken.py AGENT_HOST AGENT_PORT SERVICE_ID PORT
"""
import os
import sys

sys.argv.append("--eager")
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "registrar.py")).read())
