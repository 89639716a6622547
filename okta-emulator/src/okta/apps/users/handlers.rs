//! HTTP side of `/api/v1/apps/{appId}/users`.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::Response,
};

use super::{ops, render};
use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::shared::Shared,
};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

/// `POST /api/v1/apps/{appId}/users` `{"id": "00u…", "scope": "USER", "credentials": {...}}`.
pub async fn assign(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let (user_id, stored) = ops::parse_assign(&req)?;
    let rendered = s.write(|org| {
        let uid = ops::upsert(org, &app_id, &user_id, stored, clock::now())?;
        Ok(render::app_user(
            ops::find(org, &app_id, &uid)?,
            org,
            &base,
            false,
        ))
    })?;
    Ok(http::ok(&rendered))
}

/// `POST /api/v1/apps/{appId}/users/{userId}`: updates an existing assignment.
pub async fn update(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::optional_object_body(&body)?;
    let stored = ops::stored_body(&req)?;
    let rendered = s.write(|org| {
        let uid = ops::update(org, &app_id, &user_id, stored, clock::now())?;
        Ok(render::app_user(
            ops::find(org, &app_id, &uid)?,
            org,
            &base,
            false,
        ))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = match &params.after {
        Some(a) => Some(a.parse::<u64>().map_err(|_| OktaError::invalid_search())?),
        None => None,
    };
    let expand = query.expands("user");
    let (items, next) = s.read(|org| {
        let matching = ops::list(org, &app_id, params.q.as_deref())?;
        let (page, next) = http::paginate(matching, after, params.limit, |a| a.seq);
        Ok::<_, OktaError>((
            page.into_iter()
                .map(|a| render::app_user(a, org, &base, expand))
                .collect::<Vec<_>>(),
            next,
        ))
    })?;
    let path = format!("/api/v1/apps/{app_id}/users");
    // Okta's self link states the effective limit (`?limit=50`).
    let links = params.links(&base, &path, next.map(|n| n.to_string()), true);
    Ok(http::list(items, &links))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, user_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let expand = Query::parse(raw.as_deref()).expands("user");
    let rendered = s.read(|org| {
        let a = ops::find(org, &app_id, &user_id)?;
        Ok::<_, OktaError>(render::app_user(a, org, &base, expand))
    })?;
    Ok(http::ok(&rendered))
}

/// `DELETE …/users/{userId}`: 204; the user's tokens for the app are revoked.
pub async fn unassign(
    State(s): State<Arc<Shared>>,
    Path((app_id, user_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::unassign(org, &app_id, &user_id))?;
    Ok(http::no_content())
}
