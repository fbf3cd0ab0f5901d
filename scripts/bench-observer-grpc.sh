#!/usr/bin/env bash
# The observer's gRPC capacity: the highest call rate it follows with zero capture drops.
#
#   sudo [CONNECTIONS=10] [STREAMS=10] ./scripts/bench-observer-grpc.sh [RATE ...]
#                                        (default: 2000 5000 10000 20000 40000 calls/s)
#
# Each rate is one `faultline run` of a 2-host scenario: `api` is a real h2c gRPC server
# (examples/servers/go/h2c-status: HTTP 200, one message, grpc-status in the trailers), `client` is
# h2load (nghttp2-client) sending unary gRPC calls for 6 s at RATE calls/s (CONNECTIONS
# connections, STREAMS concurrent streams each, --rps per connection; STREAMS=1 puts each call in
# packets of its own, the most packets per call). The observer captures on the router as in every run. Per rate
# it prints what h2load made and what the run's history and report.json show: calls answered per
# second, packets captured per second, capture drops, and calls the observer recorded against the
# calls h2load completed. Needs root, a release build (swift build -c release), Go with
# golang-golang-x-net-dev and h2load: `./scripts/setup.sh test`.
set -euo pipefail
cd "$(dirname "$0")/.."
rates=("$@")
[[ ${#rates[@]} -gt 0 ]] || rates=(2000 5000 10000 20000 40000)
faultline=$PWD/.build/release/faultline
[[ -x $faultline ]] || { echo "error: $faultline is missing: run swift build -c release" >&2; exit 2; }
command -v h2load >/dev/null || { echo "error: h2load is missing: ./scripts/setup.sh bench (Debian package nghttp2-client)" >&2; exit 2; }
command -v go >/dev/null || { echo "error: go is missing: ./scripts/setup.sh test (golang-go, golang-golang-x-net-dev)" >&2; exit 2; }
work=$(mktemp -d /tmp/fl-bench-grpc.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd examples/servers/go/h2c-status && GO111MODULE=off GOPROXY=off GOPATH=/usr/share/gocode GOCACHE="$work/cache" \
  go build -o "$work/h2c-status" .)
printf '\0\0\0\0\0' > "$work/empty.msg"   # one empty gRPC message: flag 0, length 0
seconds=6
connections=${CONNECTIONS:-10}   # h2load -c
streams=${STREAMS:-10}           # h2load -m: concurrent streams per connection (1: a packet exchange per call)
printf '%-10s %-14s %-14s %-10s %-22s\n' "target/s" "answered/s" "packets/s" "drops" "observed / completed"
for rate in "${rates[@]}"; do
  dir="$work/run-$rate"
  mkdir -p "$dir"
  cat > "$dir/s.yaml" <<EOF
scenario: observer-grpc-capacity
duration: $((seconds + 3))s
hosts:
  api: { run: "$work/h2c-status :8080", ready: "tcp://api:8080" }
  client:
    run: >-
      sleep 1; h2load -D $seconds -c $connections -m $streams --rps $((rate / connections)) -H 'content-type: application/grpc'
      -d $work/empty.msg http://api:8080/kv.KV/Get | grep -E '^(finished|requests):'; sleep 60
expect:
  - name: every call succeeds
    availability: { from: client, to: api, success: ">= 99%" }
EOF
  (cd "$dir" && "$faultline" run s.yaml --reports reports --quiet >"$dir/run.log" 2>&1) || true
  run=$(find "$dir/reports" -name report.json -printf '%h\n' 2>/dev/null | head -1 || true)
  [[ -n $run ]] || { echo "$rate: no report (the run failed to start):"; sed "s/^/    /" "$dir/run.log"; continue; }
  /usr/bin/python3 - "$run" "$rate" "$seconds" <<'EOF'
import json, re, sys
run, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
report = json.load(open(f"{run}/report.json"))
capture = report.get("capture") or {}
client = next(h for h in report["hosts"] if h["name"] == "client")
text = "\n".join(client.get("lastLines", []))
done = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded", text)
took = re.search(r"finished in ([\d.]+)s", text)
completed = int(done.group(3)) if done else 0
elapsed = float(took.group(1)) if took else seconds
observed = answered = 0
for line in open(f"{run}/history.jsonl"):
    if '"via":"wire"' not in line:
        continue
    if '"http.request"' in line:
        observed += 1
    elif '"http.response"' in line and json.loads(line).get("grpcStatus") == 0:
        answered += 1
drops = capture.get("dropped", 0) + capture.get("interfaceDropped", 0)
print(f"{rate:<10} {completed / elapsed:<14.0f} {capture.get('received', 0) / elapsed:<14.0f} {drops:<10} "
      f"{observed} / {completed} ({answered} answered OK on the wire)")
EOF
done
