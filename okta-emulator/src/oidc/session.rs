//! Okta sign-in sessions: the `sid` cookie set when `/authorize` redeems a `sessionToken` or
//! the sign-in form succeeds, and the small HTML sign-in form a browser without a session gets.

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::Response,
};

use crate::{
    base::{clock, password},
    pipeline::shared::Shared,
    store::{Org, UserStatus},
};
use crate::{
    oidc::errors::{html, html_escape},
    store::oidc::{self as grants, Session},
};

pub const COOKIE: &str = "sid";
/// Okta's default maximum session idle time: two hours.
pub const SESSION_SECS: i64 = 2 * 3600;
/// Hidden form field carrying the original `/authorize` query through the sign-in form.
pub const QUERY_FIELD: &str = "authorize_query";

/// The `sid` cookie value of a request, if any.
pub fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// The live session behind a cookie: `(user_id, auth_time)` of an ACTIVE user.
pub fn lookup(org: &Org, value: &str, now: i64) -> Option<(String, i64)> {
    let h = grants::hash(value);
    let s = org
        .oidc
        .sessions
        .iter()
        .find(|s| s.hash == h && s.expires_at > now)?;
    org.user(&s.user_id)
        .filter(|u| u.status == UserStatus::Active)
        .map(|u| (u.id.clone(), s.auth_time))
}

/// Starts a session for `user_id`; returns the cookie value.
pub fn create(org: &mut Org, user_id: &str, now: i64) -> String {
    let value = grants::opaque(40);
    org.oidc.sessions.push(Session {
        hash: grants::hash(&value),
        user_id: user_id.to_string(),
        auth_time: now,
        expires_at: now + SESSION_SECS,
    });
    value
}

/// Ends the session behind a cookie value.
pub fn end(org: &mut Org, value: &str) {
    let h = grants::hash(value);
    org.oidc.sessions.retain(|s| s.hash != h);
}

pub fn set_cookie(resp: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; Max-Age={SESSION_SECS}; HttpOnly; SameSite=Lax"
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

pub fn clear_cookie(resp: &mut Response) {
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
    );
}

/// Checks a username and password as `/api/v1/authn` does (ACTIVE user with that password).
/// Hashing is slow, so it runs outside the org lock.
pub fn check_password(shared: &Shared, username: &str, pass: &str) -> Option<String> {
    let (id, stored) = shared.read(|org| {
        org.user_by_login(username)
            .filter(|u| u.status == UserStatus::Active)
            .and_then(|u| u.password.clone().map(|p| (u.id.clone(), p)))
    })?;
    password::verify(pass, &stored).then_some(id)
}

/// The sign-in form; it posts back to `action` with the original query.
pub fn form(action: &str, query: &str, error: Option<&str>) -> Response {
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let message = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", html_escape(e)))
        .unwrap_or_default();
    html(
        status,
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Sign In</title></head>\
             <body><h1>Sign In</h1>{message}<form method=\"post\" action=\"{}\">\
             <input type=\"hidden\" name=\"{QUERY_FIELD}\" value=\"{}\"/>\
             <label>Username <input name=\"username\" autocomplete=\"username\" autofocus/></label>\
             <label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"/></label>\
             <button type=\"submit\">Sign In</button></form></body></html>\n",
            html_escape(action),
            html_escape(query)
        ),
    )
}

/// Redeems a `sessionToken` for the sign-in step: one time only, within five minutes, and only
/// while the user is ACTIVE. Returns the user's id.
pub fn redeem_session_token(shared: &Shared, token: &str) -> Option<String> {
    shared
        .write(|org| Ok(org.redeem_session_token(token, clock::now())))
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SessionToken;

    #[test]
    fn sessions_live_until_expiry_and_end() {
        let mut org = Org::seed(None);
        let uid = org.admin_user_id.clone();
        let v = create(&mut org, &uid, 100);
        assert_eq!(lookup(&org, &v, 101), Some((uid.clone(), 100)));
        assert_eq!(lookup(&org, &v, 100 + SESSION_SECS), None);
        assert_eq!(lookup(&org, "other", 101), None);
        // Only the hash is kept.
        assert!(!serde_json::to_string(&org).unwrap().contains(&v));
        end(&mut org, &v);
        assert_eq!(lookup(&org, &v, 101), None);
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sid=xyz; b=2"),
        );
        assert_eq!(cookie(&h).as_deref(), Some("xyz"));
        assert_eq!(cookie(&HeaderMap::new()), None);
        let page = form("/oauth2/v1/authorize", "a=\"b\"", Some("Sign in failed!"));
        assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn session_tokens_are_one_time_and_expire() {
        let s = Shared::new(Org::seed(None), None, None, 600, std::time::Duration::ZERO);
        let uid = s.read(|org| org.admin_user_id.clone());
        let now = clock::now();
        s.touch(|org| {
            org.session_tokens.push(SessionToken {
                hash: password::token_hash("fresh"),
                user_id: uid.clone(),
                expires_at: now + 300,
            });
            org.session_tokens.push(SessionToken {
                hash: password::token_hash("stale"),
                user_id: uid.clone(),
                expires_at: now - 1,
            });
        });
        assert_eq!(
            redeem_session_token(&s, "fresh").as_deref(),
            Some(uid.as_str())
        );
        assert_eq!(redeem_session_token(&s, "fresh"), None);
        assert_eq!(redeem_session_token(&s, "stale"), None);
        assert_eq!(redeem_session_token(&s, "never"), None);
        assert!(s.read(|org| org.session_tokens.is_empty()));
    }
}
