#!/usr/bin/env bash
# Side-by-side benchmark against the official okta/okta provider (v6.12.0): the same N
# Pomerium-shaped apps (OIDC web app, one callback, authorization_code + refresh_token, response
# type code, one group each) through `oktaidp_oidc_app` (group_ids) and through `okta_app_oauth`
# + `okta_app_group_assignments`. Each row gets its own fresh release okta-emulator with
# --latency-ms and --rate-limit; N groups are seeded untimed, then `terraform apply` and a
# refresh `terraform plan` (which must be empty) are timed, and their API requests and 429s are
# counted from the emulator's request log. Every timed phase starts with fresh rate-limit windows.
# Prints a Markdown table for docs/performance.md; the raw figures go to $OUT_DIR/results.tsv and
# the requests per endpoint to $OUT_DIR/endpoints.tsv.
#   NS="50 200" RATES="600 100" LATENCY_MS=100 PROVIDERS="oktaidp okta" scripts/bench-peer.sh
# OKTAIDP_OKTA_PROVIDER is the official provider's binary (default: where
# scripts/install-okta-provider.sh caches it); BUILD=0 reuses target/release; OUT_DIR picks the
# output folder (default target/bench-peer/<UTC time>).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ns=${NS:-50 200}
rates=${RATES:-600 100}
latency=${LATENCY_MS:-100}
providers=${PROVIDERS:-oktaidp okta}
okta_version=6.12.0
okta_provider=${OKTAIDP_OKTA_PROVIDER:-$HOME/.cache/oktaidp/okta-provider/$okta_version/terraform-provider-okta}
out=${OUT_DIR:-$root/target/bench-peer/$(date -u +%Y%m%dT%H%M%SZ)}

for p in $providers; do
  case $p in
    oktaidp | okta) ;;
    *) echo "bench-peer: unknown provider '$p' in PROVIDERS (oktaidp, okta)" >&2; exit 2 ;;
  esac
done
# A bench is not a test: without the official binary there is nothing to compare, so it fails.
if [[ " $providers " == *" okta "* ]] && ! { [ -f "$okta_provider" ] && [ -x "$okta_provider" ]; }; then
  echo "bench-peer: the official okta/okta provider binary is absent: $okta_provider" >&2
  echo "  scripts/install-okta-provider.sh builds it from its source (tag v$okta_version); or set" >&2
  echo "  OKTAIDP_OKTA_PROVIDER to a built binary; PROVIDERS=oktaidp runs ours alone." >&2
  exit 1
fi
command -v jq >/dev/null || { echo "bench-peer: jq is required" >&2; exit 1; }

if [ "${BUILD:-1}" != 0 ]; then
  cargo build --quiet --release --bin terraform-provider-oktaidp --bin okta-emulator \
    -p terraform-provider-oktaidp -p okta-emulator
fi
bin_dir="$root/target/release"
terraform_bin=$(command -v terraform || bash scripts/install-terraform.sh | tail -1)

mkdir -p "$out"
work=$(mktemp -d)
emu=""
trap '[ -n "$emu" ] && kill "$emu" 2>/dev/null; rm -rf "$work"' EXIT

# One CLI config for both: ours from target/release (no init), theirs from a filesystem mirror.
mkdir -p "$work/mirror/registry.terraform.io/okta/okta/$okta_version/linux_amd64"
if [[ " $providers " == *" okta "* ]]; then
  ln -s "$okta_provider" \
    "$work/mirror/registry.terraform.io/okta/okta/$okta_version/linux_amd64/terraform-provider-okta_v$okta_version"
fi
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/oktaidp/oktaidp" = "$bin_dir"
  }
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/okta/okta"]
  }
  direct {
    exclude = ["registry.terraform.io/okta/okta"]
  }
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset OKTAIDP_READ_CACHE TF_CLI_ARGS TF_CLI_ARGS_apply TF_CLI_ARGS_plan

{
  echo "bench-peer: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "  $("$terraform_bin" version | head -1), repo $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "  $("$bin_dir/terraform-provider-oktaidp" --version), $("$bin_dir/okta-emulator" --version)"
  if [[ " $providers " == *" okta "* ]]; then
    echo "  okta/okta $okta_version: $okta_provider (sha256 $(sha256sum "$okta_provider" | cut -c1-16))"
  fi
  echo "  NS=\"$ns\" RATES=\"$rates\" LATENCY_MS=$latency PROVIDERS=\"$providers\"; output in $out"
} | tee "$out/versions.txt"

tsv="$out/results.tsv"
endpoints="$out/endpoints.tsv"
printf 'n\trate_limit\tprovider\tstatus\tapply_s\tapply_requests\tapply_429\tapply_buckets\tapply_busiest_bucket\tapply_busiest_requests\tapply_floor_s\tplan_s\tplan_requests\tplan_429\tplan_buckets\tplan_busiest_bucket\tplan_busiest_requests\tplan_floor_s\tload_1m\n' >"$tsv"
printf 'n\trate_limit\tprovider\tphase\tmethod\tendpoint\trequests\tper_app\tstatus_429\n' >"$endpoints"

start_emulator() { # rate
  : >"$work/emu.out"
  RUST_LOG=warn "$bin_dir/okta-emulator" --listen 127.0.0.1:0 --api-token "$token" \
    --latency-ms "$latency" --rate-limit "$1" >"$work/emu.out" 2>"$work/emu.err" &
  emu=$!
  for _ in $(seq 1 200); do grep -q listening "$work/emu.out" 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/emu.out")
  [ -n "$url" ] || { echo "bench-peer: okta-emulator did not start" >&2; cat "$work/emu.err" >&2; exit 1; }
}

stop_emulator() {
  kill "$emu" 2>/dev/null || true
  wait "$emu" 2>/dev/null || true
  emu=""
}

# Creates group i through the Okta API and prints its id; a 429 waits for the window's reset.
seed_group() {
  local status reset
  while :; do
    status=$(curl -sS -o "$work/group.json" -D "$work/group.hdr" -w '%{http_code}' -X POST \
      -H "Authorization: SSWS $token" -H 'Content-Type: application/json' -H 'Accept: application/json' \
      -d "{\"profile\":{\"name\":\"pomerium-users-$1\",\"description\":\"bench-peer\"}}" "$url/api/v1/groups")
    case $status in
      200) jq -r .id "$work/group.json"; return ;;
      429)
        reset=$(sed -n 's/^[Xx]-[Rr]ate-[Ll]imit-[Rr]eset: *\([0-9]*\).*/\1/p' "$work/group.hdr")
        sleep $((reset - $(date +%s) + 1)) ;;
      *) echo "bench-peer: seeding group $1 answered $status: $(cat "$work/group.json")" >&2; return 1 ;;
    esac
  done
}

# Sleeps until every rate-limit window that has been used is over, so that the next phase does
# not inherit the seeding's (or the apply's) requests.
wait_fresh_windows() {
  local until now
  until=$(curl -sS "$url/__emulator/state" |
    jq '[.rateLimits.buckets[] | select(.remaining < .limit) | .reset] | max // 0')
  now=$(date +%s)
  if [ "$until" -ge "$now" ]; then sleep $((until - now + 1)); fi
}

# Clears the request log and prints the seq of the DELETE itself (the log keeps that entry):
# the phase's entries follow it without a gap unless the log (10,000 entries) overflowed.
reset_log() {
  curl -sS -X DELETE "$url/__emulator/requests" >/dev/null
  curl -sS "$url/__emulator/requests" | jq '.[-1].seq'
}

# Writes the phase's Okta API requests (admin requests dropped) to a file, after checking that
# none were dropped from the log.
collect_log() { # marker file
  curl -sS "$url/__emulator/requests?since=$1" >"$work/log.json"
  local first
  first=$(jq '.[0].seq // 0' "$work/log.json")
  if [ "$first" != $(($1 + 1)) ]; then
    echo "bench-peer: the request log overflowed (first entry $first, expected $(($1 + 1))): counts would be short" >&2
    exit 1
  fi
  jq '[.[] | select(.bucket != null)]' "$work/log.json" >"$2"
}

# requests, 429s, answered requests per bucket, the busiest bucket, its answered requests and
# the floor they set: a window opens at its first request and lets `limit` through at once, so
# k requests need ceil(k / limit) windows, the last opening (ceil(k / limit) - 1) * 60 s in.
log_figures() { # file rate
  jq -r --argjson limit "$2" '
    ([.[] | select(.status != 429)] | group_by(.bucket)
      | map({bucket: .[0].bucket, n: length}) | sort_by(-.n)) as $buckets
    | ($buckets[0].n // 0) as $busiest
    | [length, ([.[] | select(.status == 429)] | length),
       ($buckets | map("\(.bucket)=\(.n)") | join(",")),
       ($buckets[0].bucket // "-"), $busiest,
       (if $busiest == 0 then 0 else (($busiest / $limit | ceil) - 1) * 60 end)] | @tsv' "$1"
}

# Requests per method and endpoint, per app too. Okta ids are 20 alphanumerics; the one path
# word of that length is kept.
endpoint_rows() { # file n rate provider phase
  jq -r --argjson n "$2" --arg rate "$3" --arg provider "$4" --arg phase "$5" '
    def endpoint: split("/") | map(if test("^[0-9A-Za-z]{20}$") and . != "authorizationServers" then "{id}" else . end) | join("/");
    group_by([.method, (.path | endpoint)]) | sort_by(-length)[]
    | [$n, $rate, $provider, $phase, .[0].method, (.[0].path | endpoint), length, (length / $n | . * 100 | round / 100),
       ([.[] | select(.status == 429)] | length)] | @tsv' "$1"
}

write_config() { # provider n dir
  local dir=$3
  if [ "$1" = oktaidp ]; then
    cat >"$dir/main.tf" <<TF
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
variable "group_ids" { type = list(string) }
resource "oktaidp_oidc_app" "pomerium" {
  count          = $2
  label          = "pomerium-\${count.index}"
  redirect_uris  = ["https://authenticate-\${count.index}.example.com/oauth2/callback"]
  grant_types    = ["authorization_code", "refresh_token"]
  response_types = ["code"]
  group_ids      = [var.group_ids[count.index]]
}
TF
  else
    cat >"$dir/main.tf" <<TF
terraform {
  required_providers {
    okta = { source = "okta/okta", version = "$okta_version" }
  }
}
variable "group_ids" { type = list(string) }
provider "okta" {
  org_name   = "emulator"
  base_url   = "okta.com"
  api_token  = "$token"
  http_proxy = "$url"
}
resource "okta_app_oauth" "pomerium" {
  count          = $2
  label          = "pomerium-\${count.index}"
  type           = "web"
  redirect_uris  = ["https://authenticate-\${count.index}.example.com/oauth2/callback"]
  grant_types    = ["authorization_code", "refresh_token"]
  response_types = ["code"]
}
resource "okta_app_group_assignments" "pomerium" {
  count  = $2
  app_id = okta_app_oauth.pomerium[count.index].id
  group {
    id = var.group_ids[count.index]
  }
}
TF
  fi
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }

failures=0
for n in $ns; do
  for rate in $rates; do
    for provider in $providers; do
      row="n$n-r$rate-$provider"
      echo "--- $row: $n apps, --rate-limit $rate, --latency-ms $latency, $provider"
      token="00bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      start_emulator "$rate"
      dir="$work/$row"
      mkdir -p "$dir"
      group_ids=()
      for i in $(seq 0 $((n - 1))); do
        id=$(seed_group "$i")
        group_ids+=("$id")
      done
      printf '%s\n' "${group_ids[@]}" | jq -R . | jq -s '{group_ids: .}' >"$dir/terraform.tfvars.json"
      write_config "$provider" "$n" "$dir"
      if [ "$provider" = oktaidp ]; then
        export OKTA_ORG_URL="$url" OKTA_API_TOKEN="$token"
      else
        unset OKTA_ORG_URL OKTA_API_TOKEN
        (cd "$dir" && "$terraform_bin" init -input=false -no-color >"$out/$row.init.log" 2>&1) || {
          echo "bench-peer: terraform init failed, see $out/$row.init.log" >&2
          exit 1
        }
      fi

      status=ok
      wait_fresh_windows
      load=$(cut -d' ' -f1 /proc/loadavg)
      marker=$(reset_log)
      t0=$(date +%s.%N)
      (cd "$dir" && "$terraform_bin" apply -auto-approve -input=false -no-color >"$out/$row.apply.log" 2>&1) ||
        status=apply-failed
      t1=$(date +%s.%N)
      collect_log "$marker" "$out/$row.apply.requests.json"
      apply_s=$(elapsed "$t0" "$t1")
      apply_figures=$(log_figures "$out/$row.apply.requests.json" "$rate")
      endpoint_rows "$out/$row.apply.requests.json" "$n" "$rate" "$provider" apply >>"$endpoints"

      plan_s=- plan_figures=$'-\t-\t-\t-\t-\t-'
      if [ "$status" = ok ]; then
        wait_fresh_windows
        marker=$(reset_log)
        t0=$(date +%s.%N)
        plan_rc=0
        (cd "$dir" && "$terraform_bin" plan -input=false -no-color -detailed-exitcode >"$out/$row.plan.log" 2>&1) ||
          plan_rc=$?
        t1=$(date +%s.%N)
        collect_log "$marker" "$out/$row.plan.requests.json"
        plan_s=$(elapsed "$t0" "$t1")
        case $plan_rc in
          0) ;;
          2) status=plan-not-empty ;;
          *) status=plan-failed ;;
        esac
        plan_figures=$(log_figures "$out/$row.plan.requests.json" "$rate")
        endpoint_rows "$out/$row.plan.requests.json" "$n" "$rate" "$provider" plan >>"$endpoints"
      fi
      stop_emulator
      [ "$status" = ok ] || failures=$((failures + 1))
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$rate" "$provider" "$status" \
        "$apply_s" "$apply_figures" "$plan_s" "$plan_figures" "$load" >>"$tsv"
      tail -1 "$tsv" | awk -F'\t' '{printf "    %s: apply %s s, %s requests, %s 429s; plan %s s, %s requests, %s 429s\n", $4, $5, $6, $7, $12, $13, $14}'
    done
  done
done

echo
echo "Markdown table (raw figures: $tsv; per endpoint: $endpoints):"
echo
awk -F'\t' '
  function bucket(b) { sub("^/api/v1/", "", b); return b == "*" ? "other /api/v1" : b }
  function provider(p) { return p == "oktaidp" ? "oktaidp (`oktaidp_oidc_app`)" : "okta/okta (`okta_app_oauth` + `okta_app_group_assignments`)" }
  function floor_cell(b, k, s) { return b == "-" ? "-" : s " s (" k " " bucket(b) ")" }
  NR == 1 {
    print "| N | rate limit | provider | apply wall s | apply requests | apply 429s | apply floor | plan wall s | plan requests | plan 429s | plan floor |"
    print "|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---|"
    next
  }
  {
    wall = $4 == "ok" ? $5 : $5 " (" $4 ")"
    printf "| %s | %s/min | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, provider($3), wall, $6, $7, floor_cell($9, $10, $11), $12, $13, $14, floor_cell($16, $17, $18)
  }' "$tsv" | tee "$out/table.md"
echo
echo "--latency-ms $latency; floor: the busiest bucket's answered requests k need ceil(k / limit) windows of 60 s"
if [ "$failures" -gt 0 ]; then
  echo "bench-peer: $failures row(s) failed (see the logs in $out)" >&2
  exit 1
fi
