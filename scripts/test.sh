#!/usr/bin/env bash
# The project's whole test suite, as CI runs it: formatting, lints, docs drift, unit,
# protocol, emulator and acceptance tests (real Terraform 1.0.3 plus the terraform on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

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
