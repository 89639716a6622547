#!/usr/bin/env bash
# Refresh benchmark: N apps in okta-emulator with a per-request latency, then the wall time of
# `terraform plan` (which refreshes every app) at -parallelism=1 and -parallelism=10. Shows that
# the provider serves Terraform's concurrent calls in parallel, one GET per app.
# Then one shared app with 30 oktaidp_oidc_app_redirect_uri and a refresh grant: the plan's
# requests and wall time with the provider's shared refresh reads off (OKTAIDP_READ_CACHE=off,
# the behaviour before they existed) and on.
#   APPS=50 LATENCY_MS=100 RUNS=3 scripts/bench-refresh.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
apps=${APPS:-50}
latency=${LATENCY_MS:-100}
runs=${RUNS:-3}

cargo build --quiet --release --bin terraform-provider-oktaidp --bin okta-emulator
terraform_bin=$(command -v terraform || bash scripts/install-terraform.sh | tail -1)

work=$(mktemp -d)
token="00bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$root/target/release/okta-emulator" --listen 127.0.0.1:0 --api-token "$token" \
  --latency-ms "$latency" --rate-limit 100000 >"$work/emu.out" 2>/dev/null &
emu=$!
trap 'kill $emu 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q listening "$work/emu.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/emu.out")

cat > "$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/oktaidp/oktaidp" = "$root/target/release"
  }
  direct {}
}
CFG
cat > "$work/main.tf" <<TF
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
resource "oktaidp_oidc_app" "app" {
  count         = $apps
  label         = "bench-\${count.index}"
  redirect_uris = ["https://app-\${count.index}.example.com/oauth2/callback"]
}
TF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" OKTA_ORG_URL="$url" OKTA_API_TOKEN="$token" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
cd "$work"
"$terraform_bin" apply -auto-approve -no-color -parallelism=10 >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "terraform plan refreshing $apps apps, emulator latency ${latency} ms per request, median of $runs runs"
for p in 1 10; do
  for _ in $(seq 1 "$runs"); do
    start=$(date +%s.%N)
    "$terraform_bin" plan -no-color -detailed-exitcode -parallelism=$p >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN {print b - a}'
  done | median | xargs printf "  -parallelism=%-3s %6.2f s\n" "$p"
done
floor=$(awk -v n="$apps" -v l="$latency" 'BEGIN {print n * l / 1000}')
printf "  (one GET per app: %d requests; at parallelism 1 the latency alone is %.1f s)\n" "$apps" "$floor"
"$terraform_bin" destroy -auto-approve -no-color -parallelism=10 >/dev/null

# One app, 30 redirect URIs and the refresh grant (32 resources reading one app).
api_requests() {
  curl -sf "$url/__emulator/requests" | jq '[.[] | select(.path | startswith("/api/"))] | length'
}
mkdir "$work/shared" && cp "$work/cli.tfrc" "$work/shared/" && cd "$work/shared"
cat > main.tf <<TF
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
resource "oktaidp_oidc_app" "shared" {
  label                   = "bench-shared"
  redirect_uris           = ["https://base.example.com/oauth2/callback"]
  redirect_uris_exclusive = false
  grant_types             = ["authorization_code", "refresh_token"]
}
resource "oktaidp_oidc_app_redirect_uri" "team" {
  count  = 30
  app_id = oktaidp_oidc_app.shared.id
  uri    = "https://authenticate.team\${count.index}.example.com/oauth2/callback"
}
resource "oktaidp_oidc_app_refresh_grant" "shared" {
  app_id = oktaidp_oidc_app.shared.id
}
TF
"$terraform_bin" apply -auto-approve -no-color -parallelism=10 >/dev/null
echo "terraform plan of 1 app + 30 redirect URIs + refresh grant, -parallelism=10, median of $runs runs"
for cache in off on; do
  for _ in $(seq 1 "$runs"); do
    before=$(api_requests)
    start=$(date +%s.%N)
    OKTAIDP_READ_CACHE=$cache "$terraform_bin" plan -no-color -detailed-exitcode -parallelism=10 >/dev/null
    end=$(date +%s.%N)
    after=$(api_requests)
    awk -v a="$start" -v b="$end" -v n=$((after - before)) 'BEGIN {printf "%.3f %d\n", b - a, n}'
  done | sort -n | awk -v c="$cache" '{t[NR]=$1; n[NR]=$2} END {m=int((NR+1)/2); printf "  read cache %-3s %6.2f s, %d API requests\n", c, t[m], n[m]}'
done
"$terraform_bin" destroy -auto-approve -no-color -parallelism=10 >/dev/null
