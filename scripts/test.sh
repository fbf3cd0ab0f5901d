#!/usr/bin/env bash
# The whole test suite: unit tests everywhere, integration tests on real namespaces (as root,
# directly or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh
./scripts/setup.sh test
# A warning in Faultline's own code fails the build here (Package.swift reads FAULTLINE_STRICT), in
# debug and in release.
export FAULTLINE_STRICT=1
swift build --build-tests
swift build -c release
# Integration tests create and remove their own namespaces; they need root and are reported as
# skipped (with the reason) without it.
# Fidelity tests measure time and CPU (delay, jitter, loss, CPU load, retry gaps to 20 ms): they run on their own,
# one at a time, after the rest, so no other test's traffic or CPU skews what they measure.
fidelity='LinkFaultTests|NetemLinkTests|CgroupFaultTests|RealClientTests'
# Namespaces are machine-wide: those here before the suite are not its own.
netns() { ls /run/netns 2>/dev/null | grep -E '^fl-' | sort || true; }
before=$(netns)
status=0
swift test --skip-build --skip "$fidelity" "$@" || status=$?
swift test --skip-build --no-parallel --filter "$fidelity" "$@" || status=$?
# The guest-kernel leg: what this machine's kernel may lack (netem, cgroup v2's cpu.max, x_tables for
# partition reject/reset and NFQUEUE, chosen by a probe) runs for real in Faultline's guest kernel
# (Debian's user-mode Linux), one test at a time; the host leg above skips those suites saying so.
# A guest that cannot boot here is reported as skipped, with the reason.
guest='NetemLinkTests|CgroupFaultTests|PartitionTests|KernelEngineScenarioTests|LinkFaultTests/(healRestores|portsLimit)'
bundle="$(swift build --show-bin-path)/faultlinePackageTests.xctest"
if boot=$(.build/debug/faultline guest --verbose -- true 2>&1); then
  boot=${boot##*guest: }
  echo "== guest-kernel leg: ${boot%%;*} =="
  # A hung guest ends the leg (SIGTERM reaches the tests inside; SIGKILL 30 s later ends the guest) instead of the CI job.
  timeout -k 30 1200 .build/debug/faultline guest --verbose -- "$bundle" --testing-library swift-testing --no-parallel --filter "$guest" || status=$?
else
  echo "== guest-kernel leg skipped: the guest kernel did not boot: $boot =="
fi
# Nothing may be left behind: no namespace from a test or a run. Someone else's suite or run on
# the same machine has namespaces of its own while it lives, so a new one counts only if it
# outlives any run (the longest, etcd-leader-freeze with its 40 s ready-timeout, takes under
# 90 s); one this suite left stays for good.
new() { comm -13 <(printf '%s\n' "$before") <(netns) | grep . || true; }
left=$(new)
for _ in $(seq 90); do
  [[ -z $left ]] && break
  sleep 1
  left=$(comm -12 <(printf '%s\n' "$left") <(new))
done
if [[ -n $left ]]; then
  echo "error: namespaces left behind by the tests: $left" >&2
  status=1
fi
exit $status
