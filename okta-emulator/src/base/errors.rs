//! Okta error bodies: `{errorCode, errorSummary, errorLink, errorId, errorCauses[{errorSummary}]}`.
//!
//! `errorLink` equals `errorCode` and `errorCauses` is always present (possibly empty), exactly as
//! in recorded Okta responses.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{json, Value};

use crate::base::ids;

/// An Okta API error, rendered as Okta's JSON error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OktaError {
    pub status: StatusCode,
    pub code: String,
    pub summary: String,
    pub causes: Vec<String>,
}

/// Result type of every Okta API handler.
pub type ApiResult<T> = Result<T, OktaError>;

/// The `errorSummary` Okta uses for the codes the emulator produces or lets tests inject.
pub fn default_summary(code: &str) -> Option<&'static str> {
    Some(match code {
        "E0000001" => "Api validation failed",
        "E0000002" => "The request was not valid",
        "E0000003" => "The request body was not well-formed.",
        "E0000004" => "Authentication failed",
        "E0000005" => "Invalid session",
        "E0000006" => "You do not have permission to perform the requested action",
        "E0000007" => "Not found",
        "E0000009" => "Internal Server Error",
        "E0000010" => "Service is in read only mode",
        "E0000011" => "Invalid token provided",
        "E0000015" => "You do not have permission to access the feature you are requesting",
        "E0000022" => "The endpoint does not support the provided HTTP method",
        "E0000028" => "The request is missing a required parameter.",
        "E0000031" => "Invalid search criteria.",
        "E0000039" => "Operation on application settings failed.",
        "E0000047" => "API call exceeded rate limit due to too many requests.",
        "E0000056" => "Delete application forbidden.",
        "E0000060" => "Unsupported operation.",
        "E0000094" => "The provided filter is unsupported.",
        _ => return None,
    })
}

/// The error code Okta uses for an HTTP status when a fault rule names only the status.
pub fn default_code_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "E0000001",
        401 => "E0000011",
        403 => "E0000006",
        404 => "E0000007",
        405 => "E0000022",
        429 => "E0000047",
        501 => "E0000060",
        503 => "E0000010",
        _ => "E0000009",
    }
}

impl OktaError {
    pub fn new(status: StatusCode, code: &str, summary: impl Into<String>) -> Self {
        OktaError {
            status,
            code: code.to_string(),
            summary: summary.into(),
            causes: Vec::new(),
        }
    }

    pub fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// 404 `E0000007` `Not found: Resource not found: {id} ({kind})`, the form real Okta uses.
    pub fn not_found(id: &str, kind: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "E0000007",
            format!("Not found: Resource not found: {id} ({kind})"),
        )
    }

    /// 400 `E0000001` for one field with one cause (`{field}: {message}`).
    pub fn validation(field: &str, message: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            format!("Api validation failed: {field}"),
        )
        .with_cause(format!("{field}: {message}"))
    }

    /// 400 `E0000001` with a summary object name and a free-text cause (client secret rules).
    pub fn validation_object(object: &str, cause: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            format!("Api validation failed: {object}"),
        )
        .with_cause(cause)
    }

    pub fn malformed_body() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E0000003",
            "The request body was not well-formed.",
        )
    }

    pub fn invalid_search() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E0000031",
            "Invalid search criteria.",
        )
    }

    pub fn invalid_session() -> Self {
        Self::new(StatusCode::FORBIDDEN, "E0000005", "Invalid session")
    }

    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "E0000011",
            "Invalid token provided",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "E0000006",
            "You do not have permission to perform the requested action",
        )
    }

    pub fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "E0000022",
            "The endpoint does not support the provided HTTP method",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "E0000009",
            "Internal Server Error",
        )
    }

    /// 501 for API surface the emulator does not implement (a deliberate, documented gap).
    pub fn unsupported(cause: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "E0000060",
            "Unsupported operation.",
        )
        .with_cause(cause)
    }

    /// The JSON body, with a fresh `errorId`.
    pub fn body(&self) -> Value {
        let causes: Vec<Value> = self
            .causes
            .iter()
            .map(|c| json!({ "errorSummary": c }))
            .collect();
        json!({
            "errorCode": self.code,
            "errorSummary": self.summary,
            "errorLink": self.code,
            "errorId": ids::error_id(),
            "errorCauses": causes,
        })
    }
}

impl IntoResponse for OktaError {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let mut resp = (self.status, body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        resp
    }
}

/// Collects validation causes so one response can report every problem, like Okta does.
#[derive(Debug, Default)]
pub struct Causes {
    items: Vec<(String, String)>,
}

impl Causes {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.items.push((field.to_string(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `Err` naming the first failing field in the summary and listing every cause.
    pub fn into_result(self) -> ApiResult<()> {
        let Some((first, _)) = self.items.first() else {
            return Ok(());
        };
        let mut err = OktaError::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            format!("Api validation failed: {first}"),
        );
        for (field, msg) in &self.items {
            err.causes.push(format!("{field}: {msg}"));
        }
        Err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_okta_shape() {
        let b = OktaError::not_found("0oa1", "AppInstance").body();
        assert_eq!(b["errorCode"], "E0000007");
        assert_eq!(b["errorLink"], "E0000007");
        assert_eq!(
            b["errorSummary"],
            "Not found: Resource not found: 0oa1 (AppInstance)"
        );
        assert!(b["errorId"].as_str().is_some_and(|s| s.starts_with("oae")));
        assert_eq!(b["errorCauses"], json!([]));
    }

    #[test]
    fn causes_name_first_field() {
        let mut c = Causes::new();
        c.push("redirect_uris", "bad");
        c.push("label", "missing");
        let err = c.into_result().unwrap_err();
        assert_eq!(err.summary, "Api validation failed: redirect_uris");
        assert_eq!(err.causes, vec!["redirect_uris: bad", "label: missing"]);
        assert!(Causes::new().into_result().is_ok());
    }

    #[test]
    fn status_defaults() {
        assert_eq!(
            default_code_for_status(StatusCode::TOO_MANY_REQUESTS),
            "E0000047"
        );
        assert_eq!(default_code_for_status(StatusCode::BAD_GATEWAY), "E0000009");
        assert_eq!(
            default_summary("E0000047"),
            Some("API call exceeded rate limit due to too many requests.")
        );
    }
}
