//! `oktaidp_oidc_app_redirect_uri`: one redirect URI on an OIDC app owned elsewhere.
//!
//! Every write is a locked read-modify-write of the whole app, confirmed and redone while
//! another writer undoes it (`update_app_confirmed`), so that any number of these resources (and
//! `oktaidp_oidc_app` in additive mode), in one Terraform process or several, can change one app
//! in parallel without losing each other's URIs.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::okta::OidcApp;
pub use crate::provider::app_parts::UriKind;
use crate::provider::app_parts::{self, PartChange, Refusal, KINDS};
use crate::provider::{validate, ProviderData};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::typed::{Change, Outcome, Plan, Saved, TypedResource};
use crate::tfplugin::value::Value;

pub const TYPE_NAME: &str = "oktaidp_oidc_app_redirect_uri";

/// What messages call the part of the app this resource manages.
const PART: &str = "redirect URI";

/// The resource's attributes. `kind` stays a string so that a bad one is reported by the
/// schema's check without hiding the other attributes' errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectUri {
    pub id: Field<String>,
    pub app_id: Field<String>,
    pub uri: Field<String>,
    pub kind: Field<String>,
}

/// The URI a resource instance manages: its whole identity (every attribute forces replacement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriRef {
    pub app_id: String,
    pub kind: UriKind,
    pub uri: String,
}

impl UriRef {
    /// `<app_id>/<kind>/<uri>`: the resource id and import id.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.app_id, self.kind.as_str(), self.uri)
    }

    /// From a plan or state; `None` while an argument is unknown. A plan always has `kind`
    /// (the schema's default fills it in).
    fn from_model(m: &RedirectUri) -> Option<Self> {
        Some(Self {
            app_id: m.app_id.get()?.clone(),
            kind: UriKind::parse(m.kind.get()?)?,
            uri: m.uri.get()?.clone(),
        })
    }

    /// From the state, falling back to the id should the attributes be missing.
    fn from_state(state: &RedirectUri) -> Option<Self> {
        Self::from_model(state).or_else(|| parse_import_id(state.id.get()?).ok())
    }

    fn is_on(&self, app: &OidcApp) -> bool {
        self.kind.uris(app).contains(&self.uri)
    }

    /// App to model: the state when the app has the URI.
    fn state_on(&self, app: &OidcApp) -> Option<RedirectUri> {
        self.is_on(app).then(|| self.into())
    }
}

impl From<&UriRef> for RedirectUri {
    fn from(r: &UriRef) -> Self {
        Self {
            id: Field::Known(r.id()),
            app_id: r.app_id.as_str().into(),
            uri: r.uri.as_str().into(),
            kind: r.kind.as_str().into(),
        }
    }
}

/// Parses `<app_id>/<kind>/<uri>`. The URI may contain `/` itself: only the first two split.
pub fn parse_import_id(id: &str) -> Result<UriRef, String> {
    const FORM: &str = "Expected <app_id>/<kind>/<uri>, where kind is sign_in or post_logout, for example 0oa1b2c3d4e5f6g7h8i9/sign_in/https://authenticate.example.com/oauth2/callback.";
    let mut parts = id.splitn(3, '/');
    let (Some(app_id), Some(kind), Some(uri)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("\"{id}\" is not a redirect URI ID. {FORM}"));
    };
    validate::app_id(app_id).map_err(|e| format!("{e} {FORM}"))?;
    let Some(kind) = UriKind::parse(kind) else {
        let hint = kind.ends_with(':').then(|| format!(" This looks like okta_app_oauth_redirect_uri's <app_id>/<uri> form; use {app_id}/sign_in/{kind}/{uri}."));
        return Err(format!(
            "\"{kind}\" is not a redirect URI kind (sign_in or post_logout). {FORM}{}",
            hint.unwrap_or_default()
        ));
    };
    if uri.is_empty() {
        return Err(format!("\"{id}\" has no URI. {FORM}"));
    }
    Ok(UriRef {
        app_id: app_id.to_string(),
        kind,
        uri: uri.to_string(),
    })
}

/// Model to app: adds the URI unless the app has it. Leaves the app untouched on refusal.
fn add_uri(app: &mut OidcApp, r: &UriRef) -> Result<(), Refusal> {
    app_parts::require_oidc(app, &r.app_id, "redirect URIs exist")?;
    if r.is_on(app) {
        return Ok(());
    }
    if r.uri.contains('*') && app.wildcard_redirect() != Some("SUBDOMAIN") {
        return Err(Refusal {
            summary: "Wildcard redirect URIs are not enabled on the app",
            detail: format!(
                "\"{}\" contains a wildcard, but app {} has wildcard_redirect = \"{}\". Enable wildcard \
                 redirect URIs on the app first (wildcard_redirect = \"SUBDOMAIN\" on oktaidp_oidc_app, or \
                 \"Allow wildcard * in sign-in URI redirect\" in the Admin Console), or list the hosts \
                 one by one.",
                r.uri,
                r.app_id,
                app.wildcard_redirect().unwrap_or("DISABLED")
            ),
        });
    }
    let uris = [r.kind.uris(app), vec![r.uri.clone()]].concat();
    r.kind.set_uris(app, &uris);
    Ok(())
}

/// Removes the URI if the app has it. Refuses to leave a web app without sign-in URIs, which
/// Okta rejects unless a grant that needs none (`password`, `client_credentials`) is present.
fn remove_uri(app: &mut OidcApp, r: &UriRef) -> Result<(), Refusal> {
    if !r.is_on(app) {
        return Ok(());
    }
    let mut remaining = r.kind.uris(app);
    remaining.retain(|u| *u != r.uri);
    let redirects_optional = ["password", "client_credentials"]
        .iter()
        .any(|g| app.has_grant_type(g));
    if r.kind == UriKind::SignIn && remaining.is_empty() && !redirects_optional {
        return Err(Refusal {
            summary: "Cannot remove the app's last sign-in redirect URI",
            detail: format!(
                "\"{}\" is the only sign-in redirect URI of app {}, and Okta requires at least one for the \
                 authorization code flow. Add another redirect URI to the app first (or delete the app).",
                r.uri, r.app_id
            ),
        });
    }
    r.kind.set_uris(app, &remaining);
    Ok(())
}

/// The URI a create or update applies.
fn planned_ref(planned: &RedirectUri, diags: &mut Diagnostics) -> Option<UriRef> {
    let detail = "app_id, uri and kind must be known at apply. This is a bug in the provider.";
    diags.require(UriRef::from_model(planned), "Incomplete plan", detail)
}

pub struct OidcAppRedirectUriResource {
    pub data: Arc<ProviderData>,
}

#[tonic::async_trait]
impl TypedResource for OidcAppRedirectUriResource {
    type Model = RedirectUri;
    type Private = ();
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new(&crate::provider::oauth_scopes::note(
                include_str!("../../descriptions/oidc_app_redirect_uri.md").trim_end(), &["okta.apps.manage"])
            )
            .attr(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("`<app_id>/<kind>/<uri>`, for example `0oa1b2c3d4e5f6g7h8i9/sign_in/https://authenticate.example.com/oauth2/callback`. Also the import ID."),
            )
            .attr(
                Attribute::string("app_id")
                    .required()
                    .requires_replace()
                    .check(validate::app_id)
                    .describe("ID of the Okta OIDC app (`0oa...`), for example `oktaidp_oidc_app.shared.id` or the ID of an app managed elsewhere. Changing it replaces the resource."),
            )
            .attr(
                Attribute::string("uri")
                    .required()
                    .requires_replace()
                    .describe(include_str!("../../descriptions/oidc_app_redirect_uri/uri.md").trim_end()),
            )
            .attr(
                Attribute::string("kind")
                    .default(Value::string(UriKind::SignIn.as_str()))
                    .requires_replace()
                    .one_of(KINDS)
                    .describe(include_str!("../../descriptions/oidc_app_redirect_uri/kind.md").trim_end()),
            ),
        )
    }

    fn validate(&self, config: &RedirectUri, diags: &mut Diagnostics) {
        // Whether the app allows wildcards is only known at apply; the shape is checked here.
        if let Some(Err(e)) = config.uri.get().map(|u| validate::redirect_uri(u, true)) {
            diags.attr_error(AttrPath::root("uri"), "Invalid redirect URI", e);
        }
    }

    /// The id follows from the arguments: show it in the plan when they are known.
    fn modify_plan(&self, plan: &mut Plan<'_, Self>, _diags: &mut Diagnostics) {
        if let Some(r) = UriRef::from_model(&plan.planned) {
            plan.planned.id = Field::Known(r.id());
        }
    }

    /// A missing app is the app_id's fault; anything else is about the URI.
    async fn create(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self> {
        let client = self.data.client(diags)?;
        let r = planned_ref(change.planned, diags)?;
        let action = format!("adding the redirect URI to app {}", r.app_id);
        let attrs = ("app_id", "uri");
        let add = PartChange {
            what: format!("{PART} {}", r.uri),
            edit: |app: &mut OidcApp| add_uri(app, &r),
            holds: |app: &OidcApp| r.is_on(app),
        };
        let app = app_parts::modify_app_at(&client, &r.app_id, &action, attrs, diags, add).await?;
        let (app_id, list, uri) = (&r.app_id, r.kind.list_name(), &r.uri);
        let detail = || {
            format!("Okta accepted the update of app {app_id} but its {list} do not include \"{uri}\" exactly as written (Okta may have rewritten it). Write the URI the way the app shows it.")
        };
        let state = app_parts::kept(r.state_on(&app), PART, "uri", diags, detail)?;
        tracing::info!(app_id = %r.app_id, kind = r.kind.as_str(), uri = %r.uri, "redirect URI on the app");
        Some(Saved::state(state))
    }

    /// One GET. Nothing is left in state when the app or the URI is gone.
    async fn read(&self, state: RedirectUri, _: (), diags: &mut Diagnostics) -> Outcome<Self> {
        let detail = "The stored state has no app_id, kind and uri. Remove it with `terraform state rm` and import the URI again.";
        let r = diags.require(UriRef::from_state(&state), "Unreadable state", detail)?;
        let client = self.data.client(diags)?;
        app_parts::read_part(&client, &r.app_id, PART, diags, |app| r.state_on(app))
            .await
            .map(Saved::state)
    }

    /// Every argument forces replacement, so there is nothing to change in Okta.
    async fn update(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self> {
        planned_ref(change.planned, diags).map(|r| Saved::state((&r).into()))
    }

    async fn delete(&self, prior: RedirectUri, _: (), diags: &mut Diagnostics) {
        let (Some(client), Some(r)) = (self.data.client(diags), UriRef::from_state(&prior)) else {
            return;
        };
        let action = format!("removing the redirect URI from app {}", r.app_id);
        let remove = PartChange {
            what: format!("removal of the {PART} {}", r.uri),
            edit: |app: &mut OidcApp| remove_uri(app, &r),
            holds: |app: &OidcApp| !r.is_on(app),
        };
        app_parts::modify_app_unless_gone(&client, &r.app_id, &action, "uri", diags, remove).await;
    }

    async fn import(&self, id: &str, diags: &mut Diagnostics) -> Outcome<Self> {
        let r = parse_import_id(id)
            .map_err(|e| diags.error("Invalid import ID", e))
            .ok()?;
        let client = self.data.client(diags)?;
        if !app_parts::import_allowed(&client, &r.app_id, PART, diags).await {
            return None;
        }
        let (app_id, list, uri) = (&r.app_id, r.kind.list_name(), &r.uri);
        let detail = || {
            format!("App {app_id} does not exist or its {list} do not include \"{uri}\" (compared exactly as written). Nothing to import: create the resource instead.")
        };
        app_parts::import(self, (&r).into(), diags, "Redirect URI not found", detail).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::testing::{self, app, apply_request, error_paths, Org};
    use crate::provider::OktaIdpProvider;
    use crate::tfplugin::framework::{plan_object, PlanRequest, Resource};
    use crate::tfplugin::model::{from_value, to_value};
    use crate::tfplugin::typed::Typed;
    use serde_json::json;

    fn web_app(redirects: &[&str]) -> OidcApp {
        app(json!({
            "application_type": "web",
            "redirect_uris": redirects,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "wildcard_redirect": "DISABLED",
        }))
    }

    fn uri_ref(kind: UriKind, uri: &str) -> UriRef {
        UriRef {
            app_id: "0oaAPP".into(),
            kind,
            uri: uri.into(),
        }
    }

    fn object(pairs: &[(&str, Value)]) -> Value {
        testing::object(&OidcAppRedirectUriResource::schema(), pairs)
    }

    fn to_state(r: &UriRef) -> Value {
        to_value(
            &RedirectUri::from(r),
            &OidcAppRedirectUriResource::schema().implied_type(),
        )
        .expect("state conforms")
    }

    fn model(state: &Value) -> RedirectUri {
        from_value(state).expect("model")
    }

    fn resource() -> Arc<dyn Resource> {
        let provider = OktaIdpProvider::with_env(|_| None);
        Typed::resource(OidcAppRedirectUriResource {
            data: Arc::clone(provider.data()),
        })
    }

    /// Validation as Terraform runs it: the schema's checks, then the resource's.
    fn check_config(config: &Value, diags: &mut Diagnostics) {
        resource().validate(config, diags);
    }

    #[test]
    fn schema_is_valid() {
        OidcAppRedirectUriResource::schema()
            .block
            .check(TYPE_NAME)
            .expect("valid schema");
    }

    #[test]
    fn import_ids_split_on_the_first_two_slashes_only() {
        let r = parse_import_id("0oa1/sign_in/https://a.example.com/oauth2/callback").expect("ok");
        assert_eq!(r.app_id, "0oa1");
        assert_eq!(r.kind, UriKind::SignIn);
        assert_eq!(r.uri, "https://a.example.com/oauth2/callback");
        assert_eq!(r.id(), "0oa1/sign_in/https://a.example.com/oauth2/callback");
        let r = parse_import_id("0oa1/post_logout/https://a.example.com/a/b/c/").expect("ok");
        assert_eq!(r.kind, UriKind::PostLogout);
        assert_eq!(r.uri, "https://a.example.com/a/b/c/");
        // What id() writes, parse_import_id reads back.
        let wild = uri_ref(UriKind::SignIn, "https://*.example.com/x//y");
        assert_eq!(parse_import_id(&wild.id()), Ok(wild));
    }

    #[test]
    fn bad_import_ids_explain_the_form() {
        for (id, expect) in [
            ("0oa1", "<app_id>/<kind>/<uri>"),
            ("0oa1/sign_in", "<app_id>/<kind>/<uri>"),
            ("0oa1/sign_in/", "no URI"),
            ("/sign_in/https://a.example.com/cb", "not an Okta app ID"),
            (
                "0oa1/logout/https://a.example.com/cb",
                "not a redirect URI kind",
            ),
            (
                "0oa1/https://a.example.com/cb",
                "0oa1/sign_in/https://a.example.com/cb",
            ),
        ] {
            let err = parse_import_id(id).expect_err(id);
            assert!(err.contains(expect), "{id}: {err}");
        }
    }

    #[test]
    fn validation_points_at_each_bad_attribute() {
        let mut d = Diagnostics::new();
        check_config(
            &object(&[
                ("app_id", Value::string("0oa1/../users")),
                ("uri", Value::string("http://auth.example.com/cb")),
                ("kind", Value::string("logout")),
            ]),
            &mut d,
        );
        assert_eq!(error_paths(&d), vec!["app_id", "kind", "uri"]);
        for bad in [
            "https://auth.example.com/cb#frag",
            "https://a.*.example.com/cb",
            "myapp://callback",
            "",
        ] {
            let mut d = Diagnostics::new();
            check_config(&object(&[("uri", Value::string(bad))]), &mut d);
            assert_eq!(error_paths(&d), vec!["uri"], "{bad}");
        }
    }

    #[test]
    fn valid_and_unknown_values_pass_validation() {
        for uri in [
            "https://authenticate.example.com/oauth2/callback",
            "http://localhost:8080/oauth2/callback",
            // Allowed only if the app enables wildcards: checked at apply.
            "https://*.example.com/oauth2/callback",
        ] {
            let mut d = Diagnostics::new();
            check_config(
                &object(&[
                    ("app_id", Value::string("0oa1b2c3d4e5f6g7h8i9")),
                    ("uri", Value::string(uri)),
                    ("kind", Value::string("post_logout")),
                ]),
                &mut d,
            );
            assert!(d.is_empty(), "{uri}: {d:?}");
        }
        let mut d = Diagnostics::new();
        check_config(
            &object(&[
                ("app_id", Value::Unknown),
                ("uri", Value::Unknown),
                ("kind", Value::Unknown),
            ]),
            &mut d,
        );
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn app_maps_to_the_state_only_while_it_has_the_uri() {
        let r = uri_ref(UriKind::SignIn, "https://mine.example.com/cb");
        assert_eq!(
            r.state_on(&web_app(&["https://other.example.com/cb"])),
            None
        );
        let state = r
            .state_on(&web_app(&["https://mine.example.com/cb"]))
            .expect("on the app");
        assert_eq!(state, RedirectUri::from(&r));
        assert_eq!(
            state.id.as_deref(),
            Some("0oaAPP/sign_in/https://mine.example.com/cb")
        );
        assert_eq!(state.kind.as_deref(), Some("sign_in"));
        assert_eq!(UriRef::from_model(&state), Some(r.clone()));
        // The same URI in the other list is another resource.
        let mut a = web_app(&["https://other.example.com/cb"]);
        let logout = uri_ref(UriKind::PostLogout, "https://mine.example.com/cb");
        add_uri(&mut a, &logout).expect("added");
        assert_eq!(r.state_on(&a), None);
        assert_eq!(logout.state_on(&a), Some(RedirectUri::from(&logout)));
        // An unknown or missing argument names no URI yet.
        let unknown = RedirectUri {
            uri: Field::Unknown,
            ..state
        };
        assert_eq!(UriRef::from_model(&unknown), None);
    }

    #[test]
    fn add_appends_once_and_keeps_everything_else() {
        let mut a = web_app(&["https://other.example.com/cb"]);
        let before = a.clone();
        let r = uri_ref(UriKind::SignIn, "https://mine.example.com/cb");
        add_uri(&mut a, &r).expect("added");
        assert_eq!(
            a.redirect_uris().expect("uris"),
            vec![
                "https://other.example.com/cb",
                "https://mine.example.com/cb"
            ]
        );
        assert_eq!(
            a.get_path(&["settings", "notes", "admin"]),
            before.get_path(&["settings", "notes", "admin"])
        );
        let once = a.clone();
        add_uri(&mut a, &r).expect("idempotent");
        assert_eq!(a, once);
        assert!(r.is_on(&a));
        assert!(a.post_logout_redirect_uris().is_none());
    }

    #[test]
    fn post_logout_uris_go_to_their_own_list() {
        let mut a = web_app(&["https://other.example.com/cb"]);
        let r = uri_ref(UriKind::PostLogout, "https://mine.example.com/");
        add_uri(&mut a, &r).expect("added");
        assert_eq!(
            a.post_logout_redirect_uris().expect("uris"),
            vec!["https://mine.example.com/"]
        );
        assert_eq!(
            a.redirect_uris().expect("uris"),
            vec!["https://other.example.com/cb"]
        );
        // The same URI as a sign-in URI is a different resource.
        assert!(!uri_ref(UriKind::SignIn, "https://mine.example.com/").is_on(&a));
        remove_uri(&mut a, &r).expect("removed");
        // Okta omits an empty list: the key goes.
        assert!(a.post_logout_redirect_uris().is_none());
    }

    #[test]
    fn wildcards_need_the_app_to_allow_them() {
        let r = uri_ref(UriKind::SignIn, "https://*.example.com/cb");
        let mut a = web_app(&["https://other.example.com/cb"]);
        let before = a.clone();
        let refusal = add_uri(&mut a, &r).expect_err("wildcards disabled");
        assert!(refusal.detail.contains("SUBDOMAIN"), "{refusal:?}");
        assert_eq!(a, before, "a refused change leaves the app untouched");
        a.set_wildcard_redirect("SUBDOMAIN");
        add_uri(&mut a, &r).expect("wildcards enabled");
        assert!(r.is_on(&a));
    }

    #[test]
    fn only_oidc_apps_have_redirect_uris() {
        let mut a = web_app(&[]);
        a.set_sign_on_mode("SAML_2_0");
        let before = a.clone();
        let r = uri_ref(UriKind::SignIn, "https://mine.example.com/cb");
        assert_eq!(
            add_uri(&mut a, &r).expect_err("saml").summary,
            "Not an OIDC app"
        );
        assert_eq!(a, before);
    }

    #[test]
    fn remove_is_idempotent_and_keeps_the_last_sign_in_uri() {
        let mine = uri_ref(UriKind::SignIn, "https://mine.example.com/cb");
        let mut a = web_app(&[
            "https://a.example.com/cb",
            "https://mine.example.com/cb",
            "https://b.example.com/cb",
        ]);
        remove_uri(&mut a, &mine).expect("removed");
        assert_eq!(
            a.redirect_uris().expect("uris"),
            vec!["https://a.example.com/cb", "https://b.example.com/cb"]
        );
        let after = a.clone();
        remove_uri(&mut a, &mine).expect("already absent");
        assert_eq!(a, after);

        let mut last = web_app(&["https://mine.example.com/cb"]);
        let refusal = remove_uri(&mut last, &mine).expect_err("last one");
        assert!(refusal.detail.contains("at least one"), "{refusal:?}");
        assert!(mine.is_on(&last));
        // With client_credentials Okta allows an app without redirect URIs.
        last.set_grant_types(&["authorization_code".into(), "client_credentials".into()]);
        remove_uri(&mut last, &mine).expect("allowed");
        assert_eq!(last.redirect_uris(), Some(Vec::new()));
    }

    #[test]
    fn state_round_trips_and_plans_the_id() {
        let r = uri_ref(UriKind::PostLogout, "https://a.example.com/x/y");
        let state = to_state(&r);
        assert_eq!(
            state.check_type(&OidcAppRedirectUriResource::schema().implied_type()),
            Ok(())
        );
        assert_eq!(
            state.get("id"),
            Some(&Value::string(
                "0oaAPP/post_logout/https://a.example.com/x/y"
            ))
        );
        assert_eq!(UriRef::from_state(&model(&state)), Some(r.clone()));
        // A state with only the id (attributes lost) still names the URI.
        let only_id = object(&[("id", Value::string(r.id()))]);
        assert_eq!(UriRef::from_state(&model(&only_id)), Some(r));

        let config = object(&[
            ("app_id", Value::string("0oaAPP")),
            ("uri", Value::string("https://a.example.com/cb")),
        ]);
        let block = &OidcAppRedirectUriResource::schema().block;
        let (mut planned, replace) = plan_object(block, &Value::Null, &config, &config);
        assert!(replace.is_empty());
        assert_eq!(planned.get("kind"), Some(&Value::string("sign_in")));
        assert_eq!(planned.get("id"), Some(&Value::Unknown));
        let resource = resource();
        let req = PlanRequest {
            prior: &Value::Null,
            config: &config,
            prior_private: &[],
        };
        let mut d = Diagnostics::new();
        resource.modify_plan(&req, &mut planned, &mut Vec::new(), &mut d);
        assert_eq!(
            planned.get("id"),
            Some(&Value::string("0oaAPP/sign_in/https://a.example.com/cb"))
        );
        // Unknown arguments leave the id unknown.
        let config = object(&[("app_id", Value::Unknown), ("uri", Value::string("x"))]);
        let (mut planned, _) = plan_object(block, &Value::Null, &config, &config);
        resource.modify_plan(&req, &mut planned, &mut Vec::new(), &mut d);
        assert_eq!(planned.get("id"), Some(&Value::Unknown));
    }

    #[test]
    fn every_argument_change_replaces() {
        let prior = to_state(&uri_ref(UriKind::SignIn, "https://a.example.com/cb"));
        let block = &OidcAppRedirectUriResource::schema().block;
        for (name, value) in [
            ("app_id", Value::string("0oaOTHER")),
            ("uri", Value::string("https://b.example.com/cb")),
            ("kind", Value::string("post_logout")),
        ] {
            let mut config = prior.clone();
            if let Some(v) = config.get_mut(name) {
                *v = value;
            }
            if let Some(v) = config.get_mut("id") {
                *v = Value::Null;
            }
            let mut proposed = config.clone();
            if let Some(v) = proposed.get_mut("id") {
                *v = prior.get("id").cloned().unwrap_or(Value::Null);
            }
            let (_, replace) = plan_object(block, &prior, &proposed, &config);
            assert_eq!(replace, vec![AttrPath::root(name)], "{name}");
        }
        // Unchanged configuration: no change (kind defaults to the prior sign_in).
        let mut config = prior.clone();
        for name in ["id", "kind"] {
            if let Some(v) = config.get_mut(name) {
                *v = Value::Null;
            }
        }
        let (planned, replace) = plan_object(block, &prior, &prior, &config);
        assert_eq!(planned, prior);
        assert!(replace.is_empty());
    }

    #[tokio::test]
    async fn lifecycle_and_call_counts_against_the_emulator() {
        let org = Org::start().await;
        let app_id = org
            .web_app(&["https://base.example.com/cb"], &["authorization_code"])
            .await;
        let resource = Typed::resource(OidcAppRedirectUriResource {
            data: Arc::clone(&org.data),
        });
        let r = UriRef {
            app_id: app_id.clone(),
            kind: UriKind::SignIn,
            uri: "https://authenticate.example.com/oauth2/callback".into(),
        };
        let planned = to_state(&r);
        let mut d = Diagnostics::new();

        let mark = org.mark().await;
        let created = resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await;
        assert!(!d.has_errors(), "{d:?}");
        assert_eq!(created.as_ref().map(|s| &s.state), Some(&planned));
        // The write, then the read that confirms it stayed.
        let get = format!("GET /api/v1/apps/{app_id}");
        let put = format!("PUT /api/v1/apps/{app_id}");
        assert_eq!(
            org.calls_since(mark).await,
            vec![get.clone(), put.clone(), get.clone()]
        );

        // Creating again (e.g. after the state was lost) adopts the URI: one GET, no PUT.
        let mark = org.mark().await;
        resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await;
        assert_eq!(org.calls_since(mark).await, vec![get.clone()]);

        let mark = org.mark().await;
        let read = resource.read(&planned, &[], &mut d).await;
        assert_eq!(read.map(|s| s.state), Some(planned.clone()));
        assert_eq!(org.calls_since(mark).await, vec![get.clone()]);

        let mark = org.mark().await;
        resource
            .update(&apply_request(&planned, &planned), &mut d)
            .await;
        assert!(org.calls_since(mark).await.is_empty());

        let mark = org.mark().await;
        resource.delete(&planned, &[], &mut d).await;
        assert!(!d.has_errors(), "{d:?}");
        assert_eq!(
            org.calls_since(mark).await,
            vec![get.clone(), put, get.clone()]
        );
        assert_eq!(
            org.app(&app_id).await.redirect_uris(),
            Some(vec!["https://base.example.com/cb".to_string()])
        );

        // Gone: read says so (null state), delete is a no-op success, import explains.
        assert!(resource.read(&planned, &[], &mut d).await.is_none());
        let mark = org.mark().await;
        resource.delete(&planned, &[], &mut d).await;
        assert_eq!(org.calls_since(mark).await, vec![get]);
        assert!(!d.has_errors(), "{d:?}");
        assert!(resource.import(&r.id(), &mut d).await.is_none());
        assert!(d.has_errors());

        // Wildcards are refused at apply when the app does not allow them.
        let mut d = Diagnostics::new();
        let wild = UriRef {
            uri: "https://*.example.com/oauth2/callback".into(),
            ..r.clone()
        };
        let planned = to_state(&wild);
        assert!(resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await
            .is_none());
        assert_eq!(error_paths(&d), vec!["uri"]);

        // An app that does not exist: clear error on create, success on delete.
        let mut d = Diagnostics::new();
        let missing = UriRef {
            app_id: "0oaDOESNOTEXIST".into(),
            ..r
        };
        let planned = to_state(&missing);
        assert!(resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await
            .is_none());
        assert_eq!(error_paths(&d), vec!["app_id"]);
        let mut d = Diagnostics::new();
        assert!(resource.read(&planned, &[], &mut d).await.is_none());
        resource.delete(&planned, &[], &mut d).await;
        assert!(!d.has_errors(), "{d:?}");
        org.emu.shutdown().await.expect("shutdown");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn thirty_parallel_uris_on_one_app_all_land() {
        let org = Org::start().await;
        let app_id = org
            .web_app(&["https://base.example.com/cb"], &["authorization_code"])
            .await;
        let resource = Typed::resource(OidcAppRedirectUriResource {
            data: Arc::clone(&org.data),
        });
        let refs: Vec<UriRef> = (0..30)
            .map(|i| UriRef {
                app_id: app_id.clone(),
                kind: if i % 3 == 0 {
                    UriKind::PostLogout
                } else {
                    UriKind::SignIn
                },
                uri: format!("https://team{i}.example.com/oauth2/callback"),
            })
            .collect();
        let run = |refs: Vec<UriRef>, create: bool| {
            let resource = Arc::clone(&resource);
            async move {
                let tasks: Vec<_> = refs
                    .into_iter()
                    .map(|r| {
                        let resource = Arc::clone(&resource);
                        tokio::spawn(async move {
                            let state = to_state(&r);
                            let mut d = Diagnostics::new();
                            if create {
                                resource
                                    .create(&apply_request(&Value::Null, &state), &mut d)
                                    .await;
                            } else {
                                resource.delete(&state, &[], &mut d).await;
                            }
                            d
                        })
                    })
                    .collect();
                for t in tasks {
                    let d = t.await.expect("task");
                    assert!(!d.has_errors(), "{d:?}");
                }
            }
        };
        // Okta sometimes rejects an app update made while another is in flight: the client
        // re-reads and re-applies the change.
        org.fault("PUT", &format!("/api/v1/apps/{app_id}"), 403, "E0000039", 3)
            .await;
        let mark = org.mark().await;
        run(refs.clone(), true).await;
        let calls = org.calls_since(mark).await;
        // 33 reads for the writes, 30 confirming them.
        assert_eq!(calls.iter().filter(|c| c.starts_with("GET")).count(), 63);
        assert_eq!(calls.iter().filter(|c| c.starts_with("PUT")).count(), 33);
        let app = org.app(&app_id).await;
        for r in &refs {
            assert!(r.is_on(&app), "{} missing", r.uri);
        }
        assert_eq!(app.redirect_uris().map(|u| u.len()), Some(21));
        // A later refresh finds every one: the next plan is empty. The thirty reads of the app
        // share one GET.
        let mark = org.mark().await;
        for r in &refs {
            let mut d = Diagnostics::new();
            let read = resource.read(&to_state(r), &[], &mut d).await;
            assert_eq!(read.map(|s| s.state), Some(to_state(r)));
        }
        assert_eq!(
            org.calls_since(mark).await,
            vec![format!("GET /api/v1/apps/{app_id}")]
        );
        run(refs, false).await;
        let app = org.app(&app_id).await;
        assert_eq!(
            app.redirect_uris(),
            Some(vec!["https://base.example.com/cb".to_string()])
        );
        assert_eq!(app.post_logout_redirect_uris(), None);
        org.emu.shutdown().await.expect("shutdown");
    }

    /// Creates (or with `create` false, deletes) every URI at once through `resource`; returns
    /// the diagnostics of each.
    async fn all_at_once(
        resource: &Arc<dyn Resource>,
        refs: &[UriRef],
        create: bool,
    ) -> Vec<Diagnostics> {
        let tasks: Vec<_> = refs
            .iter()
            .cloned()
            .map(|r| {
                let resource = Arc::clone(resource);
                tokio::spawn(async move {
                    let state = to_state(&r);
                    let mut d = Diagnostics::new();
                    if create {
                        resource
                            .create(&apply_request(&Value::Null, &state), &mut d)
                            .await;
                    } else {
                        resource.delete(&state, &[], &mut d).await;
                    }
                    d
                })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    }

    fn team_refs(app_id: &str, team: &str, n: usize) -> Vec<UriRef> {
        (0..n)
            .map(|i| UriRef {
                app_id: app_id.to_string(),
                kind: UriKind::SignIn,
                uri: format!("https://{team}{i}.example.com/oauth2/callback"),
            })
            .collect()
    }

    /// Issue #11: a PUT the client gave up on lands at Okta later and replaces the app with the
    /// copy it carried, removing a URI another resource added meanwhile. The other resource's
    /// confirmation waits until such a write can no longer land, finds its URI gone and adds it
    /// again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_late_landing_write_is_outlasted() {
        let settings = [("request_timeout", Value::number(1))];
        let org = Org::start_with(std::time::Duration::ZERO, &settings).await;
        let app_id = org
            .web_app(&["https://base.example.com/cb"], &["authorization_code"])
            .await;
        let resource = Typed::resource(OidcAppRedirectUriResource {
            data: Arc::clone(&org.data),
        });
        let first = team_refs(&app_id, "first", 1);
        let second = team_refs(&app_id, "second", 1);
        // The first PUT lands 1.5 s after it was sent; the client gives up after 1 s and resends.
        org.delay("PUT", &format!("/api/v1/apps/{app_id}"), 1500, 1)
            .await;
        let mark = org.mark().await;
        let started = std::time::Instant::now();
        let early = {
            let (resource, first) = (Arc::clone(&resource), first.clone());
            tokio::spawn(async move { all_at_once(&resource, &first, true).await })
        };
        // The second resource writes while the first one's late PUT is still on its way.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        for d in all_at_once(&resource, &second, true).await {
            assert!(!d.has_errors(), "{d:?}");
        }
        for d in early.await.expect("task") {
            assert!(!d.has_errors(), "{d:?}");
        }
        // Whatever the provider did, look only once the late PUT has landed.
        let landed = started + std::time::Duration::from_millis(1700);
        tokio::time::sleep_until(landed.into()).await;
        let app = org.app(&app_id).await;
        for r in first.iter().chain(&second) {
            assert!(
                r.is_on(&app),
                "{} missing: {:?}",
                r.uri,
                app.redirect_uris()
            );
        }
        // The late write did revert the second URI, which was written again.
        let puts = org.calls_since(mark).await;
        let puts = puts.iter().filter(|c| c.starts_with("PUT")).count();
        assert_eq!(puts, 4, "late PUT, its resend, the second URI, its redo");
        assert!(started.elapsed() >= std::time::Duration::from_secs(2));
        org.emu.shutdown().await.expect("shutdown");
    }

    /// Issue #11 inside one test: two provider processes (each with its own per-app lock) add
    /// fifteen URIs each to one app at once, against an org with latency so that their
    /// read-modify-writes overlap; then remove them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_processes_adding_uris_to_one_app_converge() {
        let latency = std::time::Duration::from_millis(15);
        let org = Org::start_with(latency, &[]).await;
        let app_id = org
            .web_app(&["https://base.example.com/cb"], &["authorization_code"])
            .await;
        let other = org.another_provider(&[]).await;
        let ours = Typed::resource(OidcAppRedirectUriResource {
            data: Arc::clone(&org.data),
        });
        let theirs = Typed::resource(OidcAppRedirectUriResource { data: other });
        let (a, b) = (team_refs(&app_id, "a", 15), team_refs(&app_id, "b", 15));
        let mark = org.mark().await;
        let (da, db) = tokio::join!(all_at_once(&ours, &a, true), all_at_once(&theirs, &b, true));
        for d in da.iter().chain(&db) {
            assert!(!d.has_errors(), "{d:?}");
        }
        let app = org.app(&app_id).await;
        let missing: Vec<_> = a.iter().chain(&b).filter(|r| !r.is_on(&app)).collect();
        assert!(
            missing.is_empty(),
            "missing after both returned: {missing:?}"
        );
        let calls = org.calls_since(mark).await;
        let puts = calls.iter().filter(|c| c.starts_with("PUT")).count();
        tracing::info!(puts, "two processes, 30 URIs");
        assert!(puts >= 30, "{puts} PUTs");

        let (da, db) = tokio::join!(
            all_at_once(&ours, &a, false),
            all_at_once(&theirs, &b, false)
        );
        for d in da.iter().chain(&db) {
            assert!(!d.has_errors(), "{d:?}");
        }
        let app = org.app(&app_id).await;
        assert_eq!(
            app.redirect_uris(),
            Some(vec!["https://base.example.com/cb".to_string()])
        );
        org.emu.shutdown().await.expect("shutdown");
    }
}
