#!/usr/bin/env bash
# Installs a release of the provider (from dist/, made by scripts/release.sh) into a local
# provider mirror, in Terraform's unpacked layout:
#
#   scripts/install.sh [DIR]
#
# DIR defaults to ~/.terraform.d/plugins, a folder Terraform searches without any configuration
# (its implied local mirror). Any other DIR works as a filesystem_mirror in a CLI configuration.
# The zip is checked against the release's SHA256SUMS before it is unpacked.
#
# Environment: OKTAIDP_DIST_DIR (default dist/), OKTAIDP_VERSION (default the crate version).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

dir=${1:-$HOME/.terraform.d/plugins}
dist=${OKTAIDP_DIST_DIR:-$repo/dist}
version=${OKTAIDP_VERSION:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)}

os_arch=$(bash "$repo/scripts/os-arch.sh")

zip_name="terraform-provider-oktaidp_${version}_${os_arch}.zip"
sums="$dist/terraform-provider-oktaidp_${version}_SHA256SUMS"
if [ ! -f "$dist/$zip_name" ] || [ ! -f "$sums" ]; then
  echo "install: no release $version in $dist; run scripts/release.sh $version first" >&2
  exit 1
fi
want=$(awk -v n="$zip_name" '$2 == n { print $1 }' "$sums")
got=$(sha256sum "$dist/$zip_name" | cut -d' ' -f1)
if [ -z "$want" ] || [ "$want" != "$got" ]; then
  echo "install: $zip_name does not match $(basename "$sums")" >&2
  exit 1
fi

dest="$dir/registry.terraform.io/oktaidp/oktaidp/$version/$os_arch"
rm -rf "$dest"
mkdir -p "$dest"
python3 - "$dist/$zip_name" "$dest" <<'PY'
import os, sys, zipfile
archive, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(archive) as zf:
    for info in zf.infolist():
        path = zf.extract(info, dest)
        os.chmod(path, (info.external_attr >> 16) & 0o777 or 0o755)
PY
echo "installed oktaidp/oktaidp $version ($os_arch) into $dest"
