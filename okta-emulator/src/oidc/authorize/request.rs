//! The checks of an `/authorize` request, in Okta's order: client and `redirect_uri` (answered
//! with the HTML error page), then the parameters (answered with a redirect).

use axum::response::Response;
use serde_json::Value;

use crate::{
    oidc::errors::{error_page, ResponseMode},
    oidc::token::{self, app_has_grant, app_list},
    oidc::Issuer,
    store::{App, Org, Status},
};

pub const INVALID_CLIENT: &str = "Invalid value for 'client_id' parameter.";
pub const MISSING_REDIRECT: &str = "redirect_uri is missing.";
pub const DUPLICATE: &str = "The request contained multiple parameters with the same name.";
pub const INVALID_STATE: &str = "The authentication request has an invalid 'state' parameter.";
pub const INVALID_PROMPT: &str =
    "Invalid value for 'prompt' parameter. Supported values: [none, consent, login]";
pub const INVALID_MODE: &str = "The response mode is not supported by the authorization server. Valid response modes: [query, fragment, form_post, okta_post_message].";
pub const OPENID_REQUIRED: &str =
    "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.";
pub const UNKNOWN_SCOPE_ORG: &str = "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.";
pub const UNKNOWN_SCOPE_CUSTOM: &str =
    "One or more scopes are not configured for the authorization server resource.";
pub const NONCE_REQUIRED: &str = "The authentication request has an invalid 'nonce' parameter.";
pub const PKCE_REQUIRED: &str = "PKCE code challenge is required by the application.";
pub const PKCE_METHOD: &str = "PKCE code challenge method is not supported. Valid values: [S256]";
pub const PKCE_CHARS: &str = "PKCE code challenge contains illegal characters.";
pub const LOGIN_REQUIRED: &str =
    "The client specified not to prompt, but the user is not logged in.";
pub const NOT_ASSIGNED: &str = "User is not assigned to the client application.";

/// Scopes of the org authorization server.
const ORG_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
    "groups",
];

fn unregistered_redirect(org_url: &str, app_id: &str) -> String {
    format!(
        "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: {org_url}/admin/app/oidc_client/instance/{app_id}#tab-general"
    )
}

/// Whether `uri` matches a registered one: exactly, or (with `SUBDOMAIN` wildcards) through a
/// single `*` in the lowest-level label of an https host, matching hostname characters but no
/// dot.
pub fn redirect_matches(registered: &str, uri: &str, wildcard: bool) -> bool {
    if registered == uri {
        return true;
    }
    if !wildcard || !registered.contains('*') {
        return false;
    }
    let (Ok(reg), Ok(got)) = (
        url::Url::parse(registered.replace('*', "wildcard-x").as_str()),
        url::Url::parse(uri),
    ) else {
        return false;
    };
    if reg.scheme() != "https" || got.scheme() != "https" {
        return false;
    }
    // Everything but the host must match exactly.
    if reg.port() != got.port()
        || reg.path() != got.path()
        || reg.query() != got.query()
        || reg.fragment().is_some()
        || got.fragment().is_some()
    {
        return false;
    }
    let Some(reg_host) = registered
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', ':', '?']).next())
    else {
        return false;
    };
    let Some(got_host) = got.host_str() else {
        return false;
    };
    let (Some((reg_label, reg_rest)), Some((got_label, got_rest))) =
        (reg_host.split_once('.'), got_host.split_once('.'))
    else {
        return false;
    };
    // The wildcard sits in the first label, and at least one label stands between it and the TLD.
    if reg_rest.contains('*') || !reg_rest.contains('.') || reg_rest != got_rest {
        return false;
    }
    let Some((prefix, suffix)) = reg_label.split_once('*') else {
        return false;
    };
    if suffix.contains('*') {
        return false;
    }
    got_label.len() > prefix.len() + suffix.len()
        && got_label.starts_with(prefix)
        && got_label.ends_with(suffix)
        && got_label[prefix.len()..got_label.len() - suffix.len()]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A PKCE challenge may hold only unreserved characters, 43 to 128 of them.
pub fn challenge_ok(c: &str) -> bool {
    (43..=128).contains(&c.len())
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '.' | '_' | '~'))
}

/// A request that passed every parameter check.
pub struct Checked {
    pub app: App,
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub state: String,
    pub code: bool,
    pub id_token: bool,
    pub access_token: bool,
    pub grant: &'static str,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub challenge: Option<String>,
    pub prompt: Vec<String>,
    pub session_token: Option<String>,
}

/// A redirect-delivered error.
pub struct Redirected {
    pub error: &'static str,
    pub description: String,
}

pub fn rd(error: &'static str, description: impl Into<String>) -> Redirected {
    Redirected {
        error,
        description: description.into(),
    }
}

pub fn first<'a>(p: &'a [(String, String)], k: &str) -> Option<&'a str> {
    p.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str())
}

fn duplicated(p: &[(String, String)], k: &str) -> bool {
    p.iter().filter(|(x, _)| x == k).count() > 1
}

/// Client and redirect checks: failures are error pages.
pub fn check_client(
    org: &Org,
    org_url: &str,
    p: &[(String, String)],
) -> Result<(App, String), Box<Response>> {
    if duplicated(p, "client_id") || duplicated(p, "redirect_uri") {
        return Err(Box::new(error_page("invalid_request", DUPLICATE)));
    }
    let app = first(p, "client_id")
        .and_then(|id| org.apps.iter().find(|a| a.client_id() == id))
        .filter(|a| a.status == Status::Active)
        .ok_or_else(|| Box::new(error_page("invalid_client", INVALID_CLIENT)))?;
    let uri = first(p, "redirect_uri")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| Box::new(error_page("missing_redirect_uri", MISSING_REDIRECT)))?;
    let wildcard = app
        .oauth_settings()
        .and_then(|o| o.get("wildcard_redirect"))
        .and_then(Value::as_str)
        == Some("SUBDOMAIN");
    if !app_list(app, "redirect_uris")
        .iter()
        .any(|r| redirect_matches(r, uri, wildcard))
    {
        return Err(Box::new(error_page(
            "invalid_request",
            &unregistered_redirect(org_url, &app.id),
        )));
    }
    Ok((app.clone(), uri.to_string()))
}

/// Parameter checks after the redirect is trusted, in Okta's order. A failure is redirected
/// with the response mode known so far and the caller's `state`.
pub fn check_params(
    issuer: &Issuer,
    app: App,
    redirect_uri: String,
    p: &[(String, String)],
) -> Result<Checked, (Redirected, ResponseMode, Option<String>)> {
    let state_param = first(p, "state").map(str::to_string);
    let words: Vec<&str> = first(p, "response_type")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let implicit_like = words.iter().any(|w| *w == "token" || *w == "id_token");
    let default_mode = if implicit_like {
        ResponseMode::Fragment
    } else {
        ResponseMode::Query
    };
    let fail = |mode: ResponseMode| {
        let state = state_param.clone();
        move |r: Redirected| (r, mode, state)
    };
    if p.iter().any(|(k, _)| duplicated(p, k)) {
        return Err(fail(default_mode)(rd("invalid_request", DUPLICATE)));
    }
    let mode = response_mode(p, implicit_like)
        .map_err(fail(default_mode))?
        .unwrap_or(default_mode);
    let Some(state) = state_param.clone().filter(|s| !s.is_empty()) else {
        return Err(fail(mode)(rd("invalid_request", INVALID_STATE)));
    };
    let (code, grant) = check_response_type(&app, &words).map_err(fail(mode))?;
    let prompt = check_prompt(p).map_err(fail(mode))?;
    let scopes = check_scopes(issuer, p).map_err(fail(mode))?;
    let nonce = first(p, "nonce")
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if implicit_like && nonce.is_none() {
        return Err(fail(mode)(rd("invalid_request", NONCE_REQUIRED)));
    }
    let challenge = if code {
        check_pkce(&app, p).map_err(fail(mode))?
    } else {
        None
    };
    Ok(Checked {
        app,
        redirect_uri,
        mode,
        state,
        code,
        id_token: words.contains(&"id_token"),
        access_token: words.contains(&"token"),
        grant,
        scopes,
        nonce,
        challenge,
        prompt,
        session_token: first(p, "sessionToken").map(str::to_string),
    })
}

/// `response_mode`, when given; the query cannot carry tokens.
fn response_mode(
    p: &[(String, String)],
    implicit_like: bool,
) -> Result<Option<ResponseMode>, Redirected> {
    match first(p, "response_mode") {
        None => Ok(None),
        Some(m) => match ResponseMode::parse(m) {
            Some(ResponseMode::Query) if implicit_like => {
                Err(rd("unsupported_response_mode", INVALID_MODE))
            }
            Some(m) => Ok(Some(m)),
            None => Err(rd("unsupported_response_mode", INVALID_MODE)),
        },
    }
}

/// `response_type`: words the app is configured for, and the grant they need. Returns whether
/// a code is asked for, and that grant.
fn check_response_type(app: &App, words: &[&str]) -> Result<(bool, &'static str), Redirected> {
    let allowed = app_list(app, "response_types");
    let valid_words = !words.is_empty()
        && words
            .iter()
            .all(|w| matches!(*w, "code" | "token" | "id_token") && allowed.iter().any(|a| a == w));
    if !valid_words {
        return Err(rd(
            "unsupported_response_type",
            format!(
                "The response type is not supported by the authorization server. Configured response types: [{}].",
                allowed.join(", ")
            ),
        ));
    }
    let code = words.contains(&"code");
    let grant = if code {
        "authorization_code"
    } else {
        "implicit"
    };
    let implicit_like = words.iter().any(|w| *w == "token" || *w == "id_token");
    if !app_has_grant(app, grant) || (code && implicit_like && !app_has_grant(app, "implicit")) {
        return Err(rd("unauthorized_client", token::unauthorized_client(app)));
    }
    Ok((code, grant))
}

/// `prompt`: known values, and `none` alone.
fn check_prompt(p: &[(String, String)]) -> Result<Vec<String>, Redirected> {
    let prompt: Vec<String> = first(p, "prompt")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let prompt_ok = prompt.iter().all(|x| {
        matches!(
            x.as_str(),
            "none" | "login" | "consent" | "enroll_authenticator"
        )
    }) && !(prompt.len() > 1 && prompt.iter().any(|x| x == "none"));
    if !prompt_ok {
        return Err(rd("invalid_request", INVALID_PROMPT));
    }
    Ok(prompt)
}

/// `scope`: `openid`, and only scopes the server knows.
fn check_scopes(issuer: &Issuer, p: &[(String, String)]) -> Result<Vec<String>, Redirected> {
    let scopes: Vec<String> = first(p, "scope")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if !scopes.iter().any(|s| s == "openid") {
        return Err(rd("invalid_scope", OPENID_REQUIRED));
    }
    let known = |s: &str| match &issuer.server {
        None => ORG_SCOPES.contains(&s),
        Some(server) => server.scopes.iter().any(|x| x.name == s),
    };
    if scopes.iter().any(|s| !known(s)) {
        let text = if issuer.is_org() {
            UNKNOWN_SCOPE_ORG
        } else {
            UNKNOWN_SCOPE_CUSTOM
        };
        return Err(rd("invalid_scope", text));
    }
    Ok(scopes)
}

/// PKCE of a code request: required when the app says so; S256 with a well-formed challenge.
fn check_pkce(app: &App, p: &[(String, String)]) -> Result<Option<String>, Redirected> {
    let challenge = first(p, "code_challenge").map(str::to_string);
    let pkce_required = app
        .body
        .get("credentials")
        .and_then(|c| c.get("oauthClient"))
        .and_then(|o| o.get("pkce_required"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match &challenge {
        None if pkce_required => return Err(rd("invalid_request", PKCE_REQUIRED)),
        None => {}
        Some(c) => {
            if first(p, "code_challenge_method") != Some("S256") {
                return Err(rd("invalid_request", PKCE_METHOD));
            }
            if !challenge_ok(c) {
                return Err(rd("invalid_request", PKCE_CHARS));
            }
        }
    }
    Ok(challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_redirects_only_without_wildcards() {
        let r = "https://app.example.com/cb";
        assert!(redirect_matches(r, r, false));
        assert!(!redirect_matches(r, "https://app.example.com/cb/", false));
        assert!(!redirect_matches(r, "https://APP.example.com/cb", false));
        let w = "https://redirect-*-domain.example.com/oidc/redirect";
        assert!(!redirect_matches(
            w,
            "https://redirect-a-domain.example.com/oidc/redirect",
            false
        ));
    }

    #[test]
    fn subdomain_wildcards() {
        let w = "https://redirect-*-domain.example.com/oidc/redirect";
        assert!(redirect_matches(
            w,
            "https://redirect-a1-domain.example.com/oidc/redirect",
            true
        ));
        // Never across a dot, never empty, path must match, https only.
        assert!(!redirect_matches(
            w,
            "https://redirect-a.b-domain.example.com/oidc/redirect",
            true
        ));
        assert!(!redirect_matches(
            w,
            "https://redirect--domain.example.com/oidc/redirect",
            true
        ));
        assert!(!redirect_matches(
            w,
            "https://redirect-a-domain.example.com/other",
            true
        ));
        assert!(!redirect_matches(
            w,
            "http://redirect-a-domain.example.com/oidc/redirect",
            true
        ));
        assert!(!redirect_matches(
            w,
            "https://redirect-a-domain.evil.com/oidc/redirect",
            true
        ));
        // The wildcard needs a label between it and the TLD.
        assert!(!redirect_matches(
            "https://*.com/cb",
            "https://x.com/cb",
            true
        ));
        assert!(redirect_matches(
            "https://*.example.com/cb",
            "https://tenant1.example.com/cb",
            true
        ));
        assert!(!redirect_matches(
            "https://*.example.com/cb",
            "https://a.b.example.com/cb",
            true
        ));
    }

    #[test]
    fn pkce_challenge_characters() {
        assert!(challenge_ok("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(!challenge_ok("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"));
        assert!(!challenge_ok("short"));
        assert!(!challenge_ok(&"a".repeat(129)));
    }
}
