# Pomerium signing in with Okta, with no secret in the Terraform state: the client secret stays
# in Okta (store_client_secret = false), the directory-sync API token is a write-only attribute
# fed from an ephemeral variable, and Pomerium's settings are rendered by the ephemeral
# oktaidp_pomerium_idp, handed to the caller as ephemeral outputs. Needs Terraform >= 1.11 or
# OpenTofu >= 1.11; call it as a child module (ephemeral outputs are not allowed in a root module).

terraform {
  required_version = ">= 1.11"
  required_providers {
    oktaidp = {
      source = "oktaidp/oktaidp"
    }
  }
}

locals {
  # Entries that look like Okta group IDs are used as they are; others are group names.
  group_id_pattern = "^00g[A-Za-z0-9]{17}$"
  group_names      = [for g in var.allowed_groups : g if !can(regex(local.group_id_pattern, g))]
  group_ids_given  = [for g in var.allowed_groups : g if can(regex(local.group_id_pattern, g))]
  authenticate_url = "https://${var.authenticate_host}"
}

data "oktaidp_group" "allowed" {
  for_each = toset(local.group_names)
  name     = each.value
}

resource "oktaidp_oidc_app" "pomerium" {
  label                 = var.app_label
  redirect_uris         = [provider::oktaidp::callback_url(local.authenticate_url)]
  group_ids             = concat(local.group_ids_given, [for g in data.oktaidp_group.allowed : g.id])
  client_secret_version = var.client_secret_version
  # The secret stays in Okta; the ephemeral resource below reads it when it is needed.
  store_client_secret = false
}

# Adopts the directory-sync token: checked against Okta, never stored. Raise
# okta_api_token_version when the token value changes.
resource "oktaidp_api_token" "directory_sync" {
  count            = var.directory_sync ? 1 : 0
  token_wo         = var.okta_api_token
  token_wo_version = var.okta_api_token_version
  name             = var.api_token_name
}

ephemeral "oktaidp_pomerium_idp" "settings" {
  authenticate_service_url = local.authenticate_url
  app_id                   = oktaidp_oidc_app.pomerium.id # client ID and newest secret from Okta
  api_token                = var.directory_sync ? var.okta_api_token : null
  # The token is adopted (and so checked) before it is rendered.
  depends_on = [oktaidp_api_token.directory_sync]
}
