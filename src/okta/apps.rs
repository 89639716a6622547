//! Applications API (`/api/v1/apps`) and the locked read-modify-write of an app.

use http::{Method, StatusCode};

use super::client::{ApiRequest, OktaClient};
use super::error::{ApiError, OktaError};
use super::locks::AppLockGuard;
use super::models::OidcApp;
use super::retry::{wait_before_retry, Failure};
use super::TransportKind;

/// Query of [`Apps::list`]. Okta allows one `filter` expression (e.g. `status eq "ACTIVE"`);
/// `q` matches the start of name or label.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppListQuery {
    pub q: Option<String>,
    pub filter: Option<String>,
    /// Page size (Okta's maximum, 200, when unset).
    pub limit: Option<u32>,
}

/// `client.apps()`: the Applications API.
#[derive(Clone, Copy, Debug)]
pub struct Apps<'a> {
    client: &'a OktaClient,
}

impl OktaClient {
    pub fn apps(&self) -> Apps<'_> {
        Apps { client: self }
    }
}

impl Apps<'_> {
    fn url(&self, id: Option<&str>, tail: &[&str]) -> Result<url::Url, OktaError> {
        let mut segments = vec!["api", "v1", "apps"];
        segments.extend(id);
        segments.extend_from_slice(tail);
        self.client.url(&segments)
    }

    /// `POST /api/v1/apps?activate=…`. The response carries the generated `client_secret`.
    /// Not retried after a 5xx or timeout (it may have been created): the caller should look
    /// the app up by label before creating again.
    pub async fn create(&self, app: &OidcApp, activate: bool) -> Result<OidcApp, OktaError> {
        let mut url = self.url(None, &[])?;
        url.query_pairs_mut()
            .append_pair("activate", if activate { "true" } else { "false" });
        self.client
            .call(ApiRequest::new(Method::POST, url).json(app)?)
            .await
    }

    /// `GET /api/v1/apps/{id}`; `Ok(None)` when Okta says 404. Never contains `client_secret`.
    pub async fn get(&self, id: &str) -> Result<Option<OidcApp>, OktaError> {
        self.client
            .call_optional(ApiRequest::new(Method::GET, self.url(Some(id), &[])?))
            .await
    }

    /// `PUT /api/v1/apps/{id}`: replaces the whole app with `app`, which should come from a GET
    /// (see [`OktaClient::update_app_with`], which also takes the app lock).
    pub async fn replace(&self, id: &str, app: &OidcApp) -> Result<OidcApp, OktaError> {
        self.client
            .call(ApiRequest::new(Method::PUT, self.url(Some(id), &[])?).json(app)?)
            .await
    }

    /// `POST /api/v1/apps/{id}/lifecycle/activate` (idempotent, so retried like a PUT).
    pub async fn activate(&self, id: &str) -> Result<(), OktaError> {
        let url = self.url(Some(id), &["lifecycle", "activate"])?;
        self.client
            .call_no_content(ApiRequest::new(Method::POST, url).idempotent(true))
            .await
    }

    /// `POST /api/v1/apps/{id}/lifecycle/deactivate` (idempotent).
    pub async fn deactivate(&self, id: &str) -> Result<(), OktaError> {
        let url = self.url(Some(id), &["lifecycle", "deactivate"])?;
        self.client
            .call_no_content(ApiRequest::new(Method::POST, url).idempotent(true))
            .await
    }

    /// `DELETE /api/v1/apps/{id}` (the app must be INACTIVE). `Ok(false)` if it was gone.
    pub async fn delete(&self, id: &str) -> Result<bool, OktaError> {
        self.client
            .call_delete(ApiRequest::new(Method::DELETE, self.url(Some(id), &[])?))
            .await
    }

    /// `GET /api/v1/apps` with every page.
    pub async fn list(&self, query: &AppListQuery) -> Result<Vec<OidcApp>, OktaError> {
        let mut url = self.url(None, &[])?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(q) = &query.q {
                pairs.append_pair("q", q);
            }
            if let Some(f) = &query.filter {
                pairs.append_pair("filter", f);
            }
            pairs.append_pair("limit", &query.limit.unwrap_or(200).to_string());
        }
        self.client.list_all(url).await
    }
}

impl OktaClient {
    /// Takes the in-process lock of one app (cancellable).
    pub async fn lock_app(&self, app_id: &str) -> Result<AppLockGuard, OktaError> {
        tokio::select! {
            guard = self.app_locks().lock(app_id) => Ok(guard),
            _ = self.cancellation_token().cancelled() => Err(OktaError::Cancelled),
        }
    }

    /// Read-modify-write of one app under its lock: GET, apply `change`, PUT the full object
    /// (every field `change` did not touch goes back exactly as Okta sent it). If `change` left
    /// the app as it was, nothing is sent. If Okta rejects the PUT as a concurrent update (409 or
    /// `E0000039`), the app is read again and `change` re-applied, at most `max_retries` times.
    /// Returns the app as Okta returned it (including `client_secret` after a PUT).
    pub async fn update_app_with<F>(&self, app_id: &str, change: F) -> Result<OidcApp, OktaError>
    where
        F: FnMut(&mut OidcApp),
    {
        let guard = self.lock_app(app_id).await?;
        self.update_app_locked(&guard, change).await
    }

    /// [`Self::update_app_with`] for a caller already holding the app's lock (e.g. to change the
    /// status and the settings as one step).
    pub async fn update_app_locked<F>(
        &self,
        guard: &AppLockGuard,
        mut change: F,
    ) -> Result<OidcApp, OktaError>
    where
        F: FnMut(&mut OidcApp),
    {
        let id = guard.app_id();
        let mut conflicts = 0;
        loop {
            let current = match self.apps().get(id).await? {
                Some(app) => app,
                None => return Err(app_not_found(id)),
            };
            let mut updated = current.clone();
            change(&mut updated);
            if updated == current {
                return Ok(current);
            }
            match self.apps().replace(id, &updated).await {
                Err(e) if e.is_concurrent_update() && conflicts < self.config().max_retries => {
                    conflicts += 1;
                    tracing::debug!(
                        app_id = id,
                        conflicts,
                        "okta rejected a concurrent app update; re-reading"
                    );
                    let wait = wait_before_retry(
                        Failure::Transport(TransportKind::Other),
                        conflicts,
                        self.clock().now(),
                        self.config(),
                        rand::random::<f64>(),
                    );
                    self.sleep(wait).await?;
                }
                result => return result,
            }
        }
    }
}

fn app_not_found(id: &str) -> OktaError {
    let mut err = ApiError::from_response(
        StatusCode::NOT_FOUND,
        "GET",
        &format!("/api/v1/apps/{id}"),
        b"",
    );
    err.summary = format!("the app {id} does not exist");
    err.into()
}
