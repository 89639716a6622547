//! HTTP side of `/api/v1/apps/{appId}/grants`.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
    Extension,
};
use serde_json::Value;

use super::{ops, render};
use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    pipeline::auth::Caller,
    pipeline::http::{self, BaseUrl, BoundBase, Query},
    pipeline::shared::Shared,
};

fn expand(q: &Query) -> ApiResult<bool> {
    match q.get("expand") {
        None => Ok(false),
        Some("scope") => Ok(true),
        Some(_) => Err(OktaError::validation(
            "expand",
            "The field has an invalid value",
        )),
    }
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let expand = expand(&Query::parse(raw.as_deref()))?;
    let items = s.read(|org| {
        let (app, grants) = ops::list(org, &app_id)?;
        Ok::<_, OktaError>(
            grants
                .into_iter()
                .map(|g| render::grant(g, app, &base, expand))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, grant_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let expand = expand(&Query::parse(raw.as_deref()))?;
    let rendered = s.read(|org| {
        let (app, grant) = ops::find(org, &app_id, &grant_id)?;
        Ok::<_, OktaError>(render::grant(grant, app, &base, expand))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Extension(bound): Extension<BoundBase>,
    Extension(caller): Extension<Caller>,
    Path(app_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let (created_by, created_by_type) = match &caller.client_id {
        Some(c) => (c.clone(), "Client"),
        None => (caller.user_id.clone(), "User"),
    };
    let new = ops::NewGrant {
        issuer: req.get("issuer").and_then(Value::as_str).unwrap_or(""),
        scope_id: req.get("scopeId").and_then(Value::as_str).unwrap_or(""),
        created_by,
        created_by_type,
    };
    let rendered = s.write(|org| {
        let grant_id = ops::create(org, &app_id, new, &[&base, &bound.0], clock::now())?;
        let (app, grant) = ops::find(org, &app_id, &grant_id)?;
        Ok(render::grant(grant, app, &base, false))
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((app_id, grant_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &app_id, &grant_id))?;
    Ok(http::no_content())
}
