//! terraform-provider-oktaidp: a Terraform/OpenTofu provider that manages what Pomerium needs
//! from Okta. Its tests run against `okta-emulator`, the workspace's local Okta org.

pub mod docs;
pub mod provider;
pub mod run;

// The two layers below the provider are crates of their own (`crates/okta-client`,
// `crates/tfplugin`), so the compiler keeps them from reaching up into it; their old paths stay.
pub use oktaidp_okta as okta;
pub use oktaidp_tfplugin as tfplugin;

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit the binaries were built from ("unknown" outside a git checkout).
pub const GIT_COMMIT: &str = env!("OKTAIDP_GIT_COMMIT");

/// What `--version` prints for `binary`: name, crate version and commit.
pub fn version_line(binary: &str) -> String {
    format!("{binary} {VERSION} (commit {GIT_COMMIT})")
}
