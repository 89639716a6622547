#!/usr/bin/env bash
# The project's whole test suite, as CI runs it: formatting, lints, docs drift, unit,
# protocol, emulator, release and acceptance tests (real Terraform 1.0.3, the terraform on PATH
# and the newest OpenTofu, including installing the release archive through mirrors).
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's wall time, printed at the end (the figures the closing notes quote for CI).
step_times=()
step_name=""
step_start=$SECONDS
step() {
  [ -n "$step_name" ] && step_times+=("$(printf '%5ds  %s' $((SECONDS - step_start)) "$step_name")")
  step_name="$1"
  step_start=$SECONDS
  [ -n "$1" ] && echo "==> $1"
  return 0
}

step "tools"
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

step "Terraform 1.0.3"
bash scripts/install-terraform.sh >/dev/null

# Built once per machine (minutes on 2 cores), then cached; without Go or the module proxy the
# acceptance suite runs on the other binaries and says what it left out.
step "OpenTofu (newest, from the Go module proxy)"
bash scripts/install-go-cli.sh opentofu >/dev/null || echo "OpenTofu not available: see above"

# The real Pomerium the pomerium_real acceptance cases sign people in through (test tools only,
# cached like OpenTofu; a version that cannot be built makes its cases skip with the reason).
for pomerium in v0.32.0 v0.19.1; do
  step "Pomerium $pomerium (from the Go module proxy)"
  bash scripts/install-pomerium.sh "$pomerium" >/dev/null || echo "Pomerium $pomerium not available: see above"
done
step "Pomerium Enterprise's Okta directory provider (github.com/pomerium/datasource)"
bash scripts/install-pomerium-datasource.sh >/dev/null || echo "the directory provider is not available: see above"

step "cargo fmt --check"
cargo fmt --all -- --check

step "module layering (no import cycle between siblings; the emulator's layer order)"
for src in src crates/tfplugin/src crates/okta-client/src crates/build-info/src; do
  python3 scripts/module-cycles.py "$src" | tail -n 1
done
# Families use what is below them (objects and fields shared by all), never each other.
families="okta::apps,okta::groups,okta::users,okta::api_tokens,okta::authz,okta::org,okta::policies,oidc"
python3 scripts/module-cycles.py okta-emulator/src \
  --layers "base<store<pipeline<okta::objects,okta::fields<$families<okta<admin<server" | tail -n 2

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "docs are current"
cargo run --quiet --bin oktaidp-docs -- --check

step "cargo test"
cargo test --workspace

# The fuzz gate replays every committed input of every fuzz target (fuzz/seeds, each past crash
# in fuzz/regressions) and the seeds derived from the checkout (not the machine-local
# recordings) through the targets' own checks, on stable: same checkout, same verdict.
# Open-ended fuzzing is `scripts/fuzz.sh N`, outside the gate (docs/fuzzing.md).
step "fuzz targets (replay of the committed inputs)"
fuzz_seeds="$(mktemp -d)"
trap 'rm -rf "$fuzz_seeds"' EXIT
python3 scripts/fuzz-seeds.py --out "$fuzz_seeds" --no-recordings >/dev/null
OKTAIDP_FUZZ_REPLAY="$fuzz_seeds" cargo test --quiet --test fuzz_replay -- --nocapture

step ""
echo "==> step times (wall)"
printf '%s\n' "${step_times[@]}"
echo "total: $((SECONDS))s"
