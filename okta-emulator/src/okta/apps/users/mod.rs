//! `/api/v1/apps/{appId}/users`: users assigned to an app directly (scope `USER`). Together with
//! group assignments they decide who may sign in to the app over OIDC.
//!
//! `ops` changes the org, `render` shows an AppUser as Okta does, `handlers` are the HTTP side.

pub mod handlers;
pub mod ops;
pub mod render;
