//! `oktaidp_oidc_app`: the Okta OIDC web application Pomerium signs users in with.

mod secret_rotation;
mod secret_storage;
mod uris;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::okta::{CreatedApp, OidcApp, OktaClient, RefreshTokenSettings};
use crate::provider::{app_parts, okta_diag, validate, ProviderData};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::typed::{self, Change, Outcome, Plan, Saved, TypedResource};
use crate::tfplugin::value::{Type, Value};
use uris::ManagedUris;

pub const TYPE_NAME: &str = "oktaidp_oidc_app";

const WEB_GRANT_TYPES: [&str; 4] = [
    "authorization_code",
    "implicit",
    "refresh_token",
    "client_credentials",
];
const RESPONSE_TYPES: [&str; 3] = ["code", "token", "id_token"];
const AUTH_METHODS: [&str; 2] = ["client_secret_basic", "client_secret_post"];
const ROTATE: &str = RefreshTokenSettings::ROTATE;

/// A custom client ID as Okta accepts it.
fn client_id(id: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "$-_.+!*'(),".contains(c);
    if (6..=100).contains(&id.len()) && id.chars().all(allowed) && id != "ALL_CLIENTS" {
        return Ok(());
    }
    Err("A custom client_id is 6 to 100 characters of letters, digits and $-_.+!*'(), (and not ALL_CLIENTS).".into())
}

fn label(label: &str) -> Result<(), String> {
    match label.trim() {
        "" => Err(
            "The app needs a label: Okta requires one (it is the app's name in the Admin Console)."
                .into(),
        ),
        _ => Ok(()),
    }
}

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(&crate::provider::oauth_scopes::note(
            include_str!("../../descriptions/oidc_app.md").trim_end(), &["okta.apps.manage", "okta.groups.read"])
        )
        .attr(Attribute::string("id").computed().use_state_for_unknown().describe("Okta app ID (`0oa...`)."))
        .attr(Attribute::string("label").required().check(label).describe("Display name of the app in Okta."))
        .attr(Attribute::new("redirect_uris", Type::list(Type::String)).required().describe(include_str!("../../descriptions/oidc_app/redirect_uris.md").trim_end()))
        .attr(Attribute::bool("redirect_uris_exclusive").default(Value::Bool(true)).describe(include_str!("../../descriptions/oidc_app/redirect_uris_exclusive.md").trim_end()))
        .attr(Attribute::new("post_logout_redirect_uris", Type::list(Type::String)).optional().computed().check(|u| validate::redirect_uri(u, false)).describe(
            "Sign-out redirect URIs. Unset: not managed (the value read from Okta is shown).",
        ))
        .attr(Attribute::string("initiate_login_uri").optional().check(|u| validate::absolute_url(u, validate::HttpRule::HttpsOrLoopback).map(drop)).describe(
            "URI Okta sends users to when they start sign-in from the Okta dashboard.",
        ))
        .attr(
            Attribute::new("grant_types", Type::set(Type::String))
                .default(Value::set(["authorization_code", "refresh_token"].map(Value::string)))
                .describe(
                    "OAuth grant types: `authorization_code` (required for web apps), `refresh_token`, `implicit`, \
                     `client_credentials`. Default: `authorization_code` and `refresh_token` (Pomerium needs refresh tokens).",
                ),
        )
        .attr(
            Attribute::new("response_types", Type::set(Type::String))
                .default(Value::set(["code"].map(Value::string)))
                .one_of(&RESPONSE_TYPES)
                .describe("OAuth response types: `code`, `token`, `id_token`. Default `[\"code\"]`."),
        )
        .attr(Attribute::string("refresh_token_rotation").default(Value::string("STATIC")).one_of(&["STATIC", ROTATE]).describe(
            "Refresh token rotation: `STATIC` (default) or `ROTATE`. Applies when the `refresh_token` grant is on.",
        ))
        .attr(Attribute::number("refresh_token_leeway").optional().computed().whole_number(0, Some(60)).describe(
            "Seconds (0 to 60) the previous refresh token stays valid after rotation; only with `ROTATE` (Okta's default is 30).",
        ))
        .attr(
            Attribute::string("token_endpoint_auth_method")
                .default(Value::string("client_secret_basic"))
                .one_of(&AUTH_METHODS)
                .describe("`client_secret_basic` (default) or `client_secret_post`."),
        )
        .attr(Attribute::bool("pkce_required").default(Value::Bool(false)).describe(
            "Require PKCE on the authorization code flow. Default `false`.",
        ))
        .attr(Attribute::string("consent_method").default(Value::string("TRUSTED")).one_of(&["TRUSTED", "REQUIRED"]).describe(
            "`TRUSTED` (default: no consent screen) or `REQUIRED`.",
        ))
        .attr(
            Attribute::string("issuer_mode")
                .optional()
                .computed()
                .use_state_for_unknown()
                .one_of(&["ORG_URL", "CUSTOM_URL", "DYNAMIC"])
                .describe("`ORG_URL`, `CUSTOM_URL` or `DYNAMIC`. Unset: Okta's default for the org."),
        )
        .attr(Attribute::string("wildcard_redirect").default(Value::string("DISABLED")).one_of(&["DISABLED", "SUBDOMAIN"]).describe(
            "`DISABLED` (default) or `SUBDOMAIN` (allows `https://*.example.com/...` redirect URIs).",
        ))
        .attr(Attribute::string("status").default(Value::string("ACTIVE")).one_of(&["ACTIVE", "INACTIVE"]).describe(
            "`ACTIVE` (default) or `INACTIVE`.",
        ))
        .attr(Attribute::new("group_ids", Type::set(Type::String)).optional().check(validate::group_id).describe(include_str!("../../descriptions/oidc_app/group_ids.md").trim_end()))
        .attr(
            Attribute::string("client_id")
                .optional()
                .computed()
                .requires_replace()
                .use_state_for_unknown()
                .check(client_id)
                .describe(
                    "OAuth client ID. Unset: Okta uses the app ID. A custom value (6 to 100 characters of letters, \
                     digits and `$-_.+!*'(),`) cannot change without replacing the app.",
                ),
        )
        .attr(Attribute::string("client_secret").computed().sensitive().describe(
            "The newest active client secret.",
        ))
        .attr(Attribute::number("client_secret_version").default(Value::number(1)).whole_number(1, None).describe(
            "Raise to rotate the client secret (no re-creation, same `client_id`). Default 1; it can only increase.",
        ))
        .attr(secret_storage::attribute())
        .attr(Attribute::bool("keep_previous_client_secret").default(Value::Bool(false)).describe(include_str!("../../descriptions/oidc_app/keep_previous_client_secret.md").trim_end()))
        .attr(Attribute::string("sign_on_mode").computed().use_state_for_unknown().describe(
            "Always `OPENID_CONNECT`.",
        ))
        .attr(Attribute::string("created").computed().use_state_for_unknown().describe("When the app was created."))
        .attr(Attribute::string("last_updated").computed().describe("When the app was last changed.")),
    )
}

/// URIs this resource added, remembered for additive mode (`redirect_uris_exclusive = false`).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Owned {
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Option<Vec<String>>,
}

/// The resource's attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcAppModel {
    pub id: Field<String>,
    pub label: Field<String>,
    pub redirect_uris: Field<Vec<String>>,
    pub redirect_uris_exclusive: Field<bool>,
    pub post_logout_redirect_uris: Field<Vec<String>>,
    pub initiate_login_uri: Field<String>,
    pub grant_types: Field<BTreeSet<String>>,
    pub response_types: Field<BTreeSet<String>>,
    pub refresh_token_rotation: Field<String>,
    pub refresh_token_leeway: Field<u32>,
    pub token_endpoint_auth_method: Field<String>,
    pub pkce_required: Field<bool>,
    pub consent_method: Field<String>,
    pub issuer_mode: Field<String>,
    pub wildcard_redirect: Field<String>,
    pub status: Field<String>,
    pub group_ids: Field<BTreeSet<String>>,
    pub client_id: Field<String>,
    pub client_secret: Field<String>,
    pub client_secret_version: Field<i64>,
    pub keep_previous_client_secret: Field<bool>,
    pub store_client_secret: Field<bool>,
    pub sign_on_mode: Field<String>,
    pub created: Field<String>,
    pub last_updated: Field<String>,
}

/// A known list or set of strings, empty otherwise.
fn strings<C>(field: &Field<C>) -> Vec<String>
where
    for<'a> &'a C: IntoIterator<Item = &'a String>,
{
    field.get().into_iter().flatten().cloned().collect()
}

impl OidcAppModel {
    /// The schema's defaults, for what neither Okta nor a prior state tells.
    fn defaults() -> Self {
        typed::defaults(&schema())
    }

    /// Create and update write the planned values, except where only the configuration says
    /// whether an attribute is managed (the plan carries prior or Okta values over).
    fn wanted(planned: &Self, config: &Self) -> Self {
        Self {
            post_logout_redirect_uris: config.post_logout_redirect_uris.clone(),
            refresh_token_leeway: config.refresh_token_leeway,
            issuer_mode: config.issuer_mode.clone(),
            client_id: config.client_id.clone(),
            ..planned.clone()
        }
    }

    fn owned(&self) -> Owned {
        Owned {
            redirect_uris: strings(&self.redirect_uris),
            post_logout_redirect_uris: self.post_logout_redirect_uris.get().cloned(),
        }
    }

    fn active(&self) -> bool {
        self.status.as_deref() != Some("INACTIVE")
    }

    /// The state from what Okta returned. `prior` supplies what Okta does not return (the
    /// secret, settings of disabled features, configuration-only attributes); `secret` is a
    /// secret Okta just returned.
    fn from_app(
        app: &OidcApp,
        prior: &Self,
        owned: &Owned,
        group_ids: Option<BTreeSet<String>>,
        secret: Option<String>,
    ) -> Self {
        let d = Self::defaults();
        let exclusive = Field::or_if_null(prior.redirect_uris_exclusive, d.redirect_uris_exclusive);
        // Additive: only our URIs that the app still has.
        let ours = |mine: &[String], all: &[String]| -> Vec<String> {
            mine.iter().filter(|u| all.contains(u)).cloned().collect()
        };
        let actual_redirects = app.redirect_uris().unwrap_or_default();
        let redirect_uris = if exclusive.known() != Some(false) {
            actual_redirects
        } else {
            ours(&owned.redirect_uris, &actual_redirects)
        };
        let actual_logout = app.post_logout_redirect_uris().unwrap_or_default();
        let post_logout = match (&owned.post_logout_redirect_uris, exclusive.known()) {
            (Some(mine), Some(false)) => Field::Known(ours(mine, &actual_logout)),
            // Okta omits an empty list: an explicit empty list in state stays, anything else is null.
            _ if actual_logout.is_empty() => match &prior.post_logout_redirect_uris {
                Field::Known(items) if items.is_empty() => Field::Known(Vec::new()),
                _ => Field::Null,
            },
            _ => Field::Known(actual_logout),
        };
        let (rotation, leeway) = match app.refresh_token() {
            Some(r) if r.rotation_type == ROTATE => {
                (Field::Known(r.rotation_type), r.leeway.into())
            }
            Some(r) => (Field::Known(r.rotation_type), Field::Null),
            // No refresh grant: Okta drops the settings; the configured values stand, and an
            // unconfigured leeway is null (there is none), as the plan says.
            None => (
                prior.refresh_token_rotation.clone(),
                Field::from(prior.refresh_token_leeway.known()),
            ),
        };
        let set =
            |v: Option<Vec<String>>| Field::Known(v.unwrap_or_default().into_iter().collect());
        Self {
            id: app.id().into(),
            label: app.label().into(),
            redirect_uris: Field::Known(redirect_uris),
            redirect_uris_exclusive: exclusive,
            post_logout_redirect_uris: post_logout,
            initiate_login_uri: app.initiate_login_uri().into(),
            grant_types: set(app.grant_types()),
            response_types: set(app.response_types()),
            refresh_token_rotation: rotation.or_if_null(d.refresh_token_rotation),
            refresh_token_leeway: leeway,
            token_endpoint_auth_method: Field::from(app.token_endpoint_auth_method())
                .or_if_null(d.token_endpoint_auth_method),
            pkce_required: Field::from(app.pkce_required()).or_if_null(d.pkce_required),
            consent_method: Field::from(app.consent_method()).or_if_null(d.consent_method),
            issuer_mode: app.issuer_mode().into(),
            wildcard_redirect: Field::from(app.wildcard_redirect()).or_if_null(d.wildcard_redirect),
            status: app.status().into(),
            group_ids: group_ids.into(),
            client_id: app.client_id().into(),
            client_secret: secret_storage::stored(
                prior.store_client_secret,
                Field::from(secret).or_if_null(prior.client_secret.clone()),
            ),
            store_client_secret: prior.store_client_secret.or_if_null(d.store_client_secret),
            client_secret_version: prior
                .client_secret_version
                .or_if_null(d.client_secret_version),
            keep_previous_client_secret: prior
                .keep_previous_client_secret
                .or_if_null(d.keep_previous_client_secret),
            sign_on_mode: app.sign_on_mode().into(),
            created: app.created().into(),
            last_updated: app.last_updated().into(),
        }
    }

    /// The URI lists this plan manages.
    fn uris(&self) -> ManagedUris<'_> {
        ManagedUris {
            exclusive: self.redirect_uris_exclusive.known() != Some(false),
            redirect: strings(&self.redirect_uris),
            post_logout: self.post_logout_redirect_uris.get().map(Vec::as_slice),
        }
    }

    /// Writes every managed setting into the app; everything else stays as Okta sent it.
    /// `self` is [`Self::wanted`]; `owned` is what the previous apply added.
    fn apply_to(&self, app: &mut OidcApp, owned: &Owned) {
        app.set_label(self.label.as_deref().unwrap_or_default());
        self.uris().apply(app, owned);
        app.set_initiate_login_uri(self.initiate_login_uri.as_deref());
        let grants = strings(&self.grant_types);
        app.set_grant_types(&grants);
        app.set_response_types(&strings(&self.response_types));
        match self.refresh_token_rotation.get() {
            Some(rotation) if grants.iter().any(|g| g == "refresh_token") => {
                app.set_refresh_rotation(rotation, self.refresh_token_leeway.known())
            }
            _ => app.set_refresh_token(None),
        }
        if let Some(method) = self.token_endpoint_auth_method.get() {
            app.set_token_endpoint_auth_method(method);
        }
        if let Some(required) = self.pkce_required.known() {
            app.set_pkce_required(required);
        }
        if let Some(method) = self.consent_method.get() {
            app.set_consent_method(method);
        }
        if let Some(mode) = self.issuer_mode.get() {
            app.set_issuer_mode(mode);
        }
        if let Some(mode) = self.wildcard_redirect.get() {
            app.set_wildcard_redirect(mode);
        }
    }
}

pub struct OidcAppResource {
    pub data: Arc<ProviderData>,
}

/// The rules that involve more than one value; single values are checked by the schema.
fn check_config(config: &OidcAppModel, diags: &mut Diagnostics) {
    // Unknown: check the rest, not the wildcard rule.
    let wildcard_mode = &config.wildcard_redirect;
    let wildcard = wildcard_mode.is_unknown() || wildcard_mode.as_deref() == Some("SUBDOMAIN");
    if config.redirect_uris.get().is_some_and(Vec::is_empty) {
        diags.attr_error(
            AttrPath::root("redirect_uris"),
            "No redirect URI",
            "Okta needs at least one sign-in redirect URI for the authorization code flow; for Pomerium use https://<authenticate host>/oauth2/callback.",
        );
    }
    let logout = &config.post_logout_redirect_uris;
    for (name, uris) in [
        ("redirect_uris", &config.redirect_uris),
        ("post_logout_redirect_uris", logout),
    ] {
        let mut seen = BTreeSet::new();
        for (i, uri) in strings(uris).into_iter().enumerate() {
            // Wildcards depend on wildcard_redirect: not a schema check.
            let wrong = validate::redirect_uri(&uri, wildcard).err();
            if let Some(e) = wrong.filter(|_| name == "redirect_uris") {
                diags.attr_error(AttrPath::root(name).index(i), "Invalid redirect_uris", e);
            }
            if !seen.insert(uri.clone()) {
                diags.attr_error(
                    AttrPath::root(name).index(i),
                    format!("Duplicate in {name}"),
                    format!("\"{uri}\" is listed twice."),
                );
            }
        }
    }
    if let Some(grants) = config.grant_types.get() {
        // Not a schema check: the acceptance tests expect this wording.
        let not_web = |g: &&String| !WEB_GRANT_TYPES.contains(&g.as_str());
        for g in grants.iter().filter(not_web) {
            diags.attr_error(
                AttrPath::root("grant_types"),
                "Invalid grant type",
                format!(
                    "\"{g}\" is not allowed for a web app; allowed: {}.",
                    WEB_GRANT_TYPES.join(", ")
                ),
            );
        }
        if !grants.contains("authorization_code") {
            diags.attr_error(
                AttrPath::root("grant_types"),
                "Missing authorization_code grant",
                "Okta web apps must include the authorization_code grant (Pomerium signs in with it).",
            );
        }
        if let Some(responses) = config.response_types.get() {
            if grants.contains("implicit")
                && !responses.contains("token")
                && !responses.contains("id_token")
            {
                diags.attr_error(
                    AttrPath::root("response_types"),
                    "Implicit grant needs a token response type",
                    "With the implicit grant, response_types must include token or id_token.",
                );
            }
        }
    }
    if config.response_types.get().is_some_and(BTreeSet::is_empty) {
        diags.attr_error(
            AttrPath::root("response_types"),
            "No response type",
            "Set at least \"code\".",
        );
    }
    let rotation = &config.refresh_token_rotation;
    if config.refresh_token_leeway.is_known()
        && rotation.as_deref() != Some(ROTATE)
        && !rotation.is_unknown()
    {
        diags.attr_error(
            AttrPath::root("refresh_token_leeway"),
            "Leeway needs rotation",
            "refresh_token_leeway only applies with refresh_token_rotation = \"ROTATE\" (Okta ignores it for STATIC tokens).",
        );
    }
}

/// Checks that each group in `wanted` but not in `assigned` exists, before anything is written:
/// an ID that names no group is an error at its element of `group_ids`. Without the right to
/// read groups (`okta.groups.read`), the assignment itself reports it.
async fn groups_exist(
    client: &OktaClient,
    wanted: &BTreeSet<String>,
    assigned: &BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Option<()> {
    let mut missing = false;
    for id in wanted.difference(assigned) {
        match client.groups().get(id).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                missing = true;
                diags.attr_error(
                    AttrPath::root("group_ids").key(id),
                    "Group not found",
                    format!(
                        "group_ids lists {id}, but this Okta org has no group with that ID. Check the ID (or \
                         look the group up by name with the oktaidp_group data source). Nothing was changed in Okta."
                    ),
                );
            }
            Err(e) if e.status() == Some(http::StatusCode::FORBIDDEN) => {
                tracing::debug!(group_id = %id, "no right to read groups; the assignment will check it");
                return Some(());
            }
            Err(e) => {
                okta_diag::attr_error(
                    diags,
                    AttrPath::root("group_ids"),
                    "checking the groups to assign",
                    &e,
                );
                return None;
            }
        }
    }
    (!missing).then_some(())
}

/// Whether the model has the refresh token grant; `None` while its grant types are unknown.
fn refresh_grant_on(model: &OidcAppModel) -> Option<bool> {
    let grants = model.grant_types.get()?;
    Some(grants.contains("refresh_token"))
}

/// The leeway an unconfigured `refresh_token_leeway` will have after the apply: null without
/// rotation (no refresh grant, or `STATIC`: Okta reports none); with rotation, the prior one
/// while the app keeps rotating, otherwise unknown (Okta picks it).
fn planned_leeway(planned: &OidcAppModel, prior: Option<&OidcAppModel>) -> Field<u32> {
    let rotation = &planned.refresh_token_rotation;
    let (Some(refresh), false) = (refresh_grant_on(planned), rotation.is_unknown()) else {
        return Field::Unknown;
    };
    if !refresh || rotation.as_deref() != Some(ROTATE) {
        return Field::Null;
    }
    let rotating = |m: &OidcAppModel| {
        refresh_grant_on(m) == Some(true) && m.refresh_token_rotation.as_deref() == Some(ROTATE)
    };
    match prior {
        Some(prior) if rotating(prior) && prior.refresh_token_leeway.is_known() => {
            prior.refresh_token_leeway
        }
        _ => Field::Unknown,
    }
}

#[tonic::async_trait]
impl TypedResource for OidcAppResource {
    type Model = OidcAppModel;
    type Private = Owned;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema() -> Schema {
        schema()
    }

    fn validate(&self, config: &OidcAppModel, diags: &mut Diagnostics) {
        check_config(config, diags);
    }

    fn modify_plan(&self, plan: &mut Plan<'_, Self>, diags: &mut Diagnostics) {
        if plan.config.refresh_token_leeway.is_null() {
            plan.planned.refresh_token_leeway = planned_leeway(&plan.planned, plan.prior);
        }
        let Some(prior) = plan.prior else {
            return;
        };
        let planned = &mut plan.planned;
        let (before, after) = (prior.client_secret_version, planned.client_secret_version);
        if let (Field::Known(before), Field::Known(after)) = (before, after) {
            if after < before {
                diags.attr_error(
                    AttrPath::root("client_secret_version"),
                    "client_secret_version can only increase",
                    format!(
                        "It was {before}; a secret cannot be un-rotated. Set {before} or higher."
                    ),
                );
            }
        }
        let rotating = after != before || !after.is_known();
        let auth_changes = planned.token_endpoint_auth_method != prior.token_endpoint_auth_method;
        // The secret only changes on rotation, or when Okta regenerates it for a new auth method.
        if !rotating && !auth_changes && !prior.client_secret.is_null() {
            planned.client_secret = prior.client_secret.clone();
        }
        secret_storage::plan(planned.store_client_secret, &mut planned.client_secret);
        // Unmanaged sign-out URIs are left as they are, and shown as Okta has them: the update
        // cannot change them, unless they were managed additively (the state showed only ours).
        let was_additive = plan.prior_private.post_logout_redirect_uris.is_some()
            && prior.redirect_uris_exclusive.known() == Some(false);
        if plan.config.post_logout_redirect_uris.is_null() && !was_additive {
            planned.post_logout_redirect_uris = prior.post_logout_redirect_uris.clone();
        }
    }

    async fn create(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self> {
        let client = self.data.client(diags)?;
        let wanted = OidcAppModel::wanted(change.planned, change.config);
        let none = BTreeSet::new();
        if let Some(groups) = wanted.group_ids.get() {
            groups_exist(&client, groups, &none, diags).await?;
        }
        let mut new_app = OidcApp::new(wanted.label.as_deref().unwrap_or_default(), "web");
        wanted.apply_to(&mut new_app, &Owned::default());
        new_app.set_client_id(wanted.client_id.as_deref());
        let created = client.create_app_or_adopt(&new_app, wanted.active()).await;
        let CreatedApp {
            app,
            secret,
            adopted_after,
        } = okta_diag::ok(diags, "creating the app", created)?;
        if let Some(e) = adopted_after {
            diags.warning(
                "App adopted after an uncertain create",
                format!("Creating the app failed ({e}), but Okta has an app with this label and redirect URIs, created moments ago; it is managed from now on."),
            );
        }
        let app_id = app.id().unwrap_or_default().to_string();
        tracing::info!(app_id = %app_id, "created OIDC app");
        // From here on the app exists: every failure still returns it, so that Terraform
        // records it (tainted: the next apply replaces it). Keeping it untainted would need a
        // successful apply whose next plan is not empty; the groups are checked before the
        // create instead, so only a failure of Okta itself gets here.
        let mut group_ids = None;
        if let Some(groups) = wanted.group_ids.get() {
            let assignments = client.app_groups();
            let synced = assignments.sync(&app_id, Some(&none), groups).await;
            let action = "assigning groups to the new app";
            group_ids = match okta_diag::ok_at(diags, "group_ids", action, synced) {
                Some(()) => Some(groups.clone()),
                // Unreadable too: an empty set, so that the state says what is missing.
                None => Some(assignments.group_ids(&app_id).await.unwrap_or_default()),
            };
        }
        let private = wanted.owned();
        let state = OidcAppModel::from_app(&app, change.planned, &private, group_ids, secret);
        Some(Saved { state, private })
    }

    async fn read(
        &self,
        state: OidcAppModel,
        private: Owned,
        diags: &mut Diagnostics,
    ) -> Outcome<Self> {
        let client = self.data.client(diags)?;
        let id = state.id.get()?;
        let got = client.apps().get_shared(id).await;
        let Some(app) = okta_diag::ok(diags, "reading the app", got)? else {
            tracing::info!(app_id = %id, "app no longer exists; removing it from state");
            return None;
        };
        let mut groups = None;
        if !state.group_ids.is_null() {
            let listed = client.app_groups().group_ids_shared(id).await;
            let listed = okta_diag::ok(diags, "reading the app's group assignments", listed)?;
            groups = Some(listed);
        }
        let state = OidcAppModel::from_app(&app, &state, &private, groups, None);
        Some(Saved { state, private })
    }

    async fn update(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self> {
        let client = self.data.client(diags)?;
        let prior = change.prior?;
        let id = prior.id.get()?;
        let wanted = OidcAppModel::wanted(change.planned, change.config);
        if let Some(groups) = wanted.group_ids.get() {
            let assigned = prior.group_ids.get().cloned().unwrap_or_default();
            groups_exist(&client, groups, &assigned, diags).await?;
        }
        let locked = client.lock_app(id).await;
        let guard = okta_diag::ok(diags, "waiting for the app lock", locked)?;
        if wanted.active() != prior.active() {
            let set = client.apps().set_active(id, wanted.active()).await;
            okta_diag::ok_at(diags, "status", "changing the app's status", set)?;
        }
        let mut apply = |app: &mut OidcApp| wanted.apply_to(app, change.private);
        let written = client.update_app_locked_write(&guard, &mut apply).await;
        drop(guard);
        let written = okta_diag::ok(diags, "updating the app", written)?;
        // Additive URIs share the app with other writers, maybe in other processes: confirmed
        // and redone while one of them undoes them. Exclusive mode owns the lists outright.
        let updated = if wanted.redirect_uris_exclusive.known() == Some(false) {
            let holds = |app: &OidcApp| wanted.uris().hold(app, change.private);
            let confirmed = client
                .converge_app(id, "redirect URIs", written, apply, holds)
                .await;
            okta_diag::ok(diags, "confirming the app's redirect URIs", confirmed)?
        } else {
            written.app
        };
        // Okta returns the secret after a PUT; it changes only when Okta regenerates it.
        let mut secret = updated.client_secret().map(|s| s.expose().to_string());
        let first = OidcAppModel::defaults().client_secret_version;
        let from = (
            prior.client_secret_version.or_if_null(first),
            prior.keep_previous_client_secret,
        );
        let to = (
            wanted.client_secret_version,
            wanted.keep_previous_client_secret,
        );
        let (rotated, version) = secret_rotation::apply(&client, id, from, to, diags).await;
        secret = rotated.or(secret);
        if secret.is_none() {
            let store = change.planned.store_client_secret;
            secret = secret_storage::fetch_when_switched_on(
                &client,
                id,
                &prior.client_secret,
                store,
                diags,
            )
            .await;
        }
        let mut groups = None;
        if let Some(wanted_groups) = wanted.group_ids.get() {
            let assignments = client.app_groups();
            let synced = assignments.sync(id, None, wanted_groups).await;
            let action = "updating group assignments";
            groups = match okta_diag::ok_at(diags, "group_ids", action, synced) {
                Some(()) => Some(wanted_groups.clone()),
                None => assignments.group_ids(id).await.ok(),
            };
        }
        let prior_like = OidcAppModel {
            client_secret: prior.client_secret.clone(),
            client_secret_version: version,
            ..change.planned.clone()
        };
        let private = wanted.owned();
        let state = OidcAppModel::from_app(&updated, &prior_like, &private, groups, secret);
        Some(Saved { state, private })
    }

    async fn delete(&self, prior: OidcAppModel, _: Owned, diags: &mut Diagnostics) {
        let (Some(client), Some(id)) = (self.data.client(diags), prior.id.get()) else {
            return;
        };
        let locked = client.lock_app(id).await;
        if let Some(_guard) = okta_diag::ok(diags, "waiting for the app lock", locked) {
            let deleted = client.deactivate_and_delete_app(id).await;
            okta_diag::ok(diags, "deleting the app", deleted);
        }
    }

    async fn import(&self, id: &str, diags: &mut Diagnostics) -> Outcome<Self> {
        let client = self.data.client(diags)?;
        let got = client.apps().get(id).await;
        let app = okta_diag::ok(diags, "reading the app", got).flatten()?;
        if let Err(refusal) = app_parts::require_oidc_web(&app, id) {
            diags.error(refusal.summary, refusal.detail);
            return None;
        }
        let newest = client.app_secrets().newest_active(id).await;
        let newest = okta_diag::ok(diags, "reading the app's client secrets", newest)?;
        let secret = newest.map(|v| v.expose().to_string());
        let listed = client.app_groups().group_ids(id).await;
        let groups = okta_diag::ok(diags, "reading the app's group assignments", listed)?;
        // Nothing is owned yet: if the configuration turns out to be additive
        // (`redirect_uris_exclusive = false`), the first apply must not remove URIs that other
        // teams put on the app before the import.
        let private = Owned::default();
        let seed = OidcAppModel::defaults();
        let state = OidcAppModel::from_app(&app, &seed, &private, Some(groups), secret);
        Some(Saved { state, private })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::OktaIdpProvider;
    use crate::tfplugin::framework::Resource;
    use crate::tfplugin::typed::Typed;
    use serde_json::json;

    fn resource() -> Arc<dyn Resource> {
        let provider = OktaIdpProvider::with_env(|_| None);
        Typed::resource(OidcAppResource {
            data: Arc::clone(provider.data()),
        })
    }

    /// Validation as Terraform runs it: the schema's checks, then the resource's.
    fn check_config(config: &Value, diags: &mut Diagnostics) {
        resource().validate(config, diags);
    }

    fn string_list_value<const N: usize>(items: [&str; N]) -> Value {
        Value::List(items.into_iter().map(Value::string).collect())
    }

    fn uris(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        crate::provider::testing::object(&schema(), pairs)
    }

    #[test]
    fn validation_points_at_each_bad_attribute() {
        let mut d = Diagnostics::new();
        check_config(
            &config(&[
                (
                    "redirect_uris",
                    string_list_value([
                        "https://a.example.com/cb",
                        "http://b.example.com/cb",
                        "https://a.example.com/cb",
                    ]),
                ),
                (
                    "grant_types",
                    Value::set(["refresh_token", "password"].map(Value::string)),
                ),
                ("refresh_token_leeway", Value::number(90)),
                ("client_id", Value::string("abc")),
                ("status", Value::string("active")),
                ("label", Value::string("  ")),
                ("group_ids", Value::set([Value::string("Engineering")])),
            ]),
            &mut d,
        );
        let paths: Vec<String> = d
            .iter()
            .filter_map(|x| x.path.as_ref().map(ToString::to_string))
            .collect();
        for expected in [
            "redirect_uris[1]",
            "redirect_uris[2]",
            "grant_types",
            "refresh_token_leeway",
            "client_id",
            "status",
            "label",
            "group_ids",
        ] {
            assert!(
                paths.iter().any(|p| p == expected),
                "{expected} missing from {paths:?}"
            );
        }
    }

    #[test]
    fn group_ids_must_be_ids_and_a_name_points_to_the_data_source() {
        assert_eq!(validate::group_id("00g1a2b3c4d5e6f7g8h9"), Ok(()));
        let err = validate::group_id("Engineering").expect_err("a name");
        assert!(err.contains("oktaidp_group"), "{err}");
        for bad in [
            "",
            "00g",
            "00g1a2b3c4d5e6f7g8h9x",
            "0oa1a2b3c4d5e6f7g8h9",
            "00g1a2b3c4d5e6f7g/h9",
        ] {
            assert!(validate::group_id(bad).is_err(), "{bad:?}");
        }
        assert!(label(" ").is_err());
        assert_eq!(label("Pomerium"), Ok(()));
    }

    #[test]
    fn unknown_values_are_not_validated() {
        let mut d = Diagnostics::new();
        check_config(
            &config(&[
                ("redirect_uris", Value::Unknown),
                ("grant_types", Value::Unknown),
                ("wildcard_redirect", Value::Unknown),
            ]),
            &mut d,
        );
        assert!(!d.has_errors(), "{d:?}");
    }

    #[test]
    fn owned_uris_round_trip_through_private_state() {
        // The adapter keeps private state as the JSON of `Owned`, unreadable bytes as default.
        let owned = Owned {
            redirect_uris: uris(&["https://a/cb"]),
            post_logout_redirect_uris: None,
        };
        let bytes = serde_json::to_vec(&owned).expect("json");
        let read = |b: &[u8]| serde_json::from_slice::<Owned>(b).unwrap_or_default();
        assert_eq!(read(&bytes), owned);
        assert_eq!(read(b"garbage"), Owned::default());
    }

    fn okta_app(oauth: serde_json::Value) -> OidcApp {
        serde_json::from_value(json!({
            "id": "0oaAPP",
            "label": "pomerium",
            "status": "ACTIVE",
            "signOnMode": "OPENID_CONNECT",
            "settings": {"oauthClient": oauth},
        }))
        .expect("app json")
    }

    fn planned() -> OidcAppModel {
        OidcAppModel {
            label: "pomerium".into(),
            redirect_uris: Field::Known(uris(&["https://mine/cb"])),
            grant_types: Field::Known(["authorization_code".into(), "refresh_token".into()].into()),
            response_types: Field::Known(["code".into()].into()),
            status: "ACTIVE".into(),
            ..OidcAppModel::defaults()
        }
    }

    #[test]
    fn defaults_come_from_the_schema() {
        let d = OidcAppModel::defaults();
        assert_eq!(d.refresh_token_rotation, "STATIC".into());
        assert_eq!(d.token_endpoint_auth_method, "client_secret_basic".into());
        assert_eq!(d.consent_method, "TRUSTED".into());
        assert_eq!(d.wildcard_redirect, "DISABLED".into());
        assert_eq!(d.redirect_uris_exclusive, Field::Known(true));
        assert_eq!(d.client_secret_version, Field::Known(1));
        assert_eq!(d.label, Field::Null);
    }

    #[test]
    fn applying_then_reading_gives_the_plan_back() {
        let mut app = okta_app(json!({"redirect_uris": ["https://other/cb"]}));
        let mut want = planned();
        want.refresh_token_rotation = ROTATE.into();
        want.apply_to(&mut app, &Owned::default());
        assert_eq!(app.redirect_uris(), Some(uris(&["https://mine/cb"])));
        assert_eq!(
            app.refresh_token(),
            Some(RefreshTokenSettings {
                rotation_type: ROTATE.into(),
                leeway: Some(RefreshTokenSettings::DEFAULT_LEEWAY)
            })
        );
        let state = OidcAppModel::from_app(&app, &want, &want.owned(), None, Some("s3".into()));
        assert_eq!(
            state.refresh_token_leeway,
            Field::Known(RefreshTokenSettings::DEFAULT_LEEWAY)
        );
        assert_eq!(state.client_secret, "s3".into());
        assert_eq!(state.grant_types, want.grant_types);
        assert_eq!(state.consent_method, want.consent_method);
        assert_eq!(state.client_secret_version, Field::Known(1));
        // Without the refresh grant Okta drops the settings: the planned ones stand.
        want.grant_types = Field::Known(["authorization_code".into()].into());
        want.apply_to(&mut app, &Owned::default());
        assert_eq!(app.refresh_token(), None);
        let state = OidcAppModel::from_app(&app, &want, &want.owned(), None, None);
        assert_eq!(state.refresh_token_rotation, ROTATE.into());
        assert_eq!(state.client_secret, Field::Null);
    }

    #[test]
    fn additive_mode_shows_only_our_uris_and_keeps_the_others() {
        let mut app = okta_app(json!({"redirect_uris": ["https://other/cb", "https://old/cb"]}));
        let mut want = planned();
        want.redirect_uris_exclusive = Field::Known(false);
        let before = Owned {
            redirect_uris: uris(&["https://old/cb"]),
            post_logout_redirect_uris: None,
        };
        want.apply_to(&mut app, &before);
        assert_eq!(
            app.redirect_uris(),
            Some(uris(&["https://other/cb", "https://mine/cb"]))
        );
        let state = OidcAppModel::from_app(&app, &want, &want.owned(), None, None);
        assert_eq!(
            state.redirect_uris,
            Field::Known(uris(&["https://mine/cb"]))
        );
        // Okta omitted settings read as the schema's defaults; a prior empty list stays.
        let mut prior = want.clone();
        prior.post_logout_redirect_uris = Field::Known(Vec::new());
        prior.redirect_uris_exclusive = Field::Known(true);
        let bare = okta_app(json!({}));
        let state = OidcAppModel::from_app(&bare, &prior, &Owned::default(), None, None);
        assert_eq!(state.post_logout_redirect_uris, Field::Known(Vec::new()));
        assert_eq!(
            state.token_endpoint_auth_method,
            "client_secret_basic".into()
        );
        assert_eq!(state.pkce_required, Field::Known(false));
        assert_eq!(state.redirect_uris, Field::Known(Vec::new()));
    }

    #[test]
    fn wanted_takes_configuration_only_attributes_from_the_configuration() {
        let mut planned = planned();
        planned.issuer_mode = "ORG_URL".into();
        planned.refresh_token_leeway = Field::Known(45);
        planned.post_logout_redirect_uris = Field::Known(uris(&["https://okta/out"]));
        let config = OidcAppModel {
            label: "pomerium".into(),
            ..OidcAppModel::default()
        };
        let wanted = OidcAppModel::wanted(&planned, &config);
        assert_eq!(wanted.issuer_mode, Field::Null);
        assert_eq!(wanted.refresh_token_leeway, Field::Null);
        assert_eq!(wanted.post_logout_redirect_uris, Field::Null);
        assert_eq!(wanted.owned().post_logout_redirect_uris, None);
        assert_eq!(wanted.grant_types, planned.grant_types);
    }

    /// Terraform's plan (`tfplugin::lifecycle`) for `config` against `prior`.
    fn plan_of(prior: Option<&crate::tfplugin::framework::Stored>, config: &Value) -> OidcAppModel {
        let tf = crate::tfplugin::lifecycle::Terraform::new(resource(), "plan");
        let planned = tf.plan(prior, config).planned;
        crate::tfplugin::model::from_value(&planned).expect("model")
    }

    fn stored(model: &OidcAppModel, private: &Owned) -> crate::tfplugin::framework::Stored {
        crate::tfplugin::framework::Stored {
            state: crate::tfplugin::model::to_value(model, &schema().implied_type())
                .expect("state"),
            private: serde_json::to_vec(private).expect("json"),
        }
    }

    fn base_config(extra: &[(&str, Value)]) -> Value {
        let mut pairs = vec![
            ("label", Value::string("pomerium")),
            ("redirect_uris", string_list_value(["https://mine/cb"])),
        ];
        pairs.extend(extra.iter().cloned());
        config(&pairs)
    }

    /// Issue #20 (1): without the refresh grant, the leeway is null from the plan on, and the
    /// state Okta's answer maps to says the same (it was unknown after apply).
    #[test]
    fn no_refresh_grant_plans_and_applies_a_null_leeway() {
        let auth_code = Value::set([Value::string("authorization_code")]);
        for extra in [
            vec![("grant_types", auth_code.clone())],
            vec![
                ("grant_types", auth_code.clone()),
                ("refresh_token_rotation", Value::string(ROTATE)),
            ],
            vec![("refresh_token_rotation", Value::string("STATIC"))],
        ] {
            let planned = plan_of(None, &base_config(&extra));
            assert_eq!(planned.refresh_token_leeway, Field::Null, "{extra:?}");
            let mut app = okta_app(json!({}));
            let wanted = OidcAppModel::wanted(&planned, &planned);
            wanted.apply_to(&mut app, &Owned::default());
            let state = OidcAppModel::from_app(&app, &planned, &wanted.owned(), None, None);
            assert_eq!(state.refresh_token_leeway, Field::Null, "{extra:?}");
        }
        // Rotation turned on with the grant: Okta picks the leeway.
        let planned = plan_of(
            None,
            &base_config(&[("refresh_token_rotation", Value::string(ROTATE))]),
        );
        assert_eq!(planned.refresh_token_leeway, Field::Unknown);
    }

    /// Issue #20 (8): an update keeps the prior value of every computed attribute it cannot
    /// change; only `last_updated` is unknown.
    #[test]
    fn an_update_plans_only_what_can_change_as_unknown() {
        let prior = OidcAppModel {
            id: "0oaAPP".into(),
            client_id: "0oaAPP".into(),
            client_secret: "s3cret".into(),
            issuer_mode: "ORG_URL".into(),
            sign_on_mode: "OPENID_CONNECT".into(),
            created: "2026-01-01T00:00:00.000Z".into(),
            last_updated: "2026-01-01T00:00:00.000Z".into(),
            post_logout_redirect_uris: Field::Known(uris(&["https://okta/out"])),
            refresh_token_leeway: Field::Null,
            ..planned()
        };
        let renamed = |extra: &[(&str, Value)]| {
            let mut pairs = vec![("label", Value::string("renamed"))];
            pairs.extend(extra.iter().cloned());
            let mut cfg = base_config(&pairs);
            if let Some(v) = cfg.get_mut("label") {
                *v = Value::string("renamed");
            }
            cfg
        };
        let planned = plan_of(Some(&stored(&prior, &Owned::default())), &renamed(&[]));
        assert_eq!(planned.label, "renamed".into());
        assert_eq!(planned.last_updated, Field::Unknown);
        let unchanged = OidcAppModel {
            label: "renamed".into(),
            last_updated: Field::Unknown,
            ..prior.clone()
        };
        assert_eq!(planned, unchanged);

        // Rotating: the leeway of a rotating app stays; turning rotation on leaves it unknown.
        let rotating = OidcAppModel {
            refresh_token_rotation: ROTATE.into(),
            refresh_token_leeway: Field::Known(30),
            ..prior.clone()
        };
        let cfg = renamed(&[("refresh_token_rotation", Value::string(ROTATE))]);
        let planned = plan_of(Some(&stored(&rotating, &Owned::default())), &cfg);
        assert_eq!(planned.refresh_token_leeway, Field::Known(30));
        let planned = plan_of(Some(&stored(&prior, &Owned::default())), &cfg);
        assert_eq!(planned.refresh_token_leeway, Field::Unknown);

        // Sign-out URIs managed additively before: the state showed only ours, so unknown now.
        let additive = OidcAppModel {
            redirect_uris_exclusive: Field::Known(false),
            ..prior.clone()
        };
        let owned = Owned {
            redirect_uris: uris(&["https://mine/cb"]),
            post_logout_redirect_uris: Some(uris(&["https://okta/out"])),
        };
        let cfg = renamed(&[("redirect_uris_exclusive", Value::Bool(false))]);
        let planned = plan_of(Some(&stored(&additive, &owned)), &cfg);
        assert_eq!(planned.post_logout_redirect_uris, Field::Unknown);
    }

    #[test]
    fn import_refuses_every_app_but_an_oidc_web_app() {
        let app_of =
            |json: serde_json::Value| -> OidcApp { serde_json::from_value(json).expect("app") };
        let oidc = |application_type: &str| {
            app_of(json!({"id": "0oa1", "signOnMode": "OPENID_CONNECT",
                "settings": {"oauthClient": {"application_type": application_type}}}))
        };
        assert_eq!(app_parts::require_oidc_web(&oidc("web"), "0oa1"), Ok(()));
        for (app, named) in [
            (
                oidc("service"),
                "API Services app (application_type service)",
            ),
            (
                oidc("browser"),
                "single-page (browser) app (application_type browser)",
            ),
            (oidc("native"), "native app (application_type native)"),
            (
                app_of(json!({"id": "0oa1", "name": "bookmark", "signOnMode": "BOOKMARK"})),
                "sign-on mode BOOKMARK (name bookmark)",
            ),
            (
                app_of(json!({"id": "0oa1", "name": "my_saml", "signOnMode": "SAML_2_0"})),
                "sign-on mode SAML_2_0",
            ),
        ] {
            let refusal = app_parts::require_oidc_web(&app, "0oa1").expect_err(named);
            assert_eq!(refusal.summary, "Not an OIDC web app");
            assert!(
                refusal.detail.contains(named),
                "{named}: {}",
                refusal.detail
            );
            assert!(refusal.detail.contains("Nothing was changed in Okta"));
        }
    }

    /// Issue #20 (4): a group ID that names no group stops the create before the app exists;
    /// an assignment that fails after the create returns the app with the error.
    #[tokio::test]
    async fn groups_are_checked_first_and_a_failed_assignment_returns_the_app() {
        use crate::okta::NewGroup;
        use crate::provider::testing::Org;
        use crate::tfplugin::lifecycle::Terraform;

        let org = Org::start().await;
        let resource = Typed::resource(OidcAppResource {
            data: Arc::clone(&org.data),
        });
        let created = org
            .client
            .groups()
            .create(&NewGroup::new("Engineering", None))
            .await;
        let group = created.expect("group").id.expect("group id");
        let missing = "00gdoesnotexist00001";
        let groups = |ids: &[&str]| Value::set(ids.iter().map(|g| Value::string(*g)));
        let tf = Terraform::new(Arc::clone(&resource), "groups");

        let cfg = base_config(&[("group_ids", groups(&[&group, missing]))]);
        let mark = org.mark().await;
        let err = tf.try_apply(None, &cfg).await.expect_err("missing group");
        let paths: Vec<_> = err.iter().filter_map(|d| d.path.clone()).collect();
        assert_eq!(
            paths,
            vec![AttrPath::root("group_ids").key(missing)],
            "{err:?}"
        );
        let calls = org.calls_since(mark).await;
        assert!(
            calls.iter().all(|c| c.starts_with("GET /api/v1/groups/")),
            "{calls:?}"
        );

        // Okta fails the assignment after the app exists: the error comes with the app, so
        // that Terraform records it (nothing is left behind unrecorded).
        let cfg = base_config(&[("group_ids", groups(&[&group]))]);
        let path = format!("/api/v1/apps/*/groups/{group}");
        org.fault("PUT", &path, 400, "E0000001", 1).await;
        let plan = tf.plan(None, &cfg);
        let mut d = Diagnostics::new();
        let req = crate::tfplugin::framework::ApplyRequest {
            prior: &Value::Null,
            planned: &plan.planned,
            config: &cfg,
            private: &[],
        };
        let stored = resource
            .create(&req, &mut d)
            .await
            .expect("the app is returned");
        let paths: Vec<_> = d.iter().filter_map(|x| x.path.clone()).collect();
        assert_eq!(paths, vec![AttrPath::root("group_ids")], "{d:?}");
        assert!(d.has_errors());
        let app_id = stored.state.get("id").and_then(Value::as_str).expect("id");
        assert!(org.client.apps().get(app_id).await.expect("get").is_some());
        assert_eq!(stored.state.get("group_ids"), Some(&Value::set(Vec::new())));
        org.emu.shutdown().await.expect("shutdown");
    }

    /// Issue #20 (3): importing the API Services app changes nothing and names its type.
    #[tokio::test]
    async fn import_of_a_service_app_is_refused_and_changes_nothing() {
        use crate::provider::testing::Org;

        let org = Org::start().await;
        let resource = Typed::resource(OidcAppResource {
            data: Arc::clone(&org.data),
        });
        let service = org.service_app().await;
        let before = org.app(&service).await;
        let mark = org.mark().await;
        let mut d = Diagnostics::new();
        assert!(resource.import(&service, &mut d).await.is_none());
        let detail = d.iter().map(|x| x.detail.clone()).collect::<String>();
        assert!(
            detail.contains("API Services app (application_type service)"),
            "{d:?}"
        );
        assert_eq!(
            org.calls_since(mark).await,
            vec![format!("GET /api/v1/apps/{service}")]
        );
        assert_eq!(org.app(&service).await, before);
        // A web app imports.
        let web = org
            .web_app(&["https://a.example.com/cb"], &["authorization_code"])
            .await;
        let mut d = Diagnostics::new();
        assert!(resource.import(&web, &mut d).await.is_some(), "{d:?}");
        org.emu.shutdown().await.expect("shutdown");
    }
}
