//! HTTP side of `/api/v1/apps` and `/api/v1/apps/{appId}` (and its lifecycle).

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::Response,
};
use serde_json::json;

use super::{ops, render};
use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::shared::Shared,
    store::Status,
};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 200;

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let params = ListParams::from_query(&Query::parse(raw.as_deref()), DEFAULT_LIMIT, MAX_LIMIT)?;
    let clauses = match &params.filter {
        Some(f) if !f.trim().is_empty() => ops::parse_filter(f)?,
        _ => Vec::new(),
    };
    let after = match &params.after {
        Some(a) => Some(a.parse::<u64>().map_err(|_| OktaError::invalid_search())?),
        None => None,
    };
    let (items, next) = s.read(|org| -> ApiResult<_> {
        let matching = ops::list(org, params.q.as_deref(), &clauses)?;
        let (page, next) = http::paginate(matching, after, params.limit, |a| a.seq);
        let items = page
            .into_iter()
            .map(|a| render::app(a, org, &base, false))
            .collect::<Vec<_>>();
        Ok((items, next))
    })?;
    let links = params.links(&base, "/api/v1/apps", next.map(|n| n.to_string()), false);
    Ok(http::list(items, &links))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let activate = !query
        .get("activate")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"));
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let id = ops::create(org, req, activate, clock::now())?;
        Ok(render::app(ops::find(org, &id)?, org, &base, true))
    })?;
    // Okta answers a create with 200, not 201.
    Ok(http::ok(&rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let app = ops::find(org, &id)?;
        Ok::<_, OktaError>(render::app(app, org, &base, false))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        ops::replace(org, &id, req, clock::now())?;
        Ok(render::app(ops::find(org, &id)?, org, &base, true))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &id))?;
    Ok(http::no_content())
}

fn set_status(s: &Shared, id: &str, status: Status) -> ApiResult<Response> {
    s.write(|org| ops::set_status(org, id, status, clock::now()))?;
    Ok(http::ok(&json!({})))
}

pub async fn activate(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    set_status(&s, &id, Status::Active)
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    set_status(&s, &id, Status::Inactive)
}
