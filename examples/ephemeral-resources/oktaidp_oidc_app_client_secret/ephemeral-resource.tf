# Needs Terraform >= 1.10 (or OpenTofu >= 1.11). The secret is read at plan and apply time and
# never stored: use it in provider blocks, write-only attributes or other ephemeral resources.
variable "app_id" {
  type        = string
  description = "ID of the Okta OIDC app, e.g. oktaidp_oidc_app.pomerium.id."
}

ephemeral "oktaidp_oidc_app_client_secret" "pomerium" {
  app_id = var.app_id
}

# For example, Pomerium's settings rendered from it without any secret in state:
ephemeral "oktaidp_pomerium_idp" "pomerium" {
  authenticate_service_url = "https://authenticate.example.com"
  client_id                = ephemeral.oktaidp_oidc_app_client_secret.pomerium.client_id
  client_secret            = ephemeral.oktaidp_oidc_app_client_secret.pomerium.client_secret
}
