# Several Pomerium deployments sign in through one Okta app that a central team owns.
# Each deployment's stack registers only its own callback; the app's other URIs stay.
variable "shared_app_id" {
  type        = string
  description = "ID of the shared Okta OIDC app (0oa...)."
  default     = "0oa1b2c3d4e5f6g7h8i9"
}

variable "authenticate_hosts" {
  type    = set(string)
  default = ["authenticate.staging.example.com", "authenticate.example.com"]
}

resource "oktaidp_oidc_app_redirect_uri" "callback" {
  for_each = var.authenticate_hosts

  app_id = var.shared_app_id
  uri    = "https://${each.value}/oauth2/callback"
}

# A sign-out redirect URI (post_logout_redirect_uris).
resource "oktaidp_oidc_app_redirect_uri" "signed_out" {
  app_id = var.shared_app_id
  uri    = "https://www.example.com/signed-out"
  kind   = "post_logout"
}

# With an app managed by oktaidp_oidc_app, turn off exclusive mode so that the app resource
# keeps URIs it does not list.
resource "oktaidp_oidc_app" "shared" {
  label                   = "Pomerium (shared)"
  redirect_uris           = ["https://authenticate.example.org/oauth2/callback"]
  redirect_uris_exclusive = false
}

resource "oktaidp_oidc_app_redirect_uri" "team_a" {
  app_id = oktaidp_oidc_app.shared.id
  uri    = "https://authenticate.team-a.example.org/oauth2/callback"
}
