//! `/api/v1/authorizationServers/{as}/policies/{pid}/rules[/{rid}]`: the rules of an access
//! policy (who, which grants and scopes, token lifetimes), with lifecycle. A policy's rules
//! are ordered by priority, then creation.
//!
//! `body.rs` validates a create or PUT body, `ops.rs` changes the org, `handlers.rs` speaks
//! HTTP.

pub mod body;
pub mod handlers;
pub mod ops;
