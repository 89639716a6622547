#!/usr/bin/env bash
# Load on okta-emulator: the release build, CLIENTS concurrent clients, REQUESTS requests mixed
# like a large plan and apply (examples/emulator_load.rs), once in memory and once with
# --state. Prints throughput, p50/p99/max latency, answers by status and the emulator's peak
# RSS, plus the machine's load average. RATE_LIMIT (per bucket per minute) is high enough by
# default for zero 429s; set it low to see the configured 429s (the only errors allowed).
#   CLIENTS=50 REQUESTS=20000 RATE_LIMIT=10000000 MODES="memory state" scripts/bench-emulator.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
clients=${CLIENTS:-50}
requests=${REQUESTS:-20000}
rate_limit=${RATE_LIMIT:-10000000}
modes=${MODES:-memory state}

# One build of both (the example's dev-dependencies change the lib's features, so building them
# apart compiles the lib twice); BUILD=0 reuses the binaries already in target/release.
if [ "${BUILD:-1}" != 0 ]; then
  cargo build --quiet --release --bin okta-emulator --example emulator_load
fi

work=$(mktemp -d)
emu=""
trap '[ -n "$emu" ] && kill "$emu" 2>/dev/null; rm -rf "$work"' EXIT
token="00bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "okta-emulator load: $clients clients, $requests requests, rate limit $rate_limit/min per bucket"
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for mode in $modes; do
  state_args=()
  if [ "$mode" = state ]; then
    state_args=(--state "$work/org.json")
  fi
  : >"$work/emu.out"
  RUST_LOG=warn "$root/target/release/okta-emulator" --listen 127.0.0.1:0 --api-token "$token" \
    --rate-limit "$rate_limit" "${state_args[@]}" >"$work/emu.out" 2>"$work/emu.err" &
  emu=$!
  for _ in $(seq 1 200); do grep -q listening "$work/emu.out" 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/emu.out")
  echo "--- $mode${state_args:+ (--state)}"
  "$root/target/release/examples/emulator_load" --url "$url" --token "$token" \
    --clients "$clients" --requests "$requests" --pid "$emu" || status=1
  if [ "$mode" = state ]; then
    echo "state file: $(stat -c %s "$work/org.json") bytes"
  fi
  kill "$emu"
  wait "$emu" 2>/dev/null || true
  emu=""
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
