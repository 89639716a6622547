# After: the same app, managed by oktaidp. Replaces the okta_app_oauth and
# okta_app_group_assignments blocks; the outputs keep their names and values.
terraform {
  required_providers {
    oktaidp = {
      source = "oktaidp/oktaidp"
    }
    # Needed while the old resources are still in the state. Once the switch is applied, remove
    # it (and the provider "okta" block) unless okta/okta still manages something else.
    okta = {
      source  = "okta/okta"
      version = "~> 6.12"
    }
  }
}

data "oktaidp_group" "engineering" {
  name = "Engineering"
}

resource "oktaidp_oidc_app" "pomerium" {
  label                      = "Pomerium"
  grant_types                = ["authorization_code", "refresh_token"]
  response_types             = ["code"]
  redirect_uris              = ["https://authenticate.example.com/oauth2/callback"]
  post_logout_redirect_uris  = ["https://authenticate.example.com/.pomerium/signed_out"]
  token_endpoint_auth_method = "client_secret_basic"

  # Replaces okta_app_group_assignments: exactly these groups are assigned.
  group_ids = [data.oktaidp_group.engineering.id]
}

output "client_id" {
  value = oktaidp_oidc_app.pomerium.client_id
}

output "client_secret" {
  value     = oktaidp_oidc_app.pomerium.client_secret
  sensitive = true
}
