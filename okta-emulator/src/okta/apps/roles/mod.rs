//! Admin roles of client apps: `POST/GET /oauth2/v1/clients/{clientId}/roles` (Okta's "assign
//! a role to a client app"), also answered under `/api/v1/apps/{clientId}/roles`, and
//! `GET/DELETE …/roles/{roleId}`. A service app's OAuth access token can only do what one of
//! its roles covers (`okta_scopes::role_covers`).
//!
//! `ops` changes the org, `render` shows a role assignment as Okta does, `handlers` are the
//! HTTP side.

pub mod handlers;
pub mod ops;
pub mod render;
