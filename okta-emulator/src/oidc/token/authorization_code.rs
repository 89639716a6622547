//! The `authorization_code` grant: a code is single use, bound to its client, `redirect_uri`,
//! server and PKCE challenge; with `offline_access` it also yields a refresh token.

use axum::response::Response;

use super::{
    app_has_grant, mint, new_refresh, s256, success, MintRequest, CODE_INVALID, OTHER_CLIENT,
    OTHER_SERVER, PKCE_FAILED, PKCE_UNEXPECTED, PKCE_VERIFIER_REQUIRED, REDIRECT_MISMATCH,
};
use crate::{
    oidc::claims,
    oidc::client_auth::field,
    oidc::errors::OAuthError,
    oidc::Issuer,
    store::oidc::{self as grants},
    store::{App, Org},
};

/// `user_secs`: `--user-token-lifetime-secs`, which overrides the lifetimes of the access and
/// ID tokens minted for a user here (refresh tokens keep theirs).
pub fn grant(
    org: &mut Org,
    issuer: &Issuer,
    app: &App,
    form: &[(String, String)],
    user_secs: Option<i64>,
    now: i64,
) -> Result<Response, OAuthError> {
    org.oidc.prune(now);
    let invalid = || OAuthError::bad_request("invalid_grant", CODE_INVALID);
    let code = field(form, "code").ok_or_else(invalid)?;
    let h = grants::hash(code);
    let idx = org
        .oidc
        .codes
        .iter()
        .position(|c| c.hash == h)
        .ok_or_else(invalid)?;
    let c = &org.oidc.codes[idx];
    if c.issuer != issuer.key {
        return Err(OAuthError::bad_request("invalid_request", OTHER_SERVER));
    }
    if c.client_id != app.client_id() {
        return Err(OAuthError::bad_request("invalid_grant", OTHER_CLIENT));
    }
    // From here on the code is used up, whatever the outcome.
    let c = org.oidc.codes.remove(idx);
    if field(form, "redirect_uri") != Some(c.redirect_uri.as_str()) {
        return Err(OAuthError::bad_request("invalid_grant", REDIRECT_MISMATCH));
    }
    match (&c.challenge, field(form, "code_verifier")) {
        (Some(_), None) => {
            return Err(OAuthError::bad_request(
                "invalid_request",
                PKCE_VERIFIER_REQUIRED,
            ))
        }
        (None, Some(_)) => return Err(OAuthError::bad_request("invalid_request", PKCE_UNEXPECTED)),
        (Some(ch), Some(v)) if s256(v) != *ch => {
            return Err(OAuthError::bad_request("invalid_grant", PKCE_FAILED))
        }
        _ => {}
    }
    // offline_access yields a refresh token only with the refresh_token grant; else it is dropped.
    let refresh_ok = app_has_grant(app, "refresh_token");
    let scopes: Vec<String> = c
        .scopes
        .iter()
        .filter(|s| refresh_ok || *s != "offline_access")
        .cloned()
        .collect();
    let family = grants::opaque(20);
    let with_refresh = scopes.iter().any(|s| s == "offline_access");
    let m = mint(
        org,
        issuer,
        &MintRequest {
            client_id: &c.client_id,
            user_id: &c.user_id,
            scopes: &scopes,
            auth_time: c.auth_time,
            nonce: c.nonce.as_deref(),
            access_secs: user_secs.unwrap_or(c.lifetimes.access_secs),
            id_secs: user_secs.unwrap_or(claims::ID_TOKEN_SECS),
            family: with_refresh.then_some(family.as_str()),
            with_access: true,
            with_id: scopes.iter().any(|s| s == "openid"),
        },
        now,
    )?;
    let refresh = with_refresh.then(|| {
        let value = grants::opaque(43);
        org.oidc.refresh_tokens.push(new_refresh(
            &value,
            &family,
            issuer,
            &c.client_id,
            &c.user_id,
            &scopes,
            c.auth_time,
            &c.lifetimes,
            now,
        ));
        value
    });
    Ok(success(&m, &scopes, refresh.as_deref()))
}
