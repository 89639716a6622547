//! `/api/v1/authorizationServers[/{as}]`: list, create, get, full-replace PUT, delete and
//! lifecycle of custom authorization servers (`default` included).
//!
//! `body.rs` validates a create or PUT body, `ops.rs` changes the org, `handlers.rs` speaks
//! HTTP.

pub mod body;
pub mod handlers;
pub mod ops;
