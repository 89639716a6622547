//! The ephemeral resources (Terraform 1.10 or later): one module per type, named after it
//! without `oktaidp_`.

pub mod oidc_app_client_secret;
pub mod pomerium_idp;
