# Needs Terraform >= 1.8 (or OpenTofu >= 1.7).
variable "okta_api_token" {
  type      = string
  sensitive = true
}

output "idp_service_account" {
  # Sensitive because its argument is.
  value     = provider::oktaidp::idp_service_account(var.okta_api_token)
  sensitive = true
}
