#!/usr/bin/env bash
# Demo: builds the provider, then runs `terraform apply` on the oktaidp_pomerium_idp example and
# prints the Pomerium settings it rendered. Uses the terraform on PATH when it is >= 1.0,
# otherwise installs Terraform 1.0.3 into the cache (scripts/install-terraform.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "==> building terraform-provider-oktaidp"
cargo build --quiet --bin terraform-provider-oktaidp

terraform_bin=""
if command -v terraform >/dev/null 2>&1; then
  major=$(terraform version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9]*\)\..*/\1/p' | head -1)
  if [ "${major:-0}" -ge 1 ]; then terraform_bin=$(command -v terraform); fi
fi
[ -n "$terraform_bin" ] || terraform_bin=$(bash scripts/install-terraform.sh | tail -1)
echo "==> using $("$terraform_bin" version | head -1)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp examples/provider/provider.tf examples/data-sources/oktaidp_pomerium_idp/data-source.tf "$work/"
cat > "$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/oktaidp/oktaidp" = "$root/target/debug"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
cd "$work"
vars=(-var "client_secret=demo-client-secret-0123456789" -var "okta_api_token=00demo-api-token-0123456789")
"$terraform_bin" apply -auto-approve -no-color "${vars[@]}"
echo
echo "==> Pomerium settings (config.yaml):"
"$terraform_bin" output -raw pomerium_config_yaml
echo
echo "==> Pomerium settings (environment):"
"$terraform_bin" output -json pomerium_env
"$terraform_bin" destroy -auto-approve -no-color "${vars[@]}" >/dev/null
