//! The `/api/v1/authn` handler.

use std::sync::Arc;

use axum::{body::Bytes, extract::State, response::Response};
use serde_json::Value;

use crate::{
    base::errors::ApiResult,
    base::{clock, ids, password},
    pipeline::http,
    pipeline::shared::Shared,
};

use super::{
    ops::{self, failed, SESSION_TOKEN_SECS},
    render,
};

pub async fn authn(State(s): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let field = |k: &str| req.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(username), Some(pass)) = (field("username"), field("password")) else {
        return Err(failed());
    };
    // Verify outside the lock: hashing is deliberately slow.
    let Some((user_id, stored)) = s.read(|org| ops::candidate(org, &username)) else {
        return Err(failed());
    };
    if !password::verify(&pass, &stored) {
        return Err(failed());
    }
    let token = ids::api_token_value();
    let body = s.write(|org| {
        let now = clock::now();
        let u = ops::open_session(org, &user_id, &stored, &token, now)?;
        Ok(render::success(u, &token, now + SESSION_TOKEN_SECS))
    })?;
    Ok(http::ok(&body))
}
