output "app_id" {
  description = "Okta app ID."
  value       = oktaidp_oidc_app.pomerium.id
}

output "client_id" {
  description = "OAuth client ID of the app."
  value       = oktaidp_oidc_app.pomerium.client_id
}

output "callback_url" {
  description = "Sign-in redirect URI registered on the app."
  value       = provider::oktaidp::callback_url(local.authenticate_url)
}

# Ephemeral: usable by the caller in write-only attributes and provider blocks, never stored.
output "pomerium_env" {
  description = "Pomerium's identity-provider settings as environment variables (ephemeral)."
  value       = ephemeral.oktaidp_pomerium_idp.settings.env
  sensitive   = true
  ephemeral   = true
}

output "pomerium_config_yaml" {
  description = "The same settings as Pomerium config.yaml keys (ephemeral)."
  value       = ephemeral.oktaidp_pomerium_idp.settings.config_yaml
  sensitive   = true
  ephemeral   = true
}
