# A `groups` claim in the ID token, where Pomerium reads it.
variable "app_id" {
  type        = string
  description = "ID of the Okta OIDC web app Pomerium signs in with (0oa...)."
  default     = "0oa1b2c3d4e5f6g7h8i9"
}

# Org authorization server (idp_provider_url = the org URL): the app's groups claim filter.
# Pomerium must ask for the `groups` scope; oktaidp_pomerium_idp with the same app_id adds it.
resource "oktaidp_groups_claim" "org" {
  app_id = var.app_id

  # Only the groups whose names start with "eng-".
  filter_type = "STARTS_WITH"
  filter      = "eng-"
}

# Custom authorization server (idp_provider_url = <org URL>/oauth2/default): a claim of the
# server, in every ID token it issues, whatever the scopes.
resource "oktaidp_groups_claim" "default_server" {
  authorization_server_id = "default"
  # name = "groups", filter_type = "REGEX" and filter = ".*" (every group) are the defaults.
}
