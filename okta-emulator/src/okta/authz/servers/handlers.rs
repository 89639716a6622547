//! HTTP handlers of `/api/v1/authorizationServers[/{as}]`: extract, call [`ops`], render.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
};

use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    okta::authz::{render, servers::ops},
    okta::fields::only_params,
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::shared::Shared,
    store::Status,
};

const DEFAULT_LIMIT: usize = 200;
const MAX_LIMIT: usize = 200;

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    only_params(&query, &["q", "limit", "after"])?;
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = match &params.after {
        Some(a) => Some(a.parse::<u64>().map_err(|_| OktaError::invalid_search())?),
        None => None,
    };
    let (items, next) = s.read(|org| {
        let (page, next) = ops::list(org, params.q.as_deref(), after, params.limit);
        (
            page.into_iter()
                .map(|srv| render::server(srv, &base))
                .collect::<Vec<_>>(),
            next,
        )
    });
    let links = params.links(
        &base,
        "/api/v1/authorizationServers",
        next.map(|n| n.to_string()),
        false,
    );
    Ok(http::list(items, &links))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| ops::create(org, &req).map(|srv| render::server(srv, &base)))?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(as_id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| ops::find(org, &as_id).map(|srv| render::server(srv, &base)))?;
    Ok(http::ok(&rendered))
}

pub async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(as_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        ops::replace(org, &as_id, &req, clock::now()).map(|srv| render::server(srv, &base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path(as_id): Path<String>,
) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &as_id))?;
    Ok(http::no_content())
}

pub async fn activate(
    State(s): State<Arc<Shared>>,
    Path(as_id): Path<String>,
) -> ApiResult<Response> {
    s.write(|org| ops::set_status(org, &as_id, Status::Active, clock::now()))?;
    Ok(http::no_content())
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path(as_id): Path<String>,
) -> ApiResult<Response> {
    s.write(|org| ops::set_status(org, &as_id, Status::Inactive, clock::now()))?;
    Ok(http::no_content())
}
