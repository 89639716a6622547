//! Okta Management API client used by every resource of terraform-provider-oktaidp. It keeps its
//! own types, separate from `okta-emulator`'s, so that the two check each other in the tests.
//!
//! - [`OktaClient`] (built with [`OktaClient::builder`]) authenticates with `SSWS <token>`,
//!   refuses plain http to non-loopback hosts, paces itself per rate-limit bucket
//!   ([`ratelimit`]), retries with backoff ([`retry`]), follows `Link` pagination and is
//!   cancelled by the provider's `StopProvider` through a `CancellationToken`.
//! - Endpoint groups: [`OktaClient::apps`], [`OktaClient::app_secrets`],
//!   [`OktaClient::app_groups`], [`OktaClient::groups`], [`OktaClient::users`],
//!   [`OktaClient::api_tokens`], plus [`OktaClient::update_app_with`] for a locked
//!   read-modify-write of an app and [`OktaClient::update_app_confirmed`] for one that is
//!   confirmed and redone while other writers undo it ([`converge`]).
//! - Refresh reads of an app and its group assignments are shared within the process
//!   ([`read_cache`]).
//! - Models ([`models`]) round-trip Okta's JSON without loss; secrets are [`Secret`]s whose
//!   `Debug` is redacted.

mod apps;
mod assignments;
mod authz;
mod client;
pub mod clock;
pub mod config;
pub mod converge;
pub mod error;
mod groups;
mod late_writes;
pub mod locks;
pub mod models;
pub mod oauth;
pub mod pagination;
pub mod ratelimit;
pub mod read_cache;
mod resolve;
pub mod retry;
mod secret;
mod secrets;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod tokens;
mod users;

pub use apps::{AppListQuery, Apps, CreatedApp};
pub use assignments::AppGroups;
pub use authz::{AppIdTokenClaims, AuthServerClaims};
pub use client::{Credentials, OktaClient, OktaClientBuilder, Origin, USER_AGENT};
pub use clock::{Clock, FakeClock, SystemClock};
pub use config::ClientConfig;
pub use converge::AppWrite;
pub use error::{ApiError, OktaError, TransportError, TransportKind};
pub use groups::Groups;
pub use locks::{AppLockGuard, AppLocks};
pub use models::*;
pub use oauth::{OAuthError, OAuthSettings, SigningKey, TokenSource};
pub use ratelimit::{bucket_key, RateLimiter};
pub use resolve::NameNotResolved;
pub use secret::Secret;
pub use secrets::{AppSecrets, Previous, Rotated};
pub use tokens::{ApiTokens, TokenMiss};
pub use users::Users;
