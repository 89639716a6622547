//! `GET/POST …/v1/userinfo` with `Authorization: Bearer <access token>`: the claims of the
//! granted scopes. Errors are Okta's `WWW-Authenticate` challenges.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use serde_json::{Map, Value};

use crate::{
    base::clock,
    pipeline::http::BoundBase,
    pipeline::shared::Shared,
    store::{Org, Status, UserStatus},
};
use crate::{
    base::jose::keys,
    oidc::claims::{self, Subject},
    oidc::errors::json_response,
    oidc::{org_url, resolve_with_keys, Issuer, IssuerSel},
    store::oidc::AccessGrant,
};

pub const INVALID_TOKEN: &str =
    "Bearer error=\"invalid_token\", error_description=\"The access token is invalid\"";
pub const INSUFFICIENT_SCOPE: &str = "Bearer error=\"insufficient_scope\", error_description=\"The access token must provide access to at least one of these scopes - profile, email, address or phone\"";

fn challenge(status: StatusCode, value: &'static str) -> Response {
    let mut resp = status.into_response();
    resp.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
    resp
}

/// The bearer token of a request.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let h = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = h.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Validates an access token of `issuer` at `now`: signature, issuer, expiry, and that it is
/// still remembered (not revoked), for an ACTIVE user and app.
pub fn validate_access_token(
    org: &Org,
    issuer: &Issuer,
    token: &str,
    now: i64,
) -> Option<(Map<String, Value>, AccessGrant)> {
    let claims = keys::verify(issuer.keys(org), token).ok()?;
    if claims.get("iss").and_then(Value::as_str) != Some(issuer.url.as_str()) {
        return None;
    }
    if claims
        .get("exp")
        .and_then(Value::as_i64)
        .is_none_or(|e| e <= now)
    {
        return None;
    }
    let jti = claims.get("jti").and_then(Value::as_str)?;
    let grant = org
        .oidc
        .access_tokens
        .iter()
        .find(|a| a.jti == jti && a.issuer == issuer.key && a.expires_at > now)?;
    org.user(&grant.user_id)
        .filter(|u| u.status == UserStatus::Active)?;
    org.apps
        .iter()
        .find(|a| a.client_id() == grant.client_id && a.status == Status::Active)?;
    Some((claims, grant.clone()))
}

pub async fn userinfo(
    State(s): State<Arc<Shared>>,
    Extension(bound): Extension<BoundBase>,
    sel: IssuerSel,
    headers: HeaderMap,
) -> Response {
    let issuer = match resolve_with_keys(&s, &sel, org_url(&bound)) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let Some(token) = bearer(&headers) else {
        return challenge(StatusCode::UNAUTHORIZED, INVALID_TOKEN);
    };
    let now = clock::now();
    let out = s.read(|org| {
        let (_, grant) =
            validate_access_token(org, &issuer, token, now).ok_or(StatusCode::UNAUTHORIZED)?;
        if !grant.scopes.iter().any(|x| x == "openid") {
            return Err(StatusCode::FORBIDDEN);
        }
        let user = org.user(&grant.user_id).ok_or(StatusCode::UNAUTHORIZED)?;
        let subj = Subject {
            org,
            user,
            client_id: &grant.client_id,
            issuer: &issuer,
            scopes: &grant.scopes,
            auth_time: 0,
        };
        claims::userinfo(&subj, user.last_updated).map_err(|_| StatusCode::BAD_REQUEST)
    });
    match out {
        Ok(c) => json_response(StatusCode::OK, &Value::Object(c)),
        Err(StatusCode::FORBIDDEN) => challenge(StatusCode::FORBIDDEN, INSUFFICIENT_SCOPE),
        Err(StatusCode::BAD_REQUEST) => {
            crate::oidc::errors::OAuthError::bad_request("server_error", claims::TOO_MANY_GROUPS)
                .into_response()
        }
        Err(_) => challenge(StatusCode::UNAUTHORIZED, INVALID_TOKEN),
    }
}
