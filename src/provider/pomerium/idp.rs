//! `oktaidp_pomerium_idp`, in both its forms (the data source and the ephemeral resource):
//! the schema, the model, the checks across attributes, and the rendering of the
//! identity-provider settings Pomerium needs from the configuration and the Okta app. The two
//! forms differ only in where the client secret may come from (`SecretSource`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::settings::{self, service_account, PomeriumVersion, CALLBACK_PATH};
use crate::provider::validate::{self, HttpRule};
use crate::provider::ProviderData;
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::value::Type;

/// The type name of both forms.
pub const TYPE_NAME: &str = "oktaidp_pomerium_idp";

/// The scopes Pomerium requests when `idp_scopes` is unset.
pub const DEFAULT_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];
/// The scope that makes the org authorization server add an app's groups claim.
pub const GROUPS_SCOPE: &str = "groups";

/// Renders the settings with the provider's Okta client (when the configuration names an app).
pub struct Renderer<'a> {
    pub data: &'a ProviderData,
}

fn string_map() -> Type {
    Type::Map(Box::new(Type::String))
}

fn directory_sync_type() -> Type {
    Type::Object(BTreeMap::from([
        ("api_key".to_string(), Type::String),
        ("url".to_string(), Type::String),
    ]))
}

/// The data source's schema; the ephemeral resource starts from it.
pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(&crate::provider::oauth_scopes::note(
            include_str!("../descriptions/pomerium_idp.md").trim_end(),
            &["okta.apps.read"],
        ))
        .attr(
            Attribute::string("authenticate_service_url")
                .required()
                .check(|raw| settings::authenticate_url(raw).map(drop))
                .describe(
                    "Base https URL of Pomerium's authenticate service, e.g. `https://authenticate.example.com` \
                     (no path: Pomerium appends `/oauth2/callback` and ignores any path of this URL).",
                ),
        )
        .attr(
            Attribute::string("pomerium_version")
                .optional()
                .check(settings::check_version)
                .describe(include_str!("../descriptions/pomerium_idp/pomerium_version.md").trim_end()),
        )
        .attr(Attribute::string("app_id").optional().describe(
            "ID of the Okta OIDC app (`0oa...`, e.g. `oktaidp_oidc_app.pomerium.id`). When set, the app is read and \
             checked, and `client_id` defaults to the app's.",
        ))
        .attr(
            Attribute::string("client_id")
                .optional()
                .check(|v| validate::credential("client_id", v))
                .describe(
                    "Client ID of the Okta OIDC web application Pomerium signs in with. Required unless `app_id` is set.",
                ),
        )
        .attr(
            Attribute::string("client_secret")
                .optional()
                .sensitive()
                .check(|v| validate::credential("client_secret", v))
                .describe(include_str!("../descriptions/pomerium_idp/client_secret.md").trim_end()),
        )
        .attr(
            Attribute::string("api_token")
                .optional()
                .sensitive()
                .check(|v| validate::credential("api_token", v))
                .describe(
                    "Okta API token (SSWS) for directory sync. When set, `directory_sync` is rendered, and for Pomerium \
                     0.10 to 0.19 (`pomerium_version`) also `idp_service_account`. With Pomerium 0.20 or later a \
                     warning says where the token goes instead: the open-source core has no directory sync.",
                ),
        )
        .attr(
            Attribute::string("provider_url")
                .optional()
                .check(|raw| validate::absolute_url(raw, HttpRule::HttpsOrLoopback).map(drop))
                .describe(
                    "OIDC issuer Pomerium discovers (`<url>/.well-known/openid-configuration`). Default: the provider's org URL. \
                     Conflicts with `authorization_server_id`.",
                ),
        )
        .attr(
            Attribute::string("authorization_server_id")
                .optional()
                .check(validate::authorization_server_id)
                .describe(
                    "ID of a custom Okta authorization server (e.g. `default`); the provider URL then becomes `<org URL>/oauth2/<id>`.",
                ),
        )
        .attr(
            Attribute::new("scopes", Type::list(Type::String))
                .optional()
                .describe(
                    "Scopes Pomerium requests (`idp_scopes`), replacing the derived ones. Unset: Pomerium's defaults \
                     `openid`, `profile`, `email`, `offline_access`, plus `groups` when `app_id` has a groups claim on \
                     the org authorization server. A warning says when the given scopes would leave that claim out.",
                ),
        )
        .attr(Attribute::string("idp_provider").computed().describe("Always `okta`."))
        .attr(Attribute::string("idp_provider_url").computed().describe(
            "Value for Pomerium's `idp_provider_url`.",
        ))
        .attr(Attribute::string("idp_client_id").computed().describe(
            "Value for Pomerium's `idp_client_id`.",
        ))
        .attr(Attribute::string("idp_client_secret").computed().sensitive().describe(
            "Value for Pomerium's `idp_client_secret`.",
        ))
        .attr(
            Attribute::new("idp_scopes", Type::list(Type::String))
                .computed()
                .describe("Value for Pomerium's `idp_scopes`: `scopes` if set, else derived as described there."),
        )
        .attr(Attribute::string("callback_url").computed().describe(
            "`<authenticate_service_url>/oauth2/callback`: the sign-in redirect URI the Okta app must allow.",
        ))
        .attr(Attribute::string("post_logout_redirect_uri").computed().describe(
            include_str!("../descriptions/pomerium_idp/post_logout_redirect_uri.md").trim_end(),
        ))
        .attr(Attribute::string("idp_service_account").computed().sensitive().describe(
            "Value for `idp_service_account` (Pomerium 0.10 to 0.19): standard base64, with padding, of the compact JSON \
             `{\"api_key\":\"<api_token>\"}`. Null when `api_token` is not set, and for Pomerium 0.20 and later \
             (`pomerium_version`), which refuse a configuration holding it.",
        ))
        .attr(
            Attribute::new("directory_sync", directory_sync_type())
                .computed()
                .sensitive()
                .describe(
                        "Pomerium Enterprise Okta directory settings: `api_key` (the API token) and `url` (the org URL). \
                         Null when `api_token` is not set.",
                ),
        )
        .attr(Attribute::new("env", string_map()).computed().sensitive().describe(
            "Pomerium environment variables: `IDP_PROVIDER`, `IDP_PROVIDER_URL`, `IDP_CLIENT_ID`, `IDP_CLIENT_SECRET`, \
             `IDP_SCOPES` (comma-separated, as every supported version reads it), `AUTHENTICATE_SERVICE_URL`, and \
             `IDP_SERVICE_ACCOUNT` when `api_token` is set and `pomerium_version` is 0.10 to 0.19.",
        ))
        .attr(Attribute::string("config_yaml").computed().sensitive().describe(
            "The same settings as Pomerium YAML keys (`idp_provider`, `idp_provider_url`, `idp_client_id`, \
             `idp_client_secret`, `idp_scopes` as a list, `authenticate_service_url`, and `idp_service_account` when \
             `api_token` is set and `pomerium_version` is 0.10 to 0.19). Every key is one that version reads; use \
             it as Pomerium's `config.yaml` or merge it into yours.",
        )),
    )
}

/// The data source's attributes. Outputs are skipped when decoding: they are never read from
/// the configuration (where only a rejected read-only setting could fill them).
#[derive(Serialize, Deserialize)]
pub struct IdpSettings {
    pub authenticate_service_url: Field<String>,
    pub pomerium_version: Field<String>,
    pub app_id: Field<String>,
    pub client_id: Field<String>,
    pub client_secret: Field<String>,
    pub api_token: Field<String>,
    pub provider_url: Field<String>,
    pub authorization_server_id: Field<String>,
    pub scopes: Field<Vec<String>>,
    #[serde(skip_deserializing)]
    pub idp_provider: Option<String>,
    #[serde(skip_deserializing)]
    pub idp_provider_url: Option<String>,
    #[serde(skip_deserializing)]
    pub idp_client_id: Option<String>,
    #[serde(skip_deserializing)]
    pub idp_client_secret: Option<String>,
    #[serde(skip_deserializing)]
    pub idp_scopes: Option<Vec<String>>,
    #[serde(skip_deserializing)]
    pub callback_url: Option<String>,
    #[serde(skip_deserializing)]
    pub post_logout_redirect_uri: Option<String>,
    #[serde(skip_deserializing)]
    pub idp_service_account: Option<String>,
    #[serde(skip_deserializing)]
    pub directory_sync: Option<DirectorySync>,
    #[serde(skip_deserializing)]
    pub env: Option<BTreeMap<String, String>>,
    #[serde(skip_deserializing)]
    pub config_yaml: Option<String>,
}

#[derive(Serialize)]
pub struct DirectorySync {
    pub api_key: String,
    pub url: Option<String>,
}

/// A YAML scalar that cannot be misread: a JSON string is valid YAML.
fn yaml_scalar(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// The rendered settings, in Pomerium's key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub provider_url: String,
    pub callback_url: String,
    pub authenticate_url: String,
    pub org_url: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    pub api_token: Option<String>,
    pub scopes: Vec<String>,
    pub version: PomeriumVersion,
}

impl Rendered {
    pub fn env(&self) -> BTreeMap<String, String> {
        let mut env = BTreeMap::from([
            ("IDP_PROVIDER".to_string(), "okta".to_string()),
            ("IDP_PROVIDER_URL".to_string(), self.provider_url.clone()),
            ("IDP_CLIENT_ID".to_string(), self.client_id.clone()),
            ("IDP_CLIENT_SECRET".to_string(), self.client_secret.clone()),
            ("IDP_SCOPES".to_string(), self.scopes.join(",")),
            (
                "AUTHENTICATE_SERVICE_URL".to_string(),
                self.authenticate_url.clone(),
            ),
        ]);
        if let Some(account) = self.service_account() {
            env.insert("IDP_SERVICE_ACCOUNT".to_string(), account);
        }
        env
    }

    pub fn yaml(&self) -> String {
        let mut lines = vec![
            format!(
                "authenticate_service_url: {}",
                yaml_scalar(&self.authenticate_url)
            ),
            "idp_provider: \"okta\"".to_string(),
            format!("idp_provider_url: {}", yaml_scalar(&self.provider_url)),
            format!("idp_client_id: {}", yaml_scalar(&self.client_id)),
            format!("idp_client_secret: {}", yaml_scalar(&self.client_secret)),
            format!(
                "idp_scopes: [{}]",
                self.scopes
                    .iter()
                    .map(|s| yaml_scalar(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ];
        if let Some(account) = self.service_account() {
            lines.push(format!("idp_service_account: {}", yaml_scalar(&account)));
        }
        lines.join("\n") + "\n"
    }

    /// `idp_service_account`, for the versions that read it (0.20 and later refuse to start
    /// with it in a config file).
    pub fn service_account(&self) -> Option<String> {
        self.api_token
            .as_deref()
            .filter(|_| self.version.reads_service_account())
            .map(service_account)
    }

    /// The outputs, next to the configured inputs.
    pub fn into_settings(self, inputs: IdpSettings) -> IdpSettings {
        let directory_sync = self.api_token.as_ref().map(|token| DirectorySync {
            api_key: token.clone(),
            url: self.org_url.clone(),
        });
        IdpSettings {
            idp_provider: Some("okta".to_string()),
            idp_service_account: self.service_account(),
            post_logout_redirect_uri: self
                .version
                .post_logout_redirect_uri(&self.authenticate_url),
            directory_sync,
            env: Some(self.env()),
            config_yaml: Some(self.yaml()),
            idp_provider_url: Some(self.provider_url),
            idp_client_id: Some(self.client_id),
            idp_client_secret: Some(self.client_secret),
            callback_url: Some(self.callback_url),
            idp_scopes: Some(self.scopes),
            ..inputs
        }
    }
}

/// Where the client secret may come from when `client_secret` is unset with `app_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSource {
    /// Only the configuration (the data source: its outputs are state, and a secret read from
    /// Okta there would be stored even when the app is set not to store it, #20).
    Config,
    /// The configuration, else the app's newest active secret (the ephemeral resource, whose
    /// outputs are never stored).
    ConfigOrOkta,
}

impl Renderer<'_> {
    /// The settings for `config`, with warnings for what the chosen Pomerium version cannot
    /// use and the sign-out wiring of the app.
    pub async fn render(
        &self,
        config: &IdpSettings,
        secrets: SecretSource,
        diags: &mut Diagnostics,
    ) -> Option<Rendered> {
        let authenticate_url =
            settings::authenticate_url(config.authenticate_service_url.get()?).ok()?;
        let version =
            PomeriumVersion::or_default(config.pomerium_version.get().map(String::as_str));
        let callback_url = format!("{authenticate_url}{CALLBACK_PATH}");
        let org_url = self.data.settings().and_then(|s| s.org_base());
        let provider_url = match (
            config.provider_url.get(),
            config.authorization_server_id.get(),
        ) {
            (Some(url), _) => url.trim_end_matches('/').to_string(),
            (None, server) => {
                let Some(org) = org_url.clone() else {
                    diags.attr_error(
                        AttrPath::root("provider_url"),
                        "No Okta org URL",
                        "Set provider_url, or configure the provider's org_url (or OKTA_ORG_URL) so the provider URL can be derived.",
                    );
                    return None;
                };
                match server {
                    Some(id) => format!("{org}/oauth2/{id}"),
                    None => org,
                }
            }
        };
        let mut client_id = config.client_id.get().cloned();
        let mut client_secret = config.client_secret.get().cloned();
        // The org authorization server issues for the org URL itself.
        let org_server = config.authorization_server_id.is_null()
            && org_url
                .as_deref()
                .is_some_and(|org| org.trim_end_matches('/') == provider_url);
        let mut app_groups_claim = None;
        if let Some(app_id) = config.app_id.get() {
            let app = self.checked_app(app_id, &callback_url, diags).await?;
            if let Some(uri) = version.post_logout_redirect_uri(&authenticate_url) {
                if let Some(warning) = app.sign_out_problem(&uri, version) {
                    diags.attr_warning(
                        AttrPath::root("app_id"),
                        "Sign-out will stop at Okta",
                        warning,
                    );
                }
            }
            if client_id.is_none() {
                client_id = app.client_id;
            }
            if client_secret.is_none() && secrets == SecretSource::ConfigOrOkta {
                client_secret = self.newest_secret(app_id, diags).await?;
            }
            if org_server {
                if self.data.signs_in_as_service_app() {
                    // Okta answers 403 "Invalid session" to OAuth access tokens on the internal
                    // API that holds this claim: not asking saves a call that cannot succeed.
                    if config.scopes.is_null() {
                        diags.attr_warning(
                            AttrPath::root("app_id"),
                            "The app's groups claim cannot be read with a service app",
                            SERVICE_APP_CLAIM_WARNING,
                        );
                    }
                } else {
                    app_groups_claim = self.app_groups_claim(app_id, diags).await;
                }
            }
        }
        if config.api_token.is_known() && !version.reads_service_account() {
            diags.attr_warning(
                AttrPath::root("api_token"),
                format!("Pomerium {version} has no idp_service_account"),
                format!(
                    "Pomerium 0.20 and later removed Okta directory sync from the open-source core and refuse to \
                     start with idp_service_account in their configuration, so config_yaml, env and \
                     idp_service_account leave the API token out. It is rendered only in directory_sync, for \
                     Pomerium Enterprise's Okta directory sync (its API key and URL settings). Pomerium Core {version} \
                     reads groups from the ID token's groups claim instead (oktaidp_groups_claim): unset api_token \
                     when you run Pomerium Core, or set pomerium_version to the 0.10 to 0.19 release you run."
                ),
            );
        }
        let scopes = pick_scopes(config.scopes.get(), app_groups_claim.as_deref(), diags);
        // Null only when a value unknown at validation turned out null (validation names the
        // known cases), or the app has no client ID.
        if client_id.is_none() {
            diags.attr_error(
                AttrPath::root("client_id"),
                "Missing client_id",
                "Set client_id: it is null, and the app (if app_id is set) has none.",
            );
        }
        if client_secret.is_none() {
            let detail = match secrets {
                SecretSource::Config if config.app_id.is_known() => SECRET_NOT_READ,
                _ => "Set client_secret: it is null, and the app (if app_id is set) has no active client secret.",
            };
            diags.attr_error(
                AttrPath::root("client_secret"),
                "Missing client_secret",
                detail,
            );
        }
        Some(Rendered {
            callback_url,
            authenticate_url,
            provider_url,
            org_url,
            client_id: client_id?,
            client_secret: client_secret?,
            api_token: config.api_token.get().cloned(),
            scopes,
            version,
        })
    }

    /// Name of the app's groups claim on the org authorization server (one GET of Okta's
    /// internal API), if it has one. The API needs an SSWS token; when it cannot be read, a
    /// warning says so and no `groups` scope is derived.
    async fn app_groups_claim(&self, app_id: &str, diags: &mut Diagnostics) -> Option<String> {
        let client = self.data.client(diags)?;
        match client.app_id_token_claims().get(app_id).await {
            Ok(Some(claim)) if claim.is_set() && claim.value_type.as_deref() == Some("GROUPS") => {
                claim.name
            }
            Ok(_) => None,
            Err(e) => {
                diags.attr_warning(
                    AttrPath::root("app_id"),
                    "Could not read the app's groups claim",
                    format!(
                        "Reading the ID token claim settings of app {app_id} failed, so idp_scopes does not \
                         include groups; set scopes to choose them. {e}"
                    ),
                );
                None
            }
        }
    }

    /// Reads the app (one GET) and reports every way its wiring would break Pomerium's sign-in.
    async fn checked_app(
        &self,
        app_id: &str,
        callback_url: &str,
        diags: &mut Diagnostics,
    ) -> Option<AppFacts> {
        let client = self.data.client(diags)?;
        let app = match client.apps().get(app_id).await {
            Ok(Some(app)) => app,
            Ok(None) => {
                diags.attr_error(
                    AttrPath::root("app_id"),
                    "Okta app not found",
                    format!("No app with ID {app_id} exists in this Okta org."),
                );
                return None;
            }
            Err(e) => {
                crate::provider::okta_diag::attr_error(
                    diags,
                    AttrPath::root("app_id"),
                    "reading the app",
                    &e,
                );
                return None;
            }
        };
        let facts = AppFacts {
            client_id: app.client_id().map(str::to_string),
            redirect_uris: app.redirect_uris().unwrap_or_default(),
            post_logout_redirect_uris: app.post_logout_redirect_uris().unwrap_or_default(),
            grant_types: app.grant_types().unwrap_or_default(),
            response_types: app.response_types().unwrap_or_default(),
            status: app.status().unwrap_or_default().to_string(),
        };
        for problem in facts.problems(callback_url) {
            diags.attr_error(
                AttrPath::root("app_id"),
                "Okta app not ready for Pomerium",
                problem,
            );
        }
        (!diags.has_errors()).then_some(facts)
    }

    async fn newest_secret(&self, app_id: &str, diags: &mut Diagnostics) -> Option<Option<String>> {
        let client = self.data.client(diags)?;
        match client.app_secrets().newest_active(app_id).await {
            Ok(secret) => Some(secret.map(|v| v.expose().to_string())),
            Err(e) => {
                crate::provider::okta_diag::attr_error(
                    diags,
                    AttrPath::root("app_id"),
                    "reading the app's client secrets",
                    &e,
                );
                None
            }
        }
    }
}

const SERVICE_APP_CLAIM_WARNING: &str = "The provider signs in as an OAuth 2.0 service app, and Okta refuses \
     service apps on the internal API that holds an app's groups claim on the org authorization server (403 \
     \"Invalid session\"), so whether this app has that claim cannot be read and idp_scopes does not include \
     \"groups\". If the app has an org-server groups claim, set scopes to include \"groups\" (for example \
     [\"openid\", \"profile\", \"email\", \"groups\", \"offline_access\"]). To have it derived, sign the \
     provider in with an API token (api_token), or put the claim on a custom authorization server \
     (authorization_server_id here and on oktaidp_groups_claim), whose claim needs no scope.";

/// `idp_scopes`: the configured ones, else Pomerium's defaults plus `groups` when the app has a
/// groups claim on the org authorization server (named `claim`). Warns when configured scopes
/// would leave that claim out of the ID token.
pub fn pick_scopes(
    configured: Option<&Vec<String>>,
    claim: Option<&str>,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let Some(scopes) = configured else {
        let mut scopes: Vec<String> = DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect();
        if claim.is_some() {
            scopes.insert(3, GROUPS_SCOPE.to_string());
        }
        return scopes;
    };
    if let Some(name) = claim {
        if !scopes.iter().any(|s| s == GROUPS_SCOPE) {
            diags.attr_warning(
                AttrPath::root("scopes"),
                "Groups claim not requested",
                format!(
                    "The app has a groups claim ({name}) on the org authorization server, but Okta adds it to the \
                     ID token only when the sign-in asks for the \"groups\" scope, which scopes lacks. Add \
                     \"groups\" to scopes, or leave scopes unset."
                ),
            );
        }
    }
    scopes.clone()
}

/// What the data source checks on the app.
#[derive(Debug, Clone, Default)]
pub struct AppFacts {
    pub client_id: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    pub response_types: Vec<String>,
    pub status: String,
}

impl AppFacts {
    /// A warning when the app does not allow the post-logout URI `version` sends to Okta's
    /// `/logout` (sign-in still works, so this is no error).
    pub fn sign_out_problem(&self, uri: &str, version: PomeriumVersion) -> Option<String> {
        if self
            .post_logout_redirect_uris
            .iter()
            .any(|u| u.trim_end_matches('/') == uri)
        {
            return None;
        }
        Some(format!(
            "Pomerium {version} signs users out through Okta's /logout with post_logout_redirect_uri={uri}, \
             which the app's sign-out redirect URIs do not include, so Okta refuses it and users do not land on \
             Pomerium's signed-out page. Add it to post_logout_redirect_uris of the oktaidp_oidc_app \
             (post_logout_redirect_uri of this data source holds it)."
        ))
    }

    /// Each problem as a sentence with the fix.
    pub fn problems(&self, callback_url: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !self
            .redirect_uris
            .iter()
            .any(|u| u.trim_end_matches('/') == callback_url)
        {
            out.push(format!(
                "The app's sign-in redirect URIs do not include {callback_url}, so Okta will refuse Pomerium's sign-in. \
                 Add it to redirect_uris of the oktaidp_oidc_app (or an oktaidp_oidc_app_redirect_uri)."
            ));
        }
        if !self.grant_types.iter().any(|g| g == "refresh_token") {
            out.push(
                "The app does not have the refresh_token grant, which Pomerium needs to keep sessions alive. \
                 Add \"refresh_token\" to grant_types (or use oktaidp_oidc_app_refresh_grant)."
                    .to_string(),
            );
        }
        if !self.response_types.iter().any(|r| r == "code") {
            out.push("The app lacks the \"code\" response type that Pomerium's authorization code flow uses. Add it to response_types.".to_string());
        }
        if self.status != "ACTIVE" {
            out.push(format!(
                "The app is {}, so nobody can sign in. Set status = \"ACTIVE\" on the app.",
                if self.status.is_empty() {
                    "not active"
                } else {
                    self.status.as_str()
                }
            ));
        }
        out
    }
}

/// Why the data source does not read the client secret from Okta, and what to do instead.
const SECRET_NOT_READ: &str = "With app_id, the data source still needs client_secret: it never reads the \
     secret from Okta, because data source outputs are saved in the state, where the secret would land even for \
     an app with store_client_secret = false. Set client_secret = oktaidp_oidc_app.<name>.client_secret (an app \
     that stores its secret), or use the ephemeral resource oktaidp_pomerium_idp (Terraform 1.10 or later), \
     which reads the app's newest active secret and is never stored.";

/// The checks across attributes, shared with the ephemeral resource (`secrets` says whether an
/// unset `client_secret` may be read from the app).
pub fn validate_settings(config: &IdpSettings, secrets: SecretSource, diags: &mut Diagnostics) {
    if config.app_id.is_null() {
        for (name, value) in [
            ("client_id", &config.client_id),
            ("client_secret", &config.client_secret),
        ] {
            if value.is_null() {
                diags.attr_error(
                    AttrPath::root(name),
                    format!("Missing {name}"),
                    format!("Set {name}, or set app_id to read it from the Okta app."),
                );
            }
        }
    } else if secrets == SecretSource::Config && config.client_secret.is_null() {
        diags.attr_error(
            AttrPath::root("client_secret"),
            "Missing client_secret",
            SECRET_NOT_READ,
        );
    }
    if !config.provider_url.is_null() && !config.authorization_server_id.is_null() {
        diags.attr_error(
            AttrPath::root("authorization_server_id"),
            "Conflicting provider URL settings",
            "Set provider_url to the full issuer URL, or authorization_server_id to derive it from the org URL, not both.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::OktaIdpProvider;
    use crate::tfplugin::framework::Provider;
    use crate::tfplugin::value::Value;

    #[test]
    fn service_account_is_padded_base64_of_compact_json() {
        use base64::Engine as _;
        let encoded = service_account("00abcDEF-token");
        assert_eq!(
            encoded,
            base64::engine::general_purpose::STANDARD.encode(r#"{"api_key":"00abcDEF-token"}"#)
        );
        // A 16-byte JSON needs padding; the encoding keeps it.
        assert_eq!(service_account("x"), "eyJhcGlfa2V5IjoieCJ9");
        assert_eq!(service_account("xy"), "eyJhcGlfa2V5IjoieHkifQ==");
    }

    fn config(pairs: &[(&str, &str)]) -> Value {
        let Type::Object(attrs) = schema().implied_type() else {
            panic!("object")
        };
        Value::object(attrs.keys().map(|k| {
            let v = pairs
                .iter()
                .find(|(n, _)| n == k)
                .map_or(Value::Null, |(_, v)| Value::string(*v));
            (k.clone(), v)
        }))
    }

    /// Validation as Terraform runs it: the schema's checks, then those of the data source (or
    /// of the ephemeral resource), each taken from the provider that registers it.
    fn validate_as(ephemeral: bool, config: &Value, diags: &mut Diagnostics) {
        let provider = OktaIdpProvider::with_env(|_| None);
        if ephemeral {
            let resources = provider.ephemeral_resources();
            let found = resources.iter().find(|r| r.type_name() == TYPE_NAME);
            found.expect("registered").validate(config, diags);
        } else {
            let sources = provider.data_sources();
            let found = sources.iter().find(|d| d.type_name() == TYPE_NAME);
            found.expect("registered").validate(config, diags);
        }
    }

    fn check_inputs(config: &Value, diags: &mut Diagnostics) {
        validate_as(false, config, diags);
    }

    #[test]
    fn validation_points_at_attributes_without_echoing_secrets() {
        let mut d = Diagnostics::new();
        check_inputs(
            &config(&[
                (
                    "authenticate_service_url",
                    "http://authenticate.example.com",
                ),
                ("client_id", "abc"),
                ("client_secret", "se cret"),
                ("api_token", ""),
                ("provider_url", "https://x.okta.com/#frag"),
                ("authorization_server_id", "default"),
            ]),
            &mut d,
        );
        let paths: Vec<String> = d
            .iter()
            .filter_map(|x| x.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(
            paths,
            vec![
                "authenticate_service_url",
                "client_secret",
                "api_token",
                "provider_url",
                "authorization_server_id"
            ]
        );
        assert!(d.iter().all(|x| !x.detail.contains("se cret")));
    }

    #[test]
    fn app_checks_name_each_problem_with_a_fix() {
        let ok = AppFacts {
            client_id: Some("0oa1".into()),
            redirect_uris: vec!["https://a.example.com/oauth2/callback".into()],
            post_logout_redirect_uris: vec![],
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            response_types: vec!["code".into()],
            status: "ACTIVE".into(),
        };
        assert!(ok
            .problems("https://a.example.com/oauth2/callback")
            .is_empty());
        let bad = AppFacts {
            grant_types: vec!["authorization_code".into()],
            status: "INACTIVE".into(),
            ..Default::default()
        };
        let problems = bad.problems("https://a.example.com/oauth2/callback");
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("https://a.example.com/oauth2/callback"));
        assert!(problems[1].contains("refresh_token"));
        assert!(problems[3].contains("INACTIVE"));
    }

    #[test]
    fn yaml_quotes_everything() {
        let r = Rendered {
            provider_url: "https://dev-1.okta.com".into(),
            callback_url: "https://a.example.com/oauth2/callback".into(),
            authenticate_url: "https://a.example.com".into(),
            org_url: Some("https://dev-1.okta.com".into()),
            client_id: "0oa1".into(),
            client_secret: "s: #\"x".into(),
            api_token: None,
            scopes: vec!["openid".into(), "groups".into()],
            version: PomeriumVersion::NEWEST_TESTED,
        };
        let yaml: serde_yaml::Value = serde_yaml::from_str(&r.yaml()).expect("yaml");
        assert_eq!(yaml["idp_client_secret"].as_str(), Some("s: #\"x"));
        assert_eq!(yaml["idp_provider"].as_str(), Some("okta"));
        assert!(yaml.get("idp_service_account").is_none());
        assert!(!r.env().contains_key("IDP_SERVICE_ACCOUNT"));
        assert_eq!(
            yaml["idp_scopes"],
            serde_yaml::from_str::<serde_yaml::Value>("[openid, groups]").unwrap()
        );
        assert_eq!(r.env()["IDP_SCOPES"], "openid,groups");
    }

    #[test]
    fn scopes_bring_the_org_servers_groups_claim() {
        let mut d = Diagnostics::new();
        assert_eq!(
            pick_scopes(None, None, &mut d),
            ["openid", "profile", "email", "offline_access"]
        );
        assert_eq!(
            pick_scopes(None, Some("groups"), &mut d),
            ["openid", "profile", "email", "groups", "offline_access"]
        );
        assert!(d.is_empty());
        let given = vec!["openid".to_string(), "email".to_string()];
        assert_eq!(pick_scopes(Some(&given), None, &mut d), given);
        assert!(d.is_empty());
        // A claim the given scopes would not bring: a warning at `scopes`.
        assert_eq!(pick_scopes(Some(&given), Some("groups"), &mut d), given);
        let w: Vec<_> = d.iter().collect();
        assert_eq!(w.len(), 1);
        assert!(!d.has_errors());
        assert_eq!(
            w[0].path.as_ref().map(ToString::to_string).as_deref(),
            Some("scopes")
        );
        let mut d = Diagnostics::new();
        let with_groups = vec!["openid".to_string(), "groups".to_string()];
        pick_scopes(Some(&with_groups), Some("groups"), &mut d);
        assert!(d.is_empty());
    }

    fn rendered(version: &str, api_token: Option<&str>) -> Rendered {
        Rendered {
            provider_url: "https://dev-1.okta.com".into(),
            callback_url: "https://a.example.com/oauth2/callback".into(),
            authenticate_url: "https://a.example.com".into(),
            org_url: Some("https://dev-1.okta.com".into()),
            client_id: "0oa1".into(),
            client_secret: "s".into(),
            api_token: api_token.map(str::to_string),
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
            version: PomeriumVersion::parse(version).expect(version),
        }
    }

    /// #17: Pomerium 0.20 and later refuse `idp_service_account`; 0.10 to 0.19 need it.
    #[test]
    fn service_account_only_for_the_versions_that_read_it() {
        for (version, expected) in [
            ("0.19.1", true),
            ("0.10", true),
            ("0.20.0", false),
            ("0.32.0", false),
        ] {
            let r = rendered(version, Some("00tok"));
            let yaml: serde_yaml::Value = serde_yaml::from_str(&r.yaml()).expect("yaml");
            assert_eq!(
                yaml.get("idp_service_account").is_some(),
                expected,
                "{version}"
            );
            assert_eq!(
                r.env().contains_key("IDP_SERVICE_ACCOUNT"),
                expected,
                "{version}"
            );
            let out = r.into_settings(IdpSettings::deserialize_default());
            assert_eq!(out.idp_service_account.is_some(), expected, "{version}");
            // Enterprise directory sync keeps the token whatever the core version.
            assert_eq!(
                out.directory_sync.as_ref().map(|d| d.api_key.as_str()),
                Some("00tok")
            );
        }
        let out =
            rendered("0.32.0", Some("00tok")).into_settings(IdpSettings::deserialize_default());
        assert!(!out
            .config_yaml
            .as_deref()
            .unwrap_or_default()
            .contains("00tok"));
        assert_eq!(
            out.post_logout_redirect_uri.as_deref(),
            Some("https://a.example.com/.pomerium/signed_out")
        );
        let out = rendered("0.19.1", None).into_settings(IdpSettings::deserialize_default());
        assert_eq!(out.post_logout_redirect_uri, None);
    }

    impl IdpSettings {
        fn deserialize_default() -> Self {
            serde_json::from_value(serde_json::json!({
                "authenticate_service_url": null, "pomerium_version": null, "app_id": null,
                "client_id": null, "client_secret": null, "api_token": null,
                "provider_url": null, "authorization_server_id": null, "scopes": null,
            }))
            .expect("model")
        }
    }

    fn error_paths(config: &Value, ephemeral: bool) -> Vec<String> {
        let mut d = Diagnostics::new();
        validate_as(ephemeral, config, &mut d);
        d.iter()
            .filter(|x| x.severity == crate::tfplugin::diag::Severity::Error)
            .filter_map(|x| x.path.as_ref().map(ToString::to_string))
            .collect()
    }

    /// #20 item 2: the data source never reads the secret (its outputs are state); the
    /// ephemeral resource may.
    #[test]
    fn data_source_needs_client_secret_with_app_id() {
        let with_app = config(&[
            ("authenticate_service_url", "https://a.example.com"),
            ("app_id", "0oa1"),
        ]);
        assert_eq!(error_paths(&with_app, false), ["client_secret"]);
        assert!(error_paths(&with_app, true).is_empty());
        let provider = OktaIdpProvider::with_env(|_| None);
        let mut d = Diagnostics::new();
        check_inputs(&with_app, &mut d);
        let detail = &d.iter().next().expect("error").detail;
        assert!(detail.contains("store_client_secret = false"), "{detail}");
        assert!(
            detail.contains("ephemeral resource oktaidp_pomerium_idp"),
            "{detail}"
        );
        drop(provider);
        let with_secret = config(&[
            ("authenticate_service_url", "https://a.example.com"),
            ("app_id", "0oa1"),
            ("client_secret", "s"),
        ]);
        assert!(error_paths(&with_secret, false).is_empty());
    }

    /// #20 item 5 and #17: the attribute checks of the URL and the version.
    #[test]
    fn authenticate_url_with_a_path_and_bad_versions_fail_at_their_attribute() {
        for ephemeral in [false, true] {
            let c = config(&[
                (
                    "authenticate_service_url",
                    "https://authn.example.com/oauth2/callback",
                ),
                ("client_id", "abc"),
                ("client_secret", "def"),
                ("pomerium_version", "0.9.0"),
            ]);
            assert_eq!(
                error_paths(&c, ephemeral),
                ["authenticate_service_url", "pomerium_version"]
            );
            for good in ["0.32.0", "v0.19.1", "0.19"] {
                let c = config(&[
                    ("authenticate_service_url", "https://authn.example.com"),
                    ("client_id", "abc"),
                    ("client_secret", "def"),
                    ("pomerium_version", good),
                ]);
                assert!(error_paths(&c, ephemeral).is_empty(), "{good}");
            }
        }
    }

    #[test]
    fn sign_out_warning_names_the_uri_and_the_fix() {
        let uri = "https://a.example.com/.pomerium/signed_out";
        let version = PomeriumVersion::NEWEST_TESTED;
        let mut app = AppFacts::default();
        let warning = app.sign_out_problem(uri, version).expect("missing");
        assert!(warning.contains(uri), "{warning}");
        assert!(warning.contains("post_logout_redirect_uris"), "{warning}");
        app.post_logout_redirect_uris = vec![format!("{uri}/")];
        assert_eq!(app.sign_out_problem(uri, version), None);
    }
}
