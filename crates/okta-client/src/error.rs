//! Errors of the Okta client. Okta's error body becomes a typed [`ApiError`] that renders as one
//! readable sentence (summary, causes, error code, errorId). No variant ever holds a header, the
//! API token or a client secret.

use std::fmt;

use http::StatusCode;

use super::models::ErrorBody;

/// Okta's error code for a validation failure ("Api validation failed: {field}").
pub const E_VALIDATION: &str = "E0000001";
/// Okta's error code for "Not found".
pub const E_NOT_FOUND: &str = "E0000007";
/// Okta's error code for a rejected concurrent update of the same object.
pub const E_CONCURRENT_UPDATE: &str = "E0000039";
/// Okta's error code for "API call exceeded rate limit".
pub const E_RATE_LIMITED: &str = "E0000047";

#[derive(Debug, thiserror::Error)]
pub enum OktaError {
    /// Okta answered with a non-success status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The provider is stopping (`StopProvider`): the request or wait was abandoned.
    #[error("the Okta request was cancelled because the provider is stopping")]
    Cancelled,
    /// No usable HTTP response (connection refused/reset, timeout, TLS, ...).
    #[error(transparent)]
    Transport(Box<TransportError>),
    /// Okta answered 2xx but the body did not match the expected shape.
    #[error("could not decode Okta's response to {method} {path}: {message}")]
    Decode {
        method: String,
        path: String,
        message: String,
    },
    /// The token would have gone over plain http to a host that is not loopback.
    #[error(
        "refusing to send the Okta API token over plain http to {host}: use https \
         (plain http is only allowed for loopback hosts such as 127.0.0.1 or localhost)"
    )]
    InsecureUrl { host: String },
    #[error("invalid Okta client configuration: {0}")]
    InvalidConfig(String),
    /// The OAuth token endpoint refused to issue an access token.
    #[error("cannot sign in to Okta as the service app: {0}")]
    OAuth(Box<super::oauth::OAuthError>),
    /// A 403 whose `WWW-Authenticate` says the access token lacks `scope`.
    #[error(
        "the service app's access token lacks the OAuth scope {scope}, which {method} {path} needs. \
         Grant {scope} to the service app (Admin Console: Applications > Applications > the app > \
         Okta API Scopes > Grant next to {scope}; or POST /api/v1/apps/{{appId}}/grants with \
         {{\"scopeId\": \"{scope}\", \"issuer\": \"<org URL>\"}}), then add {scope} to scopes in the \
         provider block (or OKTA_API_SCOPES)"
    )]
    InsufficientScope {
        method: String,
        path: String,
        scope: String,
    },
    /// A request the client refuses to build (e.g. an id that would change the URL path).
    #[error("invalid Okta request: {0}")]
    InvalidRequest(String),
    /// A change to an app kept being undone by another writer (Okta has no compare-and-swap
    /// for apps): written and found missing again `tries` times.
    #[error(
        "the {what} on app {app_id} was undone by another writer after each of {tries} writes; \
         another process (or a person) keeps replacing the app with an older copy. Run the apply \
         again once the other writer is done"
    )]
    NotConverged {
        app_id: String,
        what: String,
        tries: u32,
    },
}

impl OktaError {
    /// HTTP status of an API error.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            OktaError::Api(e) => Some(e.status),
            OktaError::InsufficientScope { .. } => Some(StatusCode::FORBIDDEN),
            _ => None,
        }
    }

    /// Okta's `errorCode` of an API error.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            OktaError::Api(e) => e.code.as_deref(),
            _ => None,
        }
    }

    pub fn api(&self) -> Option<&ApiError> {
        match self {
            OktaError::Api(e) => Some(e),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// 401: the token the request was made with does not work (revoked, expired or mistyped).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self, OktaError::Cancelled)
    }

    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Okta refused an update because the object changed underneath (409 or `E0000039`): re-read
    /// and apply the change again.
    pub fn is_concurrent_update(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
            || self.error_code() == Some(E_CONCURRENT_UPDATE)
    }
}

impl From<ApiError> for OktaError {
    fn from(e: ApiError) -> Self {
        OktaError::Api(Box::new(e))
    }
}

impl From<TransportError> for OktaError {
    fn from(e: TransportError) -> Self {
        OktaError::Transport(Box::new(e))
    }
}

/// A non-success answer from Okta.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub method: String,
    /// Request path without the query string.
    pub path: String,
    /// `errorCode`, e.g. `E0000001`.
    pub code: Option<String>,
    /// `errorSummary`, or a short excerpt of a non-JSON body, or the status reason.
    pub summary: String,
    /// `errorCauses[].errorSummary`.
    pub causes: Vec<String>,
    /// `errorId`: quote it to Okta support.
    pub error_id: Option<String>,
    /// How many attempts were made (more than one when retries ran out).
    pub attempts: u32,
    /// The decoded error body, when it was one.
    pub body: Option<ErrorBody>,
    /// What to check, appended to the message (e.g. which setting holds a refused token).
    pub hint: Option<String>,
}

impl ApiError {
    /// Builds the error from a response body (Okta's error JSON, anything else, or nothing).
    pub fn from_response(status: StatusCode, method: &str, path: &str, body: &[u8]) -> Self {
        let parsed = serde_json::from_slice::<ErrorBody>(body)
            .ok()
            .filter(|b| b.error_code.is_some() || b.error_summary.is_some());
        let (code, summary, causes, error_id) = match &parsed {
            Some(b) => (
                b.error_code.clone(),
                b.error_summary
                    .clone()
                    .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned()),
                b.error_causes
                    .iter()
                    .flatten()
                    .filter_map(|c| c.error_summary.clone())
                    .collect(),
                b.error_id.clone(),
            ),
            None => (None, body_excerpt(status, body), Vec::new(), None),
        };
        Self {
            status,
            method: method.to_owned(),
            path: path.to_owned(),
            code,
            summary,
            causes,
            error_id,
            attempts: 1,
            body: parsed,
            hint: None,
        }
    }

    /// Replaces every occurrence of `secret` in the texts of this error with `[REDACTED]`.
    pub fn redact(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let scrub = |s: &mut String| {
            if s.contains(secret) {
                *s = s.replace(secret, "[REDACTED]");
            }
        };
        scrub(&mut self.summary);
        self.causes.iter_mut().for_each(scrub);
        let leaks = self
            .body
            .as_ref()
            .is_some_and(|b| serde_json::to_string(b).is_ok_and(|text| text.contains(secret)));
        if leaks {
            self.body = None;
        }
    }

    fn suffix(&self) -> String {
        let mut parts = Vec::new();
        if let Some(code) = &self.code {
            parts.push(code.clone());
        }
        if let Some(id) = &self.error_id {
            parts.push(format!("errorId {id}"));
        }
        let mut s = if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        };
        if self.attempts > 1 {
            s.push_str(&format!(" after {} attempts", self.attempts));
        }
        if let Some(hint) = &self.hint {
            s.push_str(&format!(". {hint}"));
        }
        s
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let causes: Vec<&str> = self.causes.iter().map(|c| trim_period(c)).collect();
        let validated_field = (self.code.as_deref() == Some(E_VALIDATION))
            .then(|| self.summary.strip_prefix("Api validation failed: "))
            .flatten();
        if let Some(field) = validated_field {
            // "Okta rejected redirect_uris: 'redirect_uris' must not contain ..." — the causes
            // already name the field most of the time; do not repeat it.
            let text = if causes.is_empty() {
                format!("{field}: {}", trim_period(&self.summary))
            } else if causes[0].starts_with(&format!("{field}:")) {
                causes.join("; ")
            } else {
                format!("{field}: {}", causes.join("; "))
            };
            return write!(f, "Okta rejected {text}{}", self.suffix());
        }
        write!(
            f,
            "Okta returned HTTP {} for {} {}: {}",
            self.status.as_u16(),
            self.method,
            self.path,
            trim_period(&self.summary)
        )?;
        if !causes.is_empty() {
            write!(f, ": {}", causes.join("; "))?;
        }
        write!(f, "{}", self.suffix())
    }
}

impl std::error::Error for ApiError {}

/// What kind of transport failure happened; decides whether a retry is safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// The connection could not be established: the request was never sent.
    Connect,
    /// The host name did not resolve: nothing was sent, and retrying does not help (a mistyped
    /// or made-up host; the resolver's own outage is rare enough to report rather than wait out).
    Resolve,
    /// The attempt exceeded `request_timeout`.
    Timeout,
    /// Anything else (connection reset mid-request, broken body, TLS, ...).
    Other,
}

#[derive(Clone, Debug)]
pub struct TransportError {
    pub kind: TransportKind,
    pub method: String,
    pub path: String,
    pub message: String,
    pub attempts: u32,
    /// What to check, appended to the message (e.g. the setting the host came from).
    pub hint: Option<String>,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportKind::Connect => "could not connect to Okta",
            TransportKind::Resolve => "could not find Okta's host",
            TransportKind::Timeout => "Okta did not answer in time",
            TransportKind::Other => "the connection to Okta failed",
        };
        write!(
            f,
            "{what} for {} {}: {}",
            self.method, self.path, self.message
        )?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, ". {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {}

fn trim_period(s: &str) -> &str {
    s.trim().trim_end_matches('.')
}

/// A short, single-line excerpt of a non-JSON error body (e.g. an HTML page from a proxy).
fn body_excerpt(status: StatusCode, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return status.canonical_reason().unwrap_or("error").to_owned();
    }
    let mut excerpt: String = one_line.chars().take(200).collect();
    if one_line.chars().count() > 200 {
        excerpt.push('…');
    }
    excerpt
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAGMENT: &str = r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: redirect_uris","errorLink":"E0000001","errorId":"oaeAbc123","errorCauses":[{"errorSummary":"redirect_uris: 'redirect_uris' must not contain a fragment identifier."}]}"#;

    #[test]
    fn validation_error_reads_like_a_sentence() {
        let e = ApiError::from_response(
            StatusCode::BAD_REQUEST,
            "PUT",
            "/api/v1/apps/0oa1",
            FRAGMENT.as_bytes(),
        );
        assert_eq!(
            e.to_string(),
            "Okta rejected redirect_uris: 'redirect_uris' must not contain a fragment identifier (E0000001, errorId oaeAbc123)"
        );
        assert_eq!(e.code.as_deref(), Some("E0000001"));
        assert_eq!(e.causes.len(), 1);
    }

    #[test]
    fn validation_cause_without_field_prefix_names_the_field() {
        let body = r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: Authenticator","errorLink":"E0000001","errorId":"oaeUQ9","errorCauses":[{"errorSummary":"Cannot delete this authenticator because it is being configured for CIBA by one or more OIDC applications."}]}"#;
        let e = ApiError::from_response(StatusCode::BAD_REQUEST, "POST", "/x", body.as_bytes());
        assert_eq!(
            e.to_string(),
            "Okta rejected Authenticator: Cannot delete this authenticator because it is being configured for CIBA by one or more OIDC applications (E0000001, errorId oaeUQ9)"
        );
    }

    #[test]
    fn other_errors_name_status_method_and_path() {
        let body = r#"{"errorCode":"E0000056","errorSummary":"Delete application forbidden.","errorLink":"E0000056","errorId":"oaeX","errorCauses":[{"errorSummary":"The application must be deactivated before deletion."}]}"#;
        let mut e = ApiError::from_response(
            StatusCode::FORBIDDEN,
            "DELETE",
            "/api/v1/apps/0oa1",
            body.as_bytes(),
        );
        e.attempts = 3;
        assert_eq!(
            e.to_string(),
            "Okta returned HTTP 403 for DELETE /api/v1/apps/0oa1: Delete application forbidden: The application must be deactivated before deletion (E0000056, errorId oaeX) after 3 attempts"
        );
        let err = OktaError::from(e);
        assert_eq!(err.status(), Some(StatusCode::FORBIDDEN));
        assert_eq!(err.error_code(), Some("E0000056"));
        assert!(!err.is_not_found());
    }

    #[test]
    fn non_json_bodies_become_an_excerpt() {
        let e = ApiError::from_response(
            StatusCode::BAD_GATEWAY,
            "GET",
            "/api/v1/apps",
            b"<html>\n <body>Bad   gateway</body></html>",
        );
        assert_eq!(
            e.to_string(),
            "Okta returned HTTP 502 for GET /api/v1/apps: <html> <body>Bad gateway</body></html>"
        );
        let empty = ApiError::from_response(StatusCode::SERVICE_UNAVAILABLE, "GET", "/p", b"");
        assert_eq!(empty.summary, "Service Unavailable");
    }

    #[test]
    fn concurrent_update_detection() {
        let body =
            r#"{"errorCode":"E0000039","errorSummary":"Concurrent modification","errorCauses":[]}"#;
        let e: OktaError =
            ApiError::from_response(StatusCode::BAD_REQUEST, "PUT", "/p", body.as_bytes()).into();
        assert!(e.is_concurrent_update());
        let c: OktaError = ApiError::from_response(StatusCode::CONFLICT, "PUT", "/p", b"").into();
        assert!(c.is_concurrent_update());
    }

    #[test]
    fn echoed_secrets_are_scrubbed() {
        let mut e = ApiError::from_response(
            StatusCode::BAD_GATEWAY,
            "GET",
            "/p",
            b"<pre>Authorization: SSWS 00tokenVALUE</pre>",
        );
        e.redact("00tokenVALUE");
        assert_eq!(
            e.to_string(),
            "Okta returned HTTP 502 for GET /p: <pre>Authorization: SSWS [REDACTED]</pre>"
        );
        let body = r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: x","errorCauses":[{"errorSummary":"x: s3cret given"}]}"#;
        let mut e = ApiError::from_response(StatusCode::BAD_REQUEST, "PUT", "/p", body.as_bytes());
        e.redact("s3cret");
        assert!(!format!("{e} {e:?}").contains("s3cret"));
    }
}
