//! HTTP side of `/api/v1/apps/{appId}/groups`.

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

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 200;

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = params.after.as_deref().map(ops::parse_cursor).transpose()?;
    let expand = query.expands("group");
    let (items, next) = s.read(|org| {
        let matching = ops::list(org, &app_id, params.q.as_deref())?;
        let (page, next) = http::paginate(matching, after, params.limit, |a| ops::cursor(a));
        Ok::<_, OktaError>((
            page.into_iter()
                .map(|a| render::assignment(a, &app_id, org, &base, expand))
                .collect::<Vec<_>>(),
            next,
        ))
    })?;
    let path = format!("/api/v1/apps/{app_id}/groups");
    let next = next.map(|(p, q)| format!("{p}.{q}"));
    // Okta's self link always states the effective limit here (`?limit=20`).
    let links = params.links(&base, &path, next, true);
    Ok(http::list(items, &links))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, group_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let expand = Query::parse(raw.as_deref()).expands("group");
    let rendered = s.read(|org| {
        let a = ops::find(org, &app_id, &group_id)?;
        Ok::<_, OktaError>(render::assignment(a, &app_id, org, &base, expand))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn upsert(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, group_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::optional_object_body(&body)?;
    let change = ops::parse_change(&req)?;
    let rendered = s.write(|org| {
        ops::upsert(org, &app_id, &group_id, change, clock::now())?;
        let a = ops::find(org, &app_id, &group_id)?;
        Ok(render::assignment(a, &app_id, org, &base, false))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((app_id, group_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &app_id, &group_id))?;
    Ok(http::no_content())
}
