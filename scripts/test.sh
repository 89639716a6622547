#!/usr/bin/env bash
# The project's whole test suite, as CI runs it: formatting, lints, docs drift, unit,
# protocol, emulator, release and acceptance tests (real Terraform 1.0.3 plus the terraform on
# PATH, including installing the release archive through mirrors).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> tools"
# The release tests zip, sign and verify; install what a bare machine lacks.
missing=()
for tool in gpg:gnupg unzip:unzip python3:python3 sha256sum:coreutils; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing tools: ${missing[*]} (install them, e.g. apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

echo "==> Terraform 1.0.3"
bash scripts/install-terraform.sh >/dev/null

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy"
cargo clippy --all-targets -- -D warnings

echo "==> docs are current"
cargo run --quiet --bin oktaidp-docs -- --check

echo "==> cargo test"
cargo test
