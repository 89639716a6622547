# The OIDC web app Pomerium signs in with, as Pomerium's Okta guide sets it up.
data "oktaidp_group" "engineering" {
  name = "Engineering"
}

resource "oktaidp_oidc_app" "pomerium" {
  label         = "Pomerium"
  redirect_uris = ["https://authenticate.example.com/oauth2/callback"]

  # Defaults shown for clarity: Pomerium needs the refresh token grant.
  grant_types    = ["authorization_code", "refresh_token"]
  response_types = ["code"]

  # The groups allowed to sign in.
  group_ids = [data.oktaidp_group.engineering.id]

  # Raise to rotate the client secret (same app, same client_id).
  client_secret_version = 1
}

output "client_id" {
  value = oktaidp_oidc_app.pomerium.client_id
}

output "client_secret" {
  value     = oktaidp_oidc_app.pomerium.client_secret
  sensitive = true
}
