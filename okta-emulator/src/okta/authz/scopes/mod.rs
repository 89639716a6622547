//! `/api/v1/authorizationServers/{as}/scopes[/{id}]`: scopes of a server. System scopes
//! (`openid`, `profile`, ...) keep their name and cannot be deleted.
//!
//! `body.rs` validates a create or PUT body, `ops.rs` changes the org, `handlers.rs` speaks
//! HTTP.

pub mod body;
pub mod handlers;
pub mod ops;
