#!/usr/bin/env bash
# Builds the newest stable OpenTofu (`opentofu`) or Terraform (`terraform`) from the Go module
# proxy into a cache, once per machine, and prints the binary's path. Prints nothing and exits 3
# when the tool cannot be built here (no Go, proxy unreachable, module not buildable), saying
# why on stderr, so that callers can go on without it.
#
# Both modules carry `replace` directives, which `go install module@version` refuses; the build
# goes through a throwaway module that requires the tool's module and repeats its replaces.
set -euo pipefail

tool=${1:?usage: install-go-cli.sh opentofu|terraform [version]}
case "$tool" in
  # Release builds drop the "-dev" version suffix through this variable.
  opentofu) module=github.com/opentofu/opentofu; main_pkg=cmd/tofu; exe=tofu
    release_flag="-X $module/version.dev=no" ;;
  terraform) module=github.com/hashicorp/terraform; main_pkg=""; exe=terraform
    release_flag="-X $module/version.dev=no" ;;
  *) echo "install-go-cli: unknown tool $tool" >&2; exit 2 ;;
esac

cache_root=${OKTAIDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oktaidp}
skip() { echo "install-go-cli: $tool: $*" >&2; exit 3; }

command -v go >/dev/null || skip "no Go toolchain on this machine"
export GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-auto} CGO_ENABLED=0

version=${2:-}
if [ -z "$version" ]; then
  # A stable version already built is reused without asking the proxy (offline runs).
  cached=$(ls -d "$cache_root/$tool"/v* 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "${OKTAIDP_OFFLINE:-}" ] && [ -n "$cached" ] && [ -x "$cached/$exe" ]; then
    echo "$cached/$exe"; exit 0
  fi
  versions=$(cd /tmp && timeout 120 go list -m -versions "$module" 2>/dev/null) ||
    { [ -n "$cached" ] && [ -x "$cached/$exe" ] && { echo "$cached/$exe"; exit 0; }; skip "the Go module proxy is unreachable"; }
  version=$(tr ' ' '\n' <<<"$versions" | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -1)
  [ -n "$version" ] || skip "no stable version on the Go module proxy"
fi

dest="$cache_root/$tool/$version"
# A binary is only cached once it reports a release version (older script runs built "-dev").
if [ -x "$dest/$exe" ] && ! "$dest/$exe" version -json 2>/dev/null | grep -q '"terraform_version": *"[^"]*-dev"'; then
  echo "$dest/$exe"; exit 0
fi
if [ -f "$dest/UNBUILDABLE" ]; then
  skip "$version is not buildable from the module proxy: $(cat "$dest/UNBUILDABLE")"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
modfile=$(go mod download -json "$module@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("GoMod",""))') ||
  skip "cannot download $module@$version"
go mod init oktaidp.local/build-"$tool" >/dev/null 2>&1
go mod edit -require="$module@$version"
# The tool's own go directive decides the toolchain (GOTOOLCHAIN=auto fetches it if newer).
go mod edit -go="$(awk '$1=="go"{print $2; exit}' "$modfile")"
# Each replace as "old[@v]=new[@v]", or "!old new" when it points at a directory.
replaces=$(go mod edit -json "$modfile" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    old = r["Old"]["Path"] + ("@" + r["Old"]["Version"] if r["Old"].get("Version") else "")
    new = r["New"]["Path"]
    if not r["New"].get("Version"):
        print("!" + old, new)
    else:
        print(old + "=" + new + "@" + r["New"]["Version"])
')
unbuildable=""
while read -r spec dir; do
  [ -n "$spec" ] || continue
  case "$spec" in
    '!'*) unbuildable="${spec#!} is replaced by the directory $dir, a nested module that module zips leave out" ;;
    *) go mod edit -replace="$spec" ;;
  esac
done <<<"$replaces"
if [ -n "$unbuildable" ]; then
  mkdir -p "$dest"; echo "$unbuildable" >"$dest/UNBUILDABLE"
  skip "$version is not buildable from the module proxy: $unbuildable"
fi
pkg="$module${main_pkg:+/$main_pkg}"
echo "install-go-cli: building $pkg@$version (once per machine)" >&2
started=$(date +%s)
go build -trimpath -ldflags="-s -w $release_flag" -o "$work/$exe" "$pkg" >&2 || skip "go build of $pkg@$version failed"
mkdir -p "$dest"
install -m 0755 "$work/$exe" "$dest/$exe.tmp"
mv "$dest/$exe.tmp" "$dest/$exe"
echo "install-go-cli: built $tool $version in $(( $(date +%s) - started ))s" >&2
"$dest/$exe" version >&2 || true
echo "$dest/$exe"
