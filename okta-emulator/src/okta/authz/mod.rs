//! Routes of the authorization-servers Management API and the internal per-app ID-token claim,
//! and the helpers their handlers share: finding a server by `{as}`, refusing query parameters
//! the emulator does not implement, reading body fields with Okta's validation errors.

pub mod claims;
pub mod policies;
pub mod render;
pub mod scopes;
pub mod servers;

use std::sync::Arc;

use axum::{
    http::StatusCode,
    routing::{get, post},
    Router,
};

use crate::{
    base::errors::{ApiResult, OktaError},
    okta::apps::id_token as app_id_token,
    okta::authz::{
        claims as authz_claims, policies as authz_policies, scopes as authz_scopes,
        servers as authz_servers,
    },
    pipeline::shared::Shared,
    store::Org,
};

/// Okta's type word for authorization servers in 404 summaries.
pub const SERVER_KIND: &str = "AuthorizationServer";

pub fn routes() -> Router<Arc<Shared>> {
    const AS: &str = "/api/v1/authorizationServers/{as_id}";
    let r = |suffix: &str| format!("{AS}{suffix}");
    Router::new()
        .route(
            "/api/v1/authorizationServers",
            get(authz_servers::list).post(authz_servers::create),
        )
        .route(
            AS,
            get(authz_servers::get_one)
                .put(authz_servers::replace)
                .delete(authz_servers::delete),
        )
        .route(&r("/lifecycle/activate"), post(authz_servers::activate))
        .route(&r("/lifecycle/deactivate"), post(authz_servers::deactivate))
        .route(
            &r("/scopes"),
            get(authz_scopes::list).post(authz_scopes::create),
        )
        .route(
            &r("/scopes/{scope_id}"),
            get(authz_scopes::get_one)
                .put(authz_scopes::replace)
                .delete(authz_scopes::delete),
        )
        .route(
            &r("/claims"),
            get(authz_claims::list).post(authz_claims::create),
        )
        .route(
            &r("/claims/{claim_id}"),
            get(authz_claims::get_one)
                .put(authz_claims::replace)
                .delete(authz_claims::delete),
        )
        .route(
            &r("/policies"),
            get(authz_policies::list).post(authz_policies::create),
        )
        .route(
            &r("/policies/{policy_id}"),
            get(authz_policies::get_one)
                .put(authz_policies::replace)
                .delete(authz_policies::delete),
        )
        .route(
            &r("/policies/{policy_id}/lifecycle/activate"),
            post(authz_policies::activate),
        )
        .route(
            &r("/policies/{policy_id}/lifecycle/deactivate"),
            post(authz_policies::deactivate),
        )
        .route(
            &r("/policies/{policy_id}/rules"),
            get(authz_policies::list_rules).post(authz_policies::create_rule),
        )
        .route(
            &r("/policies/{policy_id}/rules/{rule_id}"),
            get(authz_policies::get_rule)
                .put(authz_policies::replace_rule)
                .delete(authz_policies::delete_rule),
        )
        .route(
            &r("/policies/{policy_id}/rules/{rule_id}/lifecycle/activate"),
            post(authz_policies::activate_rule),
        )
        .route(
            &r("/policies/{policy_id}/rules/{rule_id}/lifecycle/deactivate"),
            post(authz_policies::deactivate_rule),
        )
        .route(
            "/api/v1/internal/apps/{app_id}/settings/oauth/idToken",
            get(app_id_token::get_one).post(app_id_token::set),
        )
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
