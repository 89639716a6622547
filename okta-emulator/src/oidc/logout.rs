//! `GET …/v1/logout`: ends the Okta session (`sid` cookie) named by an `id_token_hint` of one of
//! this server's clients and redirects to a registered `post_logout_redirect_uri` with `state`.

use std::sync::Arc;

use axum::{
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use serde_json::Value;

use crate::{
    base::jose::keys,
    oidc::errors::{deliver, error_page, html, ResponseMode},
    oidc::token::app_list,
    oidc::{org_url, resolve_with_keys, session, IssuerSel},
};
use crate::{pipeline::http::BoundBase, pipeline::shared::Shared, store::Status};

pub const BAD_HINT: &str = "The 'id_token_hint' parameter is invalid.";
pub const BAD_POST_LOGOUT: &str =
    "The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app settings.";

pub async fn logout(
    State(s): State<Arc<Shared>>,
    Extension(bound): Extension<BoundBase>,
    sel: IssuerSel,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let issuer = match resolve_with_keys(&s, &sel, org_url(&bound)) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let q: Vec<(String, String)> = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| q.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
    let hint = get("id_token_hint").unwrap_or("");
    // An expired hint is fine: it names the client, it does not authorise anything.
    let app = s.read(|org| {
        let claims = keys::verify(issuer.keys(org), hint).ok()?;
        if claims.get("iss").and_then(Value::as_str) != Some(issuer.url.as_str()) {
            return None;
        }
        let aud = claims.get("aud").and_then(Value::as_str)?;
        org.apps
            .iter()
            .find(|a| a.client_id() == aud && a.status == Status::Active)
            .cloned()
    });
    let Some(app) = app else {
        return error_page("invalid_request", BAD_HINT);
    };
    let target = match get("post_logout_redirect_uri") {
        None => None,
        Some(u)
            if app_list(&app, "post_logout_redirect_uris")
                .iter()
                .any(|r| r == u) =>
        {
            Some(u)
        }
        Some(_) => return error_page("invalid_request", BAD_POST_LOGOUT),
    };
    if let Some(c) = session::cookie(&headers) {
        if let Err(e) = s.write(|org| {
            session::end(org, &c);
            Ok(())
        }) {
            return e.into_response();
        }
    }
    let mut resp = match target {
        Some(u) => {
            let state: Vec<(&str, &str)> = get("state").map(|st| vec![("state", st)]).unwrap_or_default();
            if state.is_empty() {
                let mut r = StatusCode::FOUND.into_response();
                if let Ok(v) = axum::http::HeaderValue::from_str(u) {
                    r.headers_mut().insert(axum::http::header::LOCATION, v);
                }
                r
            } else {
                deliver(u, ResponseMode::Query, &state)
            }
        }
        None => html(
            StatusCode::OK,
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Signed out</title></head><body><p>You have been signed out.</p></body></html>\n".into(),
        ),
    };
    session::clear_cookie(&mut resp);
    resp
}
