#!/bin/sh
# Runs one of the Go clients in this folder, building it first if needed: offline, in GOPATH mode,
# against Debian's gocode tree (scripts/setup.sh test installs Go and the libraries). The binary is
# kept under $XDG_CACHE_HOME/faultline/go (default ~/.cache/faultline/go), named by a hash of the
# client's source, so a changed client is rebuilt and an unchanged one starts at once.
#
# Usage: run.sh NAME [ARGS...]    e.g. run.sh grpc-retry-reader etcd:2379 /config/db
set -eu
name=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
source="$here/$name"
[ -f "$source/main.go" ] || { echo "run.sh: no Go client named '$name' in $here" >&2; exit 2; }
cache="${XDG_CACHE_HOME:-$HOME/.cache}/faultline/go"
hash=$(cat "$source"/*.go | sha256sum | cut -c1-16)
binary="$cache/$name-$hash"
if [ ! -x "$binary" ]; then
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/build.XXXXXX")
  # Built aside and moved in whole: two runs starting at once never execute half a file.
  (cd "$source" && GO111MODULE=off GOPROXY=off GOPATH=/usr/share/gocode GOCACHE="$cache/gocache" \
    go build -o "$work/$name" .) >&2
  mv "$work/$name" "$binary"
  rmdir "$work"
fi
exec "$binary" "$@"
