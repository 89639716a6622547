#!/usr/bin/env bash
# Builds the official okta/okta Terraform provider (a test tool: the checks that run it against
# okta-emulator, the migration guide's test and scripts/bench-peer.sh) into a cache, once per
# machine, and prints the binary's path on its last stdout line.
#
# Its Go module is refused by the module proxy (403), so it builds from its public source, tag
# v$VERSION of github.com/okta/terraform-provider-okta, with dependencies from the module proxy.
# Where the source comes from, first match wins:
#   OKTAIDP_OKTA_PROVIDER      a built binary: printed as is
#   the cache                  $cache/okta-provider/$VERSION/terraform-provider-okta
#   OKTAIDP_OKTA_PROVIDER_SRC  a checkout of that tag
#   the cache                  $cache/okta-provider/src-$VERSION
#   OKTAIDP_OKTA_PROVIDER_GIT  a git directory holding the tag (git archive)
#   GitHub                     git clone --depth 1 --branch v$VERSION (30 s limit)
# Exits 3 with the reason on stderr when none works (CI has no GitHub access), so callers skip.
set -euo pipefail

version=${OKTA_PROVIDER_VERSION:-6.12.0}
cache_root=${OKTAIDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oktaidp}
dest="$cache_root/okta-provider/$version"
bin="$dest/terraform-provider-okta"
skip() { echo "install-okta-provider: okta/okta $version: $*" >&2; exit 3; }

if [ -n "${OKTAIDP_OKTA_PROVIDER:-}" ]; then
  [ -f "$OKTAIDP_OKTA_PROVIDER" ] && [ -x "$OKTAIDP_OKTA_PROVIDER" ] || skip "OKTAIDP_OKTA_PROVIDER=$OKTAIDP_OKTA_PROVIDER is not an executable"
  echo "$OKTAIDP_OKTA_PROVIDER"; exit 0
fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
command -v go >/dev/null || skip "no Go toolchain on this machine, and no binary at $bin (set OKTAIDP_OKTA_PROVIDER)"

src=${OKTAIDP_OKTA_PROVIDER_SRC:-$cache_root/okta-provider/src-$version}
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
if [ ! -f "$src/go.mod" ]; then
  src="$work/src"
  if [ -n "${OKTAIDP_OKTA_PROVIDER_GIT:-}" ]; then
    mkdir -p "$src"
    git --git-dir="$OKTAIDP_OKTA_PROVIDER_GIT" archive "v$version" | tar -x -C "$src" ||
      skip "tag v$version not in $OKTAIDP_OKTA_PROVIDER_GIT"
  else
    timeout 30 git clone -q --depth 1 --branch "v$version" \
      https://github.com/okta/terraform-provider-okta "$src" 2>/dev/null ||
      skip "its source is not here and GitHub cannot be reached (set OKTAIDP_OKTA_PROVIDER, OKTAIDP_OKTA_PROVIDER_SRC or OKTAIDP_OKTA_PROVIDER_GIT)"
  fi
fi

echo "install-okta-provider: building okta/okta $version from $src (once per machine, about 2 minutes)" >&2
mkdir -p "$dest"
(cd "$src" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath -o "$work/terraform-provider-okta" .) >&2 ||
  skip "go build failed"
mv "$work/terraform-provider-okta" "$bin"
echo "$bin"
