//! Provider functions (Terraform >= 1.8, OpenTofu >= 1.7): `provider::oktaidp::<name>(...)`.
//! Pure computations on the arguments, with the same checks and rendering as the
//! `oktaidp_pomerium_idp` data source; no Okta call, no provider configuration needed.

mod callback_url;
mod idp_service_account;

pub use callback_url::CallbackUrl;
pub use idp_service_account::IdpServiceAccount;
