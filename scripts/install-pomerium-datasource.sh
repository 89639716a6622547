#!/usr/bin/env bash
# Builds tests/pomerium-datasource (Pomerium Enterprise's Okta directory provider,
# github.com/pomerium/datasource, as a small command) from the Go module proxy into a cache, once
# per machine, and prints the binary's path. A test tool only. Prints nothing and exits 3 when it
# cannot be built here (no Go, modules not served), saying why on stderr, so callers can skip.
# go.mod and go.sum pin the versions; the module proxy serves them (GitHub is not needed).
set -euo pipefail
cd "$(dirname "$0")/.."
src=tests/pomerium-datasource
cache_root=${OKTAIDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oktaidp}
# The cache key is the tool's own sources: a changed go.mod or main.go builds anew.
key=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)
dest="$cache_root/pomerium-datasource/$key"
skip() { echo "install-pomerium-datasource: $*" >&2; exit 3; }

if [ -x "$dest/okta-directory" ]; then echo "$dest/okta-directory"; exit 0; fi
# Tests ask with OKTAIDP_NO_BUILD=1: a lookup, never a build in the middle of a test run.
[ -z "${OKTAIDP_NO_BUILD:-}" ] || skip "not built (run scripts/install-pomerium-datasource.sh)"
command -v go >/dev/null || skip "no Go toolchain on this machine"
export GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-auto} CGO_ENABLED=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src/go.mod" "$src/go.sum" "$src/main.go" "$work/"
echo "install-pomerium-datasource: building (once per machine)" >&2
(cd "$work" && go build -trimpath -ldflags="-s -w" -o okta-directory .) ||
  skip "go build failed (the Go module proxy must serve github.com/pomerium/datasource and its dependencies)"
mkdir -p "$dest"
install -m 0755 "$work/okta-directory" "$dest/okta-directory"
echo "$dest/okta-directory"
