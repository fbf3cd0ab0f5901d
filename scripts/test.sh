#!/usr/bin/env bash
# The whole test suite: unit tests everywhere, integration tests on real namespaces (as root,
# directly or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh
./scripts/setup.sh test
swift build --build-tests
# Integration tests create and remove their own namespaces; they need root and are reported as
# skipped (with the reason) without it.
# Fidelity tests measure time and CPU (delay, jitter, loss, CPU load, retry gaps to 20 ms): they run on their own,
# one at a time, after the rest, so no other test's traffic or CPU skews what they measure.
fidelity='LinkFaultTests|NetemLinkTests|CgroupFaultTests|RealClientTests'
status=0
swift test --skip-build --skip "$fidelity" "$@" || status=$?
swift test --skip-build --no-parallel --filter "$fidelity" "$@" || status=$?
# Nothing may be left behind: no namespace from a test or a run.
left=$(ls /run/netns 2>/dev/null | grep -E '^fl-' || true)
if [[ -n $left ]]; then
  echo "error: namespaces left behind by the tests: $left" >&2
  status=1
fi
exit $status
