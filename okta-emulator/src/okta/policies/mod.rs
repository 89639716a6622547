//! `/api/v1/policies`: the org's policies of every type (sign-on, password, MFA enrollment,
//! IdP discovery, access (authentication) and profile-enrollment policies) and their rules, with
//! lifecycle. The data and the policies a new Identity Engine org has are in
//! `store::policies`; apps are mapped to access policies by the apps family
//! (`/api/v1/apps/{id}/policies/{policyId}`).
//!
//! `body.rs` checks a create or PUT body, `ops.rs` changes the org, `render.rs` is Okta's JSON,
//! `handlers.rs` speaks HTTP; `rules/` does the same for the rules inside a policy.

pub mod body;
mod handlers;
pub mod ops;
pub mod render;
pub mod rules;

use axum::routing::{get, post};

use crate::pipeline::{ratelimit::DEFAULT_BUCKET, routes::Route};

/// The policies API.
pub fn routes() -> Vec<Route> {
    const FAMILY: &str = "policies";
    const POLICY: &str = "/api/v1/policies/{policy_id}";
    let p = |suffix: &str| format!("{POLICY}{suffix}");
    vec![
        Route::api(
            "/api/v1/policies",
            FAMILY,
            DEFAULT_BUCKET,
            get(handlers::list).post(handlers::create),
        ),
        Route::api(
            POLICY,
            FAMILY,
            DEFAULT_BUCKET,
            get(handlers::get_one)
                .put(handlers::replace)
                .delete(handlers::delete),
        ),
        Route::api(
            p("/lifecycle/activate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(handlers::activate),
        ),
        Route::api(
            p("/lifecycle/deactivate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(handlers::deactivate),
        ),
        Route::api(
            p("/rules"),
            FAMILY,
            DEFAULT_BUCKET,
            get(rules::handlers::list).post(rules::handlers::create),
        ),
        Route::api(
            p("/rules/{rule_id}"),
            FAMILY,
            DEFAULT_BUCKET,
            get(rules::handlers::get_one)
                .put(rules::handlers::replace)
                .delete(rules::handlers::delete),
        ),
        Route::api(
            p("/rules/{rule_id}/lifecycle/activate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(rules::handlers::activate),
        ),
        Route::api(
            p("/rules/{rule_id}/lifecycle/deactivate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(rules::handlers::deactivate),
        ),
    ]
}
