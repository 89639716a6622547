//! HTTP side of `PUT /api/v1/apps/{appId}/policies/{policyId}`.

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    response::Response,
};
use serde_json::Value;

use super::ops;
use crate::{
    base::errors::{ApiResult, OktaError},
    okta::apps::render,
    pipeline::http::{self, BaseUrl},
    pipeline::shared::Shared,
};

/// Okta sends no body back: 204.
pub async fn assign(
    State(s): State<Arc<Shared>>,
    Path((app_id, policy_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::assign(org, &app_id, &policy_id))?;
    Ok(http::no_content())
}

/// `GET /api/v1/policies/{policyId}/app`: the apps mapped to an access policy.
pub async fn list_apps(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(policy_id): Path<String>,
) -> ApiResult<Response> {
    let items = s.read(|org| {
        let apps = ops::apps_of(org, &policy_id)?;
        Ok::<_, OktaError>(
            apps.into_iter()
                .map(|a| render::app(a, org, &base, false))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(http::ok(&Value::Array(items)))
}
