//! `/api/v1/authorizationServers/{as}/policies[/{pid}]` and `…/policies/{pid}/rules[/{rid}]`:
//! access policies (which clients) and their rules (who, which grants and scopes, token
//! lifetimes), with lifecycle. Lists are ordered by priority, then creation.
//!
//! `body.rs` validates a policy body, `ops.rs` changes the org, `handlers.rs` speaks HTTP;
//! `rules/` does the same for the rules inside a policy.

pub mod body;
pub mod handlers;
pub mod ops;
pub mod rules;
