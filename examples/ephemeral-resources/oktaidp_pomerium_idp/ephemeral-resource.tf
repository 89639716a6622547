# Needs Terraform >= 1.10 (or OpenTofu >= 1.11). Same arguments and outputs as the data source,
# but nothing lands in plan or state, and ephemeral inputs are accepted.
variable "app_id" {
  type = string
}

variable "okta_directory_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "oktaidp_pomerium_idp" "pomerium" {
  authenticate_service_url = "https://authenticate.example.com"
  app_id                   = var.app_id # client ID and newest secret come from the app
  api_token                = var.okta_directory_token
}

# Hand the settings to a write-only attribute of another provider, e.g. with hashicorp/kubernetes:
#
# resource "kubernetes_secret_v1" "pomerium_idp" {
#   metadata { name = "pomerium-idp" }
#   data_wo         = ephemeral.oktaidp_pomerium_idp.pomerium.env
#   data_wo_revision = 1
# }
