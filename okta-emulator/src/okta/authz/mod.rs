//! Routes of the authorization-servers Management API: servers and, inside each, its scopes,
//! claims, access policies and their rules.
//!
//! Each sub-family is a folder: `body.rs` validates a create or PUT body, `ops.rs` holds the
//! operations as plain functions on the org (what the tests call without HTTP), `handlers.rs`
//! extracts the request, calls an operation and renders. The JSON of every object is in
//! `render.rs`; `system.rs` is the refusal shared by the objects Okta manages itself.

pub mod claims;
pub mod policies;
pub mod render;
pub mod scopes;
pub mod servers;
pub mod system;

use axum::routing::{get, post};

use crate::pipeline::{ratelimit::DEFAULT_BUCKET, routes::Route};

/// The authorization-server APIs: servers and their scopes, claims, policies and rules.
pub fn routes() -> Vec<Route> {
    const FAMILY: &str = "authorizationServers";
    const AS: &str = "/api/v1/authorizationServers/{as_id}";
    let r = |suffix: &str| format!("{AS}{suffix}");
    vec![
        Route::api(
            "/api/v1/authorizationServers",
            FAMILY,
            DEFAULT_BUCKET,
            get(servers::handlers::list).post(servers::handlers::create),
        ),
        Route::api(
            AS,
            FAMILY,
            DEFAULT_BUCKET,
            get(servers::handlers::get_one)
                .put(servers::handlers::replace)
                .delete(servers::handlers::delete),
        ),
        Route::api(
            r("/lifecycle/activate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(servers::handlers::activate),
        ),
        Route::api(
            r("/lifecycle/deactivate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(servers::handlers::deactivate),
        ),
        Route::api(
            r("/scopes"),
            FAMILY,
            DEFAULT_BUCKET,
            get(scopes::handlers::list).post(scopes::handlers::create),
        ),
        Route::api(
            r("/scopes/{scope_id}"),
            FAMILY,
            DEFAULT_BUCKET,
            get(scopes::handlers::get_one)
                .put(scopes::handlers::replace)
                .delete(scopes::handlers::delete),
        ),
        Route::api(
            r("/claims"),
            FAMILY,
            DEFAULT_BUCKET,
            get(claims::handlers::list).post(claims::handlers::create),
        ),
        Route::api(
            r("/claims/{claim_id}"),
            FAMILY,
            DEFAULT_BUCKET,
            get(claims::handlers::get_one)
                .put(claims::handlers::replace)
                .delete(claims::handlers::delete),
        ),
        Route::api(
            r("/policies"),
            FAMILY,
            DEFAULT_BUCKET,
            get(policies::handlers::list).post(policies::handlers::create),
        ),
        Route::api(
            r("/policies/{policy_id}"),
            FAMILY,
            DEFAULT_BUCKET,
            get(policies::handlers::get_one)
                .put(policies::handlers::replace)
                .delete(policies::handlers::delete),
        ),
        Route::api(
            r("/policies/{policy_id}/lifecycle/activate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(policies::handlers::activate),
        ),
        Route::api(
            r("/policies/{policy_id}/lifecycle/deactivate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(policies::handlers::deactivate),
        ),
        Route::api(
            r("/policies/{policy_id}/rules"),
            FAMILY,
            DEFAULT_BUCKET,
            get(policies::rules::handlers::list).post(policies::rules::handlers::create),
        ),
        Route::api(
            r("/policies/{policy_id}/rules/{rule_id}"),
            FAMILY,
            DEFAULT_BUCKET,
            get(policies::rules::handlers::get_one)
                .put(policies::rules::handlers::replace)
                .delete(policies::rules::handlers::delete),
        ),
        Route::api(
            r("/policies/{policy_id}/rules/{rule_id}/lifecycle/activate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(policies::rules::handlers::activate),
        ),
        Route::api(
            r("/policies/{policy_id}/rules/{rule_id}/lifecycle/deactivate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(policies::rules::handlers::deactivate),
        ),
    ]
}
