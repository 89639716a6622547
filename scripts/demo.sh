#!/usr/bin/env bash
# Demo: starts okta-emulator (a local Okta org), creates two groups and a directory-sync API token
# in it, applies examples/pomerium with the provider built here, prints the Pomerium settings it
# rendered, signs a demo user in with those settings the way Pomerium would (and prints the
# ID token's sub, email and groups), shows that a second plan is empty, then destroys everything.
# Uses the terraform on PATH when it is >= 1.0, otherwise Terraform 1.0.3 from the cache
# (scripts/install-terraform.sh installs it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "==> building terraform-provider-oktaidp and okta-emulator"
cargo build --quiet --bin terraform-provider-oktaidp --bin okta-emulator --example pomerium_sign_in

terraform_bin=""
if command -v terraform >/dev/null 2>&1; then
  major=$(terraform version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9]*\)\..*/\1/p' | head -1)
  if [ "${major:-0}" -ge 1 ]; then terraform_bin=$(command -v terraform); fi
fi
[ -n "$terraform_bin" ] || terraform_bin=$(bash scripts/install-terraform.sh | tail -1)
echo "==> using $("$terraform_bin" version | head -1)"

work=$(mktemp -d)
admin_token="00demo-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$root/target/debug/okta-emulator" --listen 127.0.0.1:0 --api-token "$admin_token" >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
cleanup() { kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -q listening "$work/emulator.out" 2>/dev/null && break
  sleep 0.05
done
org_url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/emulator.out")
[ -n "$org_url" ] || { echo "okta-emulator did not start" >&2; cat "$work/emulator.log" >&2; exit 1; }
echo "==> okta-emulator at $org_url"

okta() { curl -fsS -X "$1" "$org_url$2" -H "Authorization: SSWS $admin_token" -H 'Content-Type: application/json' -H 'Accept: application/json' ${3:+-d "$3"}; }
group_id() { grep -o '"id":"00g[^"]*"' | head -1 | cut -d'"' -f4; }
eng_id=$(okta POST /api/v1/groups '{"profile":{"name":"Engineering","description":"Allowed to use Pomerium"}}' | group_id)
okta POST /api/v1/groups '{"profile":{"name":"Operations","description":"Allowed to use Pomerium"}}' >/dev/null
# A person to sign in: in Engineering (allowed) and in a group Pomerium's policy might use too.
export DEMO_PASSWORD="Demo-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
oncall_id=$(okta POST /api/v1/groups '{"profile":{"name":"On-call","description":"Pages at night"}}' | group_id)
okta POST '/api/v1/users?activate=true' "{\"profile\":{\"firstName\":\"Dana\",\"lastName\":\"Demo\",\"email\":\"dana@example.com\",\"login\":\"dana@example.com\"},\"credentials\":{\"password\":{\"value\":\"$DEMO_PASSWORD\"}},\"groupIds\":[\"$eng_id\",\"$oncall_id\"]}" >/dev/null
# Okta has no API to create API tokens; the emulator mints one the way an admin would in the console.
dir_token=$(curl -fsS -X POST "$org_url/__emulator/tokens" -H 'Content-Type: application/json' \
  -d '{"name":"pomerium-directory-sync"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
echo "==> groups Engineering and Operations created; API token pomerium-directory-sync minted"

cp examples/pomerium/*.tf "$work/"
cat > "$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/oktaidp/oktaidp" = "$root/target/debug"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export OKTA_ORG_URL="$org_url" OKTA_API_TOKEN="$admin_token"
export TF_VAR_authenticate_host=authenticate.example.com
export TF_VAR_allowed_groups='["Engineering","Operations"]'
export TF_VAR_okta_api_token="$dir_token"
cd "$work"

echo "==> terraform apply examples/pomerium"
"$terraform_bin" apply -auto-approve -no-color
echo
echo "==> Pomerium settings (config.yaml) for Pomerium 0.32 (TF_VAR_pomerium_version, unset here):"
echo "    no idp_service_account: 0.20 and later refuse it; the API token is in directory_sync (Enterprise),"
echo "    as the warning above says. Set TF_VAR_pomerium_version=0.19.1 for core directory sync."
"$terraform_bin" output -raw pomerium_config_yaml
echo
echo "==> sign-out redirect registered on the app (Okta's post_logout_redirect_uri):"
"$terraform_bin" output -raw post_logout_redirect_uri
echo
echo "==> Pomerium settings (environment):"
"$terraform_bin" output -json pomerium_env
echo
echo "==> dana@example.com signs in with these settings, as Pomerium would; what Pomerium sees:"
"$terraform_bin" output -json pomerium_env | "$root/target/debug/examples/pomerium_sign_in" --login dana@example.com --password-env DEMO_PASSWORD
echo
echo "==> second plan (expect no changes):"
"$terraform_bin" plan -no-color -detailed-exitcode | grep -E "^(No changes|Plan:)"
echo "==> terraform destroy"
"$terraform_bin" destroy -auto-approve -no-color | tail -1
