//! `/api/v1/policies/{policyId}/rules[/{ruleId}]`: the rules of a policy, with lifecycle. Every
//! policy Okta creates comes with a default (system) rule that can be changed but not deleted.
//!
//! `body.rs` checks a body (and shapes an access policy rule as Okta returns it), `ops.rs`
//! changes the org, `handlers.rs` speaks HTTP; the JSON is `policies::render::rule`.

pub mod body;
pub(super) mod handlers;
pub mod ops;
