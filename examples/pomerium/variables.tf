variable "authenticate_host" {
  type        = string
  description = "Host name of Pomerium's authenticate service, e.g. authenticate.example.com."

  validation {
    condition     = can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$", var.authenticate_host))
    error_message = "The authenticate_host must be a host name such as authenticate.example.com (an optional :port), without https:// or a path."
  }
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

variable "groups_claim_filter" {
  type        = string
  description = "Regular expression over group names: the groups put into the ID token's groups claim (at most 100 may match)."
  default     = ".*"
}

variable "authorization_server_id" {
  type        = string
  description = "Custom authorization server Pomerium signs in through (default or aus...); null for the org authorization server."
  default     = null
}

variable "pomerium_version" {
  type        = string
  description = "Pomerium release the settings are for, e.g. 0.32.0 or 0.19.1; null for the 0.32 line. 0.10 to 0.19 get idp_service_account (directory sync with okta_api_token); 0.25 and later get the signed-out page registered as a post-logout redirect URI."
  default     = null

  validation {
    condition     = var.pomerium_version == null || can(regex("^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?$", var.pomerium_version))
    error_message = "The pomerium_version must look like 0.32.0 (or v0.32.0, or 0.32)."
  }
}
