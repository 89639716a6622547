//! OAuth error answers, in Okta's three shapes: the HTML error page (unknown client,
//! unregistered `redirect_uri`), a redirect back to the client with `error`,
//! `error_description` and `state`, and the JSON body of `/token`-style endpoints
//! (`application/json;charset=UTF-8`).

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

pub const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// A JSON OAuth error of `/token`, `/revoke`, `/introspect`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {description}")]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
        }
    }

    pub fn bad_request(error: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }

    pub fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The server encountered an internal error.",
        )
    }
}

/// A JSON response with `application/json;charset=UTF-8` and no caching.
pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        json_response(
            self.status,
            &json!({"error": self.error, "error_description": self.description}),
        )
    }
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML response.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=utf-8"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Okta's 400 error page: never a redirect, since the client or its `redirect_uri` is not
/// trusted.
pub fn error_page(code: &str, description: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>400 Bad Request</title></head>\
         <body><h1>400 Bad Request</h1><p>Your request resulted in an error.</p>\
         <p>Identity Provider: Unknown</p><p>Error Code: <span id=\"error-code\">{}</span></p>\
         <p>Description: <span id=\"error-description\">{}</span></p></body></html>\n",
        html_escape(code),
        html_escape(description)
    );
    html(StatusCode::BAD_REQUEST, body)
}

/// How `/authorize` returns its result to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

impl ResponseMode {
    pub fn parse(s: &str) -> Option<ResponseMode> {
        match s {
            "query" => Some(ResponseMode::Query),
            "fragment" => Some(ResponseMode::Fragment),
            // okta_post_message serves the same purpose for a popup; a form post delivers it.
            "form_post" | "okta_post_message" => Some(ResponseMode::FormPost),
            _ => None,
        }
    }
}

/// Delivers `params` to `redirect_uri`: a 302 with a query or fragment (`Referrer-Policy:
/// no-referrer`, as Okta sends), or an auto-submitting form.
pub fn deliver(redirect_uri: &str, mode: ResponseMode, params: &[(&str, &str)]) -> Response {
    let encoded = {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            s.append_pair(k, v);
        }
        s.finish()
    };
    match mode {
        ResponseMode::Query | ResponseMode::Fragment => {
            let sep = if mode == ResponseMode::Fragment {
                '#'
            } else if redirect_uri.contains('?') {
                '&'
            } else {
                '?'
            };
            let location = format!("{redirect_uri}{sep}{encoded}");
            let mut resp = StatusCode::FOUND.into_response();
            let h = resp.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&location) {
                h.insert(header::LOCATION, v);
            }
            h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        ResponseMode::FormPost => {
            let inputs: String = params
                .iter()
                .map(|(k, v)| {
                    format!(
                        "<input type=\"hidden\" name=\"{}\" value=\"{}\"/>",
                        html_escape(k),
                        html_escape(v)
                    )
                })
                .collect();
            html(
                StatusCode::OK,
                format!(
                    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\
                     <body onload=\"document.forms[0].submit()\">\
                     <form method=\"post\" action=\"{}\">{inputs}\
                     <noscript><button type=\"submit\">Continue</button></noscript></form></body></html>\n",
                    html_escape(redirect_uri)
                ),
            )
        }
    }
}

/// A redirect carrying an error (`state` echoed when the client sent one).
pub fn redirect_error(
    redirect_uri: &str,
    mode: ResponseMode,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut p = vec![("error", error), ("error_description", description)];
    if let Some(s) = state {
        p.push(("state", s));
    }
    deliver(redirect_uri, mode, &p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_are_form_encoded() {
        let r = redirect_error(
            "https://a.example/cb",
            ResponseMode::Query,
            "access_denied",
            "User is not assigned to the client application.",
            Some("s=1"),
        );
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(
            r.headers()[header::LOCATION],
            "https://a.example/cb?error=access_denied&error_description=User+is+not+assigned+to+the+client+application.&state=s%3D1"
        );
        assert_eq!(r.headers()["referrer-policy"], "no-referrer");
        let f = deliver(
            "https://a.example/cb?x=1",
            ResponseMode::Fragment,
            &[("code", "c")],
        );
        assert_eq!(
            f.headers()[header::LOCATION],
            "https://a.example/cb?x=1#code=c"
        );
        let q = deliver(
            "https://a.example/cb?x=1",
            ResponseMode::Query,
            &[("code", "c")],
        );
        assert_eq!(
            q.headers()[header::LOCATION],
            "https://a.example/cb?x=1&code=c"
        );
    }

    #[test]
    fn pages_escape_and_errors_are_json() {
        let p = error_page("invalid_client", "<b>");
        assert_eq!(p.status(), StatusCode::BAD_REQUEST);
        assert_eq!(p.headers()[header::CONTENT_TYPE], "text/html;charset=utf-8");
        let e = OAuthError::invalid_client("No client credentials found.").into_response();
        assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(e.headers()[header::CONTENT_TYPE], JSON_UTF8);
        assert_eq!(
            ResponseMode::parse("okta_post_message"),
            Some(ResponseMode::FormPost)
        );
        assert_eq!(ResponseMode::parse("web_message"), None);
    }
}
