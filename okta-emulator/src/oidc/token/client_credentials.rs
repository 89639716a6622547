//! The `client_credentials` grant on the org authorization server: access tokens for Okta's own
//! APIs. Only `okta.*` scopes granted to the app (`/api/v1/apps/{id}/grants`) can be asked for;
//! apps with `dpop_bound_access_tokens` must prove possession of a key (DPoP) and get tokens
//! bound to it.

use axum::{
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{json, Map, Value};

use crate::{base::clock, pipeline::okta_scopes, pipeline::shared::Shared, store::App};
use crate::{
    base::jose::dpop::{self, DpopError, Expect},
    base::jose::keys,
    oidc::client_auth::field,
    oidc::errors::{json_response, OAuthError},
    oidc::Issuer,
    store::oidc::{self as grants, AccessGrant},
};

pub const SCOPE_INVALID: &str = "The requested scope is invalid, unknown, or malformed.";

/// `The following scopes are not allowed: a, b`.
pub fn not_allowed(scopes: &[&str]) -> String {
    format!(
        "The following scopes are not allowed: {}",
        scopes.join(", ")
    )
}

/// Whether the app wants DPoP-bound tokens.
pub fn dpop_bound(app: &App) -> bool {
    app.oauth_settings()
        .and_then(|o| o.get("dpop_bound_access_tokens"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// A token-endpoint failure: an OAuth error, plus a fresh `DPoP-Nonce` for `use_dpop_nonce`.
pub struct Refusal {
    error: OAuthError,
    nonce: Option<String>,
}

impl From<OAuthError> for Refusal {
    fn from(error: OAuthError) -> Self {
        Refusal { error, nonce: None }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut resp = self.error.into_response();
        if let Some(v) = self.nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
            resp.headers_mut().insert("dpop-nonce", v);
        }
        resp
    }
}

/// Issues the token (the app is authenticated and has the grant type).
pub fn grant(
    s: &Shared,
    issuer: &Issuer,
    app: &App,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<Response, Refusal> {
    let requested: Vec<&str> = field(form, "scope")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    if requested.is_empty() || requested.iter().any(|s| !okta_scopes::is_okta_scope(s)) {
        return Err(OAuthError::bad_request("invalid_scope", SCOPE_INVALID).into());
    }
    let granted = s.read(|org| org.granted_scopes(&app.id));
    let missing: Vec<&str> = requested
        .iter()
        .copied()
        .filter(|r| !granted.iter().any(|g| g == r))
        .collect();
    if !missing.is_empty() {
        return Err(OAuthError::bad_request("invalid_scope", not_allowed(&missing)).into());
    }
    let now = clock::now();
    let jkt = if dpop_bound(app) {
        Some(proof_key(s, issuer, headers, now)?)
    } else {
        None
    };
    let scopes: Vec<String> = requested.iter().map(|s| s.to_string()).collect();
    let lifetime = s.access_token_secs;
    let jti = format!("AT.{}", grants::opaque(43));
    let mut c = Map::new();
    c.insert("ver".into(), json!(1));
    c.insert("jti".into(), json!(jti));
    c.insert("iss".into(), json!(issuer.url));
    c.insert("aud".into(), json!(issuer.url));
    c.insert("iat".into(), json!(now));
    c.insert("exp".into(), json!(now + lifetime));
    c.insert("cid".into(), json!(app.client_id()));
    c.insert("scp".into(), json!(scopes));
    c.insert("sub".into(), json!(app.client_id()));
    if let Some(k) = &jkt {
        c.insert("cnf".into(), json!({"jkt": k}));
    }
    let token = s
        .write(|org| {
            let signed = keys::sign(issuer.keys(org), &c).map_err(|e| {
                tracing::error!(error = %e, "signing a token failed");
                crate::base::errors::OktaError::internal()
            })?;
            org.oidc.prune(now);
            org.oidc.access_tokens.push(AccessGrant {
                jti: jti.clone(),
                issuer: issuer.key.clone(),
                client_id: app.client_id().to_string(),
                user_id: String::new(),
                scopes: scopes.clone(),
                family: None,
                issued_at: now,
                expires_at: now + lifetime,
                jkt: jkt.clone(),
            });
            Ok(signed)
        })
        .map_err(|_| OAuthError::server_error())?;
    let body = json!({
        "token_type": if jkt.is_some() { "DPoP" } else { "Bearer" },
        "expires_in": lifetime,
        "access_token": token,
        "scope": scopes.join(" "),
    });
    Ok(json_response(StatusCode::OK, &body))
}

/// Checks the token request's DPoP proof and returns the key thumbprint to bind to.
fn proof_key(
    s: &Shared,
    issuer: &Issuer,
    headers: &HeaderMap,
    now: i64,
) -> Result<String, Refusal> {
    let invalid = |d: &str| OAuthError::bad_request("invalid_dpop_proof", d);
    let proof = headers
        .get("dpop")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| invalid(dpop::MISSING_PROOF))?;
    let htu = vec![format!("{}/token", issuer.endpoints)];
    let expect = Expect {
        htm: "POST",
        htu: &htu,
        nonce: true,
        access_token: None,
    };
    dpop::check(&s.dpop, proof, &expect, now).map_err(|e| match e {
        DpopError::UseNonce => Refusal {
            error: OAuthError::bad_request("use_dpop_nonce", dpop::USE_NONCE),
            nonce: Some(s.dpop.nonce(now)),
        },
        DpopError::Invalid(d) => invalid(d).into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_allowed_lists_the_scopes() {
        assert_eq!(
            not_allowed(&["okta.users.read", "okta.groups.manage"]),
            "The following scopes are not allowed: okta.users.read, okta.groups.manage"
        );
    }
}
