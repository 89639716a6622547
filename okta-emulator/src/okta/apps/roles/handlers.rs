//! HTTP side of the client roles (under `/oauth2/v1/clients/…` and `/api/v1/apps/…`).

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde_json::Value;

use super::{ops, render};
use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    pipeline::http::{self, BaseUrl},
    pipeline::shared::Shared,
};

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(client_id): Path<String>,
) -> ApiResult<Response> {
    let items = s.read(|org| {
        let (app, roles) = ops::list(org, &client_id)?;
        Ok::<_, OktaError>(
            roles
                .into_iter()
                .map(|r| render::role(r, app, &base))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((client_id, role_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let (app, role) = ops::find(org, &client_id, &role_id)?;
        Ok::<_, OktaError>(render::role(role, app, &base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn assign(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(client_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let role_type = req.get("type").and_then(Value::as_str).unwrap_or("");
    let rendered = s.write(|org| {
        let role_id = ops::assign(org, &client_id, role_type, clock::now())?;
        let (app, role) = ops::find(org, &client_id, &role_id)?;
        Ok(render::role(role, app, &base))
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn unassign(
    State(s): State<Arc<Shared>>,
    Path((client_id, role_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::unassign(org, &client_id, &role_id))?;
    Ok(http::no_content())
}
