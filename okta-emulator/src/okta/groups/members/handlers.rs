//! The membership API's axum handlers.

use std::sync::Arc;

use axum::{
    extract::{Path, RawQuery, State},
    response::Response,
};

use crate::{
    base::clock,
    base::errors::ApiResult,
    okta::objects,
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::shared::Shared,
};

use super::ops;

const DEFAULT_LIMIT: usize = 1000;
const MAX_LIMIT: usize = 10_000;

pub async fn add(
    State(s): State<Arc<Shared>>,
    Path((gid, uid)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::add(org, &gid, &uid, clock::now()))?;
    Ok(http::no_content())
}

pub async fn remove(
    State(s): State<Arc<Shared>>,
    Path((gid, uid)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::remove(org, &gid, &uid, clock::now()))?;
    Ok(http::no_content())
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(gid): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let (items, next) = s.read(|org| {
        let members = ops::list(org, &gid)?;
        let (page, next) = objects::page_by_id(members, params.after.as_deref(), params.limit);
        let items: Vec<_> = page
            .into_iter()
            .map(|u| objects::user(u, org, &base))
            .collect();
        ApiResult::Ok((items, next))
    })?;
    let links = params.links(&base, &format!("/api/v1/groups/{gid}/users"), next, false);
    Ok(http::list(items, &links))
}
