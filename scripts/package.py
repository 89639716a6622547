#!/usr/bin/env python3
"""Writes the Terraform Registry release files for already built binaries, byte for byte the same
from the same inputs (fixed timestamps, permissions and order in the archives).

    package.py VERSION OS_ARCH PROVIDER_BINARY EMULATOR_BINARY MANIFEST DIST_DIR

Writes into DIST_DIR:
  terraform-provider-oktaidp_VERSION_OS_ARCH.zip      (holds terraform-provider-oktaidp_vVERSION)
  terraform-provider-oktaidp_VERSION_manifest.json    (the registry manifest: protocol 6.0)
  terraform-provider-oktaidp_VERSION_SHA256SUMS       (the zips and the manifest)
  terraform-provider-oktaidp_VERSION_OS_ARCH.hashes   (h1: and zh: as lock files record them)
  okta-emulator_VERSION_OS_ARCH.zip and okta-emulator_VERSION_OS_ARCH.zip.sha256
"""

import base64
import hashlib
import os
import sys
import zipfile

# Zip's earliest date; any fixed value makes archives reproducible.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_zip(path: str, members: list[tuple[str, bytes]]) -> None:
    """A zip whose bytes depend only on the members: sorted, fixed time, mode 0755."""
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data in sorted(members):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.create_system = 3  # unix, so that the mode below is honoured
            info.external_attr = (0o100755 & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=9)
    os.replace(tmp, path)


def h1_hash(members: list[tuple[str, bytes]]) -> str:
    """Terraform's hash of an unpacked package (Go's dirhash "h1"): SHA-256 over the sorted
    lines "<sha256 hex>  <file name>\\n", base64-encoded."""
    summary = "".join(f"{sha256_hex(data)}  {name}\n" for name, data in sorted(members))
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


def main(argv: list[str]) -> int:
    if len(argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    version, os_arch, provider_bin, emulator_bin, manifest, dist = argv[1:]
    os.makedirs(dist, exist_ok=True)
    prefix = f"terraform-provider-oktaidp_{version}"

    with open(provider_bin, "rb") as f:
        provider = [(f"terraform-provider-oktaidp_v{version}", f.read())]
    provider_zip = f"{prefix}_{os_arch}.zip"
    write_zip(os.path.join(dist, provider_zip), provider)

    manifest_name = f"{prefix}_manifest.json"
    with open(manifest, "rb") as f:
        manifest_bytes = f.read()
    with open(os.path.join(dist, manifest_name), "wb") as f:
        f.write(manifest_bytes)

    sums = {}
    for name in (provider_zip, manifest_name):
        with open(os.path.join(dist, name), "rb") as f:
            sums[name] = sha256_hex(f.read())
    with open(os.path.join(dist, f"{prefix}_SHA256SUMS"), "w") as f:
        f.writelines(f"{digest}  {name}\n" for name, digest in sorted(sums.items()))

    with open(os.path.join(dist, f"{prefix}_{os_arch}.hashes"), "w") as f:
        f.write(f"{h1_hash(provider)}\nzh:{sums[provider_zip]}\n")

    with open(emulator_bin, "rb") as f:
        emulator = [("okta-emulator", f.read())]
    emulator_zip = f"okta-emulator_{version}_{os_arch}.zip"
    write_zip(os.path.join(dist, emulator_zip), emulator)
    with open(os.path.join(dist, emulator_zip), "rb") as f:
        emulator_sum = sha256_hex(f.read())
    with open(os.path.join(dist, emulator_zip + ".sha256"), "w") as f:
        f.write(f"{emulator_sum}  {emulator_zip}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
