terraform {
  required_providers {
    oktaidp = {
      source = "oktaidp/oktaidp"
    }
  }
}

# The org URL and the credentials usually come from the environment: OKTA_ORG_URL, and either
# OKTA_API_TOKEN (an SSWS API token) or OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY and
# OKTA_API_PRIVATE_KEY_ID (an OAuth 2.0 service app, as Okta recommends).
# For local runs against okta-emulator use org_url = "http://127.0.0.1:8089".
provider "oktaidp" {
  org_url = var.okta_org_url
}

variable "okta_org_url" {
  type        = string
  description = "Okta org URL, e.g. https://dev-123456.okta.com."
  default     = "https://dev-123456.okta.com"
}
