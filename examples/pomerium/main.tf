# Pomerium signing in with Okta, in one module: the OIDC web app with Pomerium's callback and the
# refresh token grant, the groups allowed to sign in, the groups claim Pomerium's policies read,
# the adopted API token for directory sync, and Pomerium's rendered settings. Steps of Pomerium's
# Okta guide, as code.

terraform {
  required_version = ">= 1.0"
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
  manage_api_token = nonsensitive(var.okta_api_token != null)
  # Without a custom authorization server, the org authorization server signs users in and the
  # groups claim is the app's; with one, it is a claim of that server.
  org_server = var.authorization_server_id == null
  # Pomerium 0.25 and later send https://<authenticate>/.pomerium/signed_out as Okta's
  # post_logout_redirect_uri on sign-out; Okta refuses it unless the app lists it. Unset
  # pomerium_version means the 0.32 line, as for oktaidp_pomerium_idp.
  pomerium_version = var.pomerium_version == null ? [0, 32] : [for n in slice(split(".", trimprefix(var.pomerium_version, "v")), 0, 2) : tonumber(n)]
  signed_out_page  = local.pomerium_version[0] > 0 || local.pomerium_version[1] >= 25
}

data "oktaidp_group" "allowed" {
  for_each = toset(local.group_names)
  name     = each.value
}

resource "oktaidp_oidc_app" "pomerium" {
  label                     = var.app_label
  redirect_uris             = ["https://${var.authenticate_host}/oauth2/callback"]
  post_logout_redirect_uris = local.signed_out_page ? ["https://${var.authenticate_host}/.pomerium/signed_out"] : null
  group_ids                 = concat(local.group_ids_given, [for g in data.oktaidp_group.allowed : g.id])
}

resource "oktaidp_api_token" "directory_sync" {
  count = local.manage_api_token ? 1 : 0
  token = var.okta_api_token
  name  = var.api_token_name
}

resource "oktaidp_groups_claim" "pomerium" {
  app_id                  = local.org_server ? oktaidp_oidc_app.pomerium.id : null
  authorization_server_id = var.authorization_server_id
  filter                  = var.groups_claim_filter
}

data "oktaidp_pomerium_idp" "settings" {
  authenticate_service_url = "https://${var.authenticate_host}"
  pomerium_version         = var.pomerium_version
  # Through the claim, so the settings are read once it exists: with the org authorization
  # server, idp_scopes then asks for the `groups` scope that brings the claim.
  app_id                  = local.org_server ? oktaidp_groups_claim.pomerium.app_id : oktaidp_oidc_app.pomerium.id
  authorization_server_id = var.authorization_server_id
  client_secret           = oktaidp_oidc_app.pomerium.client_secret
  # Read through the resource so the token is validated before it is rendered. Pomerium 0.20 and
  # later render it only in directory_sync (Enterprise), with a warning.
  api_token = local.manage_api_token ? oktaidp_api_token.directory_sync[0].token : null
}
