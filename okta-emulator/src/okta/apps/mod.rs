//! `/api/v1/apps`: list/search, create, get, full-replace PUT, delete, lifecycle, and the
//! sub-resources of an app, one folder each.
//!
//! For apps themselves: `model` turns a request into the stored document (with `validate`,
//! Okta's checks), `ops` places it in the org, `render` shows it as Okta does, `handlers` are
//! the HTTP side. This file holds the route table.

pub mod assignments;
pub mod grants;
pub mod handlers;
pub mod id_token;
pub mod model;
pub mod ops;
pub mod policy;
pub mod render;
pub mod roles;
pub mod secrets;
pub mod users;
pub mod validate;

use axum::routing::{get, post, put};

use crate::pipeline::{
    ratelimit::{APPS, DEFAULT_BUCKET, OAUTH2},
    routes::Route,
};

/// Okta's `(AppInstance)` type word in 404 summaries.
pub const APP_KIND: &str = "AppInstance";

/// The apps API: apps, their client secrets, group and user assignments, scope grants, the
/// admin roles of their clients, and the internal ID-token setting.
pub fn routes() -> Vec<Route> {
    const APP: &str = "/api/v1/apps/{app_id}";
    const CLIENT_ROLES: &str = "/oauth2/v1/clients/{client_id}/roles";
    let app = |suffix: &str| format!("{APP}{suffix}");
    vec![
        Route::api(
            "/api/v1/apps",
            "apps",
            APPS,
            get(handlers::list).post(handlers::create),
        ),
        Route::api(
            APP,
            "apps",
            APPS,
            get(handlers::get_one)
                .put(handlers::replace)
                .delete(handlers::delete),
        ),
        Route::api(
            app("/lifecycle/activate"),
            "apps",
            APPS,
            post(handlers::activate),
        ),
        Route::api(
            app("/lifecycle/deactivate"),
            "apps",
            APPS,
            post(handlers::deactivate),
        ),
        Route::api(
            app("/credentials/secrets"),
            "apps",
            APPS,
            get(secrets::handlers::list).post(secrets::handlers::create),
        ),
        Route::api(
            app("/credentials/secrets/{secret_id}"),
            "apps",
            APPS,
            get(secrets::handlers::get_one).delete(secrets::handlers::delete),
        ),
        Route::api(
            app("/credentials/secrets/{secret_id}/lifecycle/activate"),
            "apps",
            APPS,
            post(secrets::handlers::activate),
        ),
        Route::api(
            app("/credentials/secrets/{secret_id}/lifecycle/deactivate"),
            "apps",
            APPS,
            post(secrets::handlers::deactivate),
        ),
        Route::api(
            app("/groups"),
            "apps",
            APPS,
            get(assignments::handlers::list),
        ),
        Route::api(
            app("/groups/{group_id}"),
            "apps",
            APPS,
            get(assignments::handlers::get_one)
                .put(assignments::handlers::upsert)
                .delete(assignments::handlers::delete),
        ),
        Route::api(
            app("/users"),
            "apps",
            APPS,
            get(users::handlers::list).post(users::handlers::assign),
        ),
        Route::api(
            app("/users/{user_id}"),
            "apps",
            APPS,
            get(users::handlers::get_one)
                .post(users::handlers::update)
                .delete(users::handlers::unassign),
        ),
        Route::api(
            app("/policies/{policy_id}"),
            "apps",
            APPS,
            put(policy::handlers::assign),
        ),
        Route::api(
            "/api/v1/policies/{policy_id}/app",
            "policies",
            DEFAULT_BUCKET,
            get(policy::handlers::list_apps),
        ),
        Route::api(
            app("/grants"),
            "appGrants",
            APPS,
            get(grants::handlers::list).post(grants::handlers::create),
        ),
        Route::api(
            app("/grants/{grant_id}"),
            "appGrants",
            APPS,
            get(grants::handlers::get_one).delete(grants::handlers::delete),
        ),
        Route::api(
            app("/roles"),
            "roles",
            APPS,
            get(roles::handlers::list).post(roles::handlers::assign),
        ),
        Route::api(
            app("/roles/{role_id}"),
            "roles",
            APPS,
            get(roles::handlers::get_one).delete(roles::handlers::unassign),
        ),
        Route::api(
            CLIENT_ROLES,
            "roles",
            OAUTH2,
            get(roles::handlers::list).post(roles::handlers::assign),
        ),
        Route::api(
            format!("{CLIENT_ROLES}/{{role_id}}"),
            "roles",
            OAUTH2,
            get(roles::handlers::get_one).delete(roles::handlers::unassign),
        ),
        Route::internal(
            "/api/v1/internal/apps/{app_id}/settings/oauth/idToken",
            DEFAULT_BUCKET,
            get(id_token::handlers::get_one).post(id_token::handlers::set),
        ),
    ]
}
