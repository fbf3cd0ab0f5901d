#!/usr/bin/env bash
# Runs the README's two commands the way a new user meets them: on a stock Debian 12 (debootstrap
# minbase plus the Swift toolchain's documented dependencies, system Python with PEP 668, no sudo),
# as root, in a clean clone of this branch. Not run by CI: it needs root, debootstrap and a Debian
# mirror, and takes a while (the tree is cached; each run starts from it afresh).
#
#   scripts/stock-debian-check.sh [quickstart|test|both|tree]     (default: both; tree: only build the tree)
#
# The tree lives in $STOCK_DEBIAN_CACHE (default /var/cache/faultline-stock-debian): base/ is the
# debootstrap result, reused by every run; each run gets a fresh overlay on it (so every run meets a
# machine on which nothing was installed yet) and the downloaded .debs are kept between runs.
# The Swift toolchain ($SWIFT_TOOLCHAIN, default: the one `swift` on PATH belongs to) is mounted
# read-only at the same path inside; where git's `url.*.insteadOf` points github.com at a local
# folder (a package mirror), that folder is mounted read-only too and the same setting given inside.
#
# quickstart runs with sudo's PATH (secure_path: no swift on it), test with the Swift toolchain on
# PATH, so both ways the README gives are exercised. Logs: $STOCK_DEBIAN_CACHE/logs/.
set -euo pipefail

what=${1:-both}
case $what in quickstart | test | both | tree) ;; *) echo "usage: $0 [quickstart|test|both|tree]" >&2; exit 2 ;; esac
[[ $(id -u) -eq 0 ]] || { echo "error: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${STOCK_DEBIAN_CACHE:-/var/cache/faultline-stock-debian}
suite=bookworm
# The Swift toolchain's runtime dependencies for Debian 12, as swift.org documents them (its
# Dockerfile adds libncurses-dev and uuid-dev: swift itself loads libncurses.so.6, which minbase lacks).
swift_deps=(binutils gcc libc6-dev libcurl4-openssl-dev libedit2 libgcc-12-dev libpython3-dev libsqlite3-0
  libstdc++-12-dev libxml2-dev libz3-dev pkg-config tzdata zlib1g-dev git ca-certificates libncurses-dev uuid-dev)

if [[ -z ${SWIFT_TOOLCHAIN:-} ]]; then
  swift=$(command -v swift || true)
  [[ -n $swift ]] || { echo "error: swift is not on PATH; set SWIFT_TOOLCHAIN to the folder holding usr/bin/swift" >&2; exit 2; }
  SWIFT_TOOLCHAIN=$(dirname "$(dirname "$(dirname "$(readlink -f "$swift")")")")
fi
[[ -x $SWIFT_TOOLCHAIN/usr/bin/swift ]] || { echo "error: no usr/bin/swift under SWIFT_TOOLCHAIN=$SWIFT_TOOLCHAIN" >&2; exit 2; }

# The Debian mirror this machine's apt uses (a stock machine reaches the same one).
mirror=${DEBIAN_MIRROR:-}
if [[ -z $mirror ]]; then
  mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)\/\?$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
  [[ -n $mirror ]] || mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
fi
[[ -n $mirror ]] || { echo "error: no Debian mirror found in /etc/apt; set DEBIAN_MIRROR" >&2; exit 2; }

if ! command -v debootstrap >/dev/null; then
  echo "installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

base=$cache/base
mkdir -p "$cache/logs" "$cache/apt-archives/partial"
if [[ ! -e $base/.faultline-base-complete ]]; then
  echo "building the stock Debian 12 tree in $base (once; later runs reuse it)"
  started=$SECONDS
  rm -rf "$base.partial"
  debootstrap --variant=minbase --include="$(IFS=,; echo "${swift_deps[*]}")" "$suite" "$base.partial" "$mirror" \
    >"$cache/logs/debootstrap.log" 2>&1 || { echo "error: debootstrap failed; see $cache/logs/debootstrap.log" >&2; exit 1; }
  # A stock install's sources: the release, its updates and security, as this machine has them.
  if [[ -e /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$base.partial/etc/apt/sources.list.d/debian.sources"
    rm -f "$base.partial/etc/apt/sources.list"
  fi
  rm -rf "$base"
  mv "$base.partial" "$base"
  touch "$base/.faultline-base-complete"
  echo "tree built in $((SECONDS - started)) s ($(chroot "$base" dpkg-query -W -f '${Status}\n' | grep -c 'install ok installed') packages)"
fi
# A tree built before a dependency was added to the list gets it now.
absent=()
for p in "${swift_deps[@]}"; do
  chroot "$base" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || absent+=("$p")
done
if ((${#absent[@]})); then
  echo "adding to the tree: ${absent[*]}"
  cp /etc/resolv.conf "$base/etc/resolv.conf"
  chroot "$base" apt-get update -qq >/dev/null
  chroot "$base" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${absent[@]}" >/dev/null
  chroot "$base" apt-get clean
fi
[[ $what != tree ]] || exit 0

run=$cache/run
root=$run/root
# Another check still running, or one whose unmounting failed: never rm -rf through its mounts of /dev or /opt.
if grep -q " $run/" /proc/mounts; then
  echo "error: something is mounted under $run (another check running?); see grep $run /proc/mounts, then umount -R $root" >&2
  exit 1
fi
mounted=()
cleanup() {
  local status=$?
  # Processes this check started inside the tree, by pid (none should be left).
  local pid
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [[ $(readlink "/proc/$pid/root" 2>/dev/null) == "$root" ]] && { echo "ending leftover pid $pid in the tree" >&2; kill -9 "$pid" 2>/dev/null || true; }
  done
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" 2>/dev/null || echo "warning: could not unmount ${mounted[i]}" >&2
  done
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A fresh machine on every run: an overlay whose upper layer starts empty.
rm -rf "$run"
mkdir -p "$run/upper" "$run/work" "$root"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$root"
mounted+=("$root")
mount -t proc proc "$root/proc"
mounted+=("$root/proc")
for fs in sys dev; do
  mount --rbind "/$fs" "$root/$fs"
  mount --make-rslave "$root/$fs"   # unmounting inside never reaches the host's mounts
  mounted+=("$root/$fs")
done
mount -t tmpfs -o mode=755 tmpfs "$root/run"
mounted+=("$root/run")
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
mounted+=("$root/var/cache/apt/archives")
bind_ro() {
  mkdir -p "$root$2"
  mount --bind "$1" "$root$2"
  mount -o remount,bind,ro "$root$2"
  mounted+=("$root$2")
}
bind_ro "$SWIFT_TOOLCHAIN" "$SWIFT_TOOLCHAIN"
# The network as this machine has it: its resolver, host names and locally added certificate
# authorities (a network that inspects TLS needs its CA on every machine, stock ones included).
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/hosts "$root/etc/hosts"
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1 || echo "warning: update-ca-certificates failed in the tree" >&2
fi
# git's url.*.insteadOf rewrites, from any of git's config files (a local package mirror standing in
# for github.com), given inside as root's; the mirrors read-only.
: >"$root/root/.gitconfig"
while read -r key value; do
  local_dir=${key#url.}
  local_dir=${local_dir%.insteadof}
  if [[ -d $local_dir ]] && ! mountpoint -q "$root$local_dir"; then
    bind_ro "$local_dir" "$local_dir"
  fi
  chroot "$root" git config --global --add "url.$local_dir.insteadOf" "$value"
done < <(git config --get-regexp '^url\..*\.insteadof$' 2>/dev/null | sort -u || true)

# A clean clone of this branch, as a new user gets it.
branch=$(git -C "$repo" rev-parse --abbrev-ref HEAD)
commit=$(git -C "$repo" rev-parse --short HEAD)
[[ -z $(git -C "$repo" status --porcelain --untracked-files=no) ]] || echo "note: uncommitted changes in $repo are not part of the check (it clones $branch at $commit)"
git clone --quiet --branch "$branch" "$repo" "$root/root/faultline"

installed() { chroot "$root" dpkg-query -W -f '${Status}\n' | grep -c 'install ok installed'; }
stamp=$(date +%Y%m%d-%H%M%S)
secure_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
status=0
step() { # NAME PATH COMMAND
  local name=$1 path=$2 command=$3 log=$cache/logs/$stamp-$1.log before after started rc=0
  before=$(installed)
  started=$SECONDS
  echo "== $name: $command (PATH=$path)"
  # In the background, so that SIGINT/SIGTERM reach the trap at once (it ends what runs in the tree).
  { chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" PATH="$path" \
      /bin/bash -c "cd /root/faultline && $command" </dev/null; echo $? >"$log.rc"; } 2>&1 | tee "$log" &
  wait $! || true
  rc=$(cat "$log.rc" 2>/dev/null || echo 1)
  rm -f "$log.rc"
  after=$(installed)
  echo "== $name: exit $rc in $((SECONDS - started)) s; packages installed $((after - before)) ($before -> $after); log $log"
  ((rc == 0)) || status=1
}
echo "stock Debian 12 tree: $(installed) packages; Faultline $branch at $commit; Swift $SWIFT_TOOLCHAIN"
if [[ $what == quickstart || $what == both ]]; then
  step quickstart "$secure_path" ./scripts/quickstart.sh
fi
if [[ $what == test || $what == both ]]; then
  step test "$SWIFT_TOOLCHAIN/usr/bin:$secure_path" ./scripts/test.sh
fi
exit $status
