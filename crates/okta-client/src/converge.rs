//! Making an app change stay. Okta's apps API has no compare-and-swap: a PUT replaces the whole
//! app, so another writer's read-modify-write that read the app before our write silently
//! undoes it. The per-app lock only orders writers inside this process; other processes (a
//! second `terraform apply`, a person in the Admin Console) and our own writes that Okta
//! finishes after the client gave up on them ("late writes") are not ordered by it.
//!
//! So a change is confirmed: after the write, a short jittered pause, a direct (uncached) read,
//! and when the change is gone the read-modify-write is done again, up to `confirm_tries` times.
//! Writes this process sent without getting an answer may still land later; confirmations of
//! that app first wait until such a write can no longer land ([`super::late_writes`]).

use std::time::Duration;

use super::client::OktaClient;
use super::error::OktaError;
use super::models::OidcApp;

/// An app after one locked read-modify-write.
#[derive(Debug, Clone)]
pub struct AppWrite {
    /// The app as Okta returned it from the PUT, or as read when nothing had to change.
    pub app: OidcApp,
    /// Whether a PUT was sent.
    pub wrote: bool,
}

/// The pause before confirmation number `attempt` (1 = first): drawn from the upper five
/// eighths of `max` (150 to 400 ms with the default), doubled on each redo, so that writers
/// that collided do not confirm and redo in lockstep. `jitter` is in `[0, 1)`.
pub fn confirm_pause(max: Duration, attempt: u32, jitter: f64) -> Duration {
    let low = max.mul_f64(3.0 / 8.0);
    let base = low + (max - low).mul_f64(jitter.clamp(0.0, 1.0));
    base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(10)))
}

impl OktaClient {
    /// [`OktaClient::update_app_with`], then made to stay: confirmed after a pause and redone
    /// while another writer undid it (see the module docs). `holds` says whether the app has
    /// the change; `what` names it in the error when it never stays ("redirect URI
    /// https://…"). Returns the app of the last write, as [`OktaClient::update_app_with`].
    pub async fn update_app_confirmed<F, H>(
        &self,
        app_id: &str,
        what: &str,
        mut change: F,
        holds: H,
    ) -> Result<OidcApp, OktaError>
    where
        F: FnMut(&mut OidcApp),
        H: Fn(&OidcApp) -> bool,
    {
        let guard = self.lock_app(app_id).await?;
        let first = self.update_app_locked_write(&guard, &mut change).await?;
        drop(guard);
        self.converge_app(app_id, what, first, change, holds).await
    }

    /// Confirms `first` (a write the caller made under the app lock, now released) and redoes
    /// the read-modify-write with `change` while the change is found undone.
    pub async fn converge_app<F, H>(
        &self,
        app_id: &str,
        what: &str,
        first: AppWrite,
        mut change: F,
        holds: H,
    ) -> Result<OidcApp, OktaError>
    where
        F: FnMut(&mut OidcApp),
        H: Fn(&OidcApp) -> bool,
    {
        let mut write = first;
        let mut tries = 1;
        loop {
            if self.confirm_app(app_id, &write, &holds, tries).await? {
                return Ok(write.app);
            }
            if tries >= self.config().confirm_tries {
                return Err(OktaError::NotConverged {
                    app_id: app_id.to_owned(),
                    what: what.to_owned(),
                    tries,
                });
            }
            tries += 1;
            tracing::warn!(
                app_id,
                what,
                tries,
                "another writer undid the change to the app; writing it again"
            );
            let guard = self.lock_app(app_id).await?;
            write = self.update_app_locked_write(&guard, &mut change).await?;
        }
    }

    /// Whether the change of `write` is still on the app. Nothing to confirm (true at once):
    /// the written app does not have it (refused, or Okta did not keep it: the caller reports
    /// that), or nothing was written and no late write of ours can still land. Otherwise waits
    /// (jittered, and until our late writes can no longer land) and reads the app directly.
    async fn confirm_app<H>(
        &self,
        app_id: &str,
        write: &AppWrite,
        holds: &H,
        attempt: u32,
    ) -> Result<bool, OktaError>
    where
        H: Fn(&OidcApp) -> bool,
    {
        if !holds(&write.app) {
            return Ok(true);
        }
        let mut settle = self.late_writes().remaining(app_id);
        if !write.wrote && settle.is_none() {
            return Ok(true);
        }
        let pause = confirm_pause(self.config().confirm_pause, attempt, rand::random::<f64>());
        self.sleep(pause.max(settle.unwrap_or_default())).await?;
        // A write that timed out meanwhile (another resource's retry) extends the wait.
        while let Some(more) = self.late_writes().remaining(app_id) {
            if settle.is_some_and(|s| s >= more) {
                break;
            }
            tracing::info!(
                app_id,
                wait_ms = more.as_millis() as u64,
                "waiting for a late app write to land before confirming"
            );
            self.sleep(more).await?;
            settle = Some(more);
        }
        match self.apps().get(app_id).await? {
            Some(app) => Ok(holds(&app)),
            // Deleted meanwhile: the caller's next step reports it (or a destroy is done).
            None => Ok(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientConfig;
    use okta_emulator::EmulatorConfig;

    const TOKEN: &str = "00emulatorTokenForConvergeTests";

    /// Every write is "undone": the PUT's answer carries the client secret, a GET never does.
    /// The change is written `confirm_tries` times, each confirmed by a GET, then given up with
    /// an error naming the app and the change.
    #[tokio::test]
    async fn a_change_that_never_stays_is_given_up_after_the_tries() {
        let emu = okta_emulator::spawn(EmulatorConfig::ephemeral().with_api_token(TOKEN))
            .await
            .expect("emulator");
        let config = ClientConfig {
            confirm_tries: 3,
            confirm_pause: Duration::from_millis(2),
            ..Default::default()
        };
        let url = url::Url::parse(emu.base_url()).expect("url");
        let client = OktaClient::new(url, TOKEN, config).expect("client");
        let mut app = OidcApp::new("converge", "web");
        app.set_redirect_uris(&["https://base.example.com/cb".to_string()]);
        app.set_grant_types(&["authorization_code".to_string()]);
        app.set_response_types(&["code".to_string()]);
        app.set_token_endpoint_auth_method("client_secret_basic");
        let created = client.apps().create(&app, true).await.expect("app");
        let id = created.id().expect("id").to_string();

        let mut writes = 0;
        let change = |app: &mut OidcApp| {
            writes += 1;
            app.set_label(&format!("converge {writes}"));
        };
        let holds = |app: &OidcApp| app.client_secret().is_some();
        let err = client
            .update_app_confirmed(&id, "test label", change, holds)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, OktaError::NotConverged { app_id, what, tries: 3 } if *app_id == id && what == "test label"),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&id) && text.contains("test label") && text.contains("3 writes"),
            "{text}"
        );
        assert_eq!(writes, 3);
        emu.shutdown().await.expect("shutdown");
    }

    #[test]
    fn pauses_are_jittered_and_grow() {
        let max = Duration::from_millis(400);
        assert_eq!(confirm_pause(max, 1, 0.0), Duration::from_millis(150));
        assert!(confirm_pause(max, 1, 0.999) <= max);
        assert!(confirm_pause(max, 1, 0.5) > Duration::from_millis(150));
        assert_eq!(confirm_pause(max, 3, 0.0), Duration::from_millis(600));
        assert_eq!(confirm_pause(Duration::ZERO, 4, 0.7), Duration::ZERO);
        // Bounded however many redos.
        assert!(confirm_pause(max, 1000, 1.0) <= max * 1024);
    }
}
