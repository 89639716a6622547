//! The users API's axum handlers: parse the request, run the operation, render the user.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::Response,
    Extension,
};
use serde_json::json;

use crate::{
    base::errors::{ApiResult, OktaError},
    base::{clock, ids, password},
    okta::objects,
    pipeline::auth::Caller,
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::shared::Shared,
};

use super::{
    ops, profile,
    query::{self, UserQuery},
    render,
};

const DEFAULT_LIMIT: usize = 200;
const MAX_LIMIT: usize = 200;

/// `true`/`false` query flag with a default.
fn flag(query: &Query, key: &str, default: bool) -> ApiResult<bool> {
    match query.get(key) {
        None => Ok(default),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(OktaError::validation(key, "The field has an invalid value")),
    }
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let activate = flag(&query, "activate", true)?;
    let req = http::object_body(&body)?;
    let password = profile::password_from(&req)?;
    // Hash outside the org lock.
    let hashed = password.as_deref().map(password::hash);
    let rendered = s.write(|org| {
        let id = ops::create(
            org,
            &req,
            activate,
            password.as_deref(),
            hashed,
            clock::now(),
        )?;
        let user = ops::by_id(org, &id)?;
        Ok(objects::user(user, org, &base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn me(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Response> {
    let rendered =
        s.read(|org| ops::by_id(org, &caller.user_id).map(|u| objects::user(u, org, &base)))?;
    Ok(http::ok(&rendered))
}

/// By id or login, like Okta.
pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| ops::find(org, &id).map(|u| objects::user(u, org, &base)))?;
    Ok(http::ok(&rendered))
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let wanted = UserQuery::parse(
        params.q.as_deref(),
        params.filter.as_deref(),
        params.search.as_deref(),
    )?;
    let (items, next) = s.read(|org| {
        let matching = query::list(org, &wanted, &base);
        let (page, next) = objects::page_by_id(matching, params.after.as_deref(), params.limit);
        let items: Vec<_> = page
            .into_iter()
            .map(|u| objects::user(u, org, &base))
            .collect();
        (items, next)
    });
    let links = params.links(&base, "/api/v1/users", next, false);
    Ok(http::list(items, &links))
}

/// `GET /api/v1/users/{id}/groups`: every group the user is in, Everyone included.
pub async fn list_groups(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let items = s.read(|org| {
        let groups = ops::groups_of(org, &id)?;
        ApiResult::Ok(
            groups
                .into_iter()
                .map(|g| objects::group(g, &base))
                .collect::<Vec<_>>(),
        )
    })?;
    let links = vec![(format!("{base}/api/v1/users/{id}/groups"), "self")];
    Ok(http::list(items, &links))
}

/// `POST …/lifecycle/activate`; `sendEmail=false` answers the activation link.
pub async fn activate(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let send_email = flag(&query, "sendEmail", true)?;
    s.write(|org| ops::activate(org, &id, clock::now()))?;
    if send_email {
        return Ok(http::ok(&json!({})));
    }
    Ok(http::ok(&render::activation(&base, &ids::object_id(""))))
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    s.write(|org| ops::deactivate(org, &id, clock::now()))?;
    Ok(http::ok(&json!({})))
}

/// First DELETE deactivates; DELETE on a DEPROVISIONED user deletes it.
pub async fn delete(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &id, clock::now()))?;
    Ok(http::no_content())
}
