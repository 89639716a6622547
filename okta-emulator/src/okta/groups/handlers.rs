//! The groups API's axum handlers: parse the request, run the operation, render the group.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::Response,
};

use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    okta::objects,
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::shared::Shared,
};

use super::{
    ops,
    query::{self, GroupQuery},
};

const DEFAULT_LIMIT: usize = 10_000;
const MAX_LIMIT: usize = 10_000;

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let g = ops::create(org, &req, clock::now())?;
        Ok(objects::group(g, &base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let wanted = GroupQuery::parse(
        params.q.as_deref(),
        params.filter.as_deref(),
        params.search.as_deref(),
        params.sort_by.as_deref(),
        params.sort_order.as_deref(),
    )?;
    let after = match &params.after {
        Some(a) => Some(a.parse::<u64>().map_err(|_| OktaError::invalid_search())?),
        None => None,
    };
    let (items, next) = s.read(|org| {
        let matching = query::list(org, &wanted, &base);
        // Creation order pages by sequence number, a sorted result by position.
        let (page, next) = if wanted.sorted() {
            let numbered: Vec<_> = (1u64..).zip(matching).collect();
            let (page, next) = http::paginate(numbered, after, params.limit, |(n, _)| *n);
            (page.into_iter().map(|(_, g)| g).collect::<Vec<_>>(), next)
        } else {
            http::paginate(matching, after, params.limit, |g| g.seq)
        };
        let items: Vec<_> = page.into_iter().map(|g| objects::group(g, &base)).collect();
        (items, next)
    });
    let links = params.links(&base, "/api/v1/groups", next.map(|n| n.to_string()), false);
    Ok(http::list(items, &links))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| ops::find(org, &id).map(|g| objects::group(g, &base)))?;
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
        let g = ops::replace(org, &id, &req, clock::now())?;
        Ok(objects::group(g, &base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &id))?;
    Ok(http::no_content())
}
