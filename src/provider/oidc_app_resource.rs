//! `oktaidp_oidc_app`: the Okta OIDC web application Pomerium signs users in with.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::fields::{self, Field};
use super::{okta_diag, validate, ProviderData};
use crate::okta::{
    GroupAssignmentRequest, NewClientSecret, OidcApp, OktaClient, OktaError, RefreshTokenSettings,
};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::framework::{ApplyRequest, PlanRequest, Resource, Stored};
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::value::{Number, Type, Value};

pub const TYPE_NAME: &str = "oktaidp_oidc_app";

const WEB_GRANT_TYPES: [&str; 4] = [
    "authorization_code",
    "implicit",
    "refresh_token",
    "client_credentials",
];
const RESPONSE_TYPES: [&str; 3] = ["code", "token", "id_token"];
const AUTH_METHODS: [&str; 2] = ["client_secret_basic", "client_secret_post"];

fn strings_list() -> Type {
    Type::List(Box::new(Type::String))
}

fn strings_set() -> Type {
    Type::Set(Box::new(Type::String))
}

fn string_set_value<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Value {
    Value::Set(items.into_iter().map(|s| Value::string(s.into())).collect())
}

fn string_list_value<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Value {
    Value::List(items.into_iter().map(|s| Value::string(s.into())).collect())
}

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "An Okta OIDC web application (sign-on mode `OPENID_CONNECT`, application type `web`): the \
             client Pomerium signs users in with. Defaults follow Pomerium's Okta guide: authorization \
             code and refresh token grants, response type `code`, `client_secret_basic`.\n\n\
             **Redirect URIs.** With `redirect_uris_exclusive = true` (the default) the app has exactly the \
             listed URIs, in order; URIs added elsewhere are removed at the next apply. With `false` the \
             resource guarantees only its own URIs and leaves the others alone (for example those managed \
             by `oktaidp_oidc_app_redirect_uri`); it remembers which URIs it added, so removing one from the \
             configuration removes it from Okta. `post_logout_redirect_uris` follows the same rule; left \
             unset it is not managed.\n\n\
             **Client secret.** Okta generates the secret at creation. Raise `client_secret_version` to \
             rotate it through Okta's client-secrets API: a new secret is created, the old one deactivated \
             and deleted, the app and its `client_id` stay. Okta never returns the secret on reads, so a \
             secret rotated outside Terraform is not seen by a refresh (checking would cost a second API \
             call per app and refresh); raise `client_secret_version`, or re-import, to pick it up.\n\n\
             **API calls.** A refresh is one GET of the app, plus one listing of group assignments when \
             `group_ids` is set. Updates are one locked GET and full PUT that keeps every setting this \
             resource does not manage. Delete deactivates, then deletes.",
        )
        .attr(Attribute::string("id").computed().use_state_for_unknown().describe("Okta app ID (`0oa...`)."))
        .attr(Attribute::string("label").required().describe("Display name of the app in Okta."))
        .attr(Attribute::new("redirect_uris", strings_list()).required().describe(
            "Sign-in redirect URIs, in order; for Pomerium `https://<authenticate host>/oauth2/callback`. https only \
             (http for loopback hosts), no fragments; wildcards need `wildcard_redirect = \"SUBDOMAIN\"`.",
        ))
        .attr(Attribute::bool("redirect_uris_exclusive").default(Value::Bool(true)).describe(
            "`true` (default): the app has exactly `redirect_uris` (and `post_logout_redirect_uris` when set). \
             `false`: only this resource's URIs are guaranteed; others on the app are kept.",
        ))
        .attr(Attribute::new("post_logout_redirect_uris", strings_list()).optional().computed().describe(
            "Sign-out redirect URIs. Unset: not managed (the value read from Okta is shown).",
        ))
        .attr(Attribute::string("initiate_login_uri").optional().describe(
            "URI Okta sends users to when they start sign-in from the Okta dashboard.",
        ))
        .attr(
            Attribute::new("grant_types", strings_set())
                .default(string_set_value(["authorization_code", "refresh_token"]))
                .describe(
                    "OAuth grant types: `authorization_code` (required for web apps), `refresh_token`, `implicit`, \
                     `client_credentials`. Default: `authorization_code` and `refresh_token` (Pomerium needs refresh tokens).",
                ),
        )
        .attr(
            Attribute::new("response_types", strings_set())
                .default(string_set_value(["code"]))
                .describe("OAuth response types: `code`, `token`, `id_token`. Default `[\"code\"]`."),
        )
        .attr(Attribute::string("refresh_token_rotation").default(Value::string("STATIC")).describe(
            "Refresh token rotation: `STATIC` (default) or `ROTATE`. Applies when the `refresh_token` grant is on.",
        ))
        .attr(Attribute::number("refresh_token_leeway").optional().computed().describe(
            "Seconds (0 to 60) the previous refresh token stays valid after rotation; only with `ROTATE` (Okta's default is 30).",
        ))
        .attr(
            Attribute::string("token_endpoint_auth_method")
                .default(Value::string("client_secret_basic"))
                .describe("`client_secret_basic` (default) or `client_secret_post`."),
        )
        .attr(Attribute::bool("pkce_required").default(Value::Bool(false)).describe(
            "Require PKCE on the authorization code flow. Default `false`.",
        ))
        .attr(Attribute::string("consent_method").default(Value::string("TRUSTED")).describe(
            "`TRUSTED` (default: no consent screen) or `REQUIRED`.",
        ))
        .attr(
            Attribute::string("issuer_mode")
                .optional()
                .computed()
                .use_state_for_unknown()
                .describe("`ORG_URL`, `CUSTOM_URL` or `DYNAMIC`. Unset: Okta's default for the org."),
        )
        .attr(Attribute::string("wildcard_redirect").default(Value::string("DISABLED")).describe(
            "`DISABLED` (default) or `SUBDOMAIN` (allows `https://*.example.com/...` redirect URIs).",
        ))
        .attr(Attribute::string("status").default(Value::string("ACTIVE")).describe(
            "`ACTIVE` (default) or `INACTIVE`.",
        ))
        .attr(Attribute::new("group_ids", strings_set()).optional().describe(
            "IDs of the groups allowed to sign in (app group assignments). When set, exactly these groups are \
             assigned; unset, assignments are not managed.",
        ))
        .attr(
            Attribute::string("client_id")
                .optional()
                .computed()
                .requires_replace()
                .use_state_for_unknown()
                .describe(
                    "OAuth client ID. Unset: Okta uses the app ID. A custom value (6 to 100 characters of letters, \
                     digits and `$-_.+!*'(),`) cannot change without replacing the app.",
                ),
        )
        .attr(Attribute::string("client_secret").computed().sensitive().describe(
            "The newest active client secret.",
        ))
        .attr(Attribute::number("client_secret_version").default(Value::number(1)).describe(
            "Raise to rotate the client secret (no re-creation, same `client_id`). Default 1; it can only increase.",
        ))
        .attr(Attribute::string("sign_on_mode").computed().use_state_for_unknown().describe(
            "Always `OPENID_CONNECT`.",
        ))
        .attr(Attribute::string("created").computed().use_state_for_unknown().describe("When the app was created."))
        .attr(Attribute::string("last_updated").computed().describe("When the app was last changed.")),
    )
}

/// URIs this resource added, remembered for additive mode (`redirect_uris_exclusive = false`).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owned {
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Option<Vec<String>>,
}

impl Owned {
    pub fn from_private(private: &[u8]) -> Self {
        serde_json::from_slice(private).unwrap_or_default()
    }

    pub fn to_private(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The configuration as plain Rust values (read from a wholly known planned state).
#[derive(Debug, Clone)]
struct Desired {
    label: String,
    redirect_uris: Vec<String>,
    exclusive: bool,
    post_logout: Option<Vec<String>>,
    initiate_login_uri: Option<String>,
    grant_types: Vec<String>,
    response_types: Vec<String>,
    rotation: String,
    leeway: Option<u32>,
    auth_method: String,
    pkce_required: bool,
    consent_method: String,
    issuer_mode: Option<String>,
    wildcard_redirect: String,
    active: bool,
    group_ids: Option<BTreeSet<String>>,
    client_id: Option<String>,
    secret_version: i64,
}

impl Desired {
    fn from_plan(planned: &Value, config: &Value) -> Self {
        let s = |name| fields::string(planned, name).known().map(str::to_string);
        let list = |name| fields::strings(planned, name).known();
        Self {
            label: s("label").unwrap_or_default(),
            redirect_uris: list("redirect_uris").unwrap_or_default(),
            exclusive: fields::boolean(planned, "redirect_uris_exclusive")
                .known()
                .unwrap_or(true),
            // Unset in configuration means "not managed", whatever the plan carried over.
            post_logout: fields::strings(config, "post_logout_redirect_uris").known(),
            initiate_login_uri: s("initiate_login_uri"),
            grant_types: list("grant_types").unwrap_or_default(),
            response_types: list("response_types").unwrap_or_default(),
            rotation: s("refresh_token_rotation").unwrap_or_else(|| "STATIC".into()),
            leeway: fields::integer(config, "refresh_token_leeway")
                .ok()
                .and_then(Field::known)
                .and_then(|n| u32::try_from(n).ok()),
            auth_method: s("token_endpoint_auth_method")
                .unwrap_or_else(|| "client_secret_basic".into()),
            pkce_required: fields::boolean(planned, "pkce_required")
                .known()
                .unwrap_or(false),
            consent_method: s("consent_method").unwrap_or_else(|| "TRUSTED".into()),
            issuer_mode: fields::string(config, "issuer_mode")
                .known()
                .map(str::to_string),
            wildcard_redirect: s("wildcard_redirect").unwrap_or_else(|| "DISABLED".into()),
            active: s("status").as_deref() != Some("INACTIVE"),
            group_ids: list("group_ids").map(|v| v.into_iter().collect()),
            client_id: fields::string(config, "client_id")
                .known()
                .map(str::to_string),
            secret_version: fields::integer(planned, "client_secret_version")
                .ok()
                .and_then(Field::known)
                .unwrap_or(1),
        }
    }
}

/// Merges a managed URI list into what the app has: exclusive replaces; additive keeps URIs
/// that others added (in place), drops the ones we owned and no longer want, appends ours.
fn merge_uris(
    actual: &[String],
    previously_owned: &[String],
    wanted: &[String],
    exclusive: bool,
) -> Vec<String> {
    if exclusive {
        return wanted.to_vec();
    }
    let mut merged: Vec<String> = actual
        .iter()
        .filter(|u| wanted.contains(u) || !previously_owned.contains(u))
        .cloned()
        .collect();
    for u in wanted {
        if !merged.contains(u) {
            merged.push(u.clone());
        }
    }
    merged
}

/// Writes every managed setting into the app; everything else stays as Okta sent it.
fn apply_desired(app: &mut OidcApp, d: &Desired, owned: &Owned) {
    app.set_label(&d.label);
    let actual = app.redirect_uris().unwrap_or_default();
    app.set_redirect_uris(&merge_uris(
        &actual,
        &owned.redirect_uris,
        &d.redirect_uris,
        d.exclusive,
    ));
    if let Some(wanted) = &d.post_logout {
        let actual = app.post_logout_redirect_uris().unwrap_or_default();
        let prev = owned.post_logout_redirect_uris.clone().unwrap_or_default();
        app.set_post_logout_redirect_uris(&merge_uris(&actual, &prev, wanted, d.exclusive));
    }
    app.set_initiate_login_uri(d.initiate_login_uri.as_deref());
    app.set_grant_types(&d.grant_types);
    app.set_response_types(&d.response_types);
    if d.grant_types.iter().any(|g| g == "refresh_token") {
        let leeway = if d.rotation == "ROTATE" {
            d.leeway
                .or_else(|| app.refresh_token().and_then(|r| r.leeway))
                .or(Some(30))
        } else {
            None
        };
        app.set_refresh_token(Some(&RefreshTokenSettings {
            rotation_type: d.rotation.clone(),
            leeway,
        }));
    } else {
        app.set_refresh_token(None);
    }
    app.set_token_endpoint_auth_method(&d.auth_method);
    app.set_pkce_required(d.pkce_required);
    app.set_consent_method(&d.consent_method);
    if let Some(mode) = &d.issuer_mode {
        app.set_issuer_mode(mode);
    }
    app.set_wildcard_redirect(&d.wildcard_redirect);
}

/// Builds the state from what Okta returned. `prior` supplies what Okta does not return
/// (the secret, settings of disabled features, configuration-only attributes).
fn state_from_app(
    app: &OidcApp,
    prior: &Value,
    owned: &Owned,
    group_ids: Option<&BTreeSet<String>>,
    secret: Option<String>,
) -> Value {
    let keep = |name: &str| prior.get(name).cloned().unwrap_or(Value::Null);
    let exclusive = fields::boolean(prior, "redirect_uris_exclusive")
        .known()
        .unwrap_or(true);
    let actual_redirects = app.redirect_uris().unwrap_or_default();
    let redirect_uris = if exclusive {
        actual_redirects
    } else {
        owned
            .redirect_uris
            .iter()
            .filter(|u| actual_redirects.contains(u))
            .cloned()
            .collect()
    };
    let actual_logout = app.post_logout_redirect_uris().unwrap_or_default();
    let post_logout = match (&owned.post_logout_redirect_uris, exclusive) {
        (Some(mine), false) => {
            string_list_value(mine.iter().filter(|u| actual_logout.contains(u)).cloned())
        }
        // Okta omits an empty list: an explicit empty list in state stays, anything else is null.
        _ if actual_logout.is_empty() => match keep("post_logout_redirect_uris") {
            Value::List(items) if items.is_empty() => Value::List(items),
            _ => Value::Null,
        },
        _ => string_list_value(actual_logout),
    };
    let refresh = app.refresh_token();
    let (rotation, leeway) = match &refresh {
        Some(r) if r.rotation_type == "ROTATE" => (
            Value::string(r.rotation_type.clone()),
            r.leeway
                .map_or(Value::Null, |l| Value::number(i64::from(l))),
        ),
        Some(r) => (Value::string(r.rotation_type.clone()), Value::Null),
        // No refresh grant: Okta drops the settings; the configured values stand.
        None => (keep("refresh_token_rotation"), keep("refresh_token_leeway")),
    };
    let rotation = if rotation.is_null() {
        Value::string("STATIC")
    } else {
        rotation
    };
    let text = <Value as From<Option<&str>>>::from;
    let secret_version = match keep("client_secret_version") {
        Value::Null => Value::number(1),
        v => v,
    };
    Value::object([
        ("id", text(app.id())),
        ("label", text(app.label())),
        ("redirect_uris", string_list_value(redirect_uris)),
        ("redirect_uris_exclusive", Value::Bool(exclusive)),
        ("post_logout_redirect_uris", post_logout),
        ("initiate_login_uri", text(app.initiate_login_uri())),
        (
            "grant_types",
            string_set_value(app.grant_types().unwrap_or_default()),
        ),
        (
            "response_types",
            string_set_value(app.response_types().unwrap_or_default()),
        ),
        ("refresh_token_rotation", rotation),
        ("refresh_token_leeway", leeway),
        (
            "token_endpoint_auth_method",
            Value::string(
                app.token_endpoint_auth_method()
                    .unwrap_or("client_secret_basic")
                    .to_string(),
            ),
        ),
        (
            "pkce_required",
            Value::Bool(app.pkce_required().unwrap_or(false)),
        ),
        (
            "consent_method",
            Value::string(app.consent_method().unwrap_or("TRUSTED").to_string()),
        ),
        ("issuer_mode", text(app.issuer_mode())),
        (
            "wildcard_redirect",
            Value::string(app.wildcard_redirect().unwrap_or("DISABLED").to_string()),
        ),
        ("status", text(app.status())),
        (
            "group_ids",
            group_ids.map_or(Value::Null, |ids| string_set_value(ids.iter().cloned())),
        ),
        ("client_id", text(app.client_id())),
        (
            "client_secret",
            secret.map_or_else(|| keep("client_secret"), Value::string),
        ),
        ("client_secret_version", secret_version),
        ("sign_on_mode", text(app.sign_on_mode())),
        ("created", text(app.created())),
        ("last_updated", text(app.last_updated())),
    ])
}

pub struct OidcAppResource {
    schema: Schema,
    data: Arc<ProviderData>,
}

impl OidcAppResource {
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self {
            schema: schema(),
            data,
        }
    }
}

/// Checks everything Okta would reject, before any API call, with attribute paths.
fn check_config(config: &Value, diags: &mut Diagnostics) {
    let wildcard = match fields::string(config, "wildcard_redirect") {
        Field::Known(w) => w == "SUBDOMAIN",
        // Unknown: check the rest, not the wildcard rule.
        Field::Unknown => true,
        Field::Null => false,
    };
    for name in ["redirect_uris", "post_logout_redirect_uris"] {
        let Field::Known(uris) = fields::strings(config, name) else {
            continue;
        };
        if name == "redirect_uris" && uris.is_empty() {
            diags.attr_error(
                AttrPath::root(name),
                "No redirect URI",
                "Okta needs at least one sign-in redirect URI for the authorization code flow; for Pomerium use https://<authenticate host>/oauth2/callback.",
            );
        }
        let mut seen = BTreeSet::new();
        for (i, uri) in uris.iter().enumerate() {
            if let Err(e) = validate::redirect_uri(uri, wildcard && name == "redirect_uris") {
                diags.attr_error(AttrPath::root(name).index(i), format!("Invalid {name}"), e);
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
    if let Field::Known(uri) = fields::string(config, "initiate_login_uri") {
        if let Err(e) = validate::absolute_url(uri, validate::HttpRule::HttpsOrLoopback) {
            diags.attr_error(
                AttrPath::root("initiate_login_uri"),
                "Invalid initiate_login_uri",
                e,
            );
        }
    }
    if let Field::Known(grants) = fields::strings(config, "grant_types") {
        for g in &grants {
            if !WEB_GRANT_TYPES.contains(&g.as_str()) {
                diags.attr_error(
                    AttrPath::root("grant_types"),
                    "Invalid grant type",
                    format!(
                        "\"{g}\" is not allowed for a web app; allowed: {}.",
                        WEB_GRANT_TYPES.join(", ")
                    ),
                );
            }
        }
        if !grants.iter().any(|g| g == "authorization_code") {
            diags.attr_error(
                AttrPath::root("grant_types"),
                "Missing authorization_code grant",
                "Okta web apps must include the authorization_code grant (Pomerium signs in with it).",
            );
        }
        if let Field::Known(responses) = fields::strings(config, "response_types") {
            if grants.iter().any(|g| g == "implicit")
                && !responses.iter().any(|r| r == "token" || r == "id_token")
            {
                diags.attr_error(
                    AttrPath::root("response_types"),
                    "Implicit grant needs a token response type",
                    "With the implicit grant, response_types must include token or id_token.",
                );
            }
        }
    }
    if let Field::Known(responses) = fields::strings(config, "response_types") {
        for r in &responses {
            if !RESPONSE_TYPES.contains(&r.as_str()) {
                diags.attr_error(
                    AttrPath::root("response_types"),
                    "Invalid response type",
                    format!(
                        "\"{r}\" is not a response type; allowed: {}.",
                        RESPONSE_TYPES.join(", ")
                    ),
                );
            }
        }
        if responses.is_empty() {
            diags.attr_error(
                AttrPath::root("response_types"),
                "No response type",
                "Set at least \"code\".",
            );
        }
    }
    let enums: [(&str, &[&str]); 6] = [
        ("refresh_token_rotation", &["STATIC", "ROTATE"]),
        ("token_endpoint_auth_method", &AUTH_METHODS),
        ("consent_method", &["TRUSTED", "REQUIRED"]),
        ("issuer_mode", &["ORG_URL", "CUSTOM_URL", "DYNAMIC"]),
        ("wildcard_redirect", &["DISABLED", "SUBDOMAIN"]),
        ("status", &["ACTIVE", "INACTIVE"]),
    ];
    for (name, allowed) in enums {
        if let Field::Known(v) = fields::string(config, name) {
            if !allowed.contains(&v) {
                diags.attr_error(
                    AttrPath::root(name),
                    format!("Invalid {name}"),
                    format!("\"{v}\" is not one of {}.", allowed.join(", ")),
                );
            }
        }
    }
    match fields::integer(config, "refresh_token_leeway") {
        Ok(Field::Known(n)) => {
            if !(0..=60).contains(&n) {
                diags.attr_error(
                    AttrPath::root("refresh_token_leeway"),
                    "Invalid refresh_token_leeway",
                    "The leeway is a whole number of seconds from 0 to 60.",
                );
            }
            if fields::string(config, "refresh_token_rotation").known() != Some("ROTATE")
                && !fields::string(config, "refresh_token_rotation").is_unknown()
            {
                diags.attr_error(
                    AttrPath::root("refresh_token_leeway"),
                    "Leeway needs rotation",
                    "refresh_token_leeway only applies with refresh_token_rotation = \"ROTATE\" (Okta ignores it for STATIC tokens).",
                );
            }
        }
        Err(_) => diags.attr_error(
            AttrPath::root("refresh_token_leeway"),
            "Invalid refresh_token_leeway",
            "The leeway is a whole number of seconds from 0 to 60.",
        ),
        _ => {}
    }
    match fields::integer(config, "client_secret_version") {
        Ok(Field::Known(n)) if n >= 1 => {}
        Ok(Field::Known(_)) | Err(_) => diags.attr_error(
            AttrPath::root("client_secret_version"),
            "Invalid client_secret_version",
            "client_secret_version is a whole number from 1 up.",
        ),
        _ => {}
    }
    if let Field::Known(id) = fields::string(config, "client_id") {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "$-_.+!*'(),".contains(c);
        if !(6..=100).contains(&id.len()) || !id.chars().all(allowed) || id == "ALL_CLIENTS" {
            diags.attr_error(
                AttrPath::root("client_id"),
                "Invalid client_id",
                "A custom client_id is 6 to 100 characters of letters, digits and $-_.+!*'(), (and not ALL_CLIENTS).",
            );
        }
    }
    if let Field::Known(groups) = fields::strings(config, "group_ids") {
        if groups
            .iter()
            .any(|g| g.trim().is_empty() || g.contains('/'))
        {
            diags.attr_error(
                AttrPath::root("group_ids"),
                "Invalid group ID",
                "Group IDs look like 00g1abcd...; empty values are not allowed.",
            );
        }
    }
}

async fn assigned_groups(client: &OktaClient, app_id: &str) -> Result<BTreeSet<String>, OktaError> {
    Ok(client
        .app_groups()
        .list(app_id)
        .await?
        .into_iter()
        .filter_map(|a| a.id)
        .collect())
}

/// Assigns and unassigns groups so that exactly `wanted` are assigned.
async fn sync_groups(
    client: &OktaClient,
    app_id: &str,
    current: &BTreeSet<String>,
    wanted: &BTreeSet<String>,
) -> Result<(), OktaError> {
    for group in wanted.difference(current) {
        client
            .app_groups()
            .put(app_id, group, &GroupAssignmentRequest::default())
            .await?;
    }
    for group in current.difference(wanted) {
        client.app_groups().delete(app_id, group).await?;
    }
    Ok(())
}

/// Rotates the client secret: create a new one, then deactivate and delete the others.
/// Returns the new secret and, as a warning, any old secret that could not be removed.
async fn rotate_secret(
    client: &OktaClient,
    app_id: &str,
    diags: &mut Diagnostics,
) -> Result<String, OktaError> {
    let mut existing = client.app_secrets().list(app_id).await?;
    // Okta keeps at most two secrets: make room by dropping inactive ones, then the oldest.
    existing.sort_by(|a, b| a.created.cmp(&b.created));
    while existing.len() >= 2 {
        let oldest = existing.remove(0);
        let Some(id) = oldest.id.as_deref() else {
            continue;
        };
        if oldest.is_active() {
            client.app_secrets().deactivate(app_id, id).await?;
        }
        client.app_secrets().delete(app_id, id).await?;
    }
    let created = client
        .app_secrets()
        .create(app_id, &NewClientSecret::default())
        .await?;
    let value = created
        .client_secret
        .as_ref()
        .map(|s| s.expose().to_string())
        .unwrap_or_default();
    for old in existing {
        let Some(id) = old.id.as_deref() else {
            continue;
        };
        let removed = async {
            if old.is_active() {
                client.app_secrets().deactivate(app_id, id).await?;
            }
            client.app_secrets().delete(app_id, id).await
        }
        .await;
        if let Err(e) = removed {
            diags.warning(
                "Old client secret not removed",
                format!("The new secret is in place, but the previous secret {id} could not be deactivated and deleted: {e}. Remove it in the Admin Console."),
            );
        }
    }
    Ok(value)
}

/// A failed create whose request may still have reached Okta (no answer, or a gateway error).
fn create_may_have_happened(err: &OktaError) -> bool {
    match err {
        OktaError::Transport(t) => !matches!(t.kind, crate::okta::TransportKind::Connect),
        OktaError::Api(_) => err.status().is_some_and(|s| s.is_server_error()),
        _ => false,
    }
}

/// Looks for the app an uncertain create may have made, a few times over ten seconds: the
/// request may still be in Okta's hands when the client gives up on it.
async fn find_created_app(client: &OktaClient, desired: &Desired) -> Option<OidcApp> {
    for wait_seconds in 1..=4u64 {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(wait_seconds)) => {}
            _ = client.cancellation_token().cancelled() => return None,
        }
        if let Some(app) = find_created_app_once(client, desired).await {
            return Some(app);
        }
    }
    None
}

/// Same label and redirect URIs, created in the last ten minutes, and exactly one such app.
async fn find_created_app_once(client: &OktaClient, desired: &Desired) -> Option<OidcApp> {
    let query = crate::okta::AppListQuery {
        q: Some(desired.label.clone()),
        ..Default::default()
    };
    let recent = time::OffsetDateTime::now_utc() - time::Duration::minutes(10);
    let mut matches: Vec<OidcApp> = client
        .apps()
        .list(&query)
        .await
        .ok()?
        .into_iter()
        .filter(|app| {
            app.label() == Some(desired.label.as_str())
                && app.redirect_uris().as_deref() == Some(desired.redirect_uris.as_slice())
                && app
                    .created()
                    .and_then(|c| {
                        time::OffsetDateTime::parse(
                            c,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .ok()
                    })
                    .is_some_and(|c| c >= recent)
        })
        .collect();
    (matches.len() == 1).then(|| matches.remove(0))
}

/// Okta forbids deleting an ACTIVE app and may still see it as active just after deactivation.
async fn deactivate_and_delete(client: &OktaClient, app_id: &str) -> Result<(), OktaError> {
    match client.apps().deactivate(app_id).await {
        Err(e) if e.is_not_found() => return Ok(()),
        other => other?,
    }
    let mut attempt = 0u32;
    loop {
        match client.apps().delete(app_id).await {
            Ok(_) => return Ok(()),
            Err(e) if e.status().map(|s| s.as_u16()) == Some(403) && attempt < 5 => {
                attempt += 1;
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))) => {}
                    _ = client.cancellation_token().cancelled() => return Err(OktaError::Cancelled),
                }
            }
            Err(e) => return Err(e),
        }
    }
}

#[tonic::async_trait]
impl Resource for OidcAppResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        check_config(config, diags);
    }

    fn modify_plan(
        &self,
        req: &PlanRequest<'_>,
        planned: &mut Value,
        _replace: &mut Vec<AttrPath>,
        diags: &mut Diagnostics,
    ) {
        if req.prior.is_null() {
            return;
        }
        let prior_version = fields::integer(req.prior, "client_secret_version")
            .ok()
            .and_then(Field::known);
        let planned_version = fields::integer(planned, "client_secret_version")
            .ok()
            .and_then(Field::known);
        if let (Some(before), Some(after)) = (prior_version, planned_version) {
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
        let rotating = planned_version != prior_version || planned_version.is_none();
        let auth_changes = planned.get("token_endpoint_auth_method")
            != req.prior.get("token_endpoint_auth_method");
        let Value::Object(fields_mut) = planned else {
            return;
        };
        // The secret only changes on rotation, or when Okta regenerates it for a new auth method.
        if !rotating && !auth_changes {
            if let Some(secret) = req.prior.get("client_secret").filter(|v| !v.is_null()) {
                fields_mut.insert("client_secret".into(), secret.clone());
            }
        }
        // The leeway only moves when rotation or the configured leeway does.
        let leeway_configured = req
            .config
            .get("refresh_token_leeway")
            .is_some_and(|v| !v.is_null());
        let rotation_same =
            fields_mut.get("refresh_token_rotation") == req.prior.get("refresh_token_rotation");
        if !leeway_configured && rotation_same {
            if let Some(prior) = req.prior.get("refresh_token_leeway") {
                fields_mut.insert("refresh_token_leeway".into(), prior.clone());
            }
        }
    }

    async fn create(&self, req: &ApplyRequest<'_>, diags: &mut Diagnostics) -> Option<Stored> {
        let client = self.data.client(diags)?;
        let desired = Desired::from_plan(req.planned, req.config);
        let mut app = OidcApp::new(&desired.label, "web");
        let owned = Owned {
            redirect_uris: desired.redirect_uris.clone(),
            post_logout_redirect_uris: desired.post_logout.clone(),
        };
        apply_desired(&mut app, &desired, &Owned::default());
        if let Some(id) = &desired.client_id {
            app.set_client_id(Some(id));
        }
        let (created, secret) = match client.apps().create(&app, desired.active).await {
            Ok(app) => {
                let secret = app.client_secret().map(|s| s.expose().to_string());
                (app, secret)
            }
            Err(e) if create_may_have_happened(&e) => {
                // The POST may have created the app even though no answer came back: adopt it
                // rather than leave an orphan that a retried apply would duplicate.
                match find_created_app(&client, &desired).await {
                    Some(found) => {
                        diags.warning(
                            "App adopted after an uncertain create",
                            format!("Creating the app failed ({e}), but Okta has an app with this label and redirect URIs, created moments ago; it is managed from now on."),
                        );
                        let id = found.id().unwrap_or_default().to_string();
                        let secret = client
                            .app_secrets()
                            .newest_active(&id)
                            .await
                            .ok()
                            .flatten()
                            .map(|v| v.expose().to_string());
                        (found, secret)
                    }
                    None => {
                        okta_diag::error(diags, "creating the app", &e);
                        return None;
                    }
                }
            }
            Err(e) => {
                okta_diag::error(diags, "creating the app", &e);
                return None;
            }
        };
        let app_id = created.id().unwrap_or_default().to_string();
        tracing::info!(app_id = %app_id, "created OIDC app");
        // From here on the app exists: every failure still returns it, so Terraform keeps it.
        let mut group_ids = None;
        if let Some(wanted) = &desired.group_ids {
            match sync_groups(&client, &app_id, &BTreeSet::new(), wanted).await {
                Ok(()) => group_ids = Some(wanted.clone()),
                Err(e) => {
                    okta_diag::error(diags, "assigning groups to the new app", &e);
                    group_ids = assigned_groups(&client, &app_id).await.ok();
                }
            }
        }
        let mut state = state_from_app(&created, req.planned, &owned, group_ids.as_ref(), secret);
        if let Value::Object(f) = &mut state {
            f.insert(
                "client_secret_version".into(),
                Value::number(desired.secret_version),
            );
            if desired.group_ids.is_some() && group_ids.is_none() {
                f.insert("group_ids".into(), string_set_value(Vec::<String>::new()));
            }
        }
        Some(Stored {
            state,
            private: owned.to_private(),
        })
    }

    async fn read(&self, state: &Value, private: &[u8], diags: &mut Diagnostics) -> Option<Stored> {
        let client = self.data.client(diags)?;
        let id = fields::string(state, "id").known()?.to_string();
        let app = match client.apps().get(&id).await {
            Ok(Some(app)) => app,
            Ok(None) => {
                tracing::info!(app_id = %id, "app no longer exists; removing it from state");
                return None;
            }
            Err(e) => {
                okta_diag::error(diags, "reading the app", &e);
                return None;
            }
        };
        let managed_groups = !matches!(state.get("group_ids"), None | Some(Value::Null));
        let groups = if managed_groups {
            match assigned_groups(&client, &id).await {
                Ok(g) => Some(g),
                Err(e) => {
                    okta_diag::error(diags, "reading the app's group assignments", &e);
                    return None;
                }
            }
        } else {
            None
        };
        let owned = Owned::from_private(private);
        Some(Stored {
            state: state_from_app(&app, state, &owned, groups.as_ref(), None),
            private: private.to_vec(),
        })
    }

    async fn update(&self, req: &ApplyRequest<'_>, diags: &mut Diagnostics) -> Option<Stored> {
        let client = self.data.client(diags)?;
        let id = fields::string(req.prior, "id").known()?.to_string();
        let desired = Desired::from_plan(req.planned, req.config);
        let previously_owned = Owned::from_private(req.private);
        let owned = Owned {
            redirect_uris: desired.redirect_uris.clone(),
            post_logout_redirect_uris: desired.post_logout.clone(),
        };
        let guard = match client.lock_app(&id).await {
            Ok(g) => g,
            Err(e) => {
                okta_diag::error(diags, "waiting for the app lock", &e);
                return None;
            }
        };
        let was_active = fields::string(req.prior, "status").known() != Some("INACTIVE");
        if desired.active != was_active {
            let result = if desired.active {
                client.apps().activate(&id).await
            } else {
                client.apps().deactivate(&id).await
            };
            if let Err(e) = result {
                okta_diag::attr_error(
                    diags,
                    AttrPath::root("status"),
                    "changing the app's status",
                    &e,
                );
                return None;
            }
        }
        let updated = match client
            .update_app_locked(&guard, |app| {
                apply_desired(app, &desired, &previously_owned)
            })
            .await
        {
            Ok(app) => app,
            Err(e) => {
                okta_diag::error(diags, "updating the app", &e);
                return None;
            }
        };
        drop(guard);
        // Okta returns the secret after a PUT; it changes only when Okta regenerates it.
        let mut secret = updated.client_secret().map(|s| s.expose().to_string());
        let mut version = fields::integer(req.prior, "client_secret_version")
            .ok()
            .and_then(Field::known)
            .unwrap_or(1);
        if desired.secret_version > version {
            match rotate_secret(&client, &id, diags).await {
                Ok(new_secret) => {
                    secret = Some(new_secret);
                    version = desired.secret_version;
                }
                Err(e) => okta_diag::attr_error(
                    diags,
                    AttrPath::root("client_secret_version"),
                    "rotating the client secret",
                    &e,
                ),
            }
        }
        let mut groups = None;
        if let Some(wanted) = &desired.group_ids {
            let result = async {
                let current = assigned_groups(&client, &id).await?;
                sync_groups(&client, &id, &current, wanted).await
            }
            .await;
            match result {
                Ok(()) => groups = Some(wanted.clone()),
                Err(e) => {
                    okta_diag::attr_error(
                        diags,
                        AttrPath::root("group_ids"),
                        "updating group assignments",
                        &e,
                    );
                    groups = assigned_groups(&client, &id).await.ok();
                }
            }
        }
        let mut prior_like = req.planned.clone();
        if let Value::Object(f) = &mut prior_like {
            f.insert(
                "client_secret".into(),
                req.prior
                    .get("client_secret")
                    .cloned()
                    .unwrap_or(Value::Null),
            );
        }
        let mut state = state_from_app(&updated, &prior_like, &owned, groups.as_ref(), secret);
        if let Value::Object(f) = &mut state {
            f.insert(
                "client_secret_version".into(),
                Value::Number(Number::from_i64(version)),
            );
        }
        Some(Stored {
            state,
            private: owned.to_private(),
        })
    }

    async fn delete(&self, prior: &Value, _private: &[u8], diags: &mut Diagnostics) {
        let Some(client) = self.data.client(diags) else {
            return;
        };
        let Some(id) = fields::string(prior, "id").known() else {
            return;
        };
        let guard = match client.lock_app(id).await {
            Ok(g) => g,
            Err(e) => return okta_diag::error(diags, "waiting for the app lock", &e),
        };
        if let Err(e) = deactivate_and_delete(&client, id).await {
            okta_diag::error(diags, "deleting the app", &e);
        }
        drop(guard);
    }

    async fn import(&self, id: &str, diags: &mut Diagnostics) -> Option<Stored> {
        let client = self.data.client(diags)?;
        let app = match client.apps().get(id).await {
            Ok(Some(app)) => app,
            Ok(None) => return None,
            Err(e) => {
                okta_diag::error(diags, "reading the app", &e);
                return None;
            }
        };
        if app.sign_on_mode() != Some("OPENID_CONNECT") {
            diags.error(
                "Not an OIDC app",
                format!("App {id} has sign-on mode {:?}; oktaidp_oidc_app manages OPENID_CONNECT apps only.", app.sign_on_mode().unwrap_or("unknown")),
            );
            return None;
        }
        let secret = match client.app_secrets().newest_active(id).await {
            Ok(s) => s.map(|v| v.expose().to_string()),
            Err(e) => {
                okta_diag::error(diags, "reading the app's client secrets", &e);
                return None;
            }
        };
        let groups = match assigned_groups(&client, id).await {
            Ok(g) => g,
            Err(e) => {
                okta_diag::error(diags, "reading the app's group assignments", &e);
                return None;
            }
        };
        // Nothing is owned yet: if the configuration turns out to be additive
        // (`redirect_uris_exclusive = false`), the first apply must not remove URIs that other
        // teams put on the app before the import.
        let owned = Owned::default();
        let seed = Value::object([
            ("redirect_uris_exclusive", Value::Bool(true)),
            ("client_secret_version", Value::number(1)),
        ]);
        Some(Stored {
            state: state_from_app(&app, &seed, &owned, Some(&groups), secret),
            private: owned.to_private(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uris(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn exclusive_merge_replaces_and_additive_keeps_others() {
        let actual = uris(&["https://other/1", "https://mine/a", "https://other/2"]);
        assert_eq!(
            merge_uris(&actual, &[], &uris(&["https://mine/b"]), true),
            uris(&["https://mine/b"])
        );
        let merged = merge_uris(
            &actual,
            &uris(&["https://mine/a"]),
            &uris(&["https://mine/b"]),
            false,
        );
        assert_eq!(
            merged,
            uris(&["https://other/1", "https://other/2", "https://mine/b"])
        );
        let kept = merge_uris(
            &actual,
            &uris(&["https://mine/a"]),
            &uris(&["https://mine/a"]),
            false,
        );
        assert_eq!(kept, actual);
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        let Type::Object(attrs) = schema().implied_type() else {
            panic!("object")
        };
        Value::object(attrs.keys().map(|k| {
            let v = pairs
                .iter()
                .find(|(n, _)| n == k)
                .map_or(Value::Null, |(_, v)| v.clone());
            (k.clone(), v)
        }))
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
                    string_set_value(["refresh_token", "password"]),
                ),
                ("refresh_token_leeway", Value::number(90)),
                ("client_id", Value::string("abc")),
                ("status", Value::string("active")),
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
        ] {
            assert!(
                paths.iter().any(|p| p == expected),
                "{expected} missing from {paths:?}"
            );
        }
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
        let owned = Owned {
            redirect_uris: uris(&["https://a/cb"]),
            post_logout_redirect_uris: None,
        };
        assert_eq!(Owned::from_private(&owned.to_private()), owned);
        assert_eq!(Owned::from_private(b"garbage"), Owned::default());
    }
}
