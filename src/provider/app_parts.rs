//! What the resources that manage one part of an app owned elsewhere share: reading the app,
//! and changing it by a locked read-modify-write that may refuse the change.

use crate::okta::{OidcApp, OktaClient, OktaError};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::typed::{Outcome, TypedResource};

use super::okta_diag;

/// The values of `kind`, in [`UriKind`] order.
pub const KINDS: &[&str] = &["sign_in", "post_logout"];

/// Which of the app's URI lists a URI belongs to (`oktaidp_oidc_app_redirect_uri`'s `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriKind {
    /// `settings.oauthClient.redirect_uris`.
    SignIn,
    /// `settings.oauthClient.post_logout_redirect_uris`.
    PostLogout,
}

impl UriKind {
    pub fn as_str(self) -> &'static str {
        KINDS[self as usize]
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [UriKind::SignIn, UriKind::PostLogout]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }

    /// What the Admin Console calls the list, for messages.
    pub fn list_name(self) -> &'static str {
        match self {
            UriKind::SignIn => "sign-in redirect URIs",
            UriKind::PostLogout => "sign-out redirect URIs",
        }
    }

    pub fn uris(self, app: &OidcApp) -> Vec<String> {
        match self {
            UriKind::SignIn => app.redirect_uris(),
            UriKind::PostLogout => app.post_logout_redirect_uris(),
        }
        .unwrap_or_default()
    }

    pub fn set_uris(self, app: &mut OidcApp, uris: &[String]) {
        match self {
            UriKind::SignIn => app.set_redirect_uris(uris),
            UriKind::PostLogout => app.set_post_logout_redirect_uris(uris),
        }
    }
}

/// Why a change cannot be made to this app, found before anything is sent to Okta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub summary: &'static str,
    pub detail: String,
}

impl Refusal {
    /// An error diagnostic at the attribute `attr`.
    pub fn report(self, diags: &mut Diagnostics, attr: &str) {
        diags.attr_error(AttrPath::root(attr), self.summary, self.detail);
    }
}

/// Refuses apps other than OIDC ones; `what_exists` says what only they have, for example
/// "redirect URIs exist".
pub fn require_oidc(app: &OidcApp, app_id: &str, what_exists: &str) -> Result<(), Refusal> {
    match app.sign_on_mode() {
        Some("OPENID_CONNECT") => Ok(()),
        other => Err(Refusal {
            summary: "Not an OIDC app",
            detail: format!(
                "App {app_id} has sign-on mode {}; {what_exists} only on OIDC apps (OPENID_CONNECT).",
                other.unwrap_or("unknown")
            ),
        }),
    }
}

/// What kind of app Okta's `application_type` names, for messages.
fn application_kind(application_type: &str) -> &'static str {
    match application_type {
        "service" => "an API Services app",
        "browser" => "a single-page (browser) app",
        "native" => "a native app",
        "web" => "a web app",
        _ => "an OIDC app of another type",
    }
}

/// Refuses every app but an OIDC web app (`oktaidp_oidc_app` manages only those: its plan would
/// turn any other app into one), naming the app's type.
pub fn require_oidc_web(app: &OidcApp, app_id: &str) -> Result<(), Refusal> {
    let oidc = app.sign_on_mode() == Some("OPENID_CONNECT");
    let detail = match (oidc, app.application_type()) {
        (true, Some("web")) => return Ok(()),
        (false, _) => format!(
            "App {app_id} has sign-on mode {} (name {}); oktaidp_oidc_app manages OIDC web apps only              (sign-on mode OPENID_CONNECT, application_type web).",
            app.sign_on_mode().unwrap_or("unknown"),
            app.name().unwrap_or("unknown"),
        ),
        (true, other) => format!(
            "App {app_id} is {} (application_type {}); oktaidp_oidc_app manages OIDC web apps only              (application_type web): its settings would turn the app into a web app, and destroy would              delete it.",
            application_kind(other.unwrap_or_default()),
            other.unwrap_or("missing"),
        ),
    };
    Err(Refusal {
        summary: "Not an OIDC web app",
        detail: format!(
            "{detail} Nothing was changed in Okta. Import a web app's ID, or leave this app out of              Terraform (its redirect URIs and refresh grant can still be managed with              oktaidp_oidc_app_redirect_uri and oktaidp_oidc_app_refresh_grant)."
        ),
    })
}

/// An import of a part of the app `app_id`: reads the app (the read that follows shares the
/// answer) and refuses apps that are not OIDC apps, naming their sign-on mode. `false` when
/// refused or unreadable (with a diagnostic); a missing app is left to the import's read.
pub async fn import_allowed(
    client: &OktaClient,
    app_id: &str,
    part: &str,
    diags: &mut Diagnostics,
) -> bool {
    match client.apps().get_shared(app_id).await {
        Ok(Some(app)) => match require_oidc(&app, app_id, &format!("{part}s exist")) {
            Ok(()) => true,
            Err(refusal) => {
                diags.error(refusal.summary, refusal.detail);
                false
            }
        },
        Ok(None) => true,
        Err(e) => {
            okta_diag::error(diags, &format!("reading app {app_id}"), &e);
            false
        }
    }
}

/// A change to one part of an app: `edit` makes it (or refuses), `holds` tells whether an app
/// has it (for the confirmation after the write), `what` names it in messages ("redirect URI
/// https://…").
pub struct PartChange<F, H> {
    pub what: String,
    pub edit: F,
    pub holds: H,
}

/// One locked read-modify-write of the app, confirmed and redone while another writer undoes
/// it (`update_app_confirmed`). `edit` may run more than once (Okta's concurrent-update
/// retries, redos); its last refusal wins, and a refused change sends nothing.
async fn modify_app<F, H>(
    client: &OktaClient,
    app_id: &str,
    change: PartChange<F, H>,
) -> Result<Result<OidcApp, Refusal>, OktaError>
where
    F: FnMut(&mut OidcApp) -> Result<(), Refusal>,
    H: Fn(&OidcApp) -> bool,
{
    let PartChange {
        what,
        mut edit,
        holds,
    } = change;
    let mut refusal = None;
    let app = client
        .update_app_confirmed(app_id, &what, |app| refusal = edit(app).err(), holds)
        .await?;
    Ok(refusal.map_or(Ok(app), Err))
}

/// [`modify_app`] for a create or update, reporting what went wrong (`action` says what was
/// being done): Okta's "not found" at `app_attr`, its other errors and a refusal at `attr`.
pub async fn modify_app_at<F, H>(
    client: &OktaClient,
    app_id: &str,
    action: &str,
    (app_attr, attr): (&str, &str),
    diags: &mut Diagnostics,
    change: PartChange<F, H>,
) -> Option<OidcApp>
where
    F: FnMut(&mut OidcApp) -> Result<(), Refusal>,
    H: Fn(&OidcApp) -> bool,
{
    let err = match modify_app(client, app_id, change).await {
        Ok(Ok(app)) => return Some(app),
        Ok(Err(refusal)) => {
            refusal.report(diags, attr);
            return None;
        }
        Err(e) => e,
    };
    let at = if err.is_not_found() { app_attr } else { attr };
    okta_diag::attr_error(diags, AttrPath::root(at), action, &err);
    None
}

/// [`modify_app`] for a destroy: an app that is already gone counts as done, any other Okta
/// error is reported (`action` says what was being done), and a refusal at `attr`.
pub async fn modify_app_unless_gone<F, H>(
    client: &OktaClient,
    app_id: &str,
    action: &str,
    attr: &str,
    diags: &mut Diagnostics,
    change: PartChange<F, H>,
) where
    F: FnMut(&mut OidcApp) -> Result<(), Refusal>,
    H: Fn(&OidcApp) -> bool,
{
    match modify_app(client, app_id, change).await {
        Ok(Ok(_)) => {}
        Ok(Err(refusal)) => refusal.report(diags, attr),
        Err(e) if e.is_not_found() => {
            tracing::info!(app_id = %app_id, "app already gone; nothing to do while {action}");
        }
        Err(e) => okta_diag::error(diags, action, &e),
    }
}

/// The `part` (for example "redirect URI") as the app Okta returned from an accepted write
/// shows it (`found`). Missing: the error "Okta did not keep the <part>" at `attr`, with the
/// `detail` of what is missing.
pub fn kept<T>(
    found: Option<T>,
    part: &str,
    attr: &str,
    diags: &mut Diagnostics,
    detail: impl FnOnce() -> String,
) -> Option<T> {
    if found.is_none() {
        let summary = format!("Okta did not keep the {part}");
        diags.attr_error(AttrPath::root(attr), summary, detail());
    }
    found
}

/// Reads the app for a refresh or an import (one GET, shared with the other refresh reads of
/// the app in this process) and finds the `part` in it (`find`).
/// `None` when the app or the part is gone (the part leaves the state) or on error (then with a
/// diagnostic).
pub async fn read_part<T>(
    client: &OktaClient,
    app_id: &str,
    part: &str,
    diags: &mut Diagnostics,
    find: impl FnOnce(&OidcApp) -> Option<T>,
) -> Option<T> {
    let app = match client.apps().get_shared(app_id).await {
        Ok(Some(app)) => app,
        Ok(None) => {
            tracing::info!(app_id = %app_id, "app no longer exists; removing the {part} from state");
            return None;
        }
        Err(e) => return okta_diag::okta_fail(diags, None, &format!("reading app {app_id}"), &e),
    };
    let found = find(&app);
    if found.is_none() {
        tracing::info!(app_id = %app_id, "{part} no longer on the app; removing it from state");
    }
    found
}

/// An import: reads back the `state` the import ID names. When nothing is found and reading
/// reported no error, the error `not_found` with the `detail` of what is missing.
pub async fn import<R: TypedResource<Private = ()>>(
    resource: &R,
    state: R::Model,
    diags: &mut Diagnostics,
    not_found: &str,
    detail: impl FnOnce() -> String + Send,
) -> Outcome<R> {
    let found = resource.read(state, (), diags).await;
    if found.is_none() && !diags.has_errors() {
        diags.error(not_found, detail());
    }
    found
}
