# Needs Terraform >= 1.8 (or OpenTofu >= 1.7).
locals {
  authenticate_url = "https://authenticate.example.com"
}

resource "oktaidp_oidc_app" "pomerium" {
  label         = "Pomerium"
  redirect_uris = [provider::oktaidp::callback_url(local.authenticate_url)]
}

output "callback_url" {
  value = provider::oktaidp::callback_url(local.authenticate_url)
}
