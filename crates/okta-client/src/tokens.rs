//! API Tokens API (`/api/v1/api-tokens`). Okta has no endpoint to create an SSWS token (Admin
//! Console only), so tokens are adopted: read, renamed / network-restricted, revoked.

use http::Method;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::client::{ApiRequest, OktaClient};
use super::error::OktaError;
use super::models::{ApiToken, ApiTokenUpdate};
use super::secret::Secret;

/// Why a lookup of a user's token found no single active token.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenMiss {
    /// Okta has no active token with that id: revoked, expired or mistyped.
    NoSuchId,
    /// The token with that id belongs to another user (Okta's `userId`, if it sent one).
    OtherUser(Option<String>),
    /// None of the user's active tokens has that name; the names they have, in Okta's order.
    NoSuchName(Vec<String>),
    /// Several of the user's active tokens have that name.
    SameName(Vec<ApiToken>),
}

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

    /// The active token `id` if it belongs to user `owner`.
    pub async fn active_by_id(
        &self,
        id: &str,
        owner: &str,
    ) -> Result<Result<ApiToken, TokenMiss>, OktaError> {
        Ok(match self.get_active(id).await? {
            None => Err(TokenMiss::NoSuchId),
            Some(t) if t.user_id.as_deref() == Some(owner) => Ok(t),
            Some(t) => Err(TokenMiss::OtherUser(t.user_id)),
        })
    }

    /// The only active token of user `owner` named `name` (lists all tokens: one call a page).
    pub async fn active_by_name(
        &self,
        name: &str,
        owner: &str,
    ) -> Result<Result<ApiToken, TokenMiss>, OktaError> {
        Ok(only_named(self.active_of(owner).await?, name))
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

/// The only one of `tokens` named `name`.
fn only_named(tokens: Vec<ApiToken>, name: &str) -> Result<ApiToken, TokenMiss> {
    let (mut named, others): (Vec<_>, Vec<_>) =
        (tokens.into_iter()).partition(|t| t.name.as_deref() == Some(name));
    match named.len() {
        0 => Err(TokenMiss::NoSuchName(
            others.into_iter().filter_map(|t| t.name).collect(),
        )),
        1 => Ok(named.remove(0)),
        _ => Err(TokenMiss::SameName(named)),
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

    #[test]
    fn only_named_finds_one_token_or_says_why_not() {
        let token = |id: &str, name: Option<&str>| ApiToken {
            id: Some(id.into()),
            name: name.map(str::to_string),
            ..Default::default()
        };
        let tokens = vec![
            token("00T1", Some("sync")),
            token("00T2", None),
            token("00T3", Some("ci")),
            token("00T4", Some("ci")),
        ];
        assert_eq!(only_named(tokens.clone(), "sync"), Ok(tokens[0].clone()));
        assert_eq!(
            only_named(tokens.clone(), "other"),
            Err(TokenMiss::NoSuchName(vec![
                "sync".into(),
                "ci".into(),
                "ci".into()
            ]))
        );
        assert_eq!(
            only_named(tokens.clone(), "ci"),
            Err(TokenMiss::SameName(tokens[2..].to_vec()))
        );
        assert_eq!(
            only_named(Vec::new(), "ci"),
            Err(TokenMiss::NoSuchName(Vec::new()))
        );
    }
}
