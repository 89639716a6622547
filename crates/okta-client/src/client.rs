//! The HTTP core of the Okta client: authentication, transport security, retries, rate-limit
//! pacing, cancellation, pagination and response decoding. The endpoint wrappers (`apps.rs`,
//! `groups.rs`, ...) are thin layers over [`OktaClient::execute`].

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use url::{Host, Url};

use super::clock::{Clock, SystemClock};
use super::config::ClientConfig;
use super::error::{ApiError, OktaError, TransportError, TransportKind};
use super::late_writes::{app_id_of_path, LateWrites};
use super::locks::AppLocks;
use super::models::{redact_quoted, OidcApp};
use super::oauth::{AccessToken, Challenge, OAuthError, OAuthSettings, TokenSource};
use super::pagination::next_link;
use super::ratelimit::{bucket_key, RateLimiter};
use super::read_cache::ReadCache;
use super::resolve::{unresolved, SystemResolver};
use super::retry::{is_retryable, wait_before_retry, Failure};
use super::secret::Secret;

/// `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("terraform-provider-oktaidp/", env!("CARGO_PKG_VERSION"));

/// Upper bound on pages followed by one listing, against a server that links in circles.
const MAX_PAGES: usize = 10_000;

/// A client for one Okta org. Cheap to clone (shared state behind an `Arc`): clones share the
/// rate-limit buckets, the app locks and the cancellation token.
#[derive(Clone)]
pub struct OktaClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: Auth,
    config: ClientConfig,
    clock: Arc<dyn Clock>,
    cancel: CancellationToken,
    limiter: RateLimiter,
    locks: AppLocks,
    /// Refresh reads of apps, keyed by app id.
    app_reads: ReadCache<Option<OidcApp>>,
    /// Refresh reads of apps' group assignments, keyed by app id.
    group_reads: ReadCache<BTreeSet<String>>,
    late_writes: LateWrites,
    origin: Origin,
}

/// Which settings the org URL and the credentials came from, named in errors about them (a host
/// that does not resolve, a refused token), so the user knows what to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The setting that names the org, e.g. `org_url` or `OKTA_ORG_URL`.
    pub org: String,
    /// The settings that hold the credentials, e.g. `api_token` or `OKTA_API_TOKEN`.
    pub credentials: String,
}

/// How requests are authenticated.
enum Auth {
    /// `Authorization: SSWS <token>`.
    Ssws { token: Secret, header: HeaderValue },
    /// OAuth 2.0 access tokens of a service app (`Bearer`, or `DPoP` with a proof).
    OAuth(Arc<TokenSource>),
}

/// What the client signs in with.
#[derive(Debug)]
pub enum Credentials {
    /// An SSWS API token.
    ApiToken(Secret),
    /// A service app's client ID and private key.
    OAuth(OAuthSettings),
}

/// The headers that authenticate one attempt, and the access token they carry (OAuth).
struct Authorization {
    header: HeaderValue,
    dpop: Option<HeaderValue>,
    token: Option<Arc<AccessToken>>,
}

impl fmt::Debug for OktaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.inner.auth {
            Auth::Ssws { .. } => "SSWS [REDACTED]".to_owned(),
            Auth::OAuth(src) => format!("OAuth client {}", src.settings().client_id),
        };
        f.debug_struct("OktaClient")
            .field("org_url", &self.inner.base.as_str())
            .field("auth", &auth)
            .field("config", &self.inner.config)
            .finish()
    }
}

/// Builds an [`OktaClient`].
pub struct OktaClientBuilder {
    org_url: Url,
    credentials: Credentials,
    config: ClientConfig,
    clock: Arc<dyn Clock>,
    cancel: CancellationToken,
    origin: Option<Origin>,
}

impl fmt::Debug for OktaClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OktaClientBuilder")
            .field("org_url", &self.org_url.as_str())
            .field("credentials", &self.credentials)
            .field("config", &self.config)
            .finish()
    }
}

impl OktaClientBuilder {
    pub fn config(mut self, config: ClientConfig) -> Self {
        self.config = config;
        self
    }

    /// Time source for waits (tests pass a [`super::FakeClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Token cancelled by the provider's `StopProvider`: aborts waits and in-flight requests.
    pub fn cancellation(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// The settings the org URL and credentials came from (default: generic names).
    pub fn origin(mut self, origin: Origin) -> Self {
        self.origin = Some(origin);
        self
    }

    pub fn build(self) -> Result<OktaClient, OktaError> {
        self.config.validate()?;
        check_transport_security(&self.org_url)?;
        if self.org_url.host().is_none() || self.org_url.cannot_be_a_base() {
            return Err(OktaError::InvalidConfig(
                "the Okta org URL needs a host".to_owned(),
            ));
        }
        let mut defaults = HeaderMap::new();
        defaults.insert(ACCEPT, HeaderValue::from_static("application/json"));
        defaults.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(defaults)
            // A redirect could carry the token elsewhere; Okta's API does not redirect.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.config.request_timeout)
            .dns_resolver(SystemResolver)
            .build()
            .map_err(|e| OktaError::InvalidConfig(format!("cannot build the HTTP client: {e}")))?;
        let origin = self.origin.unwrap_or_else(|| Origin {
            org: "the Okta org URL".to_owned(),
            credentials: match &self.credentials {
                Credentials::ApiToken(_) => "the API token".to_owned(),
                Credentials::OAuth(_) => "the service app's client ID and private key".to_owned(),
            },
        });
        let auth = match self.credentials {
            Credentials::ApiToken(token) => Auth::Ssws {
                header: auth_header(&token)?,
                token,
            },
            Credentials::OAuth(settings) => {
                if settings.client_id.is_empty() {
                    return Err(OktaError::InvalidConfig(
                        "the OAuth client_id is empty".to_owned(),
                    ));
                }
                Auth::OAuth(Arc::new(TokenSource::new(
                    http.clone(),
                    &self.org_url,
                    settings,
                    self.config.clone(),
                    Arc::clone(&self.clock),
                    self.cancel.clone(),
                )?))
            }
        };
        Ok(OktaClient {
            inner: Arc::new(Inner {
                http,
                base: self.org_url,
                auth,
                limiter: RateLimiter::new(self.config.max_api_capacity),
                clock: self.clock,
                cancel: self.cancel,
                locks: AppLocks::new(),
                app_reads: ReadCache::new(self.config.read_cache_ttl),
                group_reads: ReadCache::new(self.config.read_cache_ttl),
                late_writes: LateWrites::default(),
                config: self.config,
                origin,
            }),
        })
    }
}

/// One API call, before retries.
#[derive(Debug)]
pub(crate) struct ApiRequest<'a> {
    pub method: Method,
    pub url: Url,
    pub body: Option<Vec<u8>>,
    /// Another SSWS token than the client's (e.g. `/users/me` with a token being adopted).
    pub token: Option<&'a Secret>,
    /// Safe to repeat after a 5xx/timeout: GET/PUT/DELETE, and lifecycle POSTs.
    pub idempotent: bool,
}

impl<'a> ApiRequest<'a> {
    pub fn new(method: Method, url: Url) -> Self {
        let idempotent = !matches!(method, Method::POST | Method::PATCH);
        Self {
            method,
            url,
            body: None,
            token: None,
            idempotent,
        }
    }

    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, OktaError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            OktaError::InvalidRequest(format!("cannot encode the request body: {e}"))
        })?;
        self.body = Some(bytes);
        Ok(self)
    }

    pub fn token(mut self, token: Option<&'a Secret>) -> Self {
        self.token = token;
        self
    }

    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }
}

/// Whether an attempt's request may have reached Okta and still be applied: no answer after
/// sending (timeout, broken connection) or a gateway's error in Okta's place.
fn may_land_later(outcome: &Result<ApiResponse, AttemptError>) -> bool {
    match outcome {
        Ok(resp) => matches!(
            resp.status,
            StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT
        ),
        Err(AttemptError::Transport(kind, _)) => {
            !matches!(kind, TransportKind::Connect | TransportKind::Resolve)
        }
        Err(AttemptError::Cancelled) => true,
    }
}

/// A complete HTTP response.
#[derive(Debug)]
pub(crate) struct ApiResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

enum AttemptError {
    Cancelled,
    Transport(TransportKind, String),
}

impl OktaClient {
    /// A builder with default config, the system clock and a never-cancelled token.
    pub fn builder(org_url: Url, token: impl Into<Secret>) -> OktaClientBuilder {
        Self::builder_with(org_url, Credentials::ApiToken(token.into()))
    }

    /// A builder signing in as an OAuth 2.0 service app.
    pub fn oauth_builder(org_url: Url, settings: OAuthSettings) -> OktaClientBuilder {
        Self::builder_with(org_url, Credentials::OAuth(settings))
    }

    pub fn builder_with(org_url: Url, credentials: Credentials) -> OktaClientBuilder {
        OktaClientBuilder {
            org_url,
            credentials,
            config: ClientConfig::default(),
            clock: Arc::new(SystemClock),
            cancel: CancellationToken::new(),
            origin: None,
        }
    }

    /// Shorthand for `builder(org_url, token).config(config).build()`.
    pub fn new(
        org_url: Url,
        token: impl Into<Secret>,
        config: ClientConfig,
    ) -> Result<Self, OktaError> {
        Self::builder(org_url, token).config(config).build()
    }

    pub fn org_url(&self) -> &Url {
        &self.inner.base
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The settings the org URL and credentials came from.
    pub fn origin(&self) -> &Origin {
        &self.inner.origin
    }

    pub fn cancellation_token(&self) -> &CancellationToken {
        &self.inner.cancel
    }

    /// The per-app locks used by [`OktaClient::update_app_with`].
    pub fn app_locks(&self) -> &AppLocks {
        &self.inner.locks
    }

    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// Shared refresh reads of apps ([`super::Apps::get_shared`]).
    pub(crate) fn app_reads(&self) -> &ReadCache<Option<OidcApp>> {
        &self.inner.app_reads
    }

    /// Shared refresh reads of group assignments ([`super::AppGroups::group_ids_shared`]).
    pub(crate) fn group_reads(&self) -> &ReadCache<BTreeSet<String>> {
        &self.inner.group_reads
    }

    /// App writes of this client that got no answer and may still land.
    pub(crate) fn late_writes(&self) -> &LateWrites {
        &self.inner.late_writes
    }

    /// Forgets the shared reads of one app (on a write to it).
    fn forget_app_reads(&self, app_id: &str) {
        self.inner.app_reads.invalidate(app_id);
        self.inner.group_reads.invalidate(app_id);
    }

    /// The OAuth token source, when the client signs in as a service app.
    pub fn token_source(&self) -> Option<&Arc<TokenSource>> {
        match &self.inner.auth {
            Auth::OAuth(src) => Some(src),
            Auth::Ssws { .. } => None,
        }
    }

    /// The headers authenticating one attempt of `req`: its own SSWS token, the client's, or the
    /// current access token (fetched or renewed here) with a fresh DPoP proof if it is bound.
    async fn authorization(&self, req: &ApiRequest<'_>) -> Result<Authorization, OktaError> {
        let plain = |header| Authorization {
            header,
            dpop: None,
            token: None,
        };
        if let Some(token) = req.token {
            return auth_header(token).map(plain);
        }
        let src = match &self.inner.auth {
            Auth::Ssws { header, .. } => return Ok(plain(header.clone())),
            Auth::OAuth(src) => src,
        };
        let token = src.token().await.map_err(|e| match e {
            OktaError::Transport(mut t) if t.kind == TransportKind::Resolve => {
                t.hint.get_or_insert_with(|| self.unresolved_hint());
                OktaError::Transport(t)
            }
            e => e,
        })?;
        let unusable = || {
            OktaError::OAuth(Box::new(OAuthError::Malformed(
                "the access token has characters not allowed in an HTTP header".to_owned(),
            )))
        };
        let scheme = if token.dpop { "DPoP" } else { "Bearer" };
        let mut header = HeaderValue::from_str(&format!("{scheme} {}", token.expose()))
            .map_err(|_| unusable())?;
        header.set_sensitive(true);
        let dpop = if token.dpop {
            let proof = src.proof(req.method.as_str(), &req.url, &token)?;
            let mut value = HeaderValue::from_str(&proof).map_err(|_| unusable())?;
            value.set_sensitive(true);
            Some(value)
        } else {
            None
        };
        Ok(Authorization {
            header,
            dpop,
            token: Some(token),
        })
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    /// `org_url` + the given path segments. Each segment must be a plain identifier, so an id
    /// from configuration can never change which endpoint is called.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url, OktaError> {
        for s in segments {
            validate_segment(s)?;
        }
        let mut url = self.inner.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        {
            let mut path = url.path_segments_mut().map_err(|_| {
                OktaError::InvalidConfig("the Okta org URL cannot be a base".to_owned())
            })?;
            path.pop_if_empty().extend(segments);
        }
        Ok(url)
    }

    /// Sends a request with pacing and retries; returns the final response if it is a success.
    /// A write to an app forgets the app's shared reads before it is sent and after it returns,
    /// so no read that may predate the write is served afterwards.
    pub(crate) async fn execute(&self, req: &ApiRequest<'_>) -> Result<ApiResponse, OktaError> {
        let written_app = (req.method != Method::GET)
            .then(|| app_id_of_path(req.url.path()))
            .flatten();
        if let Some(id) = written_app {
            self.forget_app_reads(id);
        }
        let result = self.execute_attempts(req, written_app).await;
        if let Some(id) = written_app {
            self.forget_app_reads(id);
        }
        result
    }

    /// [`Self::execute`]'s retry loop. An attempt to write `written_app` that got no answer, or
    /// a gateway error, may still land later: it is recorded in [`LateWrites`].
    async fn execute_attempts(
        &self,
        req: &ApiRequest<'_>,
        written_app: Option<&str>,
    ) -> Result<ApiResponse, OktaError> {
        let inner = &*self.inner;
        check_transport_security(&req.url)?;
        let method = req.method.as_str();
        let path = req.url.path();
        let bucket = bucket_key(&req.method, path);
        let mut retry_for: Option<HeaderValue> = None;
        let mut attempt: u32 = 0;
        // A 401 to an access token renews it (or takes up a DPoP nonce) and retries, once.
        let mut reauthorized = false;
        loop {
            attempt += 1;
            if inner.cancel.is_cancelled() {
                return Err(OktaError::Cancelled);
            }
            let permit = inner
                .limiter
                .acquire(
                    &bucket,
                    &*inner.clock,
                    &inner.cancel,
                    inner.config.max_wait(),
                )
                .await?;
            let auth = self.authorization(req).await?;
            let started = Instant::now();
            let outcome = self.attempt(req, &auth, attempt, retry_for.as_ref()).await;
            if let Some(id) = written_app.filter(|_| may_land_later(&outcome)) {
                tracing::debug!(
                    app_id = id,
                    attempt,
                    "app write without a clear answer; it may still land"
                );
                inner
                    .late_writes
                    .record(id, started, inner.config.late_write_window());
            }
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let now = inner.clock.now();
            let wait = match outcome {
                Ok(resp) => {
                    permit.finish(&resp.headers, now);
                    tracing::debug!(
                        method,
                        path,
                        status = resp.status.as_u16(),
                        attempt,
                        elapsed_ms,
                        "okta response"
                    );
                    if let (Auth::OAuth(src), Some(token)) = (&inner.auth, &auth.token) {
                        if token.dpop {
                            src.note_nonce(&resp.headers);
                        }
                        if resp.status.is_success() {
                            return Ok(resp);
                        }
                        let challenge = Challenge::from_headers(&resp.headers).unwrap_or_default();
                        if resp.status == StatusCode::UNAUTHORIZED && !reauthorized {
                            reauthorized = true;
                            if challenge.error() != Some("use_dpop_nonce") {
                                src.invalidate(token).await;
                            }
                            tracing::debug!(
                                method,
                                path,
                                error = challenge.error().unwrap_or(""),
                                "okta refused the access token; renewing it and retrying once"
                            );
                            continue;
                        }
                        if resp.status == StatusCode::FORBIDDEN {
                            if let Some(scope) = challenge.missing_scope() {
                                return Err(OktaError::InsufficientScope {
                                    method: method.to_owned(),
                                    path: path.to_owned(),
                                    scope: scope.to_owned(),
                                });
                            }
                        }
                    }
                    if resp.status.is_success() {
                        return Ok(resp);
                    }
                    let failure = Failure::Status(resp.status, &resp.headers);
                    if attempt > inner.config.max_retries || !is_retryable(failure, req.idempotent)
                    {
                        let mut err =
                            ApiError::from_response(resp.status, method, path, &resp.body);
                        err.attempts = attempt;
                        // Defence in depth: a proxy page echoing the request must not leak it.
                        if let Auth::Ssws { token, .. } = &inner.auth {
                            err.redact(token.expose());
                        }
                        if let Some(t) = &auth.token {
                            err.redact(t.expose());
                        }
                        if let Some(t) = req.token {
                            err.redact(t.expose());
                        }
                        if resp.status == StatusCode::UNAUTHORIZED && req.token.is_none() {
                            err.hint = Some(self.unauthorized_hint());
                        }
                        return Err(err.into());
                    }
                    // Okta's SDKs tie a retry to the request it repeats.
                    retry_for = resp.headers.get("x-okta-request-id").cloned();
                    wait_before_retry(failure, attempt, now, &inner.config, rand::random::<f64>())
                }
                Err(AttemptError::Cancelled) => return Err(OktaError::Cancelled),
                Err(AttemptError::Transport(kind, message)) => {
                    drop(permit);
                    tracing::debug!(method, path, attempt, elapsed_ms, ?kind, error = %message, "okta request failed");
                    let failure = Failure::Transport(kind);
                    if attempt > inner.config.max_retries || !is_retryable(failure, req.idempotent)
                    {
                        let hint = (kind == TransportKind::Resolve).then(|| self.unresolved_hint());
                        let err = TransportError {
                            kind,
                            method: method.to_owned(),
                            path: path.to_owned(),
                            message,
                            attempts: attempt,
                            hint,
                        };
                        return Err(err.into());
                    }
                    wait_before_retry(failure, attempt, now, &inner.config, rand::random::<f64>())
                }
            };
            tracing::debug!(
                method,
                path,
                attempt,
                wait_ms = wait.as_millis() as u64,
                "okta request will be retried"
            );
            self.sleep(wait).await?;
        }
    }

    /// What to check when Okta refuses the client's own credentials with 401.
    fn unauthorized_hint(&self) -> String {
        let origin = &self.inner.origin;
        format!(
            "Okta did not accept the provider's credentials: check {} (revoked, expired, mistyped, \
             or made in another org than {})",
            origin.credentials, origin.org
        )
    }

    /// What to check when the org's host does not resolve.
    fn unresolved_hint(&self) -> String {
        format!(
            "Check {}: it must be the org's own URL, e.g. https://dev-123456.okta.com (not the \
             Admin Console's -admin host)",
            self.inner.origin.org
        )
    }

    /// One attempt: send, read the whole body, bounded by `request_timeout` and cancellation.
    async fn attempt(
        &self,
        req: &ApiRequest<'_>,
        auth: &Authorization,
        attempt: u32,
        retry_for: Option<&HeaderValue>,
    ) -> Result<ApiResponse, AttemptError> {
        let inner = &*self.inner;
        let mut rb = inner
            .http
            .request(req.method.clone(), req.url.clone())
            .header(AUTHORIZATION, auth.header.clone());
        if let Some(proof) = &auth.dpop {
            rb = rb.header("DPoP", proof.clone());
        }
        if let Some(id) = retry_for {
            rb = rb
                .header("x-okta-retry-for", id.clone())
                .header("x-okta-retry-count", (attempt - 1).to_string());
        }
        rb = match &req.body {
            Some(body) => rb.body(body.clone()),
            // Okta answers 411 to a POST/PUT without Content-Length: send an explicit empty body.
            None if matches!(req.method, Method::POST | Method::PUT | Method::PATCH) => {
                rb.header(CONTENT_LENGTH, "0").body(Vec::new())
            }
            None => rb,
        };
        let exchange = async {
            let resp = rb.send().await?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let body = resp.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>(ApiResponse {
                status,
                headers,
                body,
            })
        };
        tokio::select! {
            _ = inner.cancel.cancelled() => Err(AttemptError::Cancelled),
            result = tokio::time::timeout(inner.config.request_timeout, exchange) => match result {
                Err(_) => Err(AttemptError::Transport(
                    TransportKind::Timeout,
                    format!("no complete response within {:?}", inner.config.request_timeout),
                )),
                Ok(Err(e)) => Err(AttemptError::Transport(classify(&e), describe(&e))),
                Ok(Ok(resp)) => Ok(resp),
            },
        }
    }

    /// A cancellable wait on the injected clock.
    pub(crate) async fn sleep(&self, wait: Duration) -> Result<(), OktaError> {
        tokio::select! {
            _ = self.inner.clock.sleep(wait) => Ok(()),
            _ = self.inner.cancel.cancelled() => Err(OktaError::Cancelled),
        }
    }

    // ----- helpers used by the endpoint wrappers ------------------------------------------------

    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        req: ApiRequest<'_>,
    ) -> Result<T, OktaError> {
        let resp = self.execute(&req).await?;
        decode(&req, &resp.body)
    }

    /// Like [`Self::call`], but a 404 is `Ok(None)`.
    pub(crate) async fn call_optional<T: DeserializeOwned>(
        &self,
        req: ApiRequest<'_>,
    ) -> Result<Option<T>, OktaError> {
        match self.execute(&req).await {
            Ok(resp) => decode(&req, &resp.body).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A call whose response body is ignored (`{}` of lifecycle calls, 204s).
    pub(crate) async fn call_no_content(&self, req: ApiRequest<'_>) -> Result<(), OktaError> {
        self.execute(&req).await.map(|_| ())
    }

    /// A DELETE: `Ok(true)` if deleted, `Ok(false)` if it did not exist (404).
    pub(crate) async fn call_delete(&self, req: ApiRequest<'_>) -> Result<bool, OktaError> {
        match self.execute(&req).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// GETs `url` and every page linked by `rel="next"`.
    pub(crate) async fn list_all<T: DeserializeOwned>(
        &self,
        url: Url,
    ) -> Result<Vec<T>, OktaError> {
        let mut items = Vec::new();
        let mut next = Some(url);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(OktaError::InvalidRequest(format!(
                    "more than {MAX_PAGES} pages at {}",
                    url.path()
                )));
            }
            let req = ApiRequest::new(Method::GET, url.clone());
            let resp = self.execute(&req).await?;
            let page: Vec<T> = decode(&req, &resp.body)?;
            items.extend(page);
            if let Some(link) = next_link(&resp.headers) {
                let link_url = url.join(&link).map_err(|e| {
                    OktaError::InvalidRequest(format!("Okta sent an invalid next-page link: {e}"))
                })?;
                if link_url.origin() != self.inner.base.origin() {
                    return Err(OktaError::InvalidRequest(format!(
                        "Okta's next-page link points to another origin ({}); not sending the token there",
                        link_url.origin().ascii_serialization()
                    )));
                }
                if link_url != url {
                    next = Some(link_url);
                }
            }
        }
        Ok(items)
    }
}

fn decode<T: DeserializeOwned>(req: &ApiRequest<'_>, body: &[u8]) -> Result<T, OktaError> {
    serde_json::from_slice(body).map_err(|e| OktaError::Decode {
        method: req.method.to_string(),
        path: req.url.path().to_owned(),
        message: redact_quoted(&e.to_string()),
    })
}

fn auth_header(token: &Secret) -> Result<HeaderValue, OktaError> {
    if token.is_empty() {
        return Err(OktaError::InvalidConfig(
            "the Okta API token is empty".to_owned(),
        ));
    }
    let mut value = HeaderValue::from_str(&format!("SSWS {}", token.expose())).map_err(|_| {
        OktaError::InvalidConfig(
            "the Okta API token contains characters not allowed in an HTTP header".to_owned(),
        )
    })?;
    // Keeps it out of `Debug` of headers and out of HTTP/2 header compression tables.
    value.set_sensitive(true);
    Ok(value)
}

/// https anywhere; plain http only to loopback hosts, so the token never crosses a network in
/// clear text.
pub(crate) fn check_transport_security(url: &Url) -> Result<(), OktaError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(OktaError::InsecureUrl {
            host: url.host_str().unwrap_or_default().to_owned(),
        }),
        other => Err(OktaError::InvalidConfig(format!(
            "unsupported URL scheme {other:?} for the Okta org URL"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn validate_segment(segment: &str) -> Result<(), OktaError> {
    let ok = !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'));
    if ok {
        Ok(())
    } else {
        Err(OktaError::InvalidRequest(format!(
            "{segment:?} is not a valid Okta id"
        )))
    }
}

pub(crate) fn classify(e: &reqwest::Error) -> TransportKind {
    if unresolved(e).is_some() {
        TransportKind::Resolve
    } else if e.is_connect() {
        TransportKind::Connect
    } else if e.is_timeout() {
        TransportKind::Timeout
    } else {
        TransportKind::Other
    }
}

/// The causes of a transport error, without the URL reqwest puts in its top-level message.
fn describe(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    if parts.is_empty() {
        "request failed".to_owned()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "https://acme.okta.com",
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            assert!(
                OktaClient::new(url(ok), "tok", ClientConfig::default()).is_ok(),
                "{ok}"
            );
        }
        let err = OktaClient::new(url("http://acme.okta.com"), "tok", ClientConfig::default())
            .unwrap_err();
        assert!(matches!(err, OktaError::InsecureUrl { .. }), "{err}");
        assert!(err.to_string().contains("acme.okta.com"));
        assert!(OktaClient::new(url("http://10.0.0.1"), "tok", ClientConfig::default()).is_err());
        assert!(
            OktaClient::new(url("ftp://acme.okta.com"), "tok", ClientConfig::default()).is_err()
        );
    }

    #[test]
    fn debug_and_errors_never_show_the_token() {
        let token = "00SECRET-ssws-token-value";
        let c =
            OktaClient::new(url("https://acme.okta.com"), token, ClientConfig::default()).unwrap();
        assert!(!format!("{c:?}").contains(token));
        let b = OktaClient::builder(url("https://acme.okta.com"), token);
        assert!(!format!("{b:?}").contains(token));
        let bad = OktaClient::new(
            url("https://acme.okta.com"),
            "bad\ntoken-SECRET",
            ClientConfig::default(),
        )
        .unwrap_err();
        assert!(!bad.to_string().contains("SECRET"), "{bad}");
        let insecure = OktaClient::new(url("http://acme.okta.com"), token, ClientConfig::default())
            .unwrap_err();
        assert!(!insecure.to_string().contains(token));
    }

    #[test]
    fn urls_are_built_from_validated_segments() {
        let c =
            OktaClient::new(url("https://acme.okta.com/"), "t", ClientConfig::default()).unwrap();
        assert_eq!(
            c.url(&["api", "v1", "apps", "0oa1"]).unwrap().as_str(),
            "https://acme.okta.com/api/v1/apps/0oa1"
        );
        for bad in ["..", ".", "", "a/b", "a?b", "a#b", "a b", "%2e%2e"] {
            assert!(c.url(&["api", "v1", "apps", bad]).is_err(), "{bad:?}");
        }
        let prefixed = OktaClient::new(
            url("http://127.0.0.1:8080/okta/"),
            "t",
            ClientConfig::default(),
        )
        .unwrap();
        assert_eq!(
            prefixed.url(&["api", "v1", "groups"]).unwrap().path(),
            "/okta/api/v1/groups"
        );
    }

    #[test]
    fn user_agent_names_provider_and_version() {
        assert_eq!(
            USER_AGENT,
            format!("terraform-provider-oktaidp/{}", env!("CARGO_PKG_VERSION"))
        );
    }
}
