//! The axum router: every family's routes, the admin API and the Okta-style fallbacks, inside
//! the request pipeline.

use std::sync::Arc;

use axum::{
    http::{Method, StatusCode, Uri},
    middleware,
    response::{IntoResponse, Response},
    routing::{delete, get, post},
    Extension, Router,
};
use serde_json::json;

use crate::{
    admin,
    base::errors::OktaError,
    oidc,
    okta::apps::{
        assignments, grants as app_grants, roles as client_roles, secrets, users as app_users,
    },
    okta::groups::members,
    okta::users::authn,
    okta::{api_tokens as tokens, apps, authz as authz_api, groups, org, users},
    pipeline::http::BoundBase,
    pipeline::{self, Shared},
};

/// The complete router: Okta API, admin endpoints, Okta-style fallbacks, and the request
/// pipeline (log, latency, rate limit, faults, auth) around all of it.
pub fn router(shared: Arc<Shared>, bound_base: String) -> Router {
    let okta = Router::new()
        .route("/api/v1/apps", get(apps::list).post(apps::create))
        .route(
            "/api/v1/apps/{app_id}",
            get(apps::get_one).put(apps::replace).delete(apps::delete),
        )
        .route(
            "/api/v1/apps/{app_id}/lifecycle/activate",
            post(apps::activate),
        )
        .route(
            "/api/v1/apps/{app_id}/lifecycle/deactivate",
            post(apps::deactivate),
        )
        .route(
            "/api/v1/apps/{app_id}/credentials/secrets",
            get(secrets::list).post(secrets::create),
        )
        .route(
            "/api/v1/apps/{app_id}/credentials/secrets/{secret_id}",
            get(secrets::get_one).delete(secrets::delete),
        )
        .route(
            "/api/v1/apps/{app_id}/credentials/secrets/{secret_id}/lifecycle/activate",
            post(secrets::activate),
        )
        .route(
            "/api/v1/apps/{app_id}/credentials/secrets/{secret_id}/lifecycle/deactivate",
            post(secrets::deactivate),
        )
        .route("/api/v1/apps/{app_id}/groups", get(assignments::list))
        .route(
            "/api/v1/apps/{app_id}/grants",
            get(app_grants::list).post(app_grants::create),
        )
        .route(
            "/api/v1/apps/{app_id}/grants/{grant_id}",
            get(app_grants::get_one).delete(app_grants::delete),
        )
        .route(
            "/api/v1/apps/{app_id}/roles",
            get(client_roles::list).post(client_roles::assign),
        )
        .route(
            "/api/v1/apps/{app_id}/roles/{role_id}",
            get(client_roles::get_one).delete(client_roles::unassign),
        )
        .route(
            "/oauth2/v1/clients/{client_id}/roles",
            get(client_roles::list).post(client_roles::assign),
        )
        .route(
            "/oauth2/v1/clients/{client_id}/roles/{role_id}",
            get(client_roles::get_one).delete(client_roles::unassign),
        )
        .route(
            "/api/v1/apps/{app_id}/users",
            get(app_users::list).post(app_users::assign),
        )
        .route(
            "/api/v1/apps/{app_id}/users/{user_id}",
            get(app_users::get_one)
                .post(app_users::update)
                .delete(app_users::unassign),
        )
        .route(
            "/api/v1/apps/{app_id}/groups/{group_id}",
            get(assignments::get_one)
                .put(assignments::upsert)
                .delete(assignments::delete),
        )
        .route("/api/v1/groups", get(groups::list).post(groups::create))
        .route(
            "/api/v1/groups/{group_id}",
            get(groups::get_one)
                .put(groups::replace)
                .delete(groups::delete),
        )
        .route("/.well-known/okta-organization", get(org::well_known))
        .route("/api/v1/groups/{group_id}/users", get(members::list))
        .route(
            "/api/v1/groups/{group_id}/users/{user_id}",
            axum::routing::put(members::add).delete(members::remove),
        )
        .route("/api/v1/users", get(users::list).post(users::create))
        .route("/api/v1/users/me", get(users::me))
        .route(
            "/api/v1/users/{user_id}",
            get(users::get_one).delete(users::delete),
        )
        .route("/api/v1/users/{user_id}/groups", get(users::list_groups))
        .route(
            "/api/v1/users/{user_id}/lifecycle/activate",
            post(users::activate),
        )
        .route(
            "/api/v1/users/{user_id}/lifecycle/deactivate",
            post(users::deactivate),
        )
        .route("/api/v1/authn", post(authn::authn))
        .route("/api/v1/api-tokens", get(tokens::list))
        .route("/api/v1/api-tokens/current", delete(tokens::revoke_current))
        .route(
            "/api/v1/api-tokens/{token_id}",
            get(tokens::get_one)
                .put(tokens::update)
                .delete(tokens::revoke),
        );
    let admin = Router::new()
        .route("/__emulator/health", get(admin::health))
        .route("/__emulator/state", get(admin::state))
        .route(
            "/__emulator/requests",
            get(admin::requests).delete(admin::clear_requests),
        )
        .route(
            "/__emulator/faults",
            get(admin::list_faults)
                .post(admin::add_fault)
                .delete(admin::clear_faults),
        )
        .route("/__emulator/faults/{fault_id}", delete(admin::remove_fault))
        .route("/__emulator/tokens", post(admin::mint_token))
        .route("/__emulator/secrets", get(admin::secrets))
        .route("/__emulator/reset", post(admin::reset))
        .route("/__emulator", get(admin::index));
    okta.merge(oidc::routes())
        .merge(authz_api::routes())
        .merge(admin)
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            pipeline::pipeline,
        ))
        .layer(Extension(BoundBase(bound_base)))
        .with_state(shared)
}

async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/__emulator") {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(
                json!({"error": format!("no admin endpoint {method} {path}; see GET /__emulator")}),
            ),
        )
            .into_response();
    }
    if path.starts_with("/api/")
        || path.starts_with("/oauth2/")
        || path.starts_with("/.well-known/")
    {
        return OktaError::unsupported(format!("okta-emulator does not implement {method} {path}"))
            .into_response();
    }
    OktaError::not_found(path, "Route").into_response()
}

async fn method_not_allowed() -> Response {
    OktaError::method_not_allowed().into_response()
}
