//! `/api/v1/groups`: enough of the Groups API for tests to create, find and delete the groups
//! they assign to apps, and to manage their members.
//!
//! - `ops.rs`: creating, replacing and deleting groups, as plain functions on the org;
//! - `query.rs`: the list's `q`, `filter`, `search` and sort, also on the org;
//! - `handlers.rs`: the axum handlers (request in, operation, response out; paging and `Link`
//!   headers through `pipeline::http`);
//! - `members/`: group membership, split the same way.
//!
//! A group's JSON is `okta::objects::group`, shared with the families that show groups (a
//! user's groups, an app's assignments), so this folder has no `render.rs` of its own.

mod handlers;
pub mod members;
pub mod ops;
pub mod query;

use axum::routing::{get, put};

use crate::pipeline::{ratelimit::GROUPS, routes::Route};

/// The groups API: groups and their members.
pub fn routes() -> Vec<Route> {
    vec![
        Route::api(
            "/api/v1/groups",
            "groups",
            GROUPS,
            get(handlers::list).post(handlers::create),
        ),
        Route::api(
            "/api/v1/groups/{group_id}",
            "groups",
            GROUPS,
            get(handlers::get_one)
                .put(handlers::replace)
                .delete(handlers::delete),
        ),
        Route::api(
            "/api/v1/groups/{group_id}/users",
            "groups",
            GROUPS,
            get(members::handlers::list),
        ),
        Route::api(
            "/api/v1/groups/{group_id}/users/{user_id}",
            "groups",
            GROUPS,
            put(members::handlers::add).delete(members::handlers::remove),
        ),
    ]
}
