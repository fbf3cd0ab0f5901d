#!/usr/bin/env bash
# Installs the Debian packages Faultline needs, only those missing. Run as root.
set -euo pipefail
packages=(
  libnl-3-dev libnl-route-3-dev libnl-nf-3-dev  # netlink: topology and faults, in-process
  libpcap-dev                                   # the traffic observer's capture on the router (capture.pcap)
  pkg-config                                    # finds libnl's headers for the build
  iptables                                      # partition mode "reset" (REJECT --reject-with tcp-reset)
  iproute2                                      # `ip netns` for looking at a live testbed; the benchmark's reference
  tcpdump                                       # the observer's tests read capture.pcap back with it
  curl python3                                  # the example scenarios' client and server
  bind9-dnsutils                                # dig: a real DNS client in the DNS integration tests
  dnsperf                                       # load generator for the DNS benchmark
  dnsmasq-base                                  # the DNS benchmark's reference server (binary only, no service)
  wrk nginx-light                               # faultline-bench: the stand-in's references (nginx not started as a system service)
  golang-go golang-github-armon-consul-api-dev  # a real Go Consul client (examples/clients/go), built offline in GOPATH mode
  chromium                                      # renders report.html in the report tests (large: installed once)
  etcd-server etcd-client python3-etcd3         # the etcd library scenarios: 3.4 members, etcdctl, the Python client
  user-mode-linux                               # the guest kernel: netem, cgroup v2 and x_tables for the tests' guest leg and --kernel guest
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 2
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The etcd scenarios start their own members inside the testbed; Debian's etcd service (started by
# the package where systemd runs) is not needed and would hold port 2379 on the machine itself.
if command -v systemctl >/dev/null && systemctl is-enabled etcd >/dev/null 2>&1; then
  systemctl disable --now etcd >/dev/null 2>&1 || true
fi

# py-consul (import name `consul`): the real Consul client the consul-kv stand-in is tested with.
if ! python3 -c 'import consul' 2>/dev/null; then
  python3 -m pip install --quiet py-consul || echo "py-consul could not be installed; its tests will be skipped" >&2
fi

# Real consumers of Faultline's reports, for the report tests: a JSON Schema validator and a JUnit
# parser (PyPI), only when missing; without them those tests are skipped with the reason.
for module in jsonschema junitparser; do
  if ! python3 -c "import $module" 2>/dev/null; then
    python3 -m pip install --quiet "$module" || echo "$module could not be installed; its tests will be skipped" >&2
  fi
done
