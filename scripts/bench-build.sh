#!/usr/bin/env bash
# Build times of the workspace, the figures docs/performance.md quotes:
#
#   scripts/bench-build.sh [--release] [--clone]
#
# After a warm-up build, times three no-op `cargo build`s (nothing changed: Cargo must compile
# nothing) and one build after touching a resource file (only the provider crate recompiles).
# --release measures the release profile (LTO) instead of dev. --clone measures in a fresh
# `git clone` of HEAD with its refs left loose (no packed-refs, the case that used to re-run the
# build script on every build), with its own target directory (the warm-up is then a cold build).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=()
clone=0
for arg in "$@"; do
  case "$arg" in
    --release) profile=(--release) ;;
    --clone) clone=1 ;;
    *) echo "usage: scripts/bench-build.sh [--release] [--clone]" >&2; exit 2 ;;
  esac
done

dir=$(pwd)
if [ "$clone" = 1 ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  git clone --quiet "$dir" "$work/checkout"
  rm -f "$work/checkout/.git/packed-refs"
  dir="$work/checkout"
fi

seconds() { # runs "$@", prints the wall time in seconds with two decimals
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}

cd "$dir"
echo "warm-up build (${profile[*]:-dev}) in $dir: $(seconds cargo build "${profile[@]}") s"
for i in 1 2 3; do
  echo "no-op build $i: $(seconds cargo build "${profile[@]}") s"
done
resource=src/provider/data_sources/group.rs
touch "$resource"
echo "after touching $resource: $(seconds cargo build "${profile[@]}") s"
echo "no-op build after it: $(seconds cargo build "${profile[@]}") s"
