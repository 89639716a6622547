//! `/api/v1/apps/{appId}/grants`: the Okta API scopes an app may request (Okta's "Okta API
//! Scopes" tab). A service app's `client_credentials` token request is limited to these.
//!
//! `ops` changes the org, `render` shows a grant as Okta does, `handlers` are the HTTP side.

pub mod handlers;
pub mod ops;
pub mod render;
