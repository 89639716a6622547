# Pomerium needs refresh tokens. Turn the grant on for an app owned elsewhere
# (not for an oktaidp_oidc_app: set its grant_types and refresh_token_* instead).
variable "app_id" {
  type        = string
  description = "ID of the Okta OIDC web app Pomerium signs in with (0oa...)."
  default     = "0oa1b2c3d4e5f6g7h8i9"
}

resource "oktaidp_oidc_app_refresh_grant" "pomerium" {
  app_id = var.app_id

  # Every refresh returns a new refresh token; the previous one keeps working for 30 seconds.
  # Leave both unset for STATIC refresh tokens.
  rotation = "ROTATE"
  leeway   = 30
}
