variable "authenticate_host" {
  type        = string
  description = "Host name of Pomerium's authenticate service, e.g. authenticate.example.com."
}

variable "allowed_groups" {
  type        = list(string)
  description = "Okta groups allowed to sign in through Pomerium: group names, or group IDs (00g...)."
  default     = []
}

variable "okta_api_token" {
  type        = string
  description = "Okta API token (SSWS) for directory sync, created in the Admin Console (Security > API > Tokens). Null to skip."
  sensitive   = true
  default     = null
}

variable "api_token_name" {
  type        = string
  description = "Name of that API token in Okta, used to find its ID."
  default     = "pomerium-directory-sync"
}

variable "app_label" {
  type        = string
  description = "Label of the Okta app."
  default     = "Pomerium"
}
