#!/usr/bin/env bash
# The main job: install what is missing, build, run the quickstart scenario, print the verdict
# and where the report is. Run as root (namespaces need it), directly or with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh
./scripts/setup.sh quickstart
swift build --product faultline
exec .build/debug/faultline run scenarios/quickstart.yaml "$@"
