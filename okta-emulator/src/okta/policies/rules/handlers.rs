//! HTTP handlers of `/api/v1/policies/{policyId}/rules[/{ruleId}]`.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::Response,
};
use serde_json::Value;

use super::ops;
use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    okta::fields::only_params,
    okta::policies::{ops as policies, render},
    pipeline::http::{self, BaseUrl, Query},
    pipeline::shared::Shared,
    store::Status,
};

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(pid): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    only_params(&Query::parse(raw.as_deref()), &[])?;
    let items = s.read(|org| {
        let p = policies::find(org, &pid)?;
        let rules = ops::list(org, &pid)?;
        Ok::<_, OktaError>(
            rules
                .into_iter()
                .map(|r| render::rule(r, p, &base))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(pid): Path<String>,
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
        let rid = ops::create(org, &pid, &req, activate, clock::now())?;
        let p = policies::find(org, &pid)?;
        ops::find(org, &pid, &rid).map(|r| render::rule(r, p, &base))
    })?;
    // Okta answers a rule create with 200 (recorded).
    Ok(http::ok(&rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((pid, rid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let p = policies::find(org, &pid)?;
        ops::find(org, &pid, &rid).map(|r| render::rule(r, p, &base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((pid, rid)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        ops::replace(org, &pid, &rid, &req, clock::now())?;
        let p = policies::find(org, &pid)?;
        ops::find(org, &pid, &rid).map(|r| render::rule(r, p, &base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((pid, rid)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &pid, &rid))?;
    Ok(http::no_content())
}

pub async fn activate(
    State(s): State<Arc<Shared>>,
    Path((pid, rid)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::set_status(org, &pid, &rid, Status::Active, clock::now()))?;
    Ok(http::no_content())
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path((pid, rid)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::set_status(org, &pid, &rid, Status::Inactive, clock::now()))?;
    Ok(http::no_content())
}
