//! HTTP handlers of `/api/v1/authorizationServers/{as}/claims[/{id}]`: extract, call
//! [`ops`], render.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
};
use serde_json::Value;

use crate::{
    base::errors::ApiResult,
    okta::authz::{claims::ops, render},
    okta::fields::only_params,
    pipeline::http::{self, BaseUrl, Query},
    pipeline::shared::Shared,
};

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(as_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    // Okta's claims list takes no parameters.
    only_params(&Query::parse(raw.as_deref()), &[])?;
    let items = s.read(|org| {
        ops::list(org, &as_id).map(|claims| {
            claims
                .iter()
                .map(|c| render::claim(c, &base, &as_id))
                .collect::<Vec<_>>()
        })
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(as_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered =
        s.write(|org| ops::create(org, &as_id, &req).map(|c| render::claim(c, &base, &as_id)))?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let rendered =
        s.read(|org| ops::find(org, &as_id, &id).map(|c| render::claim(c, &base, &as_id)))?;
    Ok(http::ok(&rendered))
}

pub async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        ops::replace(org, &as_id, &id, &req).map(|c| render::claim(c, &base, &as_id))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((as_id, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &as_id, &id))?;
    Ok(http::no_content())
}
