//! `store_client_secret` of `oktaidp_oidc_app`: whether the client secret is kept in state.
//! With `false` the attribute stays null (read the secret with the ephemeral
//! `oktaidp_oidc_app_client_secret`, or let the ephemeral `oktaidp_pomerium_idp` read it by
//! `app_id`; the data source of that name never reads it, its outputs being state);
//! rotation by `client_secret_version` works the same. Kept apart from the resource so that it
//! only calls these functions.

use crate::okta::OktaClient;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::Attribute;
use crate::tfplugin::value::Value;

use crate::provider::okta_diag;

pub fn attribute() -> Attribute {
    Attribute::bool("store_client_secret")
        .default(Value::Bool(true))
        .describe(
            "Keep the client secret in the state (`client_secret`). Default `true`. With `false`, \
             `client_secret` stays null and the secret exists only in Okta: read it where it is needed with \
             the ephemeral `oktaidp_oidc_app_client_secret`, or through `app_id` of the ephemeral \
             `oktaidp_pomerium_idp` (both Terraform 1.10 or later, never stored). The `oktaidp_pomerium_idp` \
             data source does not read the secret from Okta (its outputs are state, so the secret would land \
             there after all): with this app it fails at `client_secret` and points to the ephemeral \
             resource. Rotation by `client_secret_version` works either way; changing this setting never \
             re-creates the app.",
        )
}

fn keeps(store: Field<bool>) -> bool {
    store.known() != Some(false)
}

/// The secret as the state keeps it.
pub fn stored(store: Field<bool>, secret: Field<String>) -> Field<String> {
    if keeps(store) {
        secret
    } else {
        Field::Null
    }
}

/// The planned secret: null while not stored, unknown while that is not known yet.
pub fn plan(store: Field<bool>, planned_secret: &mut Field<String>) {
    match store {
        Field::Known(false) => *planned_secret = Field::Null,
        Field::Unknown => *planned_secret = Field::Unknown,
        _ => {}
    }
}

/// When storing is switched back on, the state has no secret to carry over: read the newest
/// active one (a read, not a rotation).
pub async fn fetch_when_switched_on(
    client: &OktaClient,
    app_id: &str,
    prior_secret: &Field<String>,
    store: Field<bool>,
    diags: &mut Diagnostics,
) -> Option<String> {
    if !keeps(store) || !prior_secret.is_null() {
        return None;
    }
    let newest = client.app_secrets().newest_active(app_id).await;
    let action = "reading the app's client secret";
    okta_diag::ok_at(diags, "store_client_secret", action, newest)
        .flatten()
        .map(|s| s.expose().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_stored_means_null_in_state_and_plan() {
        let s = Field::Known("s3cret".to_string());
        assert_eq!(stored(Field::Known(false), s.clone()), Field::Null);
        assert_eq!(stored(Field::Known(true), s.clone()), s);
        assert_eq!(stored(Field::Null, s.clone()), s);
        let mut planned = s.clone();
        plan(Field::Known(false), &mut planned);
        assert_eq!(planned, Field::Null);
        let mut planned = s.clone();
        plan(Field::Known(true), &mut planned);
        assert_eq!(planned, s);
        plan(Field::Unknown, &mut planned);
        assert_eq!(planned, Field::Unknown);
    }
}
