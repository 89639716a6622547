//! The `refresh_token` grant: STATIC gives the same token back; ROTATE gives a new one, the
//! old one staying valid for `leeway` seconds, and reuse after that revokes the family.

use axum::response::Response;
use serde_json::Value;

use super::{is_assigned, mint, success, MintRequest, REFRESH_INVALID};
use crate::{
    oidc::claims,
    oidc::client_auth::field,
    oidc::errors::OAuthError,
    oidc::Issuer,
    store::oidc::{self as grants},
    store::{App, Org, Status, UserStatus},
};

/// The app's refresh-token rotation: (`ROTATE`?, leeway seconds).
pub fn rotation(app: &App) -> (bool, i64) {
    let rt = app.oauth_settings().and_then(|o| o.get("refresh_token"));
    let rotate = rt
        .and_then(|r| r.get("rotation_type"))
        .and_then(Value::as_str)
        == Some("ROTATE");
    let leeway = rt
        .and_then(|r| r.get("leeway"))
        .and_then(Value::as_i64)
        .unwrap_or(30);
    (rotate, leeway)
}

/// Whether a superseded refresh token may still be used at `now` (within the leeway).
pub fn within_leeway(superseded_at: Option<i64>, leeway: i64, now: i64) -> bool {
    superseded_at.is_none_or(|t| now < t + leeway)
}

pub fn grant(
    org: &mut Org,
    issuer: &Issuer,
    app: &App,
    form: &[(String, String)],
    user_secs: Option<i64>,
    now: i64,
) -> Result<Response, OAuthError> {
    org.oidc.prune(now);
    let invalid = || OAuthError::bad_request("invalid_grant", REFRESH_INVALID);
    let value = field(form, "refresh_token").ok_or_else(invalid)?;
    let h = grants::hash(value);
    let idx = org
        .oidc
        .refresh_tokens
        .iter()
        .position(|r| r.hash == h)
        .ok_or_else(invalid)?;
    let r = org.oidc.refresh_tokens[idx].clone();
    if r.issuer != issuer.key || r.client_id != app.client_id() {
        return Err(invalid());
    }
    let (rotate, leeway) = rotation(app);
    if !within_leeway(r.superseded_at, leeway, now) {
        // Reuse of a rotated token: treat as theft and end the whole family.
        tracing::warn!(client_id = %r.client_id, "refresh token reuse detected; family revoked");
        org.oidc.revoke_family(&r.family);
        return Err(invalid());
    }
    let user_ok = org
        .user(&r.user_id)
        .is_some_and(|u| u.status == UserStatus::Active)
        && app.status == Status::Active
        && is_assigned(org, app, &r.user_id);
    if !user_ok {
        org.oidc.revoke_family(&r.family);
        return Err(invalid());
    }
    let scopes = match field(form, "scope") {
        None => r.scopes.clone(),
        Some(s) => {
            let asked: Vec<String> = s.split_whitespace().map(str::to_string).collect();
            let denied: Vec<&str> = asked
                .iter()
                .filter(|a| !r.scopes.contains(a))
                .map(String::as_str)
                .collect();
            if !denied.is_empty() {
                return Err(OAuthError::bad_request(
                    "access_denied",
                    format!(
                        "Some of the scopes requested for the refresh request were not granted in the original authorize request. Denied scopes: {}.",
                        denied.join(", ")
                    ),
                ));
            }
            asked
        }
    };
    org.oidc.refresh_tokens[idx].last_used = now;
    let m = mint(
        org,
        issuer,
        &MintRequest {
            client_id: &r.client_id,
            user_id: &r.user_id,
            scopes: &scopes,
            auth_time: r.auth_time,
            nonce: None,
            access_secs: user_secs.unwrap_or(r.access_secs),
            id_secs: user_secs.unwrap_or(claims::ID_TOKEN_SECS),
            family: Some(&r.family),
            with_access: true,
            with_id: scopes.iter().any(|s| s == "openid"),
        },
        now,
    )?;
    let out = if rotate {
        let fresh = grants::opaque(43);
        let mut next = r.clone();
        next.hash = grants::hash(&fresh);
        next.created = now;
        next.last_used = now;
        next.superseded_at = None;
        // The new token keeps the family's original expiry.
        org.oidc.refresh_tokens.push(next);
        let old = &mut org.oidc.refresh_tokens[idx];
        old.superseded_at.get_or_insert(now);
        fresh
    } else {
        value.to_string()
    };
    Ok(success(&m, &scopes, Some(&out)))
}
