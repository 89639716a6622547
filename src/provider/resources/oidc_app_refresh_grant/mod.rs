//! `oktaidp_oidc_app_refresh_grant`: the refresh token grant of an OIDC app owned elsewhere.
//!
//! Create, update and delete are one locked, confirmed read-modify-write of the app each
//! (`update_app_confirmed`): the grant type and `settings.oauthClient.refresh_token` change
//! together, everything else goes back to Okta as it came.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::okta::{OidcApp, RefreshTokenSettings};
use crate::provider::app_parts::{self, PartChange, Refusal};
use crate::provider::{validate, ProviderData};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::typed::{Change, Outcome, Plan, Saved, TypedResource};
use crate::tfplugin::value::Value;

pub const TYPE_NAME: &str = "oktaidp_oidc_app_refresh_grant";

/// What messages call the part of the app this resource manages.
const PART: &str = "refresh token grant";

const REFRESH_GRANT: &str = "refresh_token";
const AUTH_CODE_GRANT: &str = "authorization_code";
const STATIC: &str = "STATIC";
const ROTATE: &str = RefreshTokenSettings::ROTATE;

/// The resource's attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshGrant {
    pub id: Field<String>,
    pub app_id: Field<String>,
    pub rotation: Field<String>,
    /// Only for `ROTATE` (Okta reports none for `STATIC`).
    pub leeway: Field<u32>,
}

impl RefreshGrant {
    /// The grant as the app has it; `None` when the app has no `refresh_token` grant.
    fn from_app(app: &OidcApp, app_id: &str) -> Option<Self> {
        if !app.has_grant_type(REFRESH_GRANT) {
            return None;
        }
        // Okta always reports the settings with the grant; without them it behaves as STATIC.
        let settings = app.refresh_token();
        let rotation = settings
            .as_ref()
            .map_or_else(|| STATIC.to_string(), |s| s.rotation_type.clone());
        let leeway = settings
            .and_then(|s| s.leeway)
            .filter(|_| rotation == ROTATE);
        Some(Self {
            id: app_id.into(),
            app_id: app_id.into(),
            rotation: Field::Known(rotation),
            leeway: leeway.into(),
        })
    }

    fn rotation(&self) -> &str {
        self.rotation.as_deref().unwrap_or(STATIC)
    }
}

/// Adds the grant if missing and sets the refresh token settings from the plan. Leaves the app
/// untouched on refusal. The leeway for `ROTATE`: the planned one, else the app's current one
/// when it already rotates, else Okta's default.
fn enable_grant(app: &mut OidcApp, app_id: &str, planned: &RefreshGrant) -> Result<(), Refusal> {
    app_parts::require_oidc(app, app_id, "the refresh token grant exists")?;
    if !app.has_grant_type(AUTH_CODE_GRANT) {
        return Err(Refusal {
            summary: "The app has no authorization_code grant",
            detail: format!(
                "App {app_id} has the grant types [{}]. Refresh tokens need the authorization code flow: \
                 add the authorization_code grant to the app first (Okta web apps always have it; service \
                 apps cannot use refresh tokens).",
                app.grant_types().unwrap_or_default().join(", ")
            ),
        });
    }
    app.set_grant_type(REFRESH_GRANT, true);
    app.set_refresh_rotation(planned.rotation(), planned.leeway.known());
    Ok(())
}

/// Whether the app has the grant as planned: what a write of [`enable_grant`] is confirmed by.
fn grant_as_planned(app: &OidcApp, app_id: &str, planned: &RefreshGrant) -> bool {
    RefreshGrant::from_app(app, app_id).is_some_and(|found| {
        found.rotation() == planned.rotation()
            && (planned.leeway.known().is_none() || found.leeway.known() == planned.leeway.known())
    })
}

/// Removes the grant and its settings (Okta rejects settings without the grant).
fn disable_grant(app: &mut OidcApp) {
    app.set_grant_type(REFRESH_GRANT, false);
    if app.refresh_token().is_some() {
        app.set_refresh_token(None);
    }
}

pub struct OidcAppRefreshGrant {
    pub data: Arc<ProviderData>,
}

impl OidcAppRefreshGrant {
    /// Create and update: one locked read-modify-write. Returns the state and whether the app
    /// already had the grant.
    async fn enable(
        &self,
        planned: &RefreshGrant,
        diags: &mut Diagnostics,
    ) -> Option<(RefreshGrant, bool)> {
        let client = self.data.client(diags)?;
        let app_id = planned.app_id.get()?;
        let action = format!("turning on the refresh token grant of app {app_id}");
        let attrs = ("app_id", "app_id");
        let mut had_grant = false;
        let enable = PartChange {
            what: PART.to_string(),
            edit: |app: &mut OidcApp| {
                had_grant = RefreshGrant::from_app(app, app_id).is_some();
                enable_grant(app, app_id, planned)
            },
            holds: |app: &OidcApp| grant_as_planned(app, app_id, planned),
        };
        let app = app_parts::modify_app_at(&client, app_id, &action, attrs, diags, enable).await?;
        let detail = || {
            format!("Okta accepted the update of app {app_id}, but the app it returned has no refresh_token grant.")
        };
        let found = RefreshGrant::from_app(&app, app_id);
        let grant = app_parts::kept(found, PART, "app_id", diags, detail)?;
        tracing::info!(app_id = %app_id, rotation = %grant.rotation(), "refresh token grant on");
        Some((grant, had_grant))
    }
}

#[tonic::async_trait]
impl TypedResource for OidcAppRefreshGrant {
    type Model = RefreshGrant;
    type Private = ();
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new(&crate::provider::oauth_scopes::note(
                include_str!("../../descriptions/oidc_app_refresh_grant.md").trim_end(), &["okta.apps.manage"])
            )
            .attr(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The app ID, the same as `app_id`. Also the import ID."),
            )
            .attr(
                Attribute::string("app_id")
                    .required()
                    .requires_replace()
                    .check(validate::app_id)
                    .describe(
                        "ID of the Okta OIDC app (`0oa...`). Changing it replaces the resource: the grant is \
                         removed from the old app and turned on for the new one.",
                    ),
            )
            .attr(
                Attribute::string("rotation")
                    .default(Value::string(STATIC))
                    .one_of(&[STATIC, ROTATE])
                    .describe(
                        "Refresh token rotation. `STATIC` (default): a refresh token stays the same until it \
                         expires. `ROTATE`: every refresh returns a new refresh token, and the previous one \
                         stops working after `leeway` seconds.",
                    ),
            )
            .attr(
                Attribute::number("leeway")
                    .optional()
                    .computed()
                    .whole_number(0, Some(60))
                    .describe(
                        "Seconds (0 to 60) the previous refresh token stays valid after a rotation, so that \
                         concurrent refreshes do not fail; only with `rotation = \"ROTATE\"`. Unset: not managed, \
                         the app's current leeway is kept when it already rotates, and Okta's default of 30 is \
                         set when rotation is turned on; the value in effect is shown. Always null with \
                         `STATIC`, for which Okta reports no leeway.",
                    ),
            ),
        )
    }

    fn validate(&self, config: &RefreshGrant, diags: &mut Diagnostics) {
        // Unset rotation means the default, STATIC.
        let rotation = &config.rotation;
        if config.leeway.is_known() && (rotation.is_null() || rotation.as_deref() == Some(STATIC)) {
            diags.attr_error(
                AttrPath::root("leeway"),
                "Leeway needs rotation",
                "leeway only applies with rotation = \"ROTATE\"; Okta ignores it for STATIC refresh tokens. Remove leeway or set rotation = \"ROTATE\".",
            );
        }
    }

    /// `id` is `app_id`. `leeway` unset in the configuration: null for `STATIC` (Okta reports
    /// none); for `ROTATE` the prior value while the app keeps rotating, unknown when rotation
    /// is being turned on (the apply picks it).
    fn modify_plan(&self, plan: &mut Plan<'_, Self>, _diags: &mut Diagnostics) {
        let planned = &mut plan.planned;
        if !planned.id.is_known() && planned.app_id.is_known() {
            planned.id = planned.app_id.clone();
        }
        if !plan.config.leeway.is_null() {
            return;
        }
        let kept = plan
            .prior
            .filter(|prior| prior.rotation.as_deref() == Some(ROTATE) && prior.leeway.is_known())
            .map(|prior| prior.leeway);
        planned.leeway = match planned.rotation.as_deref() {
            Some(ROTATE) => kept.unwrap_or(Field::Unknown),
            Some(_) => Field::Null,
            None => Field::Unknown,
        };
    }

    async fn create(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self> {
        let (grant, had_grant) = self.enable(change.planned, diags).await?;
        if had_grant {
            diags.attr_warning(
                AttrPath::root("app_id"),
                "The refresh token grant was already on",
                format!(
                    "App {} already had the refresh_token grant; this resource now manages it. Destroying the resource turns the grant off.",
                    grant.app_id.as_deref().unwrap_or_default()
                ),
            );
        }
        Some(Saved::state(grant))
    }

    async fn read(&self, state: RefreshGrant, _: (), diags: &mut Diagnostics) -> Outcome<Self> {
        let client = self.data.client(diags)?;
        let app_id = state.app_id.known().or(state.id.known())?;
        let find = |app: &OidcApp| RefreshGrant::from_app(app, &app_id);
        app_parts::read_part(&client, &app_id, PART, diags, find)
            .await
            .map(Saved::state)
    }

    async fn update(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self> {
        let (grant, _) = self.enable(change.planned, diags).await?;
        Some(Saved::state(grant))
    }

    async fn delete(&self, prior: RefreshGrant, _: (), diags: &mut Diagnostics) {
        let (Some(client), Some(app_id)) = (self.data.client(diags), prior.app_id.get()) else {
            return;
        };
        let action = format!("turning off the refresh token grant of app {app_id}");
        let disable = PartChange {
            what: format!("removal of the {PART}"),
            edit: |app: &mut OidcApp| {
                disable_grant(app);
                Ok(())
            },
            holds: |app: &OidcApp| !app.has_grant_type(REFRESH_GRANT),
        };
        app_parts::modify_app_unless_gone(&client, app_id, &action, "app_id", diags, disable).await;
    }

    async fn import(&self, id: &str, diags: &mut Diagnostics) -> Outcome<Self> {
        if let Err(e) = validate::app_id(id) {
            diags.error(
                "Invalid import ID",
                format!("{e} The import ID of {TYPE_NAME} is the app ID."),
            );
            return None;
        }
        let client = self.data.client(diags)?;
        if !app_parts::import_allowed(&client, id, PART, diags).await {
            return None;
        }
        let state = RefreshGrant {
            app_id: id.into(),
            ..Default::default()
        };
        let detail = || {
            format!("App {id} does not exist or does not have the refresh_token grant. Nothing to import: create the resource instead.")
        };
        app_parts::import(self, state, diags, "Refresh token grant not found", detail).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::testing::{self, app, apply_request, error_paths, Org};
    use crate::provider::OktaIdpProvider;
    use crate::tfplugin::framework::{plan_object, PlanRequest, Resource};
    use crate::tfplugin::model::to_value;
    use crate::tfplugin::typed::Typed;
    use serde_json::json;

    fn object(pairs: &[(&str, Value)]) -> Value {
        testing::object(&schema(), pairs)
    }

    fn desired(rotation: &str, leeway: Option<u32>) -> RefreshGrant {
        RefreshGrant {
            id: "0oaAPP".into(),
            app_id: "0oaAPP".into(),
            rotation: rotation.into(),
            leeway: leeway.into(),
        }
    }

    fn schema() -> Schema {
        OidcAppRefreshGrant::schema()
    }

    fn to_state(grant: &RefreshGrant) -> Value {
        to_value(grant, &schema().implied_type()).expect("state conforms")
    }

    fn resource() -> Arc<dyn Resource> {
        let provider = OktaIdpProvider::with_env(|_| None);
        Typed::resource(OidcAppRefreshGrant {
            data: Arc::clone(provider.data()),
        })
    }

    /// Validation as Terraform runs it: the schema's checks, then the resource's.
    fn check_config(config: &Value, diags: &mut Diagnostics) {
        resource().validate(config, diags);
    }

    #[test]
    fn schema_is_valid() {
        schema().block.check(TYPE_NAME).expect("valid schema");
    }

    #[test]
    fn validation_points_at_each_bad_attribute() {
        let mut d = Diagnostics::new();
        check_config(
            &object(&[
                ("app_id", Value::string("0oa 1")),
                ("rotation", Value::string("rotate")),
                ("leeway", Value::number(61)),
            ]),
            &mut d,
        );
        assert_eq!(error_paths(&d), vec!["app_id", "rotation", "leeway"]);
        let fraction = crate::tfplugin::value::Number::from_f64(1.5).expect("number");
        for (rotation, leeway, errors) in [
            (Value::string("ROTATE"), Value::number(-1), 1),
            (Value::string("ROTATE"), Value::Number(fraction), 1),
            // Leeway with STATIC, explicit or by default.
            (Value::string("STATIC"), Value::number(10), 1),
            (Value::Null, Value::number(10), 1),
            (Value::string("ROTATE"), Value::number(0), 0),
            (Value::string("ROTATE"), Value::number(60), 0),
            (Value::Unknown, Value::number(10), 0),
            (Value::string("STATIC"), Value::Unknown, 0),
        ] {
            let mut d = Diagnostics::new();
            check_config(
                &object(&[("rotation", rotation.clone()), ("leeway", leeway.clone())]),
                &mut d,
            );
            assert_eq!(d.iter().count(), errors, "{rotation:?} {leeway:?}: {d:?}");
            assert!(error_paths(&d).iter().all(|p| p == "leeway"));
        }
    }

    #[test]
    fn enable_adds_the_grant_once_and_keeps_everything_else() {
        let mut a = app(json!({
            "application_type": "web",
            "grant_types": ["authorization_code"],
            "redirect_uris": ["https://a.example.com/cb"],
        }));
        enable_grant(&mut a, "0oaAPP", &desired(STATIC, None)).expect("enabled");
        assert_eq!(
            a.grant_types(),
            Some(vec!["authorization_code".into(), "refresh_token".into()])
        );
        assert_eq!(
            a.refresh_token(),
            Some(RefreshTokenSettings {
                rotation_type: STATIC.into(),
                leeway: None
            })
        );
        assert_eq!(
            a.get_path(&["settings", "notes", "admin"]),
            Some(&json!("keep me"))
        );
        // Idempotent: a second pass changes nothing (so no PUT is sent).
        let once = a.clone();
        enable_grant(&mut a, "0oaAPP", &desired(STATIC, None)).expect("enabled");
        assert_eq!(a, once);
        assert_eq!(
            RefreshGrant::from_app(&a, "0oaAPP"),
            Some(desired(STATIC, None))
        );
    }

    #[test]
    fn rotate_leeway_is_planned_then_current_then_default() {
        let rotating = |leeway: u32| {
            app(json!({
                "grant_types": ["authorization_code", "refresh_token"],
                "refresh_token": {"rotation_type": "ROTATE", "leeway": leeway},
            }))
        };
        let statik = app(json!({
            "grant_types": ["authorization_code", "refresh_token"],
            "refresh_token": {"rotation_type": "STATIC"},
        }));
        let leeway_after = |mut a: OidcApp, d: RefreshGrant| {
            enable_grant(&mut a, "0oaAPP", &d).expect("enabled");
            a.refresh_token().and_then(|s| s.leeway)
        };
        assert_eq!(
            leeway_after(rotating(45), desired(ROTATE, Some(10))),
            Some(10)
        );
        assert_eq!(leeway_after(rotating(45), desired(ROTATE, None)), Some(45));
        assert_eq!(
            leeway_after(statik.clone(), desired(ROTATE, None)),
            Some(30)
        );
        assert_eq!(leeway_after(statik, desired(ROTATE, Some(0))), Some(0));
        // Back to STATIC: no leeway is sent.
        assert_eq!(leeway_after(rotating(45), desired(STATIC, None)), None);
    }

    #[test]
    fn enable_needs_an_oidc_app_with_authorization_code() {
        let mut service = app(json!({
            "application_type": "service",
            "grant_types": ["client_credentials"],
        }));
        let before = service.clone();
        let refusal =
            enable_grant(&mut service, "0oaAPP", &desired(STATIC, None)).expect_err("no code");
        assert!(refusal.detail.contains("authorization_code"), "{refusal:?}");
        assert_eq!(service, before, "a refused change leaves the app untouched");

        let mut saml = app(json!({"grant_types": ["authorization_code"]}));
        saml.set_sign_on_mode("SAML_2_0");
        assert_eq!(
            enable_grant(&mut saml, "0oaAPP", &desired(STATIC, None))
                .expect_err("saml")
                .summary,
            "Not an OIDC app"
        );
    }

    #[test]
    fn disable_removes_grant_and_settings_only() {
        let mut a = app(json!({
            "grant_types": ["authorization_code", "refresh_token", "implicit"],
            "response_types": ["code", "token"],
            "refresh_token": {"rotation_type": "ROTATE", "leeway": 20},
        }));
        disable_grant(&mut a);
        assert_eq!(
            a.grant_types(),
            Some(vec!["authorization_code".into(), "implicit".into()])
        );
        assert_eq!(a.refresh_token(), None);
        assert_eq!(RefreshGrant::from_app(&a, "0oaAPP"), None);
        let after = a.clone();
        disable_grant(&mut a);
        assert_eq!(a, after);
    }

    #[test]
    fn state_mapping_follows_okta() {
        let read = |oauth| RefreshGrant::from_app(&app(oauth), "0oaAPP").map(|g| to_state(&g));
        let state = |rotation: &str, leeway: Value| {
            Some(Value::object([
                ("id", Value::string("0oaAPP")),
                ("app_id", Value::string("0oaAPP")),
                ("rotation", Value::string(rotation)),
                ("leeway", leeway),
            ]))
        };
        // No grant: gone, whatever settings linger.
        assert_eq!(
            read(json!({"grant_types": ["authorization_code"],
                        "refresh_token": {"rotation_type": "ROTATE", "leeway": 5}})),
            None
        );
        assert_eq!(
            read(
                json!({"grant_types": ["authorization_code", "refresh_token"],
                        "refresh_token": {"rotation_type": "STATIC"}})
            ),
            state(STATIC, Value::Null)
        );
        // A leeway reported with STATIC is not shown (it has no effect).
        assert_eq!(
            read(
                json!({"grant_types": ["authorization_code", "refresh_token"],
                        "refresh_token": {"rotation_type": "STATIC", "leeway": 0}})
            ),
            state(STATIC, Value::Null)
        );
        assert_eq!(
            read(
                json!({"grant_types": ["authorization_code", "refresh_token"],
                        "refresh_token": {"rotation_type": "ROTATE", "leeway": 30}})
            ),
            state(ROTATE, Value::number(30))
        );
        assert_eq!(
            read(json!({"grant_types": ["authorization_code", "refresh_token"]})),
            state(STATIC, Value::Null)
        );
        let s = state(ROTATE, Value::number(1)).expect("state");
        assert_eq!(s.check_type(&schema().implied_type()), Ok(()));
    }

    /// Terraform's plan for `config` against `prior`: the proposed state (prior values for
    /// unconfigured computed attributes), the generic rules, then `modify_plan`.
    fn plan(prior: &Value, config: &Value) -> (Value, Vec<AttrPath>) {
        let mut proposed = config.clone();
        if let (Value::Object(p), false) = (&mut proposed, prior.is_null()) {
            for name in ["id", "leeway", "rotation"] {
                if config.get(name).is_some_and(Value::is_null) {
                    p.insert(name.into(), prior.get(name).cloned().unwrap_or(Value::Null));
                }
            }
        }
        let (mut planned, replace) = plan_object(&schema().block, prior, &proposed, config);
        let (mut replace, mut d) = (replace, Diagnostics::new());
        let req = PlanRequest {
            prior,
            config,
            prior_private: &[],
        };
        resource().modify_plan(&req, &mut planned, &mut replace, &mut d);
        assert!(d.is_empty(), "{d:?}");
        (planned, replace)
    }

    fn cfg(rotation: Option<&str>, leeway: Option<i64>) -> Value {
        object(&[
            ("app_id", Value::string("0oaAPP")),
            ("rotation", rotation.map_or(Value::Null, Value::string)),
            ("leeway", leeway.map_or(Value::Null, Value::number)),
        ])
    }

    fn state(rotation: &str, leeway: Option<u32>) -> Value {
        to_state(&desired(rotation, leeway))
    }

    #[test]
    fn static_rotate_static_without_leeway_plans_cleanly() {
        // Create STATIC: everything known, leeway null.
        let (planned, _) = plan(&Value::Null, &cfg(None, None));
        assert_eq!(planned, state(STATIC, None));
        // Okta's answer maps to exactly that.
        let applied = state(STATIC, None);
        assert_eq!(plan(&applied, &cfg(None, None)).0, applied, "no diff");

        // STATIC -> ROTATE: leeway unknown, the apply picks 30 (or the app's current value).
        let (planned, replace) = plan(&applied, &cfg(Some(ROTATE), None));
        assert!(replace.is_empty());
        assert_eq!(planned.get("leeway"), Some(&Value::Unknown));
        assert_eq!(planned.get("rotation"), Some(&Value::string(ROTATE)));
        assert_eq!(planned.get("id"), Some(&Value::string("0oaAPP")));
        let applied = state(ROTATE, Some(30));
        assert_eq!(
            plan(&applied, &cfg(Some(ROTATE), None)).0,
            applied,
            "no diff"
        );

        // ROTATE -> STATIC: leeway planned null, as Okta will report it.
        let (planned, _) = plan(&applied, &cfg(Some(STATIC), None));
        assert_eq!(planned, state(STATIC, None));
        let (planned, _) = plan(&applied, &cfg(None, None));
        assert_eq!(planned, state(STATIC, None));
    }

    #[test]
    fn static_rotate_static_with_leeway_plans_cleanly() {
        let applied = state(STATIC, None);
        let (planned, _) = plan(&applied, &cfg(Some(ROTATE), Some(10)));
        assert_eq!(planned, state(ROTATE, Some(10)));
        let applied = state(ROTATE, Some(10));
        assert_eq!(plan(&applied, &cfg(Some(ROTATE), Some(10))).0, applied);
        // Changing only the leeway.
        let (planned, _) = plan(&applied, &cfg(Some(ROTATE), Some(0)));
        assert_eq!(planned, state(ROTATE, Some(0)));
        // Dropping leeway from the configuration keeps Okta's value: no diff.
        assert_eq!(plan(&applied, &cfg(Some(ROTATE), None)).0, applied);
        // Back to STATIC (leeway must go from the configuration too).
        let (planned, _) = plan(&applied, &cfg(Some(STATIC), None));
        assert_eq!(planned, state(STATIC, None));
        // Created with ROTATE and a leeway: all known.
        let (planned, _) = plan(&Value::Null, &cfg(Some(ROTATE), Some(15)));
        assert_eq!(planned, state(ROTATE, Some(15)));
        // Created with ROTATE without one: unknown until Okta answers.
        let (planned, _) = plan(&Value::Null, &cfg(Some(ROTATE), None));
        assert_eq!(planned.get("leeway"), Some(&Value::Unknown));
    }

    #[test]
    fn drift_and_replacement_plans() {
        // The console changed the leeway while it is not configured: not managed, no diff.
        let drifted = state(ROTATE, Some(45));
        assert_eq!(plan(&drifted, &cfg(Some(ROTATE), None)).0, drifted);
        // The console switched to STATIC: the apply turns rotation back on.
        let (planned, _) = plan(&state(STATIC, None), &cfg(Some(ROTATE), Some(10)));
        assert_eq!(planned, state(ROTATE, Some(10)));
        // Another app: replacement.
        let mut other = cfg(None, None);
        if let Some(v) = other.get_mut("app_id") {
            *v = Value::string("0oaOTHER");
        }
        let (_, replace) = plan(&state(STATIC, None), &other);
        assert_eq!(replace, vec![AttrPath::root("app_id")]);
        // Unknown rotation: unknown leeway.
        let (planned, _) = plan(
            &Value::Null,
            &object(&[
                ("app_id", Value::string("0oaAPP")),
                ("rotation", Value::Unknown),
            ]),
        );
        assert_eq!(planned.get("leeway"), Some(&Value::Unknown));
    }

    #[tokio::test]
    async fn lifecycle_and_call_counts_against_the_emulator() {
        let org = Org::start().await;
        let app_id = org
            .web_app(&["https://base.example.com/cb"], &["authorization_code"])
            .await;
        let resource = Typed::resource(OidcAppRefreshGrant {
            data: Arc::clone(&org.data),
        });
        let get = format!("GET /api/v1/apps/{app_id}");
        let put = format!("PUT /api/v1/apps/{app_id}");
        let with_id = |rotation: &str, leeway: Value| {
            Value::object([
                ("id", Value::string(app_id.clone())),
                ("app_id", Value::string(app_id.clone())),
                ("rotation", Value::string(rotation)),
                ("leeway", leeway),
            ])
        };
        let mut d = Diagnostics::new();

        // Create STATIC.
        let planned = with_id(STATIC, Value::Null);
        let mark = org.mark().await;
        let created = resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await
            .expect("created");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(created.state, planned);
        assert_eq!(
            org.calls_since(mark).await,
            vec![get.clone(), put.clone(), get.clone()]
        );

        // Read.
        let mark = org.mark().await;
        let read = resource.read(&planned, &[], &mut d).await.expect("read");
        assert_eq!(read.state, planned);
        assert_eq!(org.calls_since(mark).await, vec![get.clone()]);

        // Update to ROTATE without leeway: Okta's default.
        let prior = planned;
        let planned = with_id(ROTATE, Value::Unknown);
        let mark = org.mark().await;
        let updated = resource
            .update(&apply_request(&prior, &planned), &mut d)
            .await
            .expect("updated");
        assert_eq!(updated.state, with_id(ROTATE, Value::number(30)));
        assert_eq!(
            org.calls_since(mark).await,
            vec![get.clone(), put.clone(), get.clone()]
        );

        // A configured leeway, then back to STATIC.
        let planned = with_id(ROTATE, Value::number(10));
        let updated = resource
            .update(&apply_request(&updated.state, &planned), &mut d)
            .await
            .expect("updated");
        assert_eq!(updated.state, planned);
        let planned = with_id(STATIC, Value::Null);
        let updated = resource
            .update(&apply_request(&updated.state, &planned), &mut d)
            .await
            .expect("updated");
        assert_eq!(updated.state, planned);
        assert_eq!(
            resource.read(&planned, &[], &mut d).await.map(|s| s.state),
            Some(planned.clone())
        );

        // Import.
        let imported = resource.import(&app_id, &mut d).await.expect("imported");
        assert_eq!(imported.state, planned);
        assert!(d.is_empty(), "{d:?}");

        // Delete: the grant and its settings go, the rest stays.
        let mark = org.mark().await;
        resource.delete(&planned, &[], &mut d).await;
        assert!(!d.has_errors(), "{d:?}");
        assert_eq!(
            org.calls_since(mark).await,
            vec![get.clone(), put, get.clone()]
        );
        let after = org.app(&app_id).await;
        assert_eq!(
            after.grant_types(),
            Some(vec!["authorization_code".to_string()])
        );
        assert_eq!(after.refresh_token(), None);
        assert_eq!(
            after.redirect_uris(),
            Some(vec!["https://base.example.com/cb".to_string()])
        );

        // Gone: read drops it, delete is a one-GET success, import explains.
        assert!(resource.read(&planned, &[], &mut d).await.is_none());
        let mark = org.mark().await;
        resource.delete(&planned, &[], &mut d).await;
        assert_eq!(org.calls_since(mark).await, vec![get]);
        assert!(!d.has_errors(), "{d:?}");
        assert!(resource.import(&app_id, &mut d).await.is_none());
        assert!(d.has_errors());

        // Creating over an existing grant warns that destroy will turn it off.
        let mut d = Diagnostics::new();
        let planned = with_id(STATIC, Value::Null);
        resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await
            .expect("created");
        let mut d = Diagnostics::new();
        resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await
            .expect("adopted");
        assert!(!d.has_errors());
        assert_eq!(d.iter().count(), 1, "{d:?}");

        // No authorization_code: a clear error at apply, nothing changed.
        let service = org.service_app().await;
        let mut d = Diagnostics::new();
        let planned = Value::object([
            ("id", Value::string(service.clone())),
            ("app_id", Value::string(service.clone())),
            ("rotation", Value::string(STATIC)),
            ("leeway", Value::Null),
        ]);
        assert!(resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await
            .is_none());
        assert_eq!(error_paths(&d), vec!["app_id"]);
        assert!(RefreshGrant::from_app(&org.app(&service).await, &service).is_none());
        org.emu.shutdown().await.expect("shutdown");
    }
}
