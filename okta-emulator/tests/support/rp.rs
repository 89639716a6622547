//! A small OpenID Connect relying party for tests, built on the `openidconnect` crate: discover
//! a provider, sign a user in by login and password (`/api/v1/authn` → `sessionToken` →
//! `/authorize` with PKCE, state and nonce → code exchange), verify the ID token (signature via
//! the JWKS, `iss`, `aud`, `exp`, nonce), refresh, and read `/userinfo`.
//!
//! Plain module without test-crate dependencies; include it with
//! `#[path = "../support/rp.rs"] mod rp;`. Errors are `(error, error_description)`: OAuth
//! errors as the provider sent them, HTML error pages as their `Error Code`/`Description`, and
//! anything else as `("rp_error", text)`.

#![allow(dead_code)]

use std::{future::Future, pin::Pin};

use openidconnect::{
    core::{
        CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreTokenResponse,
    },
    AccessToken, AdditionalClaims, AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IdTokenClaims, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, SubjectIdentifier, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};

/// `(error, error_description)`.
pub type RpError = (String, String);

static SECRET_OBSERVER: std::sync::OnceLock<fn(&'static str, &str)> = std::sync::OnceLock::new();

/// Has `f(kind, value)` called with every secret the relying party receives (session tokens,
/// codes, PKCE verifiers, access, ID and refresh tokens), so a harness can check that none of
/// them reaches a log. The first call wins; without one, nothing is reported.
pub fn observe_secrets(f: fn(&'static str, &str)) {
    let _ = SECRET_OBSERVER.set(f);
}

fn observed(kind: &'static str, value: &str) {
    if let Some(f) = SECRET_OBSERVER.get() {
        f(kind, value);
    }
}

fn rp_err(e: impl std::fmt::Display) -> RpError {
    ("rp_error".to_string(), e.to_string())
}

/// The `groups` claim (and any other extra claims) next to the standard ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
}

impl AdditionalClaims for ExtraClaims {}

pub type Claims = IdTokenClaims<ExtraClaims, CoreGenderClaim>;
pub type UserInfo = UserInfoClaims<ExtraClaims, CoreGenderClaim>;
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;
type ExtraIdToken = IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// Transport error of the HTTP hook.
#[derive(Debug)]
pub struct HttpError(String);

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

type HttpFuture =
    Pin<Box<dyn Future<Output = Result<openidconnect::HttpResponse, HttpError>> + Send>>;

/// The `openidconnect` HTTP hook on the project's reqwest (redirects never followed).
fn hook(http: reqwest::Client) -> impl Fn(openidconnect::HttpRequest) -> HttpFuture {
    move |req| {
        let http = http.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let mut r = http.request(parts.method, parts.uri.to_string());
            for (k, v) in &parts.headers {
                r = r.header(k, v);
            }
            let resp = r
                .body(body)
                .send()
                .await
                .map_err(|e| HttpError(e.to_string()))?;
            let mut out = openidconnect::http::Response::builder().status(resp.status());
            for (k, v) in resp.headers() {
                out = out.header(k, v);
            }
            let bytes = resp.bytes().await.map_err(|e| HttpError(e.to_string()))?;
            out.body(bytes.to_vec())
                .map_err(|e| HttpError(e.to_string()))
        })
    }
}

fn token_error<E: std::error::Error + 'static>(
    e: RequestTokenError<
        E,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> RpError {
    match e {
        RequestTokenError::ServerResponse(r) => (
            r.error().as_ref().to_string(),
            r.error_description().cloned().unwrap_or_default(),
        ),
        other => rp_err(other),
    }
}

/// What `/authorize` returned: a code to exchange, with the PKCE verifier and nonce it needs.
pub struct Authorized {
    pub code: String,
    pub verifier: String,
    pub nonce: String,
}

/// Tokens of a signed-in user; `claims` are the verified ID-token claims.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub id_token: String,
    pub claims: Claims,
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("subject", &self.subject())
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    pub fn subject(&self) -> String {
        self.claims.subject().to_string()
    }

    pub fn groups(&self) -> Option<Vec<String>> {
        self.claims.additional_claims().groups.clone()
    }
}

/// A relying party registered as one OIDC app.
pub struct Rp {
    pub org_url: String,
    pub issuer: String,
    pub redirect_uri: String,
    pub client_id: String,
    http: reqwest::Client,
    client: Client,
    pub metadata: CoreProviderMetadata,
}

impl Rp {
    /// Discovers `issuer` (its `/.well-known/openid-configuration` and JWKS). The org URL is
    /// where `/api/v1/authn` lives.
    pub async fn discover(
        org_url: &str,
        issuer: &str,
        client_id: &str,
        client_secret: Option<&str>,
        redirect_uri: &str,
    ) -> Result<Rp, RpError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(rp_err)?;
        let issuer_url = IssuerUrl::new(issuer.to_string()).map_err(rp_err)?;
        let metadata = CoreProviderMetadata::discover_async(issuer_url, &hook(http.clone()))
            .await
            .map_err(rp_err)?;
        let client = CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(client_id.to_string()),
            client_secret.map(|s| ClientSecret::new(s.to_string())),
        )
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_string()).map_err(rp_err)?);
        Ok(Rp {
            org_url: org_url.trim_end_matches('/').to_string(),
            issuer: issuer.to_string(),
            redirect_uri: redirect_uri.to_string(),
            client_id: client_id.to_string(),
            http,
            client,
            metadata,
        })
    }

    /// Sends client credentials in the body (`client_secret_post`) instead of Basic.
    pub fn with_body_credentials(mut self) -> Self {
        self.client = self.client.set_auth_type(AuthType::RequestBody);
        self
    }

    /// `POST /api/v1/authn` → the one-time `sessionToken`.
    pub async fn session_token(&self, login: &str, password: &str) -> Result<String, RpError> {
        let resp = self
            .http
            .post(format!("{}/api/v1/authn", self.org_url))
            .json(&serde_json::json!({"username": login, "password": password}))
            .send()
            .await
            .map_err(rp_err)?;
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.map_err(rp_err)?;
        match body.get("sessionToken").and_then(|v| v.as_str()) {
            Some(t) if status.is_success() => {
                observed("session token", t);
                Ok(t.to_string())
            }
            _ => Err((
                body["errorCode"]
                    .as_str()
                    .unwrap_or("authn_failed")
                    .to_string(),
                body["errorSummary"].as_str().unwrap_or("").to_string(),
            )),
        }
    }

    /// Runs `/authorize` (code flow, PKCE S256, state, nonce) with a `sessionToken` and
    /// returns the code, after checking that `state` came back unchanged.
    pub async fn authorize(
        &self,
        session_token: &str,
        scopes: &[&str],
        extra: &[(&str, &str)],
    ) -> Result<Authorized, RpError> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .add_extra_param("sessionToken", session_token.to_string());
        for s in scopes.iter().filter(|s| **s != "openid") {
            req = req.add_scope(Scope::new(s.to_string()));
        }
        for (k, v) in extra {
            req = req.add_extra_param(k.to_string(), v.to_string());
        }
        let (url, state, nonce) = req.url();
        let params = self.follow(url.as_str()).await?;
        let get = |k: &str| params.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
        if let Some(e) = get("error") {
            return Err((e, get("error_description").unwrap_or_default()));
        }
        if get("state").as_deref() != Some(state.secret().as_str()) {
            return Err(rp_err("state did not round-trip"));
        }
        let code = get("code").ok_or_else(|| rp_err("no code in the redirect"))?;
        observed("authorization code", &code);
        observed("PKCE verifier", verifier.secret());
        Ok(Authorized {
            code,
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        })
    }

    /// GETs an `/authorize` URL and returns the parameters of the redirect to `redirect_uri`;
    /// an HTML error page becomes its `(code, description)`.
    pub async fn follow(&self, url: &str) -> Result<Vec<(String, String)>, RpError> {
        let resp = self.http.get(url).send().await.map_err(rp_err)?;
        let status = resp.status();
        if status.is_redirection() {
            let loc = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let parsed = url::Url::parse(&loc).map_err(rp_err)?;
            let mut pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
            if let Some(f) = parsed.fragment() {
                pairs.extend(url::form_urlencoded::parse(f.as_bytes()).into_owned());
            }
            return Ok(pairs);
        }
        let text = resp.text().await.map_err(rp_err)?;
        let span = |id: &str| {
            let start = format!("<span id=\"{id}\">");
            text.split_once(&start)
                .and_then(|(_, rest)| rest.split_once("</span>"))
                .map(|(v, _)| {
                    v.replace("&#39;", "'")
                        .replace("&quot;", "\"")
                        .replace("&amp;", "&")
                })
        };
        match (span("error-code"), span("error-description")) {
            (Some(c), Some(d)) => Err((c, d)),
            _ => Err(rp_err(format!(
                "/authorize answered {status} without a redirect"
            ))),
        }
    }

    /// Exchanges a code (with its PKCE verifier) and verifies the ID token against the nonce.
    pub async fn exchange(&self, a: &Authorized) -> Result<Tokens, RpError> {
        let resp = self
            .client
            .exchange_code(AuthorizationCode::new(a.code.clone()))
            .map_err(rp_err)?
            .set_pkce_verifier(PkceCodeVerifier::new(a.verifier.clone()))
            .request_async(&hook(self.http.clone()))
            .await
            .map_err(token_error)?;
        self.tokens(&resp, Some(&Nonce::new(a.nonce.clone())), None)
    }

    fn tokens(
        &self,
        resp: &CoreTokenResponse,
        nonce: Option<&Nonce>,
        previous_refresh: Option<&str>,
    ) -> Result<Tokens, RpError> {
        let id = resp
            .id_token()
            .ok_or_else(|| rp_err("no id_token in the token response"))?
            .to_string();
        let parsed: ExtraIdToken = id.parse().map_err(rp_err)?;
        let verifier = self.client.id_token_verifier();
        let claims = match nonce {
            Some(n) => parsed.claims(&verifier, n),
            None => parsed.claims(&verifier, |_: Option<&Nonce>| Ok(())),
        }
        .map_err(rp_err)?
        .clone();
        observed("ID token", &id);
        observed("access token", resp.access_token().secret());
        if let Some(r) = resp.refresh_token() {
            observed("refresh token", r.secret());
        }
        Ok(Tokens {
            access_token: resp.access_token().secret().clone(),
            refresh_token: resp
                .refresh_token()
                .map(|r| r.secret().clone())
                .or_else(|| previous_refresh.map(str::to_string)),
            id_token: id,
            claims,
            scopes: resp
                .scopes()
                .map(|s| s.iter().map(|x| x.to_string()).collect())
                .unwrap_or_default(),
        })
    }

    /// authn → authorize → exchange → verify.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        scopes: &[&str],
    ) -> Result<Tokens, RpError> {
        let token = self.session_token(login, password).await?;
        let a = self.authorize(&token, scopes, &[]).await?;
        self.exchange(&a).await
    }

    /// `grant_type=refresh_token`; the new ID token is verified too. `refresh_token` in the
    /// result is what the provider returned (so STATIC and ROTATE can be told apart).
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, RpError> {
        let rt = RefreshToken::new(refresh_token.to_string());
        let resp = self
            .client
            .exchange_refresh_token(&rt)
            .map_err(rp_err)?
            .request_async(&hook(self.http.clone()))
            .await
            .map_err(token_error)?;
        self.tokens(&resp, None, None)
    }

    /// `/userinfo` for an access token, checked to be about `subject`.
    pub async fn userinfo(&self, access_token: &str, subject: &str) -> Result<UserInfo, RpError> {
        self.client
            .user_info(
                AccessToken::new(access_token.to_string()),
                Some(SubjectIdentifier::new(subject.to_string())),
            )
            .map_err(rp_err)?
            .request_async(&hook(self.http.clone()))
            .await
            .map_err(rp_err)
    }
}
