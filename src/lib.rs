//! terraform-provider-oktaidp: a Terraform/OpenTofu provider that manages what Pomerium needs
//! from Okta, plus `okta-emulator`, a local Okta Management API for demos and tests.

pub mod docs;
pub mod emulator;
pub mod okta;
pub mod provider;
pub mod run;
pub mod tfplugin;
