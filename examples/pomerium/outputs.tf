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
  value       = data.oktaidp_pomerium_idp.settings.callback_url
}

output "post_logout_redirect_uri" {
  description = "Sign-out redirect URI Pomerium sends to Okta's /logout, registered on the app; null for Pomerium before 0.25."
  value       = data.oktaidp_pomerium_idp.settings.post_logout_redirect_uri
}

output "pomerium_env" {
  description = "Pomerium's identity-provider settings as environment variables."
  value       = data.oktaidp_pomerium_idp.settings.env
  sensitive   = true
}

output "pomerium_config_yaml" {
  description = "The same settings as Pomerium config.yaml keys."
  value       = data.oktaidp_pomerium_idp.settings.config_yaml
  sensitive   = true
}

output "directory_sync" {
  description = "Pomerium Enterprise Okta directory settings (api_key, url); null without an API token."
  value       = data.oktaidp_pomerium_idp.settings.directory_sync
  sensitive   = true
}
