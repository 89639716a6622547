terraform {
  required_providers {
    oktaidp = {
      source = "oktaidp/oktaidp"
    }
  }
}

# The org URL and API token usually come from OKTA_ORG_URL and OKTA_API_TOKEN.
# For local runs against okta-emulator use org_url = "http://127.0.0.1:8089".
provider "oktaidp" {
  org_url = var.okta_org_url
}

variable "okta_org_url" {
  type        = string
  description = "Okta org URL, e.g. https://dev-123456.okta.com."
  default     = "https://dev-123456.okta.com"
}
