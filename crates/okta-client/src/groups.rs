//! Groups API (`/api/v1/groups`).

use http::Method;

use super::client::{ApiRequest, OktaClient};
use super::error::OktaError;
use super::models::{Group, NewGroup};

/// `client.groups()`.
#[derive(Clone, Copy, Debug)]
pub struct Groups<'a> {
    client: &'a OktaClient,
}

impl OktaClient {
    pub fn groups(&self) -> Groups<'_> {
        Groups { client: self }
    }
}

impl Groups<'_> {
    fn url(&self, id: Option<&str>) -> Result<url::Url, OktaError> {
        let mut segments = vec!["api", "v1", "groups"];
        segments.extend(id);
        self.client.url(&segments)
    }

    pub async fn get(&self, id: &str) -> Result<Option<Group>, OktaError> {
        self.client
            .call_optional(ApiRequest::new(Method::GET, self.url(Some(id))?))
            .await
    }

    /// Every group, or those whose name starts with `q` (pages of 200).
    pub async fn list(&self, q: Option<&str>) -> Result<Vec<Group>, OktaError> {
        let mut url = self.url(None)?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(q) = q {
                pairs.append_pair("q", q);
            }
            pairs.append_pair("limit", "200");
        }
        self.client.list_all(url).await
    }

    /// `POST /api/v1/groups` (not retried after a 5xx/timeout: it may have been created).
    pub async fn create(&self, group: &NewGroup) -> Result<Group, OktaError> {
        self.client
            .call(ApiRequest::new(Method::POST, self.url(None)?).json(group)?)
            .await
    }

    /// `Ok(false)` if it was gone.
    pub async fn delete(&self, id: &str) -> Result<bool, OktaError> {
        self.client
            .call_delete(ApiRequest::new(Method::DELETE, self.url(Some(id))?))
            .await
    }
}
