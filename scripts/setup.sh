#!/usr/bin/env bash
# Installs what Faultline needs for one purpose, only what is missing. The one place that lists the
# packages. Run as root (or with sudo); every install failure stops it, saying what to do.
#
#   scripts/setup.sh quickstart   build Faultline and run scenarios/quickstart.yaml (scripts/quickstart.sh)
#   scripts/setup.sh test         everything scripts/test.sh uses, quickstart's included
#   scripts/setup.sh bench        faultline-bench's reference tools, quickstart's included
#   scripts/setup.sh              all of the above
#
# Python: the example clients and the report tests use Debian's packages, run with the system
# interpreter /usr/bin/python3 (whatever `python3` is first on PATH: a pyenv or conda one has
# other modules). Only what Debian lacks comes from PyPI, into the project's own virtual
# environment .venv (a system Python refuses `pip install`, PEP 668): py-consul, which the Consul
# library scenarios run with .venv/bin/python3. Debian's python3-consul is python-consul 0.7,
# without timeouts or consul.exceptions, so it cannot stand in for it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Building Faultline (every purpose).
build=(
  libnl-3-dev libnl-route-3-dev                # netlink: topology and faults, in-process
  libnftnl-dev libmnl-dev                       # nf_tables over netlink: partition reject/reset and NFQUEUE rules, in-process
  libpcap-dev                                   # the traffic observer's capture on the router (capture.pcap)
  libyaml-dev                                   # libyaml: the scenario reader's YAML parser
  pkg-config                                    # finds libnl's and libyaml's headers for the build
)
# Running scenarios/quickstart.yaml.
quickstart=(
  curl python3                                  # its client (clients/poll.sh) and server (python3 -m http.server)
)
# scripts/test.sh: the unit and integration tests, the example scenarios and the incident library.
test=(
  iptables                                      # iptables-legacy: partition reject/reset and NFQUEUE where nf_tables lacks IPv4 (the guest kernel)
  tcpdump                                       # the observer's tests read capture.pcap back with it
  bind9-dnsutils                                # dig: a real DNS client in the DNS integration tests
  dnsmasq-base                                  # a real DNS server in the observer's tests (binary only, no service)
  golang-go golang-github-armon-consul-api-dev  # a real Go Consul client (examples/clients/go), built offline in GOPATH mode
  golang-golang-x-net-dev                       # x/net/http2/h2c: the real h2c server of the observer's tests (examples/servers/go)
  golang-google-grpc-dev                        # grpc-go 1.33: the library's gRPC clients and their retryPolicy (examples/clients/go)
  golang-etcd-server-dev                        # clientv3 3.4, etcd's Go client, for the library's Go etcd writer (examples/clients/go)
  golang-github-hashicorp-go-retryablehttp-dev  # go-retryablehttp: the library's Go status-class client (examples/clients/go)
  nghttp2-client                                # h2load: the gRPC client of the observer's tests and of scripts/bench-observer-grpc.sh
  chromium                                      # renders report.html in the report tests (large: installed once)
  etcd-server etcd-client python3-etcd3         # the etcd library scenarios: 3.4 members, etcdctl, the Python client
  python3-requests python3-urllib3              # the library's HTTP clients (requests, urllib3 Retry)
  python3-venv                                  # creates .venv, for the PyPI packages below
  python3-jsonschema python3-junitparser        # real consumers of report.json and junit.xml in the report tests
  iproute2                                      # netem's delay distribution tables (/usr/lib/<arch>/tc/*.dist), and `ip netns` for a look at a live testbed
  user-mode-linux                               # the guest kernel (netem, cgroup v2, x_tables): the tests' guest leg and --kernel guest
)
# faultline-bench (README "Benchmarks").
bench=(
  iproute2                                      # the testbed benchmark's reference (`ip`, `ip -batch`)
  dnsperf                                       # load generator for the DNS benchmark
  dnsmasq-base                                  # the DNS benchmark's reference server (binary only, no service)
  wrk nginx-light                               # the stand-in's references (nginx not started as a system service)
)
# From PyPI into .venv, for `test`: what Debian does not ship in a usable version. Pinned: the
# version the example clients were written against.
venv_packages=(
  py-consul==1.8.0                              # the real Consul client the consul-kv stand-in is tested with
)
# What `test` must then be able to import with /usr/bin/python3 (checked, so a renamed package
# shows here, not as a skipped test).
system_modules=(requests urllib3 etcd3 jsonschema junitparser)
venv_modules=(consul)

purposes=("$@")
((${#purposes[@]})) || purposes=(quickstart test bench)
packages=("${build[@]}")
want_venv=no
for purpose in "${purposes[@]}"; do
  case $purpose in
    quickstart) packages+=("${quickstart[@]}") ;;
    test) packages+=("${quickstart[@]}" "${test[@]}"); want_venv=yes ;;
    bench) packages+=("${quickstart[@]}" "${bench[@]}") ;;
    *) echo "usage: $0 [quickstart|test|bench]...  (no argument: all)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  [[ " ${missing[*]} " == *" $p "* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: missing Debian packages: ${missing[*]}" >&2
    echo "run this as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 2
  fi
  echo "installing: ${missing[*]}"
  if ! apt-get update -qq; then
    echo "error: apt-get update failed (above); fix the apt sources or the network, then run $0 ${purposes[*]} again" >&2
    exit 1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "error: apt-get could not install: ${missing[*]} (its error is above); fix it, then run $0 ${purposes[*]} again" >&2
    exit 1
  fi
fi
# The etcd scenarios start their own members inside the testbed; Debian's etcd service (started by
# the package where systemd runs) is not needed and would hold port 2379 on the machine itself.
if command -v systemctl >/dev/null && systemctl is-enabled etcd >/dev/null 2>&1; then
  if [[ -d /run/systemd/system ]]; then   # systemd is running: stop it too
    systemctl disable --now etcd >/dev/null 2>&1 || echo "warning: could not stop Debian's etcd service; it holds port 2379" >&2
  else                                    # a container or chroot: nothing runs it, keep it from starting at boot
    systemctl disable etcd >/dev/null 2>&1 || true
  fi
fi

[[ $want_venv == yes ]] || exit 0

for module in "${system_modules[@]}"; do
  /usr/bin/python3 -c "import $module" 2>/dev/null && continue
  echo "error: /usr/bin/python3 cannot import $module although its Debian package is installed;" \
    "check: /usr/bin/python3 -c 'import $module'" >&2
  exit 1
done

# The project's virtual environment, from the system interpreter; it also sees Debian's packages
# (--system-site-packages), so pip adds only what is listed above.
venv=.venv
venv_ready() {
  local m
  for m in "${venv_modules[@]}"; do "$venv/bin/python3" -c "import $m" 2>/dev/null || return 1; done
}
if ! venv_ready; then
  if ! "$venv/bin/python3" -c '' 2>/dev/null; then
    echo "creating $PWD/$venv (a Python virtual environment for ${venv_packages[*]})"
    if ! /usr/bin/python3 -m venv --clear --system-site-packages "$venv"; then
      echo "error: could not create $PWD/$venv with /usr/bin/python3 -m venv (above); install python3-venv and run $0 ${purposes[*]} again" >&2
      exit 1
    fi
  fi
  echo "installing into $venv from PyPI: ${venv_packages[*]}"
  if ! "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check "${venv_packages[@]}"; then
    echo "error: pip could not install ${venv_packages[*]} into $PWD/$venv (above); it needs PyPI" \
      "(or a mirror: PIP_INDEX_URL); fix that, then run $0 ${purposes[*]} again" >&2
    exit 1
  fi
  if ! venv_ready; then
    echo "error: $venv/bin/python3 still cannot import ${venv_modules[*]} after installing ${venv_packages[*]}" >&2
    exit 1
  fi
fi
