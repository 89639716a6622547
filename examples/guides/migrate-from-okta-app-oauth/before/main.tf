# Before: the OIDC web app Pomerium signs in with, managed by the official okta/okta provider,
# and the group allowed to sign in. The provider "okta" block is yours, unchanged.
terraform {
  required_providers {
    okta = {
      source  = "okta/okta"
      version = "~> 6.12"
    }
  }
}

data "okta_group" "engineering" {
  name = "Engineering"
}

resource "okta_app_oauth" "pomerium" {
  label                      = "Pomerium"
  type                       = "web"
  grant_types                = ["authorization_code", "refresh_token"]
  response_types             = ["code"]
  redirect_uris              = ["https://authenticate.example.com/oauth2/callback"]
  post_logout_redirect_uris  = ["https://authenticate.example.com/.pomerium/signed_out"]
  token_endpoint_auth_method = "client_secret_basic"
}

resource "okta_app_group_assignments" "pomerium" {
  app_id = okta_app_oauth.pomerium.id

  group {
    id = data.okta_group.engineering.id
  }
}

output "client_id" {
  value = okta_app_oauth.pomerium.client_id
}

output "client_secret" {
  value     = okta_app_oauth.pomerium.client_secret
  sensitive = true
}
