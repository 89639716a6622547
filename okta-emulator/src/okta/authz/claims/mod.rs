//! `/api/v1/authorizationServers/{as}/claims[/{id}]`: claims of a server, with the snake_case
//! `group_filter_type` of Okta's claims API. SYSTEM claims cannot be deleted; a PUT on one only
//! changes `alwaysIncludeInToken`, as Okta allows.
//!
//! `body.rs` validates a create or PUT body, `ops.rs` changes the org, `handlers.rs` speaks
//! HTTP.

pub mod body;
pub mod handlers;
pub mod ops;
