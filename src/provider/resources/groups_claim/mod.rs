//! `oktaidp_groups_claim`: a groups claim in the ID token, either the org authorization
//! server's claim of one app (Okta's internal per-app API) or an IDENTITY claim of a custom
//! authorization server (the public claims API).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map};

use crate::okta::{AppIdTokenClaim, AuthServerClaim, OktaClient};
use crate::provider::{okta_diag, validate, ProviderData};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::typed::{Change, Outcome, Plan, Saved, TypedResource};
use crate::tfplugin::value::Value;

pub const TYPE_NAME: &str = "oktaidp_groups_claim";

const GROUPS: &str = "GROUPS";
const IDENTITY: &str = "IDENTITY";
const REGEX: &str = "REGEX";
pub const FILTER_TYPES: &[&str] = &["REGEX", "STARTS_WITH", "EQUALS", "CONTAINS"];
/// Prefix of the ID (and import ID) of an org-server claim: `app/<app_id>`.
const APP_PREFIX: &str = "app/";
/// Issuer mode sent when Okta reports none for the app.
const ORG_URL: &str = "ORG_URL";

const SERVICE_APP_REFUSED: &str = "The provider signs in as an OAuth 2.0 service app, and Okta refuses \
     service apps on the internal API that holds an app's groups claim on the org authorization server \
     (it answers 403 \"Invalid session\" to OAuth access tokens). Either sign the provider in with an API \
     token (api_token, or OKTA_API_TOKEN), or put the claim on a custom authorization server: \
     authorization_server_id (e.g. \"default\") instead of app_id here, and the same \
     authorization_server_id on oktaidp_pomerium_idp.";

/// The resource's attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsClaim {
    pub id: Field<String>,
    pub app_id: Field<String>,
    pub authorization_server_id: Field<String>,
    pub name: Field<String>,
    pub filter_type: Field<String>,
    pub filter: Field<String>,
}

/// Where the claim lives, from a complete model (state or planned values).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    App(String),
    /// Server id, and the claim id once it exists.
    Server(String, Option<String>),
}

impl GroupsClaim {
    fn target(&self) -> Option<Target> {
        if let Some(app) = self.app_id.get() {
            return Some(Target::App(app.clone()));
        }
        let server = self.authorization_server_id.get()?.clone();
        let claim = self
            .id
            .as_deref()
            .and_then(|id| id.split_once('/'))
            .map(|(_, c)| c.to_string());
        Some(Target::Server(server, claim))
    }

    fn text(field: &Field<String>) -> String {
        field.as_deref().unwrap_or_default().to_string()
    }
}

/// The state for the org server's claim of `app_id`; `None` when the app has no groups claim
/// (none at all, or an expression claim that is not ours).
fn from_app_claim(app_id: &str, claim: &AppIdTokenClaim) -> Option<GroupsClaim> {
    if !claim.is_set() || claim.value_type.as_deref() != Some(GROUPS) {
        return None;
    }
    Some(GroupsClaim {
        id: Field::Known(format!("{APP_PREFIX}{app_id}")),
        app_id: app_id.into(),
        authorization_server_id: Field::Null,
        name: claim.name.clone().into(),
        filter_type: claim.group_filter_type.clone().into(),
        filter: claim.value.clone().into(),
    })
}

/// The POST body setting the app's claim.
fn app_claim_body(planned: &GroupsClaim, issuer_mode: &str) -> AppIdTokenClaim {
    AppIdTokenClaim {
        issuer_mode: Some(issuer_mode.to_string()),
        value_type: Some(GROUPS.to_string()),
        name: Some(GroupsClaim::text(&planned.name)),
        group_filter_type: Some(GroupsClaim::text(&planned.filter_type)),
        value: Some(GroupsClaim::text(&planned.filter)),
        ..Default::default()
    }
}

/// Whether a server claim still is what this resource makes: an ACTIVE IDENTITY GROUPS claim,
/// always in the token, for any scope.
fn is_ours(claim: &AuthServerClaim) -> bool {
    claim.claim_type.as_deref() == Some(IDENTITY)
        && claim.value_type.as_deref() == Some(GROUPS)
        && claim.always_include_in_token == Some(true)
        && claim.scopes().is_empty()
        && claim.status.as_deref().is_none_or(|s| s == "ACTIVE")
        && claim.system != Some(true)
}

/// The state for a custom server's claim; `None` when it is no longer a groups claim of ours.
fn from_server_claim(server_id: &str, claim: &AuthServerClaim) -> Option<GroupsClaim> {
    if !is_ours(claim) {
        return None;
    }
    let claim_id = claim.id.as_deref()?;
    Some(GroupsClaim {
        id: Field::Known(format!("{server_id}/{claim_id}")),
        app_id: Field::Null,
        authorization_server_id: server_id.into(),
        name: claim.name.clone().into(),
        filter_type: claim.group_filter_type.clone().into(),
        filter: claim.value.clone().into(),
    })
}

/// The create/PUT body of a custom server's claim.
fn server_claim_body(planned: &GroupsClaim) -> AuthServerClaim {
    let mut conditions = Map::new();
    conditions.insert("scopes".into(), json!([]));
    AuthServerClaim {
        name: Some(GroupsClaim::text(&planned.name)),
        status: Some("ACTIVE".to_string()),
        claim_type: Some(IDENTITY.to_string()),
        value_type: Some(GROUPS.to_string()),
        value: Some(GroupsClaim::text(&planned.filter)),
        group_filter_type: Some(GroupsClaim::text(&planned.filter_type)),
        always_include_in_token: Some(true),
        conditions: Some(conditions),
        ..Default::default()
    }
}

/// Parses an import ID: `app/<app_id>` or `<authorization_server_id>/<claim_id>`.
fn parse_import_id(id: &str) -> Result<GroupsClaim, String> {
    let usage = "The import ID of oktaidp_groups_claim is `app/<app_id>` (the org authorization server's claim of an app) or `<authorization_server_id>/<claim_id>` (a custom authorization server's claim).";
    let Some((head, tail)) = id.split_once('/') else {
        return Err(usage.to_string());
    };
    if head == "app" {
        validate::app_id(tail).map_err(|e| format!("{e} {usage}"))?;
        return Ok(GroupsClaim {
            app_id: tail.into(),
            ..Default::default()
        });
    }
    validate::authorization_server_id(head).map_err(|e| format!("{e} {usage}"))?;
    if tail.is_empty() || tail.contains('/') {
        return Err(usage.to_string());
    }
    Ok(GroupsClaim {
        id: id.into(),
        authorization_server_id: head.into(),
        ..Default::default()
    })
}

pub struct GroupsClaimResource {
    pub data: Arc<ProviderData>,
}

impl GroupsClaimResource {
    /// Create and update of the org server's claim: read the app's settings (existence and
    /// issuer mode), then POST the claim. Returns the state and the claim it replaced, if any.
    async fn set_app_claim(
        client: &OktaClient,
        app_id: &str,
        planned: &GroupsClaim,
        diags: &mut Diagnostics,
    ) -> Option<(GroupsClaim, Option<AppIdTokenClaim>)> {
        let action = format!("reading the ID token claim settings of app {app_id}");
        let current = okta_diag::ok_at(
            diags,
            "app_id",
            &action,
            client.app_id_token_claims().get(app_id).await,
        )?;
        let Some(current) = current else {
            return okta_diag::fail(
                diags,
                "app_id",
                "Okta app not found",
                format!("No app with ID {app_id} exists in this Okta org."),
            );
        };
        let mode = current.issuer_mode.clone().unwrap_or(ORG_URL.to_string());
        let action = format!("setting the groups claim of app {app_id}");
        let saved = okta_diag::ok_at(
            diags,
            "app_id",
            &action,
            client
                .app_id_token_claims()
                .set(app_id, &app_claim_body(planned, &mode))
                .await,
        )?;
        let Some(state) = from_app_claim(app_id, &saved) else {
            return okta_diag::fail(
                diags,
                "app_id",
                "Okta did not keep the groups claim",
                format!("Okta accepted the groups claim of app {app_id} but answered without it."),
            );
        };
        Some((state, current.is_set().then_some(current)))
    }

    /// Create of a custom server's claim: takes over an existing IDENTITY claim of that name
    /// (with a warning), else creates one.
    async fn create_server_claim(
        client: &OktaClient,
        server_id: &str,
        planned: &GroupsClaim,
        diags: &mut Diagnostics,
    ) -> Option<GroupsClaim> {
        let claims = client.auth_server_claims();
        let action = format!("reading the claims of authorization server {server_id}");
        let existing = okta_diag::ok_at(
            diags,
            "authorization_server_id",
            &action,
            claims.list(server_id).await,
        )?;
        let name = GroupsClaim::text(&planned.name);
        let body = server_claim_body(planned);
        let taken = existing.iter().find(|c| {
            c.name.as_deref() == Some(name.as_str()) && c.claim_type.as_deref() == Some(IDENTITY)
        });
        let saved = match taken.and_then(|c| c.id.clone()) {
            Some(claim_id) if taken.and_then(|c| c.system) != Some(true) => {
                diags.attr_warning(
                    AttrPath::root("name"),
                    "Existing claim taken over",
                    format!(
                        "Authorization server {server_id} already had an IDENTITY claim named {name} ({claim_id}); \
                         this resource now manages it and set it to the configured groups filter. Destroying the \
                         resource deletes the claim."
                    ),
                );
                let action = format!("updating claim {claim_id} of authorization server {server_id}");
                okta_diag::ok_at(
                    diags,
                    "name",
                    &action,
                    claims.replace(server_id, &claim_id, &body).await,
                )?
            }
            Some(_) => {
                return okta_diag::fail(
                    diags,
                    "name",
                    "Name taken by a system claim",
                    format!("{name} is a system claim of authorization server {server_id}; choose another name."),
                )
            }
            None => {
                let action = format!("creating the groups claim on authorization server {server_id}");
                okta_diag::ok_at(diags, "name", &action, claims.create(server_id, &body).await)?
            }
        };
        Self::kept_server_claim(server_id, &saved, diags)
    }

    fn kept_server_claim(
        server_id: &str,
        saved: &AuthServerClaim,
        diags: &mut Diagnostics,
    ) -> Option<GroupsClaim> {
        let state = from_server_claim(server_id, saved);
        if state.is_none() {
            diags.attr_error(
                AttrPath::root("authorization_server_id"),
                "Okta did not keep the groups claim",
                format!(
                    "Okta accepted the claim on authorization server {server_id} but answered with another kind of claim."
                ),
            );
        }
        state
    }

    /// Create (`creating`) and update: one claim written, the state read back from Okta's answer.
    async fn apply(
        &self,
        planned: &GroupsClaim,
        creating: bool,
        diags: &mut Diagnostics,
    ) -> Option<GroupsClaim> {
        let client = self.data.client(diags)?;
        match planned.target()? {
            Target::App(app_id) => {
                let (state, replaced) =
                    Self::set_app_claim(&client, &app_id, planned, diags).await?;
                if let (true, Some(old)) = (creating, replaced) {
                    diags.attr_warning(
                        AttrPath::root("app_id"),
                        "Existing ID token claim replaced",
                        format!(
                            "App {app_id} already had an ID token claim named {} ({}); it was replaced by this \
                             groups claim. Destroying the resource clears the app's claim.",
                            old.name.as_deref().unwrap_or_default(),
                            old.value_type.as_deref().unwrap_or_default()
                        ),
                    );
                }
                Some(state)
            }
            Target::Server(server_id, None) => {
                Self::create_server_claim(&client, &server_id, planned, diags).await
            }
            Target::Server(server_id, Some(claim_id)) => {
                let action =
                    format!("updating claim {claim_id} of authorization server {server_id}");
                let saved = okta_diag::ok_at(
                    diags,
                    "name",
                    &action,
                    client
                        .auth_server_claims()
                        .replace(&server_id, &claim_id, &server_claim_body(planned))
                        .await,
                )?;
                Self::kept_server_claim(&server_id, &saved, diags)
            }
        }
    }
}

fn describe_target(attr: &str) -> String {
    match attr {
        "app_id" => "ID of the Okta OIDC app (`0oa...`) whose sign-ins through the org authorization server \
                     (issuer = the org URL) get the claim. Conflicts with `authorization_server_id`; exactly one \
                     is required. Changing it replaces the resource."
            .to_string(),
        _ => "ID of the custom authorization server (`default` or `aus...`) that gets the claim. Conflicts \
              with `app_id`; exactly one is required. Changing it replaces the resource."
            .to_string(),
    }
}

fn claim_name(raw: &str) -> Result<(), String> {
    if raw.is_empty() || raw.chars().any(char::is_whitespace) {
        Err(
            "The claim name must be non-empty and contain no whitespace (Pomerium reads `groups`)."
                .into(),
        )
    } else {
        Ok(())
    }
}

fn non_empty_filter(raw: &str) -> Result<(), String> {
    if raw.is_empty() {
        Err("The filter must not be empty; `.*` with REGEX matches every group.".into())
    } else {
        Ok(())
    }
}

#[tonic::async_trait]
impl TypedResource for GroupsClaimResource {
    type Model = GroupsClaim;
    type Private = ();
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new(&crate::provider::oauth_scopes::note(include_str!("../../descriptions/groups_claim.md").trim_end(), &["okta.apps.manage", "okta.authorizationServers.manage"]))
                .attr(
                    Attribute::string("id")
                        .computed()
                        .use_state_for_unknown()
                        .describe(
                            "`app/<app_id>` for the org authorization server's claim of an app, \
                             `<authorization_server_id>/<claim_id>` for a custom server's claim. Also the import ID.",
                        ),
                )
                .attr(
                    Attribute::string("app_id")
                        .optional()
                        .requires_replace()
                        .check(validate::app_id)
                        .describe(&describe_target("app_id")),
                )
                .attr(
                    Attribute::string("authorization_server_id")
                        .optional()
                        .requires_replace()
                        .check(validate::authorization_server_id)
                        .describe(&describe_target("authorization_server_id")),
                )
                .attr(
                    Attribute::string("name")
                        .default(Value::string("groups"))
                        .check(claim_name)
                        .describe("Name of the claim in the token. Default `groups`, the claim Pomerium reads."),
                )
                .attr(
                    Attribute::string("filter_type")
                        .default(Value::string(REGEX))
                        .one_of(FILTER_TYPES)
                        .describe(
                            "How `filter` matches group names: `REGEX` (default; the whole name, case-sensitive), \
                             `STARTS_WITH`, `EQUALS` or `CONTAINS` (case-insensitive).",
                        ),
                )
                .attr(
                    Attribute::string("filter")
                        .default(Value::string(".*"))
                        .check(non_empty_filter)
                        .describe(
                            "The filter's operand. Default `.*`: with `REGEX`, every group of the user (at most \
                             100 may match, or Okta fails the sign-in).",
                        ),
                ),
        )
    }

    fn validate(&self, config: &GroupsClaim, diags: &mut Diagnostics) {
        match (config.app_id.is_null(), config.authorization_server_id.is_null()) {
            (true, true) => diags.attr_error(
                AttrPath::root("app_id"),
                "Missing claim target",
                "Set app_id (the org authorization server's claim of that app) or authorization_server_id \
                 (a claim of that custom authorization server).",
            ),
            // Unknown values (e.g. variables during `terraform validate`) may still be null:
            // the check runs again once they are known.
            (false, false)
                if config.app_id.is_known() && config.authorization_server_id.is_known() =>
            {
                diags.attr_error(
                AttrPath::root("authorization_server_id"),
                "Conflicting claim targets",
                "Set app_id or authorization_server_id, not both: a claim lives either on the org \
                 authorization server (per app) or on one custom authorization server.",
                )
            }
            _ => {}
        }
        // Unset filter_type means the default, REGEX.
        let regex = config.filter_type.is_null() || config.filter_type.as_deref() == Some(REGEX);
        if let (true, Some(filter)) = (regex, config.filter.as_deref()) {
            if let Err(e) = validate::group_regex(filter) {
                diags.attr_error(AttrPath::root("filter"), "Invalid regular expression", e);
            }
        }
    }

    /// The org server's claim has its ID before it exists: `app/<app_id>`. That claim cannot
    /// be managed by a service app: said here, before any API call.
    fn modify_plan(&self, plan: &mut Plan<'_, Self>, diags: &mut Diagnostics) {
        if !plan.config.app_id.is_null() && self.data.signs_in_as_service_app() {
            diags.attr_error(
                AttrPath::root("app_id"),
                "The org server's groups claim needs an API token",
                SERVICE_APP_REFUSED,
            );
            return;
        }
        let planned = &mut plan.planned;
        if !planned.id.is_known() {
            if let Some(app_id) = planned.app_id.get().cloned() {
                planned.id = Field::Known(format!("{APP_PREFIX}{app_id}"));
            }
        }
    }

    async fn create(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self> {
        let state = self.apply(change.planned, true, diags).await?;
        tracing::info!(id = %state.id.as_deref().unwrap_or_default(), "groups claim set");
        Some(Saved::state(state))
    }

    async fn read(&self, state: GroupsClaim, _: (), diags: &mut Diagnostics) -> Outcome<Self> {
        let client = self.data.client(diags)?;
        let found = match state.target()? {
            Target::App(app_id) => {
                let action = format!("reading the ID token claim settings of app {app_id}");
                let claim = okta_diag::ok(
                    diags,
                    &action,
                    client.app_id_token_claims().get(&app_id).await,
                )?;
                claim.and_then(|c| from_app_claim(&app_id, &c))
            }
            Target::Server(server_id, Some(claim_id)) => {
                let action =
                    format!("reading claim {claim_id} of authorization server {server_id}");
                let claim = okta_diag::ok(
                    diags,
                    &action,
                    client.auth_server_claims().get(&server_id, &claim_id).await,
                )?;
                claim.and_then(|c| from_server_claim(&server_id, &c))
            }
            Target::Server(_, None) => None,
        };
        if found.is_none() {
            tracing::info!(id = %state.id.as_deref().unwrap_or_default(), "groups claim gone or changed; removing it from state");
        }
        found.map(Saved::state)
    }

    async fn update(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self> {
        let planned = GroupsClaim {
            id: change.prior.map_or(Field::Unknown, |p| p.id.clone()),
            ..change.planned.clone()
        };
        self.apply(&planned, false, diags).await.map(Saved::state)
    }

    async fn delete(&self, prior: GroupsClaim, _: (), diags: &mut Diagnostics) {
        let (Some(client), Some(target)) = (self.data.client(diags), prior.target()) else {
            return;
        };
        match target {
            Target::App(app_id) => {
                let action = format!("reading the ID token claim settings of app {app_id}");
                let Some(current) = okta_diag::ok(
                    diags,
                    &action,
                    client.app_id_token_claims().get(&app_id).await,
                ) else {
                    return;
                };
                // An app that is gone took its claim with it.
                let Some(current) = current else { return };
                let mode = current.issuer_mode.unwrap_or(ORG_URL.to_string());
                let action = format!("clearing the groups claim of app {app_id}");
                okta_diag::ok(
                    diags,
                    &action,
                    client.app_id_token_claims().clear(&app_id, &mode).await,
                );
            }
            Target::Server(server_id, Some(claim_id)) => {
                let action =
                    format!("deleting claim {claim_id} of authorization server {server_id}");
                okta_diag::ok(
                    diags,
                    &action,
                    client
                        .auth_server_claims()
                        .delete(&server_id, &claim_id)
                        .await,
                );
            }
            Target::Server(_, None) => {}
        }
    }

    async fn import(&self, id: &str, diags: &mut Diagnostics) -> Outcome<Self> {
        let state = match parse_import_id(id) {
            Ok(s) => s,
            Err(e) => {
                diags.error("Invalid import ID", e);
                return None;
            }
        };
        let found = self.read(state, (), diags).await;
        if found.is_none() && !diags.has_errors() {
            diags.error(
                "Groups claim not found",
                format!("{id} names no groups claim (an ACTIVE IDENTITY claim of value type GROUPS, always in the token, for any scope; or an app's GROUPS ID token claim). Nothing to import: create the resource instead."),
            );
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::testing::{self, apply_request, error_paths, Org};
    use crate::tfplugin::typed::Typed;

    fn object(pairs: &[(&str, Value)]) -> Value {
        testing::object(&GroupsClaimResource::schema(), pairs)
    }

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn validate(pairs: &[(&str, Value)]) -> Vec<String> {
        let provider = crate::provider::OktaIdpProvider::with_env(|_| None);
        let mut d = Diagnostics::new();
        Typed::resource(GroupsClaimResource {
            data: Arc::clone(provider.data()),
        })
        .validate(&object(pairs), &mut d);
        error_paths(&d)
    }

    /// A provider configured from its block alone: an OAuth 2.0 service app or an API token,
    /// against an org nothing listens on (a plan that called Okta would fail differently).
    async fn provider_signing_in_as(service_app: bool) -> crate::provider::OktaIdpProvider {
        use crate::tfplugin::framework::Provider;
        let provider = crate::provider::OktaIdpProvider::with_env(|_| None);
        let mut config = Value::null_object(&provider.schema().implied_type());
        let pem = crate::okta::testing::ec_pkcs8_pem();
        let mut set = |k: &str, v: Value| *config.get_mut(k).expect(k) = v;
        set("org_url", s("http://127.0.0.1:9"));
        if service_app {
            set("client_id", s("0oaSVC"));
            set("private_key", s(&pem));
            set("private_key_id", s("kid-1"));
        } else {
            set("api_token", s("00token"));
        }
        let mut d = Diagnostics::new();
        provider.configure(&config, &mut d).await;
        assert!(!d.has_errors(), "{d:?}");
        provider
    }

    fn plan_errors(provider: &crate::provider::OktaIdpProvider, config: &Value) -> Diagnostics {
        use crate::tfplugin::framework::PlanRequest;
        let resource = Typed::resource(GroupsClaimResource {
            data: Arc::clone(provider.data()),
        });
        let mut planned = config.clone();
        let mut replace = Vec::new();
        let mut d = Diagnostics::new();
        resource.modify_plan(
            &PlanRequest {
                prior: &Value::Null,
                config,
                prior_private: &[],
            },
            &mut planned,
            &mut replace,
            &mut d,
        );
        d
    }

    /// #17: Okta answers 403 "Invalid session" to service apps on the org server's claim API:
    /// the plan says so at `app_id`, before any call; a custom server's claim plans fine.
    #[tokio::test]
    async fn org_server_claim_with_a_service_app_fails_at_plan() {
        let service = provider_signing_in_as(true).await;
        let org_claim = object(&[("app_id", s("0oa1")), ("id", Value::Unknown)]);
        let d = plan_errors(&service, &org_claim);
        assert_eq!(error_paths(&d), ["app_id"], "{d:?}");
        let detail = &d.iter().next().expect("error").detail;
        assert!(detail.contains("API token"), "{detail}");
        assert!(detail.contains("authorization_server_id"), "{detail}");
        let server_claim = object(&[
            ("authorization_server_id", s("default")),
            ("id", Value::Unknown),
        ]);
        assert!(plan_errors(&service, &server_claim).is_empty());
        let token = provider_signing_in_as(false).await;
        assert!(plan_errors(&token, &org_claim).is_empty());
    }

    #[test]
    fn exactly_one_target_and_a_compiling_regex() {
        assert_eq!(validate(&[]), ["app_id"]);
        assert_eq!(
            validate(&[
                ("app_id", s("0oa1")),
                ("authorization_server_id", s("default"))
            ]),
            ["authorization_server_id"]
        );
        assert!(validate(&[("app_id", s("0oa1"))]).is_empty());
        // Unknown counts as set.
        assert!(validate(&[("authorization_server_id", Value::Unknown)]).is_empty());
        assert!(validate(&[
            ("app_id", Value::Unknown),
            ("authorization_server_id", Value::Unknown)
        ])
        .is_empty());
        assert_eq!(
            validate(&[("app_id", s("0oa1")), ("filter", s("eng-("))]),
            ["filter"]
        );
        assert_eq!(
            validate(&[
                ("app_id", s("0oa1")),
                ("filter_type", s("REGEX")),
                ("filter", s("[z-a]"))
            ]),
            ["filter"]
        );
        // Not a regex with another operator.
        assert!(validate(&[
            ("app_id", s("0oa1")),
            ("filter_type", s("STARTS_WITH")),
            ("filter", s("eng-("))
        ])
        .is_empty());
        assert_eq!(
            validate(&[
                ("app_id", s("bad id")),
                ("filter_type", s("LIKE")),
                ("name", s("a b"))
            ]),
            ["app_id", "name", "filter_type"]
        );
    }

    #[test]
    fn okta_models_map_both_ways() {
        let planned = GroupsClaim {
            id: Field::Unknown,
            app_id: "0oa1".into(),
            authorization_server_id: Field::Null,
            name: "groups".into(),
            filter_type: "STARTS_WITH".into(),
            filter: "eng".into(),
        };
        let body = app_claim_body(&planned, "ORG_URL");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"issuerMode": "ORG_URL", "valueType": "GROUPS", "name": "groups",
                   "groupFilterType": "STARTS_WITH", "value": "eng"})
        );
        let state = from_app_claim("0oa1", &body).unwrap();
        assert_eq!(state.id.as_deref(), Some("app/0oa1"));
        assert_eq!(state.filter.as_deref(), Some("eng"));
        let expression = AppIdTokenClaim {
            value_type: Some("EXPRESSION".into()),
            ..body.clone()
        };
        assert!(from_app_claim("0oa1", &expression).is_none());

        let server = server_claim_body(&planned);
        assert_eq!(
            serde_json::to_value(&server).unwrap(),
            json!({"name": "groups", "status": "ACTIVE", "claimType": "IDENTITY", "valueType": "GROUPS",
                   "value": "eng", "group_filter_type": "STARTS_WITH", "alwaysIncludeInToken": true,
                   "conditions": {"scopes": []}})
        );
        let saved = AuthServerClaim {
            id: Some("ocl1".into()),
            ..server.clone()
        };
        let state = from_server_claim("default", &saved).unwrap();
        assert_eq!(state.id.as_deref(), Some("default/ocl1"));
        assert_eq!(
            state.target(),
            Some(Target::Server("default".into(), Some("ocl1".into())))
        );
        for drifted in [
            AuthServerClaim {
                claim_type: Some("RESOURCE".into()),
                ..saved.clone()
            },
            AuthServerClaim {
                always_include_in_token: Some(false),
                ..saved.clone()
            },
            AuthServerClaim {
                status: Some("INACTIVE".into()),
                ..saved.clone()
            },
        ] {
            assert!(from_server_claim("default", &drifted).is_none());
        }
    }

    #[test]
    fn import_ids() {
        let app = parse_import_id("app/0oa1").unwrap();
        assert_eq!(app.target(), Some(Target::App("0oa1".into())));
        let srv = parse_import_id("aus1/ocl2").unwrap();
        assert_eq!(
            srv.target(),
            Some(Target::Server("aus1".into(), Some("ocl2".into())))
        );
        for bad in ["0oa1", "app/", "aus1/", "a b/ocl", "aus1/ocl/x"] {
            assert!(parse_import_id(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn org_server_claim_against_the_emulator() {
        let org = Org::start().await;
        let app_id = org
            .web_app(&["https://a.example.com/cb"], &["authorization_code"])
            .await;
        let resource = Typed::resource(GroupsClaimResource {
            data: Arc::clone(&org.data),
        });
        let planned = object(&[
            ("id", s(&format!("app/{app_id}"))),
            ("app_id", s(&app_id)),
            ("name", s("groups")),
            ("filter_type", s("REGEX")),
            ("filter", s(".*")),
        ]);
        let mut d = Diagnostics::new();
        let created = resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await
            .expect("created");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(created.state, planned);
        let read = resource.read(&planned, &[], &mut d).await.expect("read");
        assert_eq!(read.state, planned);
        let imported = resource
            .import(&format!("app/{app_id}"), &mut d)
            .await
            .expect("imported");
        assert_eq!(imported.state, planned);

        // Update in place.
        let changed = object(&[
            ("id", s(&format!("app/{app_id}"))),
            ("app_id", s(&app_id)),
            ("name", s("groups")),
            ("filter_type", s("STARTS_WITH")),
            ("filter", s("eng")),
        ]);
        let updated = resource
            .update(&apply_request(&planned, &changed), &mut d)
            .await
            .expect("updated");
        assert_eq!(updated.state, changed);
        let settings = org
            .client
            .app_id_token_claims()
            .get(&app_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(settings.group_filter_type.as_deref(), Some("STARTS_WITH"));

        // Delete clears it; the next read finds nothing.
        resource.delete(&changed, &[], &mut d).await;
        assert!(d.is_empty(), "{d:?}");
        assert!(resource.read(&changed, &[], &mut d).await.is_none());
        let cleared = org
            .client
            .app_id_token_claims()
            .get(&app_id)
            .await
            .unwrap()
            .unwrap();
        assert!(!cleared.is_set());
        // Deleting again (or for a gone app) is fine.
        resource.delete(&changed, &[], &mut d).await;
        assert!(d.is_empty(), "{d:?}");

        // Unknown app: an error at app_id.
        let missing = object(&[
            ("app_id", s("0oaMISSING")),
            ("name", s("groups")),
            ("filter_type", s("REGEX")),
            ("filter", s(".*")),
        ]);
        assert!(resource
            .create(&apply_request(&Value::Null, &missing), &mut d)
            .await
            .is_none());
        assert_eq!(error_paths(&d), ["app_id"]);
    }

    #[tokio::test]
    async fn custom_server_claim_against_the_emulator() {
        let org = Org::start().await;
        let resource = Typed::resource(GroupsClaimResource {
            data: Arc::clone(&org.data),
        });
        let planned = object(&[
            ("id", Value::Unknown),
            ("authorization_server_id", s("default")),
            ("name", s("groups")),
            ("filter_type", s("REGEX")),
            ("filter", s(".*")),
        ]);
        let mut d = Diagnostics::new();
        let created = resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await
            .expect("created");
        assert!(d.is_empty(), "{d:?}");
        let id = created
            .state
            .get("id")
            .and_then(Value::as_str)
            .unwrap()
            .to_string();
        assert!(id.starts_with("default/ocl"), "{id}");
        let state = created.state;
        assert_eq!(
            resource
                .read(&state, &[], &mut d)
                .await
                .expect("read")
                .state,
            state
        );
        assert_eq!(
            resource.import(&id, &mut d).await.expect("import").state,
            state
        );

        // Drift: switched off "always include" out of band → gone from state; the next create
        // takes the claim over with a warning.
        let claim_id = id.split_once('/').unwrap().1.to_string();
        let mut claim = org
            .client
            .auth_server_claims()
            .get("default", &claim_id)
            .await
            .unwrap()
            .unwrap();
        claim.always_include_in_token = Some(false);
        org.client
            .auth_server_claims()
            .replace("default", &claim_id, &claim)
            .await
            .unwrap();
        assert!(resource.read(&state, &[], &mut d).await.is_none());
        let again = resource
            .create(&apply_request(&Value::Null, &planned), &mut d)
            .await
            .expect("taken over");
        assert_eq!(again.state, state);
        assert_eq!(d.iter().count(), 1);
        assert!(!d.has_errors());

        resource.delete(&state, &[], &mut d).await;
        assert!(!d.has_errors(), "{d:?}");
        assert!(resource.read(&state, &[], &mut d).await.is_none());

        // Unknown server: an error at authorization_server_id.
        let mut d = Diagnostics::new();
        let elsewhere = object(&[
            ("authorization_server_id", s("ausMISSING")),
            ("name", s("groups")),
            ("filter_type", s("REGEX")),
            ("filter", s(".*")),
        ]);
        assert!(resource
            .create(&apply_request(&Value::Null, &elsewhere), &mut d)
            .await
            .is_none());
        assert_eq!(error_paths(&d), ["authorization_server_id"]);
    }
}
