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

variable "directory_sync" {
  type        = bool
  description = "Adopt okta_api_token for directory sync: rendered in directory_sync (Pomerium Enterprise); oktaidp_pomerium_idp renders idp_service_account only for Pomerium 0.10 to 0.19 (pomerium_version)."
  default     = true
}

variable "okta_api_token" {
  type        = string
  description = "Okta API token (SSWS) for directory sync, created in the Admin Console (Security > API > Tokens). Ephemeral: never stored."
  sensitive   = true
  ephemeral   = true
  default     = null
}

variable "okta_api_token_version" {
  type        = number
  description = "Raise when okta_api_token changes, so that the provider checks and adopts the new value."
  default     = 1
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

variable "client_secret_version" {
  type        = number
  description = "Raise to rotate the app's client secret."
  default     = 1
}
