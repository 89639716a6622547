//! Client secrets of an app (`/api/v1/apps/{id}/credentials/secrets`): at most two per app;
//! rotate by creating a new one, then deactivating and deleting the old one (or, for a
//! zero-downtime rotation, keeping the previous one until the next rotation).

use crate::secret::Secret;
use http::Method;

use super::client::{ApiRequest, OktaClient};
use super::error::OktaError;
use super::models::{ClientSecret, NewClientSecret};

/// `client.app_secrets()`.
#[derive(Clone, Copy, Debug)]
pub struct AppSecrets<'a> {
    client: &'a OktaClient,
}

impl OktaClient {
    pub fn app_secrets(&self) -> AppSecrets<'_> {
        AppSecrets { client: self }
    }
}

impl AppSecrets<'_> {
    fn url(&self, app_id: &str, tail: &[&str]) -> Result<url::Url, OktaError> {
        let mut segments = vec!["api", "v1", "apps", app_id, "credentials", "secrets"];
        segments.extend_from_slice(tail);
        self.client.url(&segments)
    }

    pub async fn list(&self, app_id: &str) -> Result<Vec<ClientSecret>, OktaError> {
        self.client.list_all(self.url(app_id, &[])?).await
    }

    /// The secret Okta answers requests with: the newest ACTIVE one (one list call).
    pub async fn newest_active(&self, app_id: &str) -> Result<Option<Secret>, OktaError> {
        Ok(self
            .list(app_id)
            .await?
            .into_iter()
            .filter(ClientSecret::is_active)
            .max_by(|a, b| a.created.cmp(&b.created))
            .and_then(|s| s.client_secret))
    }

    /// `POST …/secrets` (201). `NewClientSecret::default()` lets Okta generate the value.
    pub async fn create(
        &self,
        app_id: &str,
        body: &NewClientSecret,
    ) -> Result<ClientSecret, OktaError> {
        self.client
            .call(ApiRequest::new(Method::POST, self.url(app_id, &[])?).json(body)?)
            .await
    }

    pub async fn get(
        &self,
        app_id: &str,
        secret_id: &str,
    ) -> Result<Option<ClientSecret>, OktaError> {
        self.client
            .call_optional(ApiRequest::new(
                Method::GET,
                self.url(app_id, &[secret_id])?,
            ))
            .await
    }

    pub async fn activate(&self, app_id: &str, secret_id: &str) -> Result<ClientSecret, OktaError> {
        let url = self.url(app_id, &[secret_id, "lifecycle", "activate"])?;
        self.client
            .call(ApiRequest::new(Method::POST, url).idempotent(true))
            .await
    }

    /// Okta refuses to deactivate the only active secret (400).
    pub async fn deactivate(
        &self,
        app_id: &str,
        secret_id: &str,
    ) -> Result<ClientSecret, OktaError> {
        let url = self.url(app_id, &[secret_id, "lifecycle", "deactivate"])?;
        self.client
            .call(ApiRequest::new(Method::POST, url).idempotent(true))
            .await
    }

    /// Only INACTIVE secrets can be deleted. `Ok(false)` if it was gone.
    pub async fn delete(&self, app_id: &str, secret_id: &str) -> Result<bool, OktaError> {
        self.client
            .call_delete(ApiRequest::new(
                Method::DELETE,
                self.url(app_id, &[secret_id])?,
            ))
            .await
    }
}

/// The outcome of [`AppSecrets::rotate`].
#[derive(Debug)]
pub struct Rotated {
    /// The new secret's value (empty if Okta returned none).
    pub secret: String,
    /// Old secrets that could not be deactivated and deleted after the new one was in place.
    pub leftovers: Vec<(String, OktaError)>,
}

/// What happens to the secret in use when a new one is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Previous {
    /// Deactivate and delete it once the new one exists (right after a leak).
    Retire,
    /// Leave it ACTIVE next to the new one, so running clients keep working until they pick up
    /// the new secret. Anything older is retired: Okta allows two secrets.
    Keep,
}

impl AppSecrets<'_> {
    /// Rotates the client secret: creates a new one, then retires the others, except the newest
    /// active one with [`Previous::Keep`].
    pub async fn rotate(&self, app_id: &str, previous: Previous) -> Result<Rotated, OktaError> {
        let mut existing = self.list(app_id).await?;
        existing.sort_by(|a, b| a.created.cmp(&b.created));
        let kept = match previous {
            Previous::Keep => newest_active_index(&existing).map(|i| existing.remove(i)),
            Previous::Retire => None,
        };
        // Okta keeps at most two secrets: make room by dropping the oldest ones first.
        let room = if kept.is_some() { 1 } else { 2 };
        while existing.len() >= room {
            let oldest = existing.remove(0);
            if let Some(id) = oldest.id.as_deref() {
                self.retire(app_id, id, oldest.is_active()).await?;
            }
        }
        let created = self.create(app_id, &NewClientSecret::default()).await?;
        let secret = created
            .client_secret
            .as_ref()
            .map(|s| s.expose().to_string())
            .unwrap_or_default();
        let leftovers = self.retire_all(app_id, existing).await;
        Ok(Rotated { secret, leftovers })
    }

    /// Retires every secret but the newest active one: what ends a rotation's overlap.
    pub async fn retire_previous(
        &self,
        app_id: &str,
    ) -> Result<Vec<(String, OktaError)>, OktaError> {
        let mut existing = self.list(app_id).await?;
        if let Some(i) = newest_active_index(&existing) {
            existing.remove(i);
        }
        Ok(self.retire_all(app_id, existing).await)
    }

    async fn retire_all(
        &self,
        app_id: &str,
        secrets: Vec<ClientSecret>,
    ) -> Vec<(String, OktaError)> {
        let mut leftovers = Vec::new();
        for old in secrets {
            let active = old.is_active();
            let Some(id) = old.id else { continue };
            if let Err(e) = self.retire(app_id, &id, active).await {
                leftovers.push((id, e));
            }
        }
        leftovers
    }

    /// Deactivates (when active) and deletes one secret.
    async fn retire(&self, app_id: &str, secret_id: &str, active: bool) -> Result<(), OktaError> {
        if active {
            self.deactivate(app_id, secret_id).await?;
        }
        self.delete(app_id, secret_id).await.map(drop)
    }
}

fn newest_active_index(secrets: &[ClientSecret]) -> Option<usize> {
    secrets
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_active())
        .max_by(|(_, a), (_, b)| a.created.cmp(&b.created))
        .map(|(i, _)| i)
}
