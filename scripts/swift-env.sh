# Sourced by quickstart.sh and test.sh: puts the Swift toolchain on PATH. Run with sudo, PATH is
# sudo's secure_path and `swift` is not on it, so look where Swift is commonly installed.
#   SWIFT_BIN=/path/to/swift (or its folder) chooses one: sudo SWIFT_BIN="$(command -v swift)" ./scripts/test.sh
find_swift() {
  local candidates=() home
  if [[ -n ${SWIFT_BIN:-} ]]; then
    [[ -d $SWIFT_BIN ]] && candidates+=("$SWIFT_BIN/swift") || candidates+=("$SWIFT_BIN")
  else
    candidates+=("$(command -v swift || true)")
    # swiftly's toolchains of the user who ran sudo, then root's.
    if [[ -n ${SUDO_USER:-} ]] && home=$(getent passwd "$SUDO_USER" | cut -d: -f6) && [[ -n $home ]]; then
      candidates+=("$home/.local/share/swiftly/bin/swift" "$home/.swiftly/bin/swift")
    fi
    candidates+=("${HOME:-/root}/.local/share/swiftly/bin/swift" /opt/swift/usr/bin/swift /usr/share/swift/usr/bin/swift
      /usr/local/swift/usr/bin/swift /usr/local/share/swift/usr/bin/swift)
  fi
  local c
  for c in "${candidates[@]}"; do
    [[ -n $c && -x $c && ! -d $c ]] && { echo "$c"; return 0; }
  done
  return 1
}
if ! swift_path=$(find_swift); then
  if [[ -n ${SWIFT_BIN:-} ]]; then
    echo "error: SWIFT_BIN=$SWIFT_BIN is not the swift executable (or a folder holding it)" >&2
  else
    echo "error: swift not found: not on PATH (sudo resets PATH to its secure_path) nor in /opt/swift/usr/bin," \
      "/usr/share/swift/usr/bin, /usr/local/swift/usr/bin or swiftly's folder." >&2
    echo "Install Swift 6 (swift.org/install), or name it: SWIFT_BIN=/path/to/swift $0 (with sudo:" \
      "sudo SWIFT_BIN=\"\$(command -v swift)\" $0)" >&2
  fi
  exit 2
fi
PATH=$(dirname "$swift_path"):$PATH
export PATH
unset swift_path
