//! API Tokens API (`/api/v1/api-tokens`). Okta has no endpoint to create an SSWS token (Admin
//! Console only), so tokens are adopted: read, renamed / network-restricted, revoked.

use http::Method;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

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

    /// The token `id` while it is active (`None` when gone or expired).
    pub async fn get_active(&self, id: &str) -> Result<Option<ApiToken>, OktaError> {
        let now = OffsetDateTime::now_utc();
        Ok(self.get(id).await?.filter(|t| !t.is_expired(now)))
    }

    /// The active tokens of user `owner`.
    pub async fn active_of(&self, owner: &str) -> Result<Vec<ApiToken>, OktaError> {
        let now = OffsetDateTime::now_utc();
        let mut all = self.list().await?;
        all.retain(|t| t.user_id.as_deref() == Some(owner) && !t.is_expired(now));
        Ok(all)
    }

    /// `GET /api/v1/users/me` with `token` itself: the id of the user it authenticates as
    /// (`None` if Okta's answer has none). A 401 means the token does not work.
    pub async fn owner(&self, token: &Secret) -> Result<Option<String>, OktaError> {
        Ok(self.client.users().me(Some(token)).await?.id)
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

impl ApiToken {
    /// Okta lists only active tokens, but a token read just as it expires (or from an emulator
    /// that keeps expired ones) can carry an `expiresAt` in the past.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at
            .as_deref()
            .and_then(|at| OffsetDateTime::parse(at, &Rfc3339).ok())
            .is_some_and(|at| at <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_read_from_expires_at() {
        let now = OffsetDateTime::parse("2025-11-25T12:00:00Z", &Rfc3339).expect("time");
        let token = |at: Option<&str>| ApiToken {
            expires_at: at.map(str::to_string),
            ..Default::default()
        };
        assert!(token(Some("2025-11-25T12:00:00.000Z")).is_expired(now));
        assert!(!token(Some("2025-11-25T12:00:01.000Z")).is_expired(now));
        // No or unreadable expiry: taken as active, as Okta listed it.
        assert!(!token(None).is_expired(now));
        assert!(!token(Some("soon")).is_expired(now));
    }
}
