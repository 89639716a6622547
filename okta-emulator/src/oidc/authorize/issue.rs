//! Issuing to a signed-in user: assignment and policy checks, then the code or the implicit
//! tokens.

use super::request::{rd, Checked, Redirected, NOT_ASSIGNED};
use crate::{
    oidc::claims::{self, Subject, Target},
    oidc::token::{self, is_assigned, MintRequest},
    oidc::{policy, Issuer},
    store::oidc::{self as grants, CodeGrant, Lifetimes},
    store::Org,
};

/// Lifetime of an authorization code.
pub const CODE_SECS: i64 = 300;

/// Issues what the request asked for (a code, tokens, or both) to a signed-in user.
pub fn issue(
    org: &mut Org,
    issuer: &Issuer,
    c: &Checked,
    user_id: &str,
    auth_time: i64,
    now: i64,
) -> Result<Vec<(String, String)>, Redirected> {
    let lifetimes = check_issuable(org, issuer, c, user_id, auth_time)?;
    let mut params = Vec::new();
    if c.code {
        let code = issue_code(org, issuer, c, user_id, auth_time, now, lifetimes);
        params.push(("code".to_string(), code));
    }
    if c.access_token || c.id_token {
        issue_tokens(
            org,
            issuer,
            c,
            user_id,
            auth_time,
            now,
            lifetimes,
            &mut params,
        )?;
    }
    params.push(("state".to_string(), c.state.clone()));
    Ok(params)
}

/// The user must be assigned and a policy rule must allow the grant (custom servers); the
/// groups claim must not be one the token endpoint would refuse. Returns the token lifetimes.
fn check_issuable(
    org: &Org,
    issuer: &Issuer,
    c: &Checked,
    user_id: &str,
    auth_time: i64,
) -> Result<Lifetimes, Redirected> {
    let app = &c.app;
    if !is_assigned(org, app, user_id) {
        return Err(rd("access_denied", NOT_ASSIGNED));
    }
    let lifetimes = match &issuer.server {
        None => Lifetimes::ORG,
        Some(server) => policy::evaluate(org, server, app.client_id(), c.grant, user_id, &c.scopes)
            .map_err(|d| rd("access_denied", d.to_string()))?,
    };
    // Fail early when the groups claim would be refused at the token endpoint.
    if let Some(user) = org.user(user_id) {
        let subj = Subject {
            org,
            user,
            client_id: app.client_id(),
            issuer,
            scopes: &c.scopes,
            auth_time,
        };
        for t in [Target::IdToken, Target::AccessToken] {
            claims::groups_claims(&subj, t).map_err(|e| rd("server_error", e.to_string()))?;
        }
    }
    Ok(lifetimes)
}

/// A one-time authorization code (stored hashed).
fn issue_code(
    org: &mut Org,
    issuer: &Issuer,
    c: &Checked,
    user_id: &str,
    auth_time: i64,
    now: i64,
    lifetimes: Lifetimes,
) -> String {
    let code = grants::opaque(43);
    org.oidc.codes.push(CodeGrant {
        hash: grants::hash(&code),
        issuer: issuer.key.clone(),
        client_id: c.app.client_id().to_string(),
        redirect_uri: c.redirect_uri.clone(),
        scopes: c.scopes.clone(),
        nonce: c.nonce.clone(),
        challenge: c.challenge.clone(),
        user_id: user_id.to_string(),
        auth_time,
        expires_at: now + CODE_SECS,
        lifetimes,
    });
    code
}

/// Implicit and hybrid flows get their tokens from `/authorize`; never a refresh token.
#[allow(clippy::too_many_arguments)]
fn issue_tokens(
    org: &mut Org,
    issuer: &Issuer,
    c: &Checked,
    user_id: &str,
    auth_time: i64,
    now: i64,
    lifetimes: Lifetimes,
    params: &mut Vec<(String, String)>,
) -> Result<(), Redirected> {
    let scopes: Vec<String> = c
        .scopes
        .iter()
        .filter(|s| *s != "offline_access")
        .cloned()
        .collect();
    let m = token::mint(
        org,
        issuer,
        &MintRequest {
            client_id: c.app.client_id(),
            user_id,
            scopes: &scopes,
            auth_time,
            nonce: c.nonce.as_deref(),
            access_secs: lifetimes.access_secs,
            id_secs: claims::ID_TOKEN_SECS,
            family: None,
            with_access: c.access_token,
            with_id: c.id_token,
        },
        now,
    )
    .map_err(|e| rd("server_error", e.description))?;
    if c.access_token {
        params.push(("access_token".into(), m.access_token));
        params.push(("token_type".into(), "Bearer".into()));
        params.push(("expires_in".into(), m.expires_in.to_string()));
        params.push(("scope".into(), scopes.join(" ")));
    }
    if let Some(id) = m.id_token {
        params.push(("id_token".into(), id));
    }
    Ok(())
}
