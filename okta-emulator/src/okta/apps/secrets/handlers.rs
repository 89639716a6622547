//! HTTP side of `/api/v1/apps/{appId}/credentials/secrets`.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde_json::Value;

use super::{ops, render};
use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    pipeline::http::{self, BaseUrl},
    pipeline::shared::Shared,
    store::Status,
};

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
) -> ApiResult<Response> {
    let items = s.read(|org| {
        let app = ops::app(org, &app_id)?;
        Ok::<_, OktaError>(
            app.secrets
                .iter()
                .map(|sec| render::secret(sec, &app.id, &base))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::optional_object_body(&body)?;
    let rendered = s.write(|org| {
        let sec = ops::create(org, &app_id, &req, clock::now())?;
        Ok(render::secret(sec, &app_id, &base))
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let sec = ops::find(org, &app_id, &secret_id)?;
        Ok::<_, OktaError>(render::secret(sec, &app_id, &base))
    })?;
    Ok(http::ok(&rendered))
}

fn set_status(
    s: &Shared,
    base: &str,
    app_id: &str,
    secret_id: &str,
    status: Status,
) -> ApiResult<Response> {
    let rendered = s.write(|org| {
        let sec = ops::set_status(org, app_id, secret_id, status, clock::now())?;
        Ok(render::secret(sec, app_id, base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn activate(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    set_status(&s, &base, &app_id, &secret_id, Status::Active)
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    set_status(&s, &base, &app_id, &secret_id, Status::Inactive)
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| ops::delete(org, &app_id, &secret_id))?;
    Ok(http::no_content())
}
