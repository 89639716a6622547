//! HTTP handlers of `/api/v1/authorizationServers/{as}/policies/{pid}/rules[/{rid}]`:
//! extract, call [`ops`], render.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
};
use serde_json::Value;

use crate::{
    base::clock,
    base::errors::ApiResult,
    okta::authz::{policies::rules::ops, render},
    okta::fields::only_params,
    pipeline::http::{self, BaseUrl, Query},
    pipeline::shared::Shared,
    store::Status,
};

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, pid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    only_params(&Query::parse(raw.as_deref()), &[])?;
    let items = s.read(|org| {
        ops::list(org, &as_id, &pid).map(|rules| {
            rules
                .iter()
                .map(|r| render::rule(r, &base, &as_id, &pid))
                .collect::<Vec<_>>()
        })
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, pid)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        ops::create(org, &as_id, &pid, &req, clock::now())
            .map(|r| render::rule(r, &base, &as_id, &pid))
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, pid, rid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        ops::find(org, &as_id, &pid, &rid).map(|r| render::rule(r, &base, &as_id, &pid))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, pid, rid)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        ops::replace(org, &as_id, &pid, &rid, &req, clock::now())
            .map(|r| render::rule(r, &base, &as_id, &pid))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((as_id, pid, rid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &as_id, &pid, &rid))?;
    Ok(http::no_content())
}

pub async fn activate(
    State(s): State<Arc<Shared>>,
    Path((as_id, pid, rid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::set_status(org, &as_id, &pid, &rid, Status::Active, clock::now()))?;
    Ok(http::no_content())
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path((as_id, pid, rid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::set_status(org, &as_id, &pid, &rid, Status::Inactive, clock::now()))?;
    Ok(http::no_content())
}
