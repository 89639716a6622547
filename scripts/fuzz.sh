#!/usr/bin/env bash
# Open-ended fuzzing, outside the test gate (which only replays committed inputs: see
# docs/fuzzing.md): runs every cargo-fuzz target (fuzz/fuzz_targets) for SECONDS each
# (default 10) and prints executions and coverage per target.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs the nightly toolchain and cargo-fuzz; installs them when missing and fails loudly when
# it cannot. Seeds are rebuilt first (scripts/fuzz-seeds.py); corpora grow in fuzz/corpus/ and
# crashing inputs land in fuzz/artifacts/<target>/, from where new ones are copied into
# fuzz/regressions/<target>/ (the gate replays that folder once committed; the script prints
# the commands). Runs under `nice -n $FUZZ_NICE` (10).
# Exit status: non-zero when any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-10}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(value_msgpack value_json okta_models emulator_api emulator_oidc handshake)
fi
nice_level="${FUZZ_NICE:-10}"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: installing the nightly toolchain (cargo-fuzz needs it)" >&2
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

python3 scripts/fuzz-seeds.py >/dev/null
# One build for every target; the library is compiled again with coverage instrumentation. The
# build lives outside the checkout (like the release build), so a fresh clone on a machine that
# fuzzed before recompiles only this crate; OKTAIDP_FUZZ_TARGET_DIR moves it.
target_dir="${OKTAIDP_FUZZ_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oktaidp/fuzz-target}"
mkdir -p "$target_dir"
nice -n "$nice_level" cargo +nightly fuzz build --target-dir "$target_dir"

triple="$(rustc -vV | sed -n 's/^host: //p')"
bindir="$target_dir/$triple/release"
logdir="$target_dir/logs"
mkdir -p "$logdir"

rows=()
failed=0
total=0
new_regressions=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  before="$(ls "fuzz/artifacts/$t")"
  log="$logdir/$t.log"
  status=ok
  # -timeout: one input taking this long is a hang; -rss_limit_mb: a leak or blow-up.
  if ! nice -n "$nice_level" "$bindir/$t" \
      -max_total_time="$secs" -print_final_stats=1 -timeout=20 -rss_limit_mb=2048 \
      -artifact_prefix="fuzz/artifacts/$t/" "fuzz/corpus/$t" >"$log" 2>&1; then
    status=CRASH
    failed=1
  fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  execs="${execs:-0}"
  line="$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$line")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$line")"
  corp="$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$line")"
  total=$((total + execs))
  rows+=("$(printf '%-14s %12s %8s %8s %8s %8s  %s' "$t" "$execs" "$((execs / secs))" "${cov:--}" "${ft:--}" "${corp:--}" "$status")")
  if [ "$status" != ok ]; then
    echo "fuzz: $t crashed; last lines of $log:" >&2
    tail -30 "$log" >&2
  fi
  # Inputs this run wrote (crash-, timeout-, oom-, leak-...) become regression inputs.
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    if ! grep -qxF -- "$f" <<<"$before"; then
      mkdir -p "fuzz/regressions/$t"
      cp "fuzz/artifacts/$t/$f" "fuzz/regressions/$t/$f"
      new_regressions+=("fuzz/regressions/$t/$f")
    fi
  done <<<"$(ls "fuzz/artifacts/$t")"
done

printf '%-14s %12s %8s %8s %8s %8s  %s\n' target execs exec/s cov ft corpus result
printf '%s\n' "${rows[@]}"
printf '%-14s %12s\n' total "$total"
if [ ${#new_regressions[@]} -gt 0 ]; then
  cat >&2 <<EOF

fuzz: new regression inputs (docs/fuzzing.md, "When the fuzzer finds something"):
$(printf '  %s\n' "${new_regressions[@]}")
Check each holds no recorded Okta data (seeds from the recordings do), fix the bug, then:
  cargo test --test fuzz_replay            # fails before the fix, passes after
  git add$(printf ' %s' "${new_regressions[@]}")
EOF
fi
exit "$failed"
