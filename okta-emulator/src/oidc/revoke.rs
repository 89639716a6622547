//! `POST …/v1/revoke` (200 with an empty body, even for unknown tokens; a refresh token ends
//! its whole family) and `POST …/v1/introspect` (`{"active": …}`). Both authenticate the client
//! first and only ever act on that client's tokens.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use serde_json::{json, Map, Value};

use crate::{base::clock, pipeline::http::BoundBase, pipeline::shared::Shared};
use crate::{
    oidc::client_auth::{self, field},
    oidc::errors::{json_response, OAuthError},
    oidc::userinfo::validate_access_token,
    oidc::{org_url, resolve_with_keys, Issuer, IssuerSel},
    store::oidc as grants,
};

pub const TOKEN_REQUIRED: &str = "token is a required parameter.";

/// What both endpoints need before they look at the token: the issuer, the authenticated
/// client's id and the non-empty `token` parameter; otherwise the response to send.
struct TokenRequest {
    issuer: Issuer,
    client_id: String,
    token: String,
}

fn token_request(
    s: &Shared,
    sel: &IssuerSel,
    bound: &BoundBase,
    headers: &HeaderMap,
    body: &Bytes,
    endpoint: &str,
) -> Result<TokenRequest, Box<Response>> {
    let issuer =
        resolve_with_keys(s, sel, org_url(bound)).map_err(|e| Box::new(e.into_response()))?;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let endpoint = format!("{}/{endpoint}", issuer.endpoints);
    let app = client_auth::parse(headers, &form)
        .and_then(|creds| client_auth::authenticate_request(s, &creds, &endpoint))
        .map_err(|e| Box::new(e.into_response()))?;
    let Some(token) = field(&form, "token").filter(|t| !t.is_empty()) else {
        return Err(Box::new(
            OAuthError::bad_request("invalid_request", TOKEN_REQUIRED).into_response(),
        ));
    };
    Ok(TokenRequest {
        issuer,
        client_id: app.client_id().to_string(),
        token: token.to_string(),
    })
}

pub async fn revoke(
    State(s): State<Arc<Shared>>,
    Extension(bound): Extension<BoundBase>,
    sel: IssuerSel,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let TokenRequest {
        issuer,
        client_id,
        token,
    } = match token_request(&s, &sel, &bound, &headers, &body, "revoke") {
        Ok(r) => r,
        Err(response) => return *response,
    };
    let token = token.as_str();
    let now = clock::now();
    let done = s.write(|org| {
        let h = grants::hash(token);
        if let Some(r) = org
            .oidc
            .refresh_tokens
            .iter()
            .find(|r| r.hash == h && r.client_id == client_id && r.issuer == issuer.key)
        {
            let family = r.family.clone();
            org.oidc.revoke_family(&family);
        } else if let Some((_, g)) = validate_access_token(org, &issuer, token, now) {
            if g.client_id == client_id {
                org.oidc.access_tokens.retain(|a| a.jti != g.jti);
            }
        }
        Ok(())
    });
    match done {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn introspect(
    State(s): State<Arc<Shared>>,
    Extension(bound): Extension<BoundBase>,
    sel: IssuerSel,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let TokenRequest {
        issuer,
        client_id,
        token,
    } = match token_request(&s, &sel, &bound, &headers, &body, "introspect") {
        Ok(r) => r,
        Err(response) => return *response,
    };
    let token = token.as_str();
    let now = clock::now();
    let body = s.read(|org| {
        let h = grants::hash(token);
        let login = |uid: &str| org.user(uid).map(|u| u.login().to_string());
        if let Some(r) = org.oidc.refresh_tokens.iter().find(|r| {
            r.hash == h && r.client_id == client_id && r.issuer == issuer.key && !r.expired(now)
        }) {
            let mut m = Map::new();
            m.insert("active".into(), json!(true));
            m.insert("token_type".into(), json!("refresh_token"));
            m.insert("scope".into(), json!(r.scopes.join(" ")));
            m.insert("client_id".into(), json!(r.client_id));
            m.insert("username".into(), json!(login(&r.user_id)));
            m.insert("iat".into(), json!(r.created));
            if let Some(e) = r.expires_at {
                m.insert("exp".into(), json!(e));
            }
            m.insert("sub".into(), json!(login(&r.user_id)));
            m.insert("aud".into(), json!(issuer.url));
            m.insert("iss".into(), json!(issuer.url));
            m.insert("uid".into(), json!(r.user_id));
            return Value::Object(m);
        }
        match validate_access_token(org, &issuer, token, now) {
            Some((c, g)) if g.client_id == client_id => json!({
                "active": true,
                "scope": g.scopes.join(" "),
                "username": login(&g.user_id),
                "exp": c.get("exp"),
                "iat": c.get("iat"),
                "sub": c.get("sub"),
                "aud": c.get("aud"),
                "iss": c.get("iss"),
                "jti": c.get("jti"),
                "token_type": "Bearer",
                "client_id": g.client_id,
                "uid": g.user_id,
            }),
            _ => json!({"active": false}),
        }
    });
    json_response(StatusCode::OK, &body)
}
