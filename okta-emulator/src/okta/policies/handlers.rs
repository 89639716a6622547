//! HTTP handlers of `/api/v1/policies[/{id}]`: extract, call [`ops`], render.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::Response,
};
use serde_json::Value;

use super::{ops, render};
use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    okta::fields::only_params,
    pipeline::http::{self, BaseUrl, Query},
    pipeline::shared::Shared,
    store::Status,
};

const PATH: &str = "/api/v1/policies";

/// `expand=rules` embeds each policy's rules; nothing else is expandable.
fn expand_rules(q: &Query) -> ApiResult<bool> {
    match q.get("expand") {
        None | Some("") => Ok(false),
        Some("rules") => Ok(true),
        Some(_) => Err(OktaError::validation(
            "expand",
            "The field has an invalid value",
        )),
    }
}

/// `limit` as sent (Okta pages the list only when asked to).
fn limit(q: &Query) -> ApiResult<Option<usize>> {
    match q.get("limit") {
        None => Ok(None),
        Some(s) => match s.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Some(n.min(200))),
            _ => Err(OktaError::validation(
                "limit",
                "The field has an invalid value",
            )),
        },
    }
}

/// The list's URL with the query a client sent, `after` and `limit` replaced by `page`.
fn list_url(base: &str, q: &Query, page: Option<(&str, usize)>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &q.0 {
        if page.is_none() || (k != "after" && k != "limit") {
            s.append_pair(k, v);
        }
    }
    if let Some((after, limit)) = page {
        s.append_pair("after", after);
        s.append_pair("limit", &limit.to_string());
    }
    let query = s.finish();
    if query.is_empty() {
        format!("{base}{PATH}")
    } else {
        format!("{base}{PATH}?{query}")
    }
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let q = Query::parse(raw.as_deref());
    only_params(&q, &["type", "status", "q", "expand", "limit", "after"])?;
    let policy_type = ops::list_type(q.get("type"))?.to_string();
    let status = ops::status_filter(q.get("status"))?;
    let rules = expand_rules(&q)?;
    let limit = limit(&q)?;
    let name_prefix = q.get("q").map(str::to_lowercase);
    let after = q.get("after").filter(|a| !a.is_empty());
    let (items, next) = s.read(|org| {
        let mut found: Vec<_> = ops::list(org, &policy_type, status)
            .into_iter()
            .filter(|p| {
                name_prefix
                    .as_deref()
                    .is_none_or(|pre| p.name.to_lowercase().starts_with(pre))
            })
            .collect();
        if let Some(cursor) = after {
            match found.iter().position(|p| p.id == cursor) {
                Some(i) => {
                    found.drain(..=i);
                }
                None => found.clear(),
            }
        }
        let next = match limit {
            Some(n) if found.len() > n => {
                found.truncate(n);
                found.last().map(|p| (p.id.clone(), n))
            }
            _ => None,
        };
        let items: Vec<Value> = found
            .into_iter()
            .map(|p| render::policy(p, &base, true, rules))
            .collect();
        (items, next)
    });
    let mut links = vec![(list_url(&base, &q, None), "self")];
    if let Some((cursor, n)) = next {
        links.push((list_url(&base, &q, Some((&cursor, n))), "next"));
    }
    Ok(http::list(items, &links))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let q = Query::parse(raw.as_deref());
    only_params(&q, &["activate"])?;
    let activate = match q.get("activate") {
        None | Some("true") => true,
        Some("false") => false,
        Some(_) => {
            return Err(OktaError::validation(
                "activate",
                "The field has an invalid value",
            ))
        }
    };
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let id = ops::create(org, &req, activate, clock::now())?;
        ops::find(org, &id).map(|p| render::policy(p, &base, false, false))
    })?;
    // Okta answers a policy create with 200, not 201 (recorded).
    Ok(http::ok(&rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let q = Query::parse(raw.as_deref());
    only_params(&q, &["expand"])?;
    let rules = expand_rules(&q)?;
    let rendered =
        s.read(|org| ops::find(org, &id).map(|p| render::policy(p, &base, false, rules)))?;
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
        ops::replace(org, &id, &req, clock::now()).map(|p| render::policy(p, &base, false, false))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &id))?;
    Ok(http::no_content())
}

pub async fn activate(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    s.write(|org| ops::set_status(org, &id, Status::Active, clock::now()))?;
    Ok(http::no_content())
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    s.write(|org| ops::set_status(org, &id, Status::Inactive, clock::now()))?;
    Ok(http::no_content())
}
