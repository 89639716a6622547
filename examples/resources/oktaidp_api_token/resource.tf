# Adopt the SSWS token Pomerium's Okta directory sync uses. Okta has no API to create
# SSWS tokens: create it in the Admin Console (Security → API → Tokens → Create Token),
# copy the value (shown only once) and pass it in, e.g. TF_VAR_directory_sync_token=...
resource "oktaidp_api_token" "directory_sync" {
  token = var.directory_sync_token
  name  = "pomerium-directory-sync" # the name given in the Admin Console

  # Optional: only usable from the office network zones.
  network_connection = "ZONE"
  network_include    = ["nzo1a2b3c4d5e6f7g8h9"]

  # Revoke the token when this resource is destroyed (default: just forget it).
  revoke_on_destroy = true
}

variable "directory_sync_token" {
  type        = string
  sensitive   = true
  description = "SSWS token created in the Okta Admin Console for Pomerium's directory sync."
}

output "directory_sync_token_expires_at" {
  value = oktaidp_api_token.directory_sync.expires_at
}
