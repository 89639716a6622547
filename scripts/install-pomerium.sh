#!/usr/bin/env bash
# Builds one exact Pomerium version from the Go module proxy into a cache, once per machine, and
# prints the binary's path. A test tool only: the provider never runs or ships Pomerium.
# Prints nothing and exits 3 when it cannot be built here (no Go, proxy unreachable, a go.mod
# that replaces modules by local folders), saying why on stderr, so that callers can skip.
#
# No Envoy binary can be had on this machine, so every build gets a stand-in Envoy: an
# executable that only stays up. Pomerium's own services (authenticate, authorize, databroker,
# its HTTP and gRPC listeners) are the real ones; the tests play Envoy's parts themselves
# (docs/pomerium.md says which).
#   - 0.20 and later: the `debug_local_envoy` build tag, with the stand-in's path linked in.
#   - 0.19 and earlier: Envoy is embedded from pkg/envoy/files; the build runs on a copy of the
#     module with the stand-in (and its checksum and version files) in that folder.
set -euo pipefail

version=${1:?usage: install-pomerium.sh VERSION (e.g. v0.32.0)}
case "$version" in v*) ;; *) version="v$version" ;; esac
module=github.com/pomerium/pomerium

cache_root=${OKTAIDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oktaidp}
dest="$cache_root/pomerium/$version"
skip() { echo "install-pomerium: $version: $*" >&2; exit 3; }

if [ -x "$dest/pomerium" ]; then echo "$dest/pomerium"; exit 0; fi
[ -f "$dest/UNBUILDABLE" ] && skip "not buildable from the module proxy: $(cat "$dest/UNBUILDABLE")"
command -v go >/dev/null || skip "no Go toolchain on this machine"
export GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-auto} CGO_ENABLED=0

# The stand-in lives at a fixed path: 0.20+ builds link that path in.
stand_in="$cache_root/pomerium/envoy-stand-in"
mkdir -p "$cache_root/pomerium"
if [ ! -x "$stand_in" ]; then
  printf '#!/bin/sh\n# Stands in for Envoy in tests: stays up until Pomerium stops it.\nexec sleep 2147483647\n' >"$stand_in.tmp"
  chmod 0755 "$stand_in.tmp"; mv "$stand_in.tmp" "$stand_in"
fi

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
info=$(go mod download -json "$module@$version" 2>/dev/null) || skip "the module proxy did not serve $module@$version"
field() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1],""))' "$1" <<<"$info"; }
module_dir=$(field Dir); modfile=$(field GoMod)
[ -n "$module_dir" ] || skip "the module proxy did not serve $module@$version"

# A replace by a local folder points at a nested module that module zips leave out.
local_replace=$(go mod edit -json "$modfile" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if not r["New"].get("Version"):
        print(r["Old"]["Path"], "=>", r["New"]["Path"]); break
')
if [ -n "$local_replace" ]; then
  mkdir -p "$dest"; echo "go.mod replaces $local_replace (a local folder)" >"$dest/UNBUILDABLE"
  skip "not buildable from the module proxy: go.mod replaces $local_replace (a local folder)"
fi

started=$(date +%s)
echo "install-pomerium: building $module@$version (once per machine, minutes)" >&2
minor=$(cut -d. -f2 <<<"${version#v}")
if [ "${version%%.*}" = v0 ] && [ "$minor" -lt 20 ]; then
  cp -r "$module_dir" src && chmod -R u+w src
  files=src/pkg/envoy/files
  [ -d "$files" ] || skip "no pkg/envoy/files in this version"
  for arch in linux-amd64 linux-arm64; do
    cp "$stand_in" "$files/envoy-$arch"
    (cd "$files" && sha256sum "envoy-$arch" >"envoy-$arch.sha256")
    echo "stand-in" >"$files/envoy-$arch.version"
  done
  (cd src && go build -trimpath -ldflags="-s -w" -o "$work/pomerium" ./cmd/pomerium) >&2 ||
    skip "go build failed"
else
  go mod init oktaidp.local/build-pomerium >/dev/null 2>&1
  go mod edit -require="$module@$version"
  go mod edit -go="$(awk '$1=="go"{print $2; exit}' "$modfile")"
  # The module's own replaces (to other versions) must be repeated in the building module.
  while read -r spec; do [ -n "$spec" ] && go mod edit -replace="$spec"; done < <(
    go mod edit -json "$modfile" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    old = r["Old"]["Path"] + ("@" + r["Old"]["Version"] if r["Old"].get("Version") else "")
    print(old + "=" + r["New"]["Path"] + "@" + r["New"]["Version"])
')
  go build -trimpath -tags debug_local_envoy \
    -ldflags="-s -w -X $module/pkg/envoy.DebugLocalEnvoyPath=$stand_in" \
    -o "$work/pomerium" "$module/cmd/pomerium" >&2 || skip "go build failed"
fi
mkdir -p "$dest"
install -m 0755 "$work/pomerium" "$dest/pomerium.tmp"
mv "$dest/pomerium.tmp" "$dest/pomerium"
echo "install-pomerium: built $version in $(( $(date +%s) - started ))s" >&2
echo "$dest/pomerium"
