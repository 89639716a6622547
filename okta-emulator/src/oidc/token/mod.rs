//! `POST …/v1/token`: client authentication first (a failure never consumes the code), then
//! the `authorization_code` grant (single use, bound to client, `redirect_uri`, server and PKCE
//! challenge) or the `refresh_token` grant (STATIC: the same token back; ROTATE: a new one, the
//! old one valid for `leeway` seconds, reuse after that revokes the family).

mod authorization_code;
mod client_credentials;
mod refresh_token;

use std::sync::Arc;

use aws_lc_rs::digest;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Map, Value};

use crate::{
    base::clock,
    pipeline::http::BoundBase,
    pipeline::shared::Shared,
    store::{App, Org, UserStatus},
};
use crate::{
    base::jose::keys,
    oidc::claims::{self, ClaimError, Subject},
    oidc::client_auth::{self, field},
    oidc::errors::{json_response, OAuthError},
    oidc::{discovery, org_url, resolve_with_keys, Issuer, IssuerSel},
    store::oidc::{self as grants, AccessGrant, Lifetimes, RefreshGrant},
};

pub const CODE_INVALID: &str = "The authorization code is invalid or has expired.";
pub const OTHER_CLIENT: &str = "The grant was issued to another client. Please make sure the 'client_id' matches the one used at the authorize request.";
pub const REDIRECT_MISMATCH: &str =
    "The 'redirect_uri' does not match the redirection URI used in the authorization request.";
pub const OTHER_SERVER: &str = "The grant was issued for another authorization server.";
pub const REFRESH_INVALID: &str = "The refresh token is invalid or expired.";
pub const PKCE_FAILED: &str = "PKCE verification failed.";
pub const PKCE_UNEXPECTED: &str =
    "PKCE code challenge should be specified in the authorize request for code verification.";
pub const PKCE_VERIFIER_REQUIRED: &str = "PKCE code verifier is required by the application.";

/// Grant types `/token` knows (others are `unsupported_grant_type`).
const TOKEN_GRANTS: &[&str] = &[
    "authorization_code",
    "refresh_token",
    "password",
    "client_credentials",
    "urn:ietf:params:oauth:grant-type:device_code",
];

/// `settings.oauthClient.<key>` list of an app.
pub fn app_list(app: &App, key: &str) -> Vec<String> {
    app.oauth_settings()
        .and_then(|o| o.get(key))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub fn app_has_grant(app: &App, grant: &str) -> bool {
    app_list(app, "grant_types").iter().any(|g| g == grant)
}

/// `Configured grant types: [a, b].`
pub fn unauthorized_client(app: &App) -> String {
    format!(
        "The client is not authorized to use the provided grant type. Configured grant types: [{}].",
        app_list(app, "grant_types").join(", ")
    )
}

/// Whether the user may use the app: assigned directly or through one of the app's groups.
pub fn is_assigned(org: &Org, app: &App, user_id: &str) -> bool {
    org.app_users
        .iter()
        .any(|a| a.app_id == app.id && a.user_id == user_id)
        || app
            .groups
            .iter()
            .any(|g| org.is_member(&g.group_id, user_id))
}

/// `BASE64URL-NOPAD(SHA256(verifier))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
}

/// What one mint call produced.
pub struct Minted {
    pub access_token: String,
    pub id_token: Option<String>,
    pub expires_in: i64,
}

fn claim_error(e: ClaimError) -> OAuthError {
    OAuthError::bad_request("server_error", e.to_string())
}

fn sign(org: &Org, issuer: &Issuer, claims: &Map<String, Value>) -> Result<String, OAuthError> {
    keys::sign(issuer.keys(org), claims).map_err(|e| {
        tracing::error!(error = %e, "signing a token failed");
        OAuthError::server_error()
    })
}

/// Parameters of one mint.
pub struct MintRequest<'a> {
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub scopes: &'a [String],
    pub auth_time: i64,
    pub nonce: Option<&'a str>,
    pub access_secs: i64,
    /// ID-token lifetime: Okta's 1 h ([`claims::ID_TOKEN_SECS`]) unless the emulator was
    /// started with short user tokens.
    pub id_secs: i64,
    pub family: Option<&'a str>,
    pub with_access: bool,
    pub with_id: bool,
}

/// Mints an access token (remembered by `jti`) and, if asked, an ID token.
pub fn mint(
    org: &mut Org,
    issuer: &Issuer,
    req: &MintRequest,
    now: i64,
) -> Result<Minted, OAuthError> {
    let user = org
        .user(req.user_id)
        .filter(|u| u.status == UserStatus::Active)
        .ok_or_else(|| OAuthError::bad_request("invalid_grant", CODE_INVALID))?
        .clone();
    let subj = Subject {
        org,
        user: &user,
        client_id: req.client_id,
        issuer,
        scopes: req.scopes,
        auth_time: req.auth_time,
    };
    let jti = format!("AT.{}", grants::opaque(43));
    let access_token = if req.with_access {
        let c = claims::access_token(&subj, &jti, now, req.access_secs).map_err(claim_error)?;
        Some(sign(org, issuer, &c)?)
    } else {
        None
    };
    let id_token = if req.with_id {
        let c = claims::id_token(&subj, req.nonce, access_token.as_deref(), now, req.id_secs)
            .map_err(claim_error)?;
        Some(sign(org, issuer, &c)?)
    } else {
        None
    };
    if access_token.is_some() {
        org.oidc.access_tokens.push(AccessGrant {
            jti,
            issuer: issuer.key.clone(),
            client_id: req.client_id.to_string(),
            user_id: req.user_id.to_string(),
            scopes: req.scopes.to_vec(),
            family: req.family.map(str::to_string),
            issued_at: now,
            expires_at: now + req.access_secs,
            jkt: None,
        });
    }
    Ok(Minted {
        access_token: access_token.unwrap_or_default(),
        id_token,
        expires_in: req.access_secs,
    })
}

pub(super) fn success(m: &Minted, scopes: &[String], refresh: Option<&str>) -> Response {
    let mut body = Map::new();
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("expires_in".into(), json!(m.expires_in));
    body.insert("access_token".into(), json!(m.access_token));
    body.insert("scope".into(), json!(scopes.join(" ")));
    if let Some(r) = refresh {
        body.insert("refresh_token".into(), json!(r));
    }
    if let Some(i) = &m.id_token {
        body.insert("id_token".into(), json!(i));
    }
    json_response(StatusCode::OK, &Value::Object(body))
}

pub async fn token(
    State(s): State<Arc<Shared>>,
    Extension(bound): Extension<BoundBase>,
    sel: IssuerSel,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let issuer = match resolve_with_keys(&s, &sel, org_url(&bound)) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    match run(&s, &issuer, &headers, &form) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn run(
    s: &Shared,
    issuer: &Issuer,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<Response, OAuthError> {
    let creds = client_auth::parse(headers, form)?;
    let app = client_auth::authenticate_request(s, &creds, &format!("{}/token", issuer.endpoints))?;
    let Some(grant) = field(form, "grant_type").filter(|g| !g.is_empty()) else {
        return Err(OAuthError::bad_request(
            "invalid_request",
            format!(
                "The token request must specify a 'grant_type'. Valid values: [{}]",
                discovery::grant_types(issuer, true).join(", ")
            ),
        ));
    };
    let unsupported = || {
        OAuthError::bad_request(
            "unsupported_grant_type",
            format!(
                "The authorization grant type is not supported by the authorization server. Configured grant types: [{}].",
                app_list(&app, "grant_types").join(", ")
            ),
        )
    };
    if !TOKEN_GRANTS.contains(&grant) {
        return Err(unsupported());
    }
    if !app_has_grant(&app, grant) {
        return Err(OAuthError::bad_request(
            "unauthorized_client",
            unauthorized_client(&app),
        ));
    }
    let now = clock::now();
    let outcome = match grant {
        "authorization_code" => s.write(|org| {
            Ok(authorization_code::grant(
                org,
                issuer,
                &app,
                form,
                s.user_token_secs,
                now,
            ))
        }),
        "refresh_token" => s.write(|org| {
            Ok(refresh_token::grant(
                org,
                issuer,
                &app,
                form,
                s.user_token_secs,
                now,
            ))
        }),
        // Tokens for Okta's own APIs; custom servers' client credentials are not modelled.
        "client_credentials" if issuer.is_org() => {
            return Ok(client_credentials::grant(s, issuer, &app, headers, form)
                .unwrap_or_else(IntoResponse::into_response));
        }
        // Valid grants the emulator does not implement (password, device, client credentials
        // on custom servers).
        _ => return Err(unsupported()),
    };
    outcome.map_err(|_| OAuthError::server_error())?
}

#[allow(clippy::too_many_arguments)]
pub(super) fn new_refresh(
    value: &str,
    family: &str,
    issuer: &Issuer,
    client_id: &str,
    user_id: &str,
    scopes: &[String],
    auth_time: i64,
    l: &Lifetimes,
    now: i64,
) -> RefreshGrant {
    RefreshGrant {
        hash: grants::hash(value),
        family: family.to_string(),
        issuer: issuer.key.clone(),
        client_id: client_id.to_string(),
        user_id: user_id.to_string(),
        scopes: scopes.to_vec(),
        auth_time,
        created: now,
        last_used: now,
        expires_at: l.refresh_secs.map(|s| now + s),
        idle_secs: l.refresh_idle_secs,
        access_secs: l.access_secs,
        superseded_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::refresh_token::{rotation, within_leeway};
    use super::*;
    use crate::store::Status;

    #[test]
    fn pkce_s256_is_base64url_sha256() {
        // Expected value computed independently (Python hashlib + base64.urlsafe_b64encode).
        assert_eq!(
            s256("dBjftJeZ4CVP-mJ92K1uhbKk6CFsdSMH3F0QGhRrhJ8"),
            "kmRnGf_97wJUBCL5lvbR6lIpMX2fF4YUGUXIDngdghQ"
        );
    }

    #[test]
    fn leeway_window_uses_the_given_clock() {
        assert!(within_leeway(None, 0, 1_000));
        assert!(within_leeway(Some(100), 30, 129));
        assert!(!within_leeway(Some(100), 30, 130));
        assert!(!within_leeway(Some(100), 0, 100));
    }

    fn app_with(settings: Value) -> App {
        let mut body = Map::new();
        body.insert("settings".into(), json!({ "oauthClient": settings }));
        App {
            id: "0oa1".into(),
            seq: 1,
            status: Status::Active,
            created: 0,
            last_updated: 0,
            body,
            secrets: vec![],
            groups: vec![],
            access_policy: None,
        }
    }

    #[test]
    fn rotation_settings_and_grants() {
        let app = app_with(json!({
            "grant_types": ["authorization_code", "refresh_token"],
            "refresh_token": {"rotation_type": "ROTATE", "leeway": 5}
        }));
        assert_eq!(rotation(&app), (true, 5));
        assert!(app_has_grant(&app, "refresh_token"));
        assert!(!app_has_grant(&app, "implicit"));
        assert_eq!(
            unauthorized_client(&app),
            "The client is not authorized to use the provided grant type. Configured grant types: [authorization_code, refresh_token]."
        );
        let stat = app_with(json!({"refresh_token": {"rotation_type": "STATIC"}}));
        assert_eq!(rotation(&stat), (false, 30));
    }
}
