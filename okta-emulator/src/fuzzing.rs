//! In-process driver of the emulator's router for the `fuzz/` targets and their regression
//! tests. Not a stable API.
//!
//! An input is up to [`MAX_REQUESTS`] requests separated by a line `%%`. Each request is
//! `METHOD TARGET`, header lines, a blank line and the body, after `{NAME}` placeholders are
//! replaced by the fixture's values ([`Harness::vars`]) or by the previous answer's `id`
//! (`{LAST_ID}`) and redirect `code` (`{LAST_CODE}`). Without an `Authorization` header a
//! request carries the fixture's SSWS token (an empty `Authorization:` line sends none).
//!
//! Every input starts from the same fixture org: a user with a password, a group, a web app
//! assigned to the user, a fresh `sessionToken`, an unused authorization code, a refresh and an
//! access token. Session tokens and codes expire after five minutes, so the fixture is rebuilt
//! every [`FIXTURE_SECS`] seconds; inputs name its values only through placeholders, so they
//! mean the same thing afterwards.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    body::{to_bytes, Body},
    http::{header, HeaderName, HeaderValue, Method, Request},
    Router,
};
use base64::Engine as _;
use serde_json::{json, Value};
use tower::ServiceExt as _;

use crate::{pipeline::shared::Shared, store::Org};

/// Requests per input; more are ignored.
pub const MAX_REQUESTS: usize = 6;
/// Age after which the fixture is rebuilt (its codes and session tokens live 300 s).
pub const FIXTURE_SECS: u64 = 200;
/// Largest response body read back.
const MAX_BODY: usize = 16 << 20;
const TOKEN: &str = "fuzz-api-token";
const LOGIN: &str = "fuzz.user@example.com";
const PASSWORD: &str = "tlpWENT2m-Plume7";
const REDIRECT: &str = "https://app.example.com/callback";
const BASE: &str = "http://emulator.test";

/// Why the harness could not start.
#[derive(thiserror::Error, Debug)]
pub enum HarnessError {
    #[error("tokio runtime: {0}")]
    Runtime(#[from] std::io::Error),
    /// `summary` is Okta's `errorSummary` (or OAuth `error`), which never holds a secret.
    #[error("fixture step `{step}` answered {status}: {summary}")]
    Fixture {
        step: &'static str,
        status: u16,
        summary: String,
    },
    #[error("fixture step `{step}`: answer lacks `{what}`")]
    Missing {
        step: &'static str,
        what: &'static str,
    },
}

/// A property an answer broke: the fuzz targets turn it into a crash.
#[derive(thiserror::Error, Debug, PartialEq, Eq)]
pub enum Violation {
    #[error("{method} {path} answered 500")]
    InternalError { method: String, path: String },
    #[error("{method} {path} answered a JSON content type with a body that is not JSON")]
    BadJson { method: String, path: String },
}

/// One request's answer.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub status: u16,
    pub location: Option<String>,
    /// The answer's content type is `application/json`.
    pub json_typed: bool,
    pub body: Vec<u8>,
}

/// The emulator's router over one org, restored to the fixture before every input.
pub struct Harness {
    rt: tokio::runtime::Runtime,
    shared: Arc<Shared>,
    router: Router,
    fixture: Org,
    vars: Vec<(&'static str, String)>,
    built: Instant,
}

impl Harness {
    pub fn new() -> Result<Self, HarnessError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let org = Org::seed(Some(TOKEN));
        // A limit no input can reach: a 429 would hide everything behind it.
        let shared = Arc::new(Shared::new(
            org.clone(),
            None,
            Some(TOKEN.to_string()),
            u32::MAX / 2,
            Duration::ZERO,
        ));
        let router = crate::server::router(shared.clone(), BASE.to_string());
        let mut h = Harness {
            rt,
            shared,
            router,
            fixture: org,
            vars: Vec::new(),
            built: Instant::now(),
        };
        h.build_fixture()?;
        Ok(h)
    }

    /// The placeholders and their current values.
    pub fn vars(&self) -> &[(&'static str, String)] {
        &self.vars
    }

    /// Runs one input from the fixture state and checks every answer.
    pub fn run(&mut self, input: &[u8]) -> Result<Vec<Exchange>, Violation> {
        if self.built.elapsed() > Duration::from_secs(FIXTURE_SECS) {
            // A failed rebuild keeps the old fixture: inputs then meet expired codes, which
            // is still a valid (if less deep) run.
            let _ = self.build_fixture();
        }
        self.restore();
        let mut out: Vec<Exchange> = Vec::new();
        let mut faulted = false;
        for raw in split_requests(input).into_iter().take(MAX_REQUESTS) {
            let text = self.substitute(raw, out.last());
            let Some(req) = parse_request(&text) else {
                continue;
            };
            let method = req.method().to_string();
            let path = req.uri().path().to_string();
            faulted |= path.starts_with("/__emulator/faults");
            let ex = self.send(req);
            if ex.status == 500 && !faulted {
                return Err(Violation::InternalError { method, path });
            }
            if ex.json_typed
                && !ex.body.is_empty()
                && !faulted
                && serde_json::from_slice::<Value>(&ex.body).is_err()
            {
                return Err(Violation::BadJson { method, path });
            }
            out.push(ex);
        }
        Ok(out)
    }

    fn restore(&self) {
        self.shared.replace_org(self.fixture.clone());
        self.shared.faults.clear();
        self.shared.limiter.clear();
        self.shared.log.clear();
    }

    fn send(&self, req: Request<Body>) -> Exchange {
        let router = self.router.clone();
        self.rt.block_on(async move {
            let resp = match router.oneshot(req).await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            let status = resp.status().as_u16();
            let location = resp
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let json_typed = resp
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            let body = to_bytes(resp.into_body(), MAX_BODY)
                .await
                .map(|b| b.to_vec())
                .unwrap_or_default();
            Exchange {
                status,
                location,
                json_typed,
                body,
            }
        })
    }

    fn substitute(&self, raw: &[u8], last: Option<&Exchange>) -> Vec<u8> {
        let mut text = raw.to_vec();
        if !text.contains(&b'{') {
            return text;
        }
        for (name, value) in &self.vars {
            text = replace(&text, format!("{{{name}}}").as_bytes(), value.as_bytes());
        }
        if let Some(ex) = last {
            if let Some(id) = ex.json().and_then(|v| v["id"].as_str().map(str::to_string)) {
                text = replace(&text, b"{LAST_ID}", id.as_bytes());
            }
            if let Some(code) = ex
                .location
                .as_deref()
                .and_then(|l| redirect_param(l, "code"))
            {
                text = replace(&text, b"{LAST_CODE}", code.as_bytes());
            }
        }
        text
    }

    /// Fixture-building request through the router; fails unless the status is `want`.
    fn call(
        &self,
        step: &'static str,
        method: Method,
        uri: &str,
        body: Option<Value>,
        want: u16,
    ) -> Result<Exchange, HarnessError> {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("SSWS {TOKEN}"));
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let req = b.body(body).map_err(|_| HarnessError::Fixture {
            step,
            status: 0,
            summary: "request did not build".to_string(),
        })?;
        let ex = self.send(req);
        if ex.status != want {
            return Err(fixture_failed(step, &ex));
        }
        Ok(ex)
    }

    fn form(&self, step: &'static str, uri: &str, form: &str, basic: &str) -> Exchange {
        let req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::AUTHORIZATION, basic)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()));
        match req {
            Ok(req) => self.send(req),
            Err(_) => {
                tracing::debug!(step, "fixture form request did not build");
                Exchange {
                    status: 0,
                    location: None,
                    json_typed: false,
                    body: Vec::new(),
                }
            }
        }
    }

    fn build_fixture(&mut self) -> Result<(), HarnessError> {
        self.shared.replace_org(Org::seed(Some(TOKEN)));
        let user = self.call(
            "create user",
            Method::POST,
            "/api/v1/users?activate=true",
            Some(json!({
                "profile": {"firstName": "Fuzz", "lastName": "User", "email": LOGIN, "login": LOGIN},
                "credentials": {"password": {"value": PASSWORD}}
            })),
            200,
        )?;
        let user_id = field(&user, "create user", "id", |v| v["id"].as_str())?;
        let group = self.call(
            "create group",
            Method::POST,
            "/api/v1/groups",
            Some(json!({"profile": {"name": "fuzzers"}})),
            200,
        )?;
        let group_id = field(&group, "create group", "id", |v| v["id"].as_str())?;
        self.call(
            "add member",
            Method::PUT,
            &format!("/api/v1/groups/{group_id}/users/{user_id}"),
            None,
            204,
        )?;
        let app = self.call(
            "create app",
            Method::POST,
            "/api/v1/apps",
            Some(json!({
                "name": "oidc_client",
                "label": "fuzz-rp",
                "signOnMode": "OPENID_CONNECT",
                "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic", "pkce_required": false}},
                "settings": {"oauthClient": {
                    "application_type": "web",
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"],
                    "redirect_uris": [REDIRECT],
                    "post_logout_redirect_uris": ["https://app.example.com/signed-out"],
                    "refresh_token": {"rotation_type": "ROTATE", "leeway": 30}
                }}
            })),
            200,
        )?;
        let app_id = field(&app, "create app", "id", |v| v["id"].as_str())?;
        let secret = field(&app, "create app", "client_secret", |v| {
            v["credentials"]["oauthClient"]["client_secret"].as_str()
        })?;
        self.call(
            "assign user",
            Method::POST,
            &format!("/api/v1/apps/{app_id}/users"),
            Some(json!({"id": user_id, "scope": "USER", "credentials": {"userName": LOGIN}})),
            200,
        )?;
        let secrets = self.call(
            "list secrets",
            Method::GET,
            &format!("/api/v1/apps/{app_id}/credentials/secrets"),
            None,
            200,
        )?;
        let secret_id = field(&secrets, "list secrets", "id", |v| v[0]["id"].as_str())?;
        let tokens = self.call(
            "list api tokens",
            Method::GET,
            "/api/v1/api-tokens",
            None,
            200,
        )?;
        let token_id = field(&tokens, "list api tokens", "id", |v| v[0]["id"].as_str())?;
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{app_id}:{secret}"))
        );
        // One code redeemed for tokens, one left for the input.
        let used = self.code(&app_id)?;
        let tokens = self.form(
            "redeem code",
            "/oauth2/v1/token",
            &format!(
                "grant_type=authorization_code&code={used}&redirect_uri={}",
                urlencode(REDIRECT)
            ),
            &basic,
        );
        if tokens.status != 200 {
            return Err(fixture_failed("redeem code", &tokens));
        }
        let refresh = field(&tokens, "redeem code", "refresh_token", |v| {
            v["refresh_token"].as_str()
        })?;
        let access = field(&tokens, "redeem code", "access_token", |v| {
            v["access_token"].as_str()
        })?;
        let code = self.code(&app_id)?;
        let session = self.session()?;
        self.vars = vec![
            ("TOKEN", TOKEN.to_string()),
            ("TOKEN_ID", token_id),
            ("USER", user_id),
            ("LOGIN", LOGIN.to_string()),
            ("PASSWORD", PASSWORD.to_string()),
            ("GROUP", group_id),
            ("APP", app_id.clone()),
            ("CLIENT", app_id),
            ("SECRET", secret),
            ("SECRET_ID", secret_id),
            ("BASIC", basic),
            ("REDIRECT", REDIRECT.to_string()),
            ("REDIRECT_ENC", urlencode(REDIRECT)),
            ("SESSION", session),
            ("CODE", code),
            ("REFRESH", refresh),
            ("ACCESS", access),
        ];
        self.fixture = self.shared.snapshot();
        self.built = Instant::now();
        Ok(())
    }

    fn session(&self) -> Result<String, HarnessError> {
        let ex = self.call(
            "authn",
            Method::POST,
            "/api/v1/authn",
            Some(json!({"username": LOGIN, "password": PASSWORD})),
            200,
        )?;
        field(&ex, "authn", "sessionToken", |v| v["sessionToken"].as_str())
    }

    fn code(&self, client_id: &str) -> Result<String, HarnessError> {
        let session = self.session()?;
        let uri = format!(
            "/oauth2/v1/authorize?client_id={client_id}&redirect_uri={}&response_type=code\
             &scope=openid%20profile%20offline_access&state=fuzz-state&sessionToken={session}",
            urlencode(REDIRECT)
        );
        let ex = self.call("authorize", Method::GET, &uri, None, 302)?;
        ex.location
            .as_deref()
            .and_then(|l| redirect_param(l, "code"))
            .ok_or(HarnessError::Missing {
                step: "authorize",
                what: "code",
            })
    }
}

impl Exchange {
    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        if !self.json_typed {
            return None;
        }
        serde_json::from_slice(&self.body).ok()
    }
}

fn fixture_failed(step: &'static str, ex: &Exchange) -> HarnessError {
    let json = ex.json().unwrap_or_default();
    let summary = json["errorSummary"]
        .as_str()
        .or_else(|| json["error"].as_str())
        .unwrap_or("")
        .to_string();
    HarnessError::Fixture {
        step,
        status: ex.status,
        summary,
    }
}

fn field(
    ex: &Exchange,
    step: &'static str,
    what: &'static str,
    get: impl Fn(&Value) -> Option<&str>,
) -> Result<String, HarnessError> {
    ex.json()
        .as_ref()
        .and_then(|v| get(v).map(str::to_string))
        .ok_or(HarnessError::Missing { step, what })
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn redirect_param(location: &str, key: &str) -> Option<String> {
    let parsed = url::Url::parse(location).ok()?;
    let mut pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    if let Some(f) = parsed.fragment() {
        pairs.extend(url::form_urlencoded::parse(f.as_bytes()).into_owned());
    }
    pairs.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

fn split_requests(input: &[u8]) -> Vec<&[u8]> {
    const SEP: &[u8] = b"\n%%\n";
    let mut out = Vec::new();
    let mut rest = input;
    while let Some(pos) = rest.windows(SEP.len()).position(|w| w == SEP) {
        out.push(&rest[..pos]);
        rest = &rest[pos + SEP.len()..];
    }
    out.push(rest);
    out
}

/// `METHOD TARGET`, headers, blank line, body; `None` when the head is not a valid request.
fn parse_request(text: &[u8]) -> Option<Request<Body>> {
    let (head, body) = match text.windows(2).position(|w| w == b"\n\n") {
        Some(pos) => (&text[..pos], &text[pos + 2..]),
        None => (text, &b""[..]),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let first = lines.next()?;
    let sp = first.iter().position(|&b| b == b' ')?;
    let method = Method::from_bytes(&first[..sp]).ok()?;
    let target = std::str::from_utf8(&first[sp + 1..]).ok()?;
    if !target.starts_with('/') {
        return None;
    }
    let mut req = Request::builder().method(method).uri(target);
    let mut auth_given = false;
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let Ok(name) = HeaderName::from_bytes(&line[..colon]) else {
            continue;
        };
        let value = line[colon + 1..].trim_ascii();
        if name == header::AUTHORIZATION {
            auth_given = true;
            if value.is_empty() {
                continue;
            }
        }
        if let Ok(v) = HeaderValue::from_bytes(value) {
            req = req.header(name, v);
        }
    }
    if !auth_given && !target.starts_with("/oauth2/") {
        req = req.header(header::AUTHORIZATION, format!("SSWS {TOKEN}"));
    }
    req.body(Body::from(body.to_vec())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One harness for the module's tests: building the fixture hashes passwords, which is
    /// slow in debug builds.
    fn harness() -> std::sync::MutexGuard<'static, Harness> {
        static H: std::sync::OnceLock<std::sync::Mutex<Harness>> = std::sync::OnceLock::new();
        H.get_or_init(|| std::sync::Mutex::new(Harness::new().unwrap()))
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    #[test]
    fn fixture_placeholders_reach_the_token_endpoint() {
        let mut h = harness();
        let out = h
            .run(
                b"POST /oauth2/v1/token\nAuthorization: {BASIC}\nContent-Type: application/x-www-form-urlencoded\n\n\
                  grant_type=authorization_code&code={CODE}&redirect_uri={REDIRECT_ENC}",
            )
            .unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].status,
            200,
            "{}",
            String::from_utf8_lossy(&out[0].body)
        );
        // The org is restored: the same code works again in the next input.
        let again = h
            .run(
                b"POST /oauth2/v1/token\nAuthorization: {BASIC}\nContent-Type: application/x-www-form-urlencoded\n\n\
                  grant_type=authorization_code&code={CODE}&redirect_uri={REDIRECT_ENC}",
            )
            .unwrap();
        assert_eq!(again[0].status, 200);
    }

    #[test]
    fn requests_chain_through_last_id_and_default_auth() {
        let mut h = harness();
        let out = h
            .run(b"POST /api/v1/groups\nContent-Type: application/json\n\n{\"profile\":{\"name\":\"g2\"}}\n%%\nGET /api/v1/groups/{LAST_ID}\n%%\nGET /api/v1/groups\nAuthorization:\n")
            .unwrap();
        let statuses: Vec<u16> = out.iter().map(|e| e.status).collect();
        assert_eq!(statuses, vec![200, 200, 403]);
    }

    #[test]
    fn unparsable_heads_are_skipped() {
        let mut h = harness();
        assert!(h.run(b"").unwrap().is_empty());
        assert!(h.run(b"GET nowhere").unwrap().is_empty());
        assert!(h.run(b"\xff\xfe /x").unwrap().is_empty());
    }
}
