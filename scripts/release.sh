#!/usr/bin/env bash
# Builds the release binaries and writes the Terraform Registry release layout under dist/:
#
#   scripts/release.sh VERSION
#
# VERSION must be the crate version (Cargo.toml). The build is reproducible: the tracked files of
# this checkout are staged in a fixed folder and every build path is remapped, so two builds of
# the same tree give byte-identical zips wherever the checkout lives. With OKTAIDP_RELEASE_GPG_KEY
# set (a key id, fingerprint or email in the gpg keyring), the SHA256SUMS file is signed
# (detached, binary, as the Registry wants it).
#
# Environment: OKTAIDP_DIST_DIR (default dist/), OKTAIDP_CACHE_DIR (default ~/.cache/oktaidp),
# OKTAIDP_RELEASE_CLEAN=1 to rebuild the workspace's crates from scratch (their dependencies stay
# cached).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

version=${1:-}
if [ -z "$version" ]; then
  echo "usage: scripts/release.sh VERSION" >&2
  exit 2
fi
crate_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
if [ "$version" != "$crate_version" ]; then
  echo "release: VERSION $version is not the crate version $crate_version (Cargo.toml); refusing" >&2
  exit 1
fi

os_arch=$(bash "$repo/scripts/os-arch.sh")

cache=${OKTAIDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oktaidp}/release
stage=$cache/src
target=$cache/target
dist=${OKTAIDP_DIST_DIR:-$repo/dist}
cargo_home=${CARGO_HOME:-$HOME/.cargo}

# The commit, marked dirty when tracked files differ from it (the build takes the work tree).
commit=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  commit="$commit-dirty"
fi

echo "==> staging the tracked files of $commit"
rm -rf "$stage.new"
mkdir -p "$stage.new"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$stage.new"
rm -rf "$stage"
mv "$stage.new" "$stage"

echo "==> cargo build --release"
# Paths that would otherwise end up in the binaries (panic locations, generated code) are
# remapped to fixed names.
remap="--remap-path-prefix=$stage=/oktaidp --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$target=/target"
(
  cd "$stage"
  if [ "${OKTAIDP_RELEASE_CLEAN:-}" = 1 ]; then
    # Every package of the workspace (not its dependencies), so both binaries are rebuilt.
    packages=$(cargo metadata --format-version 1 --no-deps --offline |
      python3 -c 'import json, sys; print(" ".join("-p " + p["name"] for p in json.load(sys.stdin)["packages"]))')
    # shellcheck disable=SC2086 # one word per package flag
    CARGO_TARGET_DIR=$target cargo clean --release --quiet $packages
  fi
  OKTAIDP_GIT_COMMIT=$commit CARGO_TARGET_DIR=$target RUSTFLAGS="$remap" \
    cargo build --release --locked --quiet --bin terraform-provider-oktaidp --bin okta-emulator
)

echo "==> packaging into $dist"
mkdir -p "$dist"
rm -f "$dist"/terraform-provider-oktaidp_"$version"_* "$dist"/okta-emulator_"$version"_*
python3 scripts/package.py "$version" "$os_arch" \
  "$target/release/terraform-provider-oktaidp" "$target/release/okta-emulator" \
  terraform-registry-manifest.json "$dist"

sums="$dist/terraform-provider-oktaidp_${version}_SHA256SUMS"
if [ -n "${OKTAIDP_RELEASE_GPG_KEY:-}" ]; then
  echo "==> signing $(basename "$sums")"
  gpg --batch --yes --local-user "$OKTAIDP_RELEASE_GPG_KEY" --detach-sign --output "$sums.sig" "$sums"
fi

echo "==> release $version ($os_arch)"
(cd "$dist" && ls -1 terraform-provider-oktaidp_"$version"_* okta-emulator_"$version"_*)
cat "$dist/terraform-provider-oktaidp_${version}_${os_arch}.hashes"
