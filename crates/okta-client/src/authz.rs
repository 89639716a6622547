//! Groups claims: claims of custom authorization servers (public claims API) and the org
//! authorization server's per-app ID-token claim (Okta's internal API, SSWS only).

use http::Method;

use super::client::{ApiRequest, OktaClient};
use super::error::OktaError;
use super::models::{AppIdTokenClaim, AuthServerClaim};

/// `client.auth_server_claims()`.
#[derive(Clone, Copy, Debug)]
pub struct AuthServerClaims<'a> {
    client: &'a OktaClient,
}

/// `client.app_id_token_claims()`.
#[derive(Clone, Copy, Debug)]
pub struct AppIdTokenClaims<'a> {
    client: &'a OktaClient,
}

impl OktaClient {
    pub fn auth_server_claims(&self) -> AuthServerClaims<'_> {
        AuthServerClaims { client: self }
    }

    pub fn app_id_token_claims(&self) -> AppIdTokenClaims<'_> {
        AppIdTokenClaims { client: self }
    }
}

impl AuthServerClaims<'_> {
    fn url(&self, server_id: &str, claim_id: Option<&str>) -> Result<url::Url, OktaError> {
        let mut segments = vec!["api", "v1", "authorizationServers", server_id, "claims"];
        segments.extend(claim_id);
        self.client.url(&segments)
    }

    /// Every claim of the server (Okta does not page this list).
    pub async fn list(&self, server_id: &str) -> Result<Vec<AuthServerClaim>, OktaError> {
        self.client
            .call(ApiRequest::new(Method::GET, self.url(server_id, None)?))
            .await
    }

    /// `None` when the claim (or the server) does not exist.
    pub async fn get(
        &self,
        server_id: &str,
        claim_id: &str,
    ) -> Result<Option<AuthServerClaim>, OktaError> {
        self.client
            .call_optional(ApiRequest::new(
                Method::GET,
                self.url(server_id, Some(claim_id))?,
            ))
            .await
    }

    /// `POST …/claims` (not idempotent: a retry after a lost answer could create a duplicate,
    /// which Okta refuses by name).
    pub async fn create(
        &self,
        server_id: &str,
        claim: &AuthServerClaim,
    ) -> Result<AuthServerClaim, OktaError> {
        let req = ApiRequest::new(Method::POST, self.url(server_id, None)?).json(claim)?;
        self.client.call(req).await
    }

    /// `PUT …/claims/{id}`: full replace.
    pub async fn replace(
        &self,
        server_id: &str,
        claim_id: &str,
        claim: &AuthServerClaim,
    ) -> Result<AuthServerClaim, OktaError> {
        let req = ApiRequest::new(Method::PUT, self.url(server_id, Some(claim_id))?).json(claim)?;
        self.client.call(req).await
    }

    /// `Ok(false)` if the claim did not exist.
    pub async fn delete(&self, server_id: &str, claim_id: &str) -> Result<bool, OktaError> {
        self.client
            .call_delete(ApiRequest::new(
                Method::DELETE,
                self.url(server_id, Some(claim_id))?,
            ))
            .await
    }
}

impl AppIdTokenClaims<'_> {
    fn url(&self, app_id: &str) -> Result<url::Url, OktaError> {
        self.client.url(&[
            "api", "v1", "internal", "apps", app_id, "settings", "oauth", "idToken",
        ])
    }

    /// The app's claim settings; `None` when the app does not exist.
    pub async fn get(&self, app_id: &str) -> Result<Option<AppIdTokenClaim>, OktaError> {
        self.client
            .call_optional(ApiRequest::new(Method::GET, self.url(app_id)?))
            .await
    }

    /// `POST`: sets (replaces) the claim; the same body every time, so safe to retry.
    pub async fn set(
        &self,
        app_id: &str,
        claim: &AppIdTokenClaim,
    ) -> Result<AppIdTokenClaim, OktaError> {
        let req = ApiRequest::new(Method::POST, self.url(app_id)?)
            .json(claim)?
            .idempotent(true);
        self.client.call(req).await
    }

    /// Clears the claim as Okta's own Terraform provider does (empty name, value and type).
    pub async fn clear(&self, app_id: &str, issuer_mode: &str) -> Result<(), OktaError> {
        let body = AppIdTokenClaim {
            issuer_mode: Some(issuer_mode.to_string()),
            value_type: Some(String::new()),
            name: Some(String::new()),
            value: Some(String::new()),
            ..Default::default()
        };
        self.set(app_id, &body).await.map(drop)
    }
}
