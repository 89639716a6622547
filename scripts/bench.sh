#!/usr/bin/env bash
# Start-up benchmark of the provider: release build, then benches/handshake.rs
# (handshake latency, idle RSS, Shutdown-to-exit over 50 Terraform-like launches).
# Extra arguments are passed to the bench; OKTAIDP_BENCH_RUNS changes the number of runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin terraform-provider-oktaidp
cargo bench --bench handshake -- "$@"
