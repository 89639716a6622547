//! `/api/v1/api-tokens`: SSWS token metadata, network conditions and revocation. Okta has no
//! API to create tokens; the emulator mints them out of band (`--api-token`,
//! `POST /__emulator/tokens`).
//!
//! `ops.rs` checks an update body and finds, updates and revokes tokens on the org;
//! `render.rs` is a token's JSON (also shown by the admin API); `handlers.rs` the HTTP side.

mod handlers;
pub mod ops;
pub mod render;

use axum::routing::{delete, get};

use crate::pipeline::{ratelimit::API_TOKENS, routes::Route};

/// The API tokens API.
pub fn routes() -> Vec<Route> {
    vec![
        Route::api(
            "/api/v1/api-tokens",
            "apiTokens",
            API_TOKENS,
            get(handlers::list),
        ),
        Route::api(
            "/api/v1/api-tokens/current",
            "apiTokens",
            API_TOKENS,
            delete(handlers::revoke_current),
        ),
        Route::api(
            "/api/v1/api-tokens/{token_id}",
            "apiTokens",
            API_TOKENS,
            get(handlers::get_one)
                .put(handlers::update)
                .delete(handlers::revoke),
        ),
    ]
}
