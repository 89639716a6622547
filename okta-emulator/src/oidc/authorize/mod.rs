//! `GET …/v1/authorize` (and POST: the sign-in form's submission, or a form-encoded request).
//!
//! Checks in the order Okta applies them: client, `redirect_uri` (both answered with the HTML
//! error page, never a redirect), then — redirected back with `error`/`state` — duplicate
//! parameters, `response_mode`, `state`, `response_type`, grant type, `prompt`, scopes,
//! `nonce`, PKCE; then sign-in (`sessionToken`, the `sid` cookie, or the sign-in form),
//! assignment, custom-server policy, and finally the code (or implicit tokens).

mod issue;
mod request;

use std::sync::Arc;

use issue::issue;
use request::{check_client, check_params, first, rd, Checked, Redirected, LOGIN_REQUIRED};

use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
    Extension,
};

use crate::{base::clock, pipeline::http::BoundBase, pipeline::shared::Shared, store::Org};
use crate::{
    oidc::errors::{deliver, redirect_error},
    oidc::session::{self, QUERY_FIELD},
    oidc::{org_url, resolve_with_keys, Issuer, IssuerSel},
};

/// What the sign-in step decided.
enum Outcome {
    Deliver {
        params: Vec<(String, String)>,
        new_session: Option<String>,
    },
    Error(Redirected, Option<String>),
    SignIn,
}

fn sign_in(
    org: &mut Org,
    issuer: &Issuer,
    c: &Checked,
    redeemed: Option<String>,
    cookie: Option<&str>,
    now: i64,
) -> Outcome {
    org.oidc.prune(now);
    let mut new_session = None;
    let who = redeemed.map(|uid| {
        new_session = Some(session::create(org, &uid, now));
        (uid, now)
    });
    let who = who.or_else(|| {
        let forced = c.prompt.iter().any(|p| p == "login");
        cookie
            .filter(|_| !forced)
            .and_then(|v| session::lookup(org, v, now))
    });
    let Some((user_id, auth_time)) = who else {
        if c.prompt.iter().any(|p| p == "none") {
            return Outcome::Error(rd("login_required", LOGIN_REQUIRED), new_session);
        }
        return Outcome::SignIn;
    };
    match issue(org, issuer, c, &user_id, auth_time, now) {
        Ok(params) => Outcome::Deliver {
            params,
            new_session,
        },
        Err(r) => Outcome::Error(r, new_session),
    }
}

fn authorize(
    s: &Shared,
    sel: &IssuerSel,
    bound: &BoundBase,
    headers: &HeaderMap,
    params: Vec<(String, String)>,
    raw_query: &str,
) -> Response {
    let org_url = org_url(bound);
    let issuer = match resolve_with_keys(s, sel, org_url) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let checked = s.read(|org| check_client(org, org_url, &params));
    let (app, redirect_uri) = match checked {
        Ok(x) => x,
        Err(page) => return *page,
    };
    let c = match check_params(&issuer, app, redirect_uri.clone(), &params) {
        Ok(c) => c,
        Err((r, mode, state)) => {
            return redirect_error(
                &redirect_uri,
                mode,
                r.error,
                &r.description,
                state.as_deref(),
            )
        }
    };
    let cookie = session::cookie(headers);
    // A sessionToken is one-time: redeemed (or found invalid) before anything else happens.
    let redeemed = c
        .session_token
        .as_deref()
        .and_then(|t| session::redeem_session_token(s, t));
    let now = clock::now();
    let outcome = match s.write(|org| {
        Ok(sign_in(
            org,
            &issuer,
            &c,
            redeemed.clone(),
            cookie.as_deref(),
            now,
        ))
    }) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    respond(&issuer, &c, raw_query, outcome)
}

/// The sign-in step's answer: the redirect with a code or tokens, a redirected error, or the
/// sign-in form; with the new session cookie, if one was made.
fn respond(issuer: &Issuer, c: &Checked, raw_query: &str, outcome: Outcome) -> Response {
    let (mut resp, new_session) = match outcome {
        Outcome::Deliver {
            params,
            new_session,
        } => {
            let p: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            (deliver(&c.redirect_uri, c.mode, &p), new_session)
        }
        Outcome::Error(r, new_session) => (
            redirect_error(
                &c.redirect_uri,
                c.mode,
                r.error,
                &r.description,
                Some(&c.state),
            ),
            new_session,
        ),
        Outcome::SignIn => {
            let action = format!("{}/authorize", issuer.endpoints);
            (session::form(&action, raw_query, None), None)
        }
    };
    if let Some(v) = new_session {
        session::set_cookie(&mut resp, &v);
    }
    resp
}

fn decode(raw: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

pub async fn authorize_get(
    State(s): State<Arc<Shared>>,
    Extension(bound): Extension<BoundBase>,
    sel: IssuerSel,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let raw = raw.unwrap_or_default();
    authorize(&s, &sel, &bound, &headers, decode(&raw), &raw)
}

/// POST: the sign-in form (username, password and the original query), or a form-encoded
/// authorization request.
pub async fn authorize_post(
    State(s): State<Arc<Shared>>,
    Extension(bound): Extension<BoundBase>,
    sel: IssuerSel,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let Some(query) = first(&form, QUERY_FIELD).map(str::to_string) else {
        let raw = String::from_utf8_lossy(&body).into_owned();
        return authorize(&s, &sel, &bound, &headers, form, &raw);
    };
    let issuer = match resolve_with_keys(&s, &sel, org_url(&bound)) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let action = format!("{}/authorize", issuer.endpoints);
    let user = session::check_password(
        &s,
        first(&form, "username").unwrap_or(""),
        first(&form, "password").unwrap_or(""),
    );
    let Some(user_id) = user else {
        return session::form(&action, &query, Some("Unable to sign in"));
    };
    let now = clock::now();
    let value = match s.write(|org| {
        if let Some(u) = org.user_mut(&user_id) {
            u.last_login = Some(now);
        }
        Ok(session::create(org, &user_id, now))
    }) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    // Continue the original request, now with a session.
    let mut resp = deliver_to_authorize(&action, &query);
    session::set_cookie(&mut resp, &value);
    resp
}

fn deliver_to_authorize(action: &str, query: &str) -> Response {
    let mut resp = axum::http::StatusCode::FOUND.into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("{action}?{query}")) {
        resp.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    resp
}
