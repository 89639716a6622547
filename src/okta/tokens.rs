//! API Tokens API (`/api/v1/api-tokens`). Okta has no endpoint to create an SSWS token (Admin
//! Console only), so tokens are adopted: read, renamed / network-restricted, revoked.

use http::Method;

use super::client::{ApiRequest, OktaClient};
use super::error::OktaError;
use super::models::{ApiToken, ApiTokenUpdate};
use super::secret::Secret;

/// `client.api_tokens()`.
#[derive(Clone, Copy, Debug)]
pub struct ApiTokens<'a> {
    client: &'a OktaClient,
}

impl OktaClient {
    pub fn api_tokens(&self) -> ApiTokens<'_> {
        ApiTokens { client: self }
    }
}

impl ApiTokens<'_> {
    fn url(&self, id: Option<&str>) -> Result<url::Url, OktaError> {
        let mut segments = vec!["api", "v1", "api-tokens"];
        segments.extend(id);
        self.client.url(&segments)
    }

    /// Metadata of the org's active tokens (follows `Link` pages should Okta send any).
    pub async fn list(&self) -> Result<Vec<ApiToken>, OktaError> {
        self.client.list_all(self.url(None)?).await
    }

    pub async fn get(&self, id: &str) -> Result<Option<ApiToken>, OktaError> {
        self.client
            .call_optional(ApiRequest::new(Method::GET, self.url(Some(id))?))
            .await
    }

    /// `PUT /api/v1/api-tokens/{id}`: name and network condition.
    pub async fn update(&self, id: &str, body: &ApiTokenUpdate) -> Result<ApiToken, OktaError> {
        self.client
            .call(ApiRequest::new(Method::PUT, self.url(Some(id))?).json(body)?)
            .await
    }

    /// `DELETE /api/v1/api-tokens/{id}`. `Ok(false)` if it was gone.
    pub async fn revoke(&self, id: &str) -> Result<bool, OktaError> {
        self.client
            .call_delete(ApiRequest::new(Method::DELETE, self.url(Some(id))?))
            .await
    }

    /// `DELETE /api/v1/api-tokens/current`: revokes the token the request is made with — `token`
    /// if given, else (careful) the client's own token, after which the client is unusable.
    pub async fn revoke_current(&self, token: Option<&Secret>) -> Result<(), OktaError> {
        let req = ApiRequest::new(Method::DELETE, self.url(Some("current"))?).token(token);
        self.client.call_no_content(req).await
    }
}
