//! Okta's internal `GET`/`POST /api/v1/internal/apps/{app}/settings/oauth/idToken`: the org
//! authorization server's ID-token claim of one app (the Admin Console's "Groups claim filter").
//! POST creates or replaces it; a POST without `name` and `value` clears it.
//!
//! `ops` reads and changes the org, `render` shows the setting as Okta does, `handlers` are the
//! HTTP side.

pub mod handlers;
pub mod ops;
pub mod render;
