//! Pomerium knowledge shared by the `oktaidp_pomerium_idp` data source, its ephemeral form and
//! the provider functions: its URLs, versions and service account value (`settings`), and the
//! identity-provider settings rendered from Okta (`idp`).

pub mod idp;
pub mod settings;
