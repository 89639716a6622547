//! `/api/v1/apps/{appId}/groups`: which groups may use an app.
//!
//! PUT is an idempotent upsert (the Terraform provider uses it for create and update); without
//! a `priority` a new assignment gets the next one. Lists are ordered by priority.
//!
//! `ops` changes the org, `render` shows an assignment as Okta does, `handlers` are the HTTP
//! side.

pub mod handlers;
pub mod ops;
pub mod render;
