# Render Pomerium's identity-provider settings for an existing Okta OIDC app.
data "oktaidp_pomerium_idp" "pomerium" {
  authenticate_service_url = "https://authenticate.example.com"
  pomerium_version         = var.pomerium_version # null: the 0.32 line
  client_id                = var.client_id
  client_secret            = var.client_secret
  api_token                = var.okta_api_token
}

variable "pomerium_version" {
  type        = string
  description = "The Pomerium release you run; 0.10 to 0.19 also get idp_service_account from okta_api_token."
  default     = null
}

variable "client_id" {
  type    = string
  default = "0oa1example2client3id"
}

variable "client_secret" {
  type      = string
  sensitive = true
}

variable "okta_api_token" {
  type      = string
  sensitive = true
  default   = null
}

output "callback_url" {
  description = "Register this as a sign-in redirect URI on the Okta app."
  value       = data.oktaidp_pomerium_idp.pomerium.callback_url
}

output "idp_provider_url" {
  value = data.oktaidp_pomerium_idp.pomerium.idp_provider_url
}

output "post_logout_redirect_uri" {
  description = "Register this as a sign-out redirect URI on the Okta app (Pomerium 0.25 and later)."
  value       = data.oktaidp_pomerium_idp.pomerium.post_logout_redirect_uri
}

output "pomerium_env" {
  value     = data.oktaidp_pomerium_idp.pomerium.env
  sensitive = true
}

output "pomerium_config_yaml" {
  value     = data.oktaidp_pomerium_idp.pomerium.config_yaml
  sensitive = true
}

output "idp_service_account" {
  value     = data.oktaidp_pomerium_idp.pomerium.idp_service_account
  sensitive = true
}
