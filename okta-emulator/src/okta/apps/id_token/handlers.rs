//! HTTP side of the internal ID-token setting.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::Response,
};

use super::{ops, render};
use crate::{
    base::errors::{ApiResult, OktaError},
    pipeline::http::{self, BaseUrl},
    pipeline::shared::Shared,
};

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let (app, claim, mode) = ops::get(org, &app_id)?;
        Ok::<_, OktaError>(render::setting(
            claim,
            &mode,
            Some(&base),
            Some(app.client_id()),
        ))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn set(
    State(s): State<Arc<Shared>>,
    Path(app_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let (claim, mode) = ops::set(org, &app_id, &req)?;
        Ok(render::setting(claim.as_ref(), &mode, None, None))
    })?;
    Ok(http::ok(&rendered))
}
