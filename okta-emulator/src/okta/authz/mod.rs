//! Routes of the authorization-servers Management API and the internal per-app ID-token claim,
//! and the helpers their handlers share: finding a server by `{as}`, refusing query parameters
//! the emulator does not implement, reading body fields with Okta's validation errors.

pub mod claims;
pub mod policies;
pub mod render;
pub mod scopes;
pub mod servers;

use axum::{
    http::StatusCode,
    routing::{get, post},
};

use crate::{
    base::errors::{ApiResult, OktaError},
    pipeline::{ratelimit::DEFAULT_BUCKET, routes::Route},
    store::Org,
};

/// Okta's type word for authorization servers in 404 summaries.
pub const SERVER_KIND: &str = "AuthorizationServer";

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
            get(servers::list).post(servers::create),
        ),
        Route::api(
            AS,
            FAMILY,
            DEFAULT_BUCKET,
            get(servers::get_one)
                .put(servers::replace)
                .delete(servers::delete),
        ),
        Route::api(
            r("/lifecycle/activate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(servers::activate),
        ),
        Route::api(
            r("/lifecycle/deactivate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(servers::deactivate),
        ),
        Route::api(
            r("/scopes"),
            FAMILY,
            DEFAULT_BUCKET,
            get(scopes::list).post(scopes::create),
        ),
        Route::api(
            r("/scopes/{scope_id}"),
            FAMILY,
            DEFAULT_BUCKET,
            get(scopes::get_one)
                .put(scopes::replace)
                .delete(scopes::delete),
        ),
        Route::api(
            r("/claims"),
            FAMILY,
            DEFAULT_BUCKET,
            get(claims::list).post(claims::create),
        ),
        Route::api(
            r("/claims/{claim_id}"),
            FAMILY,
            DEFAULT_BUCKET,
            get(claims::get_one)
                .put(claims::replace)
                .delete(claims::delete),
        ),
        Route::api(
            r("/policies"),
            FAMILY,
            DEFAULT_BUCKET,
            get(policies::list).post(policies::create),
        ),
        Route::api(
            r("/policies/{policy_id}"),
            FAMILY,
            DEFAULT_BUCKET,
            get(policies::get_one)
                .put(policies::replace)
                .delete(policies::delete),
        ),
        Route::api(
            r("/policies/{policy_id}/lifecycle/activate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(policies::activate),
        ),
        Route::api(
            r("/policies/{policy_id}/lifecycle/deactivate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(policies::deactivate),
        ),
        Route::api(
            r("/policies/{policy_id}/rules"),
            FAMILY,
            DEFAULT_BUCKET,
            get(policies::list_rules).post(policies::create_rule),
        ),
        Route::api(
            r("/policies/{policy_id}/rules/{rule_id}"),
            FAMILY,
            DEFAULT_BUCKET,
            get(policies::get_rule)
                .put(policies::replace_rule)
                .delete(policies::delete_rule),
        ),
        Route::api(
            r("/policies/{policy_id}/rules/{rule_id}/lifecycle/activate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(policies::activate_rule),
        ),
        Route::api(
            r("/policies/{policy_id}/rules/{rule_id}/lifecycle/deactivate"),
            FAMILY,
            DEFAULT_BUCKET,
            post(policies::deactivate_rule),
        ),
    ]
}

/// Index of the server addressed as `key`: its `aus…` id, or `default` for the built-in one.
pub fn server_index(org: &Org, key: &str) -> ApiResult<usize> {
    org.auth_servers
        .iter()
        .position(|s| s.id == key || (key == "default" && s.is_default))
        .ok_or_else(|| OktaError::not_found(key, SERVER_KIND))
}

/// 403 for objects Okta manages itself (system scopes and claims, the `default` server).
pub fn system_object(what: &str) -> OktaError {
    OktaError::new(
        StatusCode::FORBIDDEN,
        "E0000006",
        "You do not have permission to perform the requested action",
    )
    .with_cause(format!("{what} cannot be deleted."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_found_by_id_or_default() {
        let org = Org::seed(None);
        let id = org.auth_servers[0].id.clone();
        assert_eq!(server_index(&org, "default").unwrap(), 0);
        assert_eq!(server_index(&org, &id).unwrap(), 0);
        let e = server_index(&org, "aus404").unwrap_err();
        assert_eq!(
            e.summary,
            "Not found: Resource not found: aus404 (AuthorizationServer)"
        );
    }
}
