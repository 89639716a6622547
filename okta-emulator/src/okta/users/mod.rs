//! `/api/v1/users`: create, read, list (`q`, `filter`, `search`, paged), lifecycle and delete,
//! plus `/users/me` (the token's owner) and `/users/{id}/groups`.
//!
//! Status follows Okta: `activate=true` with a password is ACTIVE, without one PROVISIONED;
//! `activate=false` is STAGED; deactivation is DEPROVISIONED. The first DELETE deactivates, the
//! second deletes. Passwords are kept only as salted hashes and never rendered.
//!
//! - `profile.rs`: the create body's checks (profile, password policy, `groupIds`);
//! - `ops.rs`: creating, finding, activating, deactivating and deleting users on the org;
//! - `query.rs`: the list's `q`, `filter` and `search`, on the org;
//! - `render.rs`: the activation answer (a user itself is `okta::objects::user`, shared with
//!   the families that show users);
//! - `handlers.rs`: the axum handlers (paging and `Link` headers through `pipeline::http`);
//! - `authn/`: primary authentication, split the same way.

pub mod authn;
mod handlers;
pub mod ops;
pub mod profile;
pub mod query;
mod render;

use axum::routing::{get, post};

use crate::pipeline::{
    ratelimit::{AUTHN, USERS},
    routes::Route,
};

/// The users API, and primary authentication (`/api/v1/authn`, which needs no API token).
pub fn routes() -> Vec<Route> {
    use handlers::*;
    const USER: &str = "/api/v1/users/{user_id}";
    vec![
        Route::api("/api/v1/users", "users", USERS, get(list).post(create)),
        Route::api("/api/v1/users/me", "users", USERS, get(me)),
        Route::api(USER, "users", USERS, get(get_one).delete(delete)),
        Route::api(format!("{USER}/groups"), "users", USERS, get(list_groups)),
        Route::api(
            format!("{USER}/lifecycle/activate"),
            "users",
            USERS,
            post(activate),
        ),
        Route::api(
            format!("{USER}/lifecycle/deactivate"),
            "users",
            USERS,
            post(deactivate),
        ),
        Route::public("/api/v1/authn", AUTHN, post(authn::handlers::authn)),
    ]
}
