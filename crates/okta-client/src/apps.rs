//! Applications API (`/api/v1/apps`) and the locked read-modify-write of an app.

use http::{Method, StatusCode};

use super::client::{ApiRequest, OktaClient};
use super::converge::AppWrite;
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
    /// Always asks Okta (read-modify-writes and confirmations need the app as it is now).
    pub async fn get(&self, id: &str) -> Result<Option<OidcApp>, OktaError> {
        self.client
            .call_optional(ApiRequest::new(Method::GET, self.url(Some(id), &[])?))
            .await
    }

    /// [`Self::get`] for a refresh: shared with concurrent and recent refresh reads of the app
    /// in this process, forgotten on any write to it (`read_cache.rs`).
    pub async fn get_shared(&self, id: &str) -> Result<Option<OidcApp>, OktaError> {
        self.client
            .app_reads()
            .get_or_fetch(id, || self.get(id))
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

    /// Activates or deactivates the app.
    pub async fn set_active(&self, id: &str, active: bool) -> Result<(), OktaError> {
        if active {
            self.activate(id).await
        } else {
            self.deactivate(id).await
        }
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
        Ok(self.update_app_locked_write(guard, &mut change).await?.app)
    }

    /// [`Self::update_app_locked`], also saying whether a PUT was sent (what
    /// [`Self::converge_app`] confirms).
    pub async fn update_app_locked_write<F>(
        &self,
        guard: &AppLockGuard,
        change: &mut F,
    ) -> Result<AppWrite, OktaError>
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
                return Ok(AppWrite {
                    app: current,
                    wrote: false,
                });
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
                result => {
                    return result.map(|app| AppWrite { app, wrote: true });
                }
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

/// The outcome of [`OktaClient::create_app_or_adopt`].
#[derive(Debug)]
pub struct CreatedApp {
    pub app: OidcApp,
    /// The generated client secret (from the create response, or looked up after adoption).
    pub secret: Option<String>,
    /// Set when the create failed uncertainly and the app it made was found: the failure.
    pub adopted_after: Option<OktaError>,
}

impl OktaClient {
    /// Creates the app. When the create fails in a way that may still have created it (no
    /// answer, or a gateway error), looks for that app rather than leave an orphan that a
    /// retried apply would duplicate; the original error stands when none is found.
    pub async fn create_app_or_adopt(
        &self,
        app: &OidcApp,
        activate: bool,
    ) -> Result<CreatedApp, OktaError> {
        let err = match self.apps().create(app, activate).await {
            Ok(app) => {
                let secret = app.client_secret().map(|s| s.expose().to_string());
                return Ok(CreatedApp {
                    app,
                    secret,
                    adopted_after: None,
                });
            }
            Err(e) if create_may_have_happened(&e) => e,
            Err(e) => return Err(e),
        };
        let Some(found) = self.find_created_app(app).await else {
            return Err(err);
        };
        let secret = self
            .app_secrets()
            .newest_active(found.id().unwrap_or_default())
            .await
            .ok()
            .flatten()
            .map(|v| v.expose().to_string());
        Ok(CreatedApp {
            app: found,
            secret,
            adopted_after: Some(err),
        })
    }

    /// Looks for the app an uncertain create may have made, a few times over ten seconds: the
    /// request may still be in Okta's hands when the client gives up on it.
    async fn find_created_app(&self, wanted: &OidcApp) -> Option<OidcApp> {
        for wait_seconds in 1..=4u64 {
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(wait_seconds)) => {}
                _ = self.cancellation_token().cancelled() => return None,
            }
            if let Some(app) = self.find_created_app_once(wanted).await {
                return Some(app);
            }
        }
        None
    }

    /// Same label and redirect URIs, created in the last ten minutes, and exactly one such app.
    async fn find_created_app_once(&self, wanted: &OidcApp) -> Option<OidcApp> {
        let label = wanted.label()?;
        let query = AppListQuery {
            q: Some(label.to_string()),
            ..Default::default()
        };
        let recent = time::OffsetDateTime::now_utc() - time::Duration::minutes(10);
        let created_recently = |app: &OidcApp| {
            app.created()
                .and_then(|c| {
                    time::OffsetDateTime::parse(c, &time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .is_some_and(|c| c >= recent)
        };
        let mut matches: Vec<OidcApp> = self
            .apps()
            .list(&query)
            .await
            .ok()?
            .into_iter()
            .filter(|app| {
                app.label() == Some(label)
                    && app.redirect_uris() == wanted.redirect_uris()
                    && created_recently(app)
            })
            .collect();
        (matches.len() == 1).then(|| matches.remove(0))
    }

    /// Deactivates and deletes the app; an app already gone counts as deleted. Okta forbids
    /// deleting an ACTIVE app and may still see it as active just after deactivation (403).
    pub async fn deactivate_and_delete_app(&self, app_id: &str) -> Result<(), OktaError> {
        match self.apps().deactivate(app_id).await {
            Err(e) if e.is_not_found() => return Ok(()),
            other => other?,
        }
        let mut attempt = 0u32;
        loop {
            match self.apps().delete(app_id).await {
                Ok(_) => return Ok(()),
                Err(e) if e.status().map(|s| s.as_u16()) == Some(403) && attempt < 5 => {
                    attempt += 1;
                    let wait = std::time::Duration::from_millis(200 * u64::from(attempt));
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = self.cancellation_token().cancelled() => return Err(OktaError::Cancelled),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// A failed create whose request may still have reached Okta (no answer, or a gateway error).
fn create_may_have_happened(err: &OktaError) -> bool {
    match err {
        OktaError::Transport(t) => {
            !matches!(t.kind, TransportKind::Connect | TransportKind::Resolve)
        }
        OktaError::Api(_) => err.status().is_some_and(|s| s.is_server_error()),
        _ => false,
    }
}
