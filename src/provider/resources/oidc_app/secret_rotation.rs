//! Client-secret rotation of `oktaidp_oidc_app` as one step of an update:
//! `client_secret_version` raised rotates (keeping the previous secret active with
//! `keep_previous_client_secret`), and switching `keep_previous_client_secret` off ends the
//! overlap. Old secrets that cannot be removed are warnings, never errors: the new one works.

use crate::okta::{OktaClient, OktaError, Previous};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model::Field;

use crate::provider::okta_diag;

/// `(client_secret_version, keep_previous_client_secret)` before and after the update.
type Setting = (Field<i64>, Field<bool>);

/// Returns the new secret when one was made, and the version now in effect (the prior one when
/// the rotation failed, so that the next apply tries again).
pub async fn apply(
    client: &OktaClient,
    app_id: &str,
    (prior_version, prior_keep): Setting,
    (wanted_version, wanted_keep): Setting,
    diags: &mut Diagnostics,
) -> (Option<String>, Field<i64>) {
    let keep = wanted_keep.known() == Some(true);
    let mut leftovers = Vec::new();
    let mut outcome = (None, prior_version);
    if wanted_version.known() > prior_version.known() {
        let previous = if keep {
            Previous::Keep
        } else {
            Previous::Retire
        };
        let rotated = client.app_secrets().rotate(app_id, previous).await;
        let (at, action) = ("client_secret_version", "rotating the client secret");
        if let Some(rotated) = okta_diag::ok_at(diags, at, action, rotated) {
            leftovers = rotated.leftovers;
            outcome = (Some(rotated.secret), wanted_version);
        }
    } else if !keep && prior_keep.known() == Some(true) {
        // The overlap is over: the previous secret goes, the newest stays.
        let retired = client.app_secrets().retire_previous(app_id).await;
        let at = "keep_previous_client_secret";
        let action = "retiring the previous client secret";
        leftovers = okta_diag::ok_at(diags, at, action, retired).unwrap_or_default();
    }
    warn_leftovers(diags, leftovers);
    outcome
}

fn warn_leftovers(diags: &mut Diagnostics, leftovers: Vec<(String, OktaError)>) {
    for (old, e) in leftovers {
        diags.warning(
            "Old client secret not removed",
            format!("The current secret is in place, but the older secret {old} could not be deactivated and deleted: {e}. Remove it in the Admin Console."),
        );
    }
}
