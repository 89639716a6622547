//! The API tokens API's axum handlers.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::Response,
    Extension,
};
use serde_json::Value;

use crate::{
    base::clock,
    base::errors::ApiResult,
    pipeline::auth::Caller,
    pipeline::http::{self, BaseUrl},
    pipeline::shared::Shared,
};

use super::{ops, render};

pub async fn list(State(s): State<Arc<Shared>>, BaseUrl(base): BaseUrl) -> Response {
    let items = s.read(|org| org.tokens.iter().map(|t| render::token(t, &base)).collect());
    http::ok(&Value::Array(items))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| ops::find(org, &id).map(|t| render::token(t, &base)))?;
    Ok(http::ok(&rendered))
}

/// Upserts the name and network condition.
pub async fn update(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let changes = ops::changes_from(&req)?;
    let rendered = s.write(|org| {
        let t = ops::update(org, &id, changes, clock::now())?;
        Ok(render::token(t, &base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn revoke(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    s.write(|org| ops::revoke(org, &id))?;
    Ok(http::no_content())
}

/// `DELETE /api/v1/api-tokens/current` revokes the token that made the request.
pub async fn revoke_current(
    State(s): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Response> {
    s.write(|org| ops::revoke(org, &caller.token_id))?;
    Ok(http::no_content())
}
