//! One access token per provider process. The first request that needs a token fetches it while
//! every concurrent request waits for that same fetch (the lock is held across it), so an apply
//! at `-parallelism=10` makes one token request, not ten. The token is renewed when less than
//! 10% of its lifetime (at most 60 s) is left, and dropped when Okta answers 401 to it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::dpop::Dpop;
use super::{client_assertion, OAuthError, OAuthSettings, TOKEN_PATH};
use crate::clock::Clock;
use crate::config::ClientConfig;
use crate::error::{OktaError, TransportError, TransportKind};
use crate::resolve::unresolved;
use crate::retry::{wait_before_retry, Failure};
use crate::secret::Secret;

/// Lifetime assumed when Okta's answer has no `expires_in` (Okta's is fixed at one hour).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// Longest renewal margin.
const MAX_MARGIN: Duration = Duration::from_secs(60);
/// DPoP round trips allowed in one fetch: turn DPoP on, then take up a nonce (twice, for a
/// nonce that rotated in between).
const DPOP_ROUNDS: u32 = 3;

/// An access token and what it is bound to. No `Debug` of the value.
pub struct AccessToken {
    value: Secret,
    /// DPoP-bound (`token_type` `DPoP`): every request needs a proof.
    pub dpop: bool,
    /// When to fetch a new one.
    renew_at: Instant,
    /// Scopes Okta granted, as it reported them.
    pub scope: Option<String>,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &self.value)
            .field("dpop", &self.dpop)
            .field("scope", &self.scope)
            .finish()
    }
}

impl AccessToken {
    /// The token itself, for the `Authorization` header and `ath`.
    pub fn expose(&self) -> &str {
        self.value.expose()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<u64>,
    scope: Option<String>,
}

#[derive(Deserialize, Default)]
struct TokenErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

/// Fetches and caches the access token of one service app at one org.
pub struct TokenSource {
    http: reqwest::Client,
    endpoint: Url,
    settings: OAuthSettings,
    config: ClientConfig,
    clock: Arc<dyn Clock>,
    cancel: CancellationToken,
    cache: tokio::sync::Mutex<Option<Arc<AccessToken>>>,
    dpop: Dpop,
    /// Learnt from the token endpoint: this app wants DPoP proofs.
    dpop_required: AtomicBool,
    token_requests: AtomicU64,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("endpoint", &self.endpoint.as_str())
            .field("settings", &self.settings)
            .finish()
    }
}

impl TokenSource {
    pub fn new(
        http: reqwest::Client,
        org_url: &Url,
        settings: OAuthSettings,
        config: ClientConfig,
        clock: Arc<dyn Clock>,
        cancel: CancellationToken,
    ) -> Result<Self, OktaError> {
        let mut endpoint = org_url.clone();
        endpoint.set_query(None);
        endpoint.set_fragment(None);
        let base = endpoint.path().trim_end_matches('/').to_owned();
        endpoint.set_path(&format!("{base}/{TOKEN_PATH}"));
        Ok(Self {
            http,
            endpoint,
            settings,
            config,
            clock,
            cancel,
            cache: tokio::sync::Mutex::new(None),
            dpop: Dpop::default(),
            dpop_required: AtomicBool::new(false),
            token_requests: AtomicU64::new(0),
        })
    }

    pub fn settings(&self) -> &OAuthSettings {
        &self.settings
    }

    /// How many token requests this source has sent (each HTTP attempt counts).
    pub fn token_requests(&self) -> u64 {
        self.token_requests.load(Ordering::Relaxed)
    }

    /// A token good for a while yet: the cached one, or a new one (one fetch for all waiters).
    pub async fn token(&self) -> Result<Arc<AccessToken>, OktaError> {
        let mut slot = tokio::select! {
            _ = self.cancel.cancelled() => return Err(OktaError::Cancelled),
            slot = self.cache.lock() => slot,
        };
        if let Some(t) = slot.as_ref() {
            if Instant::now() < t.renew_at {
                return Ok(Arc::clone(t));
            }
        }
        let fresh = Arc::new(self.fetch().await?);
        *slot = Some(Arc::clone(&fresh));
        Ok(fresh)
    }

    /// Forgets `stale` (Okta answered 401 to it). A token fetched meanwhile by another request
    /// stays, so concurrent 401s cause one renewal.
    pub async fn invalidate(&self, stale: &AccessToken) {
        let mut slot = self.cache.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == stale.value) {
            *slot = None;
        }
    }

    /// The `DPoP` header value for a resource request made with `token`.
    pub fn proof(&self, method: &str, url: &Url, token: &AccessToken) -> Result<String, OktaError> {
        let proof = self
            .dpop
            .proof(method, url, Some(token.expose()), unix_now(&*self.clock))
            .map_err(|e| OktaError::OAuth(Box::new(e.into())))?;
        Ok(proof)
    }

    /// Keeps the `DPoP-Nonce` of a resource response; `true` if it is new.
    pub fn note_nonce(&self, headers: &HeaderMap) -> bool {
        self.dpop.note_nonce(headers)
    }

    async fn fetch(&self) -> Result<AccessToken, OktaError> {
        let scopes = self.settings.scopes.join(" ");
        let mut attempt: u32 = 0;
        let mut dpop_rounds: u32 = 0;
        loop {
            attempt += 1;
            if self.cancel.is_cancelled() {
                return Err(OktaError::Cancelled);
            }
            let now = unix_now(&*self.clock);
            let oauth = |e: OAuthError| OktaError::OAuth(Box::new(e));
            let assertion = client_assertion(
                &self.settings.key,
                self.settings.key_id.as_deref(),
                &self.settings.client_id,
                self.endpoint.as_str(),
                now,
            )
            .map_err(|e| oauth(e.into()))?;
            let body = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("grant_type", "client_credentials")
                .append_pair("scope", &scopes)
                .append_pair(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                )
                .append_pair("client_assertion", &assertion)
                .finish();
            let dpop = self.dpop_required.load(Ordering::Relaxed);
            let mut rb = self
                .http
                .post(self.endpoint.clone())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(ACCEPT, "application/json")
                .body(body);
            if dpop {
                let proof = self
                    .dpop
                    .proof("POST", &self.endpoint, None, now)
                    .map_err(|e| oauth(e.into()))?;
                rb = rb.header("DPoP", proof);
            }
            self.token_requests.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(attempt, dpop, scopes = %scopes, "okta oauth token request");
            let exchange = async {
                let resp = rb.send().await?;
                let status = resp.status();
                let headers = resp.headers().clone();
                let body = resp.bytes().await?.to_vec();
                Ok::<_, reqwest::Error>((status, headers, body))
            };
            let outcome = tokio::select! {
                _ = self.cancel.cancelled() => return Err(OktaError::Cancelled),
                r = tokio::time::timeout(self.config.request_timeout, exchange) => r,
            };
            let failure_wait = match outcome {
                Err(_) | Ok(Err(_)) => {
                    let (kind, message) = match &outcome {
                        Ok(Err(e)) => match (crate::client::classify(e), unresolved(e)) {
                            (_, Some(name)) => (TransportKind::Resolve, name.to_string()),
                            (TransportKind::Connect, _) => {
                                (TransportKind::Connect, "connection failed".to_owned())
                            }
                            (kind, _) => (kind, "request failed".to_owned()),
                        },
                        _ => (
                            TransportKind::Timeout,
                            format!(
                                "no complete response within {:?}",
                                self.config.request_timeout
                            ),
                        ),
                    };
                    // A host that does not resolve is reported at once (see `retry.rs`).
                    if attempt > self.config.max_retries || kind == TransportKind::Resolve {
                        return Err(TransportError {
                            kind,
                            method: "POST".into(),
                            path: self.endpoint.path().to_owned(),
                            message,
                            attempts: attempt,
                            hint: None,
                        }
                        .into());
                    }
                    wait_before_retry(
                        Failure::Transport(kind),
                        attempt,
                        self.clock.now(),
                        &self.config,
                        rand::random::<f64>(),
                    )
                }
                Ok(Ok((status, headers, body))) => {
                    self.dpop.note_nonce(&headers);
                    if status.is_success() {
                        return self.accept(&body, dpop);
                    }
                    let err: TokenErrorBody = serde_json::from_slice(&body).unwrap_or_default();
                    let error = err.error.unwrap_or_default();
                    let description = err
                        .error_description
                        .unwrap_or_default()
                        .replace(&assertion, "[REDACTED]");
                    tracing::debug!(attempt, status = status.as_u16(), error = %error, "okta oauth token refused");
                    let dpop_retry = match error.as_str() {
                        "use_dpop_nonce" => true,
                        // The app is DPoP-bound and no proof was sent: send one.
                        "invalid_dpop_proof" => !dpop,
                        _ => false,
                    };
                    if dpop_retry && dpop_rounds < DPOP_ROUNDS {
                        dpop_rounds += 1;
                        self.dpop_required.store(true, Ordering::Relaxed);
                        continue;
                    }
                    let transient = status == StatusCode::TOO_MANY_REQUESTS
                        || matches!(status.as_u16(), 502..=504);
                    if !transient || attempt > self.config.max_retries {
                        return Err(oauth(match error.as_str() {
                            "invalid_client" => OAuthError::InvalidClient {
                                client_id: self.settings.client_id.clone(),
                                description,
                            },
                            "invalid_scope" => OAuthError::InvalidScope {
                                scopes,
                                description,
                            },
                            _ => OAuthError::Refused {
                                status: status.as_u16(),
                                error: if error.is_empty() {
                                    "no error code".into()
                                } else {
                                    error
                                },
                                description,
                            },
                        }));
                    }
                    wait_before_retry(
                        Failure::Status(status, &headers),
                        attempt,
                        self.clock.now(),
                        &self.config,
                        rand::random::<f64>(),
                    )
                }
            };
            tokio::select! {
                _ = self.cancel.cancelled() => return Err(OktaError::Cancelled),
                _ = self.clock.sleep(failure_wait) => {}
            }
        }
    }

    fn accept(&self, body: &[u8], sent_proof: bool) -> Result<AccessToken, OktaError> {
        let malformed = |m: &str| OktaError::OAuth(Box::new(OAuthError::Malformed(m.to_owned())));
        let resp: TokenResponse = serde_json::from_slice(body)
            .map_err(|_| malformed("the body is not a token response"))?;
        let value = resp
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| malformed("no access_token"))?;
        let token_type = resp.token_type.unwrap_or_else(|| "Bearer".into());
        let dpop = token_type.eq_ignore_ascii_case("DPoP");
        if dpop && !sent_proof {
            return Err(malformed(
                "a DPoP-bound token was issued to a request without a proof",
            ));
        }
        let lifetime = resp
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_LIFETIME);
        let margin = (lifetime / 10).min(MAX_MARGIN);
        tracing::debug!(
            token_type = %token_type,
            expires_in = lifetime.as_secs(),
            scope = resp.scope.as_deref().unwrap_or(""),
            "okta oauth token issued"
        );
        Ok(AccessToken {
            value: Secret::new(value),
            dpop,
            renew_at: Instant::now() + lifetime - margin,
            scope: resp.scope,
        })
    }
}

fn unix_now(clock: &dyn Clock) -> i64 {
    clock
        .now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use axum::extract::{Form, State};
    use axum::http::{HeaderMap as AxHeaders, StatusCode as AxStatus};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};
    use axum::{Json, Router};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use serde_json::{json, Value};

    use super::super::dpop::ath;
    use super::super::SigningKey;
    use crate::testing::rsa_pkcs8_pem;
    use crate::{ClientConfig, OAuthSettings, OktaClient, OktaError};

    /// A token endpoint and one API route, both counting, the token endpoint slow so that
    /// concurrent callers overlap.
    #[derive(Default)]
    struct Org {
        token_requests: AtomicUsize,
        api_requests: AtomicUsize,
        /// Require DPoP: no proof → invalid_dpop_proof, no nonce → use_dpop_nonce.
        dpop: bool,
        expires_in: u64,
        /// The API answers 401 to this token once (as to an expired one).
        reject: parking_lot::Mutex<Option<String>>,
        missing_scope: bool,
        bad_client: bool,
    }

    fn claims(jwt: &str) -> Value {
        let payload = jwt.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
    }

    async fn token(
        State(org): State<std::sync::Arc<Org>>,
        headers: AxHeaders,
        Form(form): Form<HashMap<String, String>>,
    ) -> Response {
        let n = org.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(form["grant_type"], "client_credentials");
        assert_eq!(
            form["client_assertion_type"],
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        );
        let c = claims(&form["client_assertion"]);
        assert_eq!(c["iss"], "0oaSVC");
        assert!(c["aud"].as_str().unwrap().ends_with("/oauth2/v1/token"));
        if org.bad_client {
            return (
                AxStatus::UNAUTHORIZED,
                Json(json!({"error": "invalid_client", "error_description": "The client_assertion signature is invalid."})),
            )
                .into_response();
        }
        let mut token_type = "Bearer";
        if org.dpop {
            let Some(proof) = headers.get("dpop").and_then(|v| v.to_str().ok()) else {
                return (
                    AxStatus::BAD_REQUEST,
                    Json(json!({"error": "invalid_dpop_proof", "error_description": "The DPoP proof JWT header is missing."})),
                )
                    .into_response();
            };
            let p = claims(proof);
            assert_eq!(p["htm"], "POST");
            if p.get("nonce").and_then(Value::as_str) != Some("nonce-1") {
                return (
                    AxStatus::BAD_REQUEST,
                    [("dpop-nonce", "nonce-1")],
                    Json(json!({"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof."})),
                )
                    .into_response();
            }
            token_type = "DPoP";
        }
        Json(json!({
            "token_type": token_type,
            "expires_in": org.expires_in,
            "access_token": format!("at-{n}"),
            "scope": form["scope"],
        }))
        .into_response()
    }

    async fn groups(State(org): State<std::sync::Arc<Org>>, headers: AxHeaders) -> Response {
        org.api_requests.fetch_add(1, Ordering::SeqCst);
        let auth = headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let (scheme, token) = auth.split_once(' ').unwrap();
        if org.dpop {
            assert_eq!(scheme, "DPoP");
            let p = claims(headers.get("dpop").unwrap().to_str().unwrap());
            assert_eq!(p["ath"], ath(token));
            assert_eq!(p["htm"], "GET");
            assert!(p["htu"].as_str().unwrap().ends_with("/api/v1/groups"));
        } else {
            assert_eq!(scheme, "Bearer");
        }
        let mut reject = org.reject.lock();
        if reject.as_deref() == Some(token) {
            *reject = None;
            return (
                AxStatus::UNAUTHORIZED,
                [("www-authenticate", "Bearer error=\"invalid_token\", error_description=\"The token has expired.\"")],
                Json(json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided", "errorCauses": []})),
            )
                .into_response();
        }
        if org.missing_scope {
            return (
                AxStatus::FORBIDDEN,
                [("www-authenticate", "Bearer realm=\"x\", scope=\"okta.groups.read\", error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\"")],
            )
                .into_response();
        }
        Json(json!([])).into_response()
    }

    async fn serve(org: Org) -> (std::sync::Arc<Org>, OktaClient) {
        let org = std::sync::Arc::new(org);
        let app = Router::new()
            .route("/oauth2/v1/token", post(token))
            .route("/api/v1/groups", get(groups))
            .with_state(std::sync::Arc::clone(&org));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let settings = OAuthSettings {
            client_id: "0oaSVC".into(),
            key: std::sync::Arc::new(SigningKey::from_pem(&rsa_pkcs8_pem()).unwrap()),
            key_id: Some("kid-1".into()),
            scopes: vec!["okta.groups.read".into()],
        };
        let config = ClientConfig {
            min_wait_seconds: 0,
            ..Default::default()
        };
        let client = OktaClient::oauth_builder(
            url::Url::parse(&format!("http://{addr}")).unwrap(),
            settings,
        )
        .config(config)
        .build()
        .unwrap();
        (org, client)
    }

    async fn list_groups(client: &OktaClient) -> Result<Vec<Value>, OktaError> {
        client.list_all(client.url(&["api", "v1", "groups"])?).await
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch_and_renew_near_expiry() {
        let (org, client) = serve(Org {
            expires_in: 1,
            ..Default::default()
        })
        .await;
        let calls = (0..10).map(|_| list_groups(&client));
        for r in futures::future::join_all(calls).await {
            r.unwrap();
        }
        assert_eq!(
            org.token_requests.load(Ordering::SeqCst),
            1,
            "one fetch for ten callers"
        );
        assert_eq!(org.api_requests.load(Ordering::SeqCst), 10);
        // Lifetime 1 s: renewed 0.1 s before expiry, so after a second a new one is fetched.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let calls = (0..5).map(|_| list_groups(&client));
        for r in futures::future::join_all(calls).await {
            r.unwrap();
        }
        assert_eq!(org.token_requests.load(Ordering::SeqCst), 2);
        assert_eq!(client.token_source().unwrap().token_requests(), 2);
    }

    #[tokio::test]
    async fn a_401_renews_the_token_once_and_retries() {
        let (org, client) = serve(Org {
            expires_in: 3600,
            ..Default::default()
        })
        .await;
        *org.reject.lock() = Some("at-1".into());
        list_groups(&client).await.unwrap();
        assert_eq!(org.token_requests.load(Ordering::SeqCst), 2);
        assert_eq!(org.api_requests.load(Ordering::SeqCst), 2);
        // Each request renews at most once; the next rejection is handled the same way.
        *org.reject.lock() = Some("at-2".into());
        list_groups(&client).await.unwrap();
        assert_eq!(org.token_requests.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn dpop_bound_app_gets_proofs_with_the_server_nonce() {
        let (org, client) = serve(Org {
            dpop: true,
            expires_in: 3600,
            ..Default::default()
        })
        .await;
        list_groups(&client).await.unwrap();
        list_groups(&client).await.unwrap();
        // Without proof, without nonce, then issued; the API asserts DPoP + ath on each call.
        assert_eq!(org.token_requests.load(Ordering::SeqCst), 3);
        assert_eq!(org.api_requests.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn insufficient_scope_and_invalid_client_are_named() {
        let (_, client) = serve(Org {
            expires_in: 3600,
            missing_scope: true,
            ..Default::default()
        })
        .await;
        let e = list_groups(&client).await.unwrap_err();
        assert!(
            matches!(&e, OktaError::InsufficientScope { scope, .. } if scope == "okta.groups.read")
        );
        let text = e.to_string();
        assert!(
            text.contains("okta.groups.read") && text.contains("Okta API Scopes"),
            "{text}"
        );
        assert!(text.contains("/api/v1/apps/{appId}/grants"), "{text}");

        let (org, client) = serve(Org {
            bad_client: true,
            ..Default::default()
        })
        .await;
        let e = list_groups(&client).await.unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("invalid_client") && text.contains("private_key_id"),
            "{text}"
        );
        assert!(!text.contains("eyJ"), "no JWT in the text: {text}");
        assert_eq!(org.token_requests.load(Ordering::SeqCst), 1, "not retried");
        assert_eq!(org.api_requests.load(Ordering::SeqCst), 0);
    }
}
