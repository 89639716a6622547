//! `oktaidp_api_token`: adopts an SSWS API token created in the Okta Admin Console (Okta has no
//! API to create one) — typically the token Pomerium's Okta directory sync uses — to check it,
//! rename it, set its network condition, watch its expiry and optionally revoke it.
//!
//! Okta API calls per operation:
//! - create: `GET /users/me` with the adopted token, then `GET /api-tokens/{id}` (with
//!   `token_id`) or `GET /api-tokens` (by name, one call per page), then a `PUT` only when the
//!   name or network condition differ: 2 or 3 calls;
//! - read (refresh): `GET /api-tokens/{id}`: 1 call;
//! - update: nothing when only `revoke_on_destroy` changes; else `GET /users/me` with the new
//!   value when `token` changes, `GET /api-tokens/{id}`, and a `PUT` when the name or network
//!   condition differ: 1 to 3 calls;
//! - delete: `DELETE /api-tokens/{id}` with `revoke_on_destroy`, else nothing: 0 or 1 call;
//! - import: `GET /api-tokens/{id}`: 1 call.
//!
//! The token value is only ever sent to Okta (as `Secret`) and stored in the state: it is never
//! logged and never part of a diagnostic.

mod diagnostics;
mod write_only;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::okta::{ApiToken, ApiTokenUpdate, OktaClient, Secret, TokenNetwork};
use crate::provider::okta_diag::{self, fail, okta_fail};
use crate::provider::{validate, ProviderData};
use crate::tfplugin::diag::{AttrPath, Diagnostics};
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::typed::{Change, Outcome, Plan, Saved, TypedResource};
use crate::tfplugin::value::{Type, Value};
use diagnostics::NEW_TOKEN_HELP;

pub const TYPE_NAME: &str = "oktaidp_api_token";

const ANYWHERE: &str = "ANYWHERE";
const ZONE: &str = "ZONE";
/// Okta's network condition kinds; `ANYWHERE` is also the default.
const CONNECTIONS: [&str; 2] = [ANYWHERE, ZONE];
/// `revoke_on_destroy` when not configured.
const REVOKE_DEFAULT: bool = false;
/// Plans warn when the token expires in less than this.
pub const EXPIRY_WARNING: time::Duration = time::Duration::days(7);

fn strings_set() -> Type {
    Type::Set(Box::new(Type::String))
}

/// An attribute only Okta sets, which keeps its value across plans.
fn from_okta(name: &str, description: &str) -> Attribute {
    Attribute::string(name)
        .computed()
        .use_state_for_unknown()
        .describe(description)
}

type Zones = Field<BTreeSet<String>>;

/// The resource's attributes. `token` is a [`Secret`]: a `{:?}` of the model does not show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenModel {
    pub id: Field<String>,
    pub token: Field<Secret>,
    pub token_wo: Field<Secret>,
    pub token_wo_version: Field<i64>,
    pub token_id: Field<String>,
    pub name: Field<String>,
    pub network_connection: Field<String>,
    pub network_include: Zones,
    pub network_exclude: Zones,
    pub revoke_on_destroy: Field<bool>,
    pub user_id: Field<String>,
    pub client_name: Field<String>,
    pub token_window: Field<String>,
    pub created: Field<String>,
    pub last_updated: Field<String>,
    pub expires_at: Field<String>,
}

impl ApiTokenModel {
    /// Whether nothing that reaches Okta differs (everything else is state only).
    fn remote_same(&self, other: &Self) -> bool {
        (!write_only::value_changed(self, other)
            && self.token_id == other.token_id
            && self.name == other.name)
            && self.network_connection == other.network_connection
            && self.network_include == other.network_include
            && self.network_exclude == other.network_exclude
    }

    /// The network condition (connection, include, exclude); `None` while any part is unknown.
    fn network(&self) -> Option<(&String, &Zones, &Zones)> {
        let zones = (&self.network_include, &self.network_exclude);
        if zones.0.is_unknown() || zones.1.is_unknown() {
            return None;
        }
        Some((self.network_connection.get()?, zones.0, zones.1))
    }
}

/// Resource model → Okta: the PUT body that gives `current` the configured name (unset: not
/// managed) and the planned network condition; `None` when it has them. Everything else goes
/// back as Okta sent it.
fn update_body(
    current: &ApiToken,
    planned: &ApiTokenModel,
    config: &ApiTokenModel,
) -> Option<ApiTokenUpdate> {
    let name = config
        .name
        .get()
        .filter(|n| current.name.as_ref() != Some(*n));
    // Okta's condition in the model's terms (sets, ANYWHERE when absent, empty lists in the
    // plan's form), compared with the plan's.
    let okta = state_from_token(current, planned);
    let network = planned.network().is_some_and(|n| Some(n) != okta.network());
    if name.is_none() && !network {
        return None;
    }
    let mut body = current.to_update();
    body.name = name.cloned().or(body.name);
    if network {
        // Empty lists are left out, keys this provider does not know kept.
        let list = |z: &Zones| {
            (z.get())
                .filter(|z| !z.is_empty())
                .map(|z| z.iter().cloned().collect())
        };
        body.network = Some(TokenNetwork {
            connection: planned.network_connection.get().cloned(),
            include: list(&planned.network_include),
            exclude: list(&planned.network_exclude),
            extra: (current.network.as_ref())
                .map(|n| n.extra.clone())
                .unwrap_or_default(),
        });
    }
    Some(body)
}

/// Okta → resource model. `base` (planned or prior state) supplies what Okta does not return:
/// the token value, `revoke_on_destroy`, and the empty form of the zone lists.
fn state_from_token(token: &ApiToken, base: &ApiTokenModel) -> ApiTokenModel {
    let network = token.network.clone().unwrap_or_default();
    // Okta omits empty lists: an empty one keeps the form of `base` (`[]` or null), which is
    // what the configuration says.
    let zones = |z: Option<Vec<String>>, base: &Zones| {
        let z: BTreeSet<String> = z.into_iter().flatten().collect();
        match base.get() {
            _ if !z.is_empty() => Field::Known(z),
            Some(b) if b.is_empty() => Field::Known(z),
            _ => Field::Null,
        }
    };
    let text = |v: &Option<String>| Field::from(v.clone());
    ApiTokenModel {
        id: text(&token.id),
        token: base.token.clone(),
        token_wo: write_only::stored(base).0,
        token_wo_version: write_only::stored(base).1,
        token_id: text(&token.id),
        name: text(&token.name),
        // How Okta reads a token without a condition.
        network_connection: Field::Known(network.connection.unwrap_or_else(|| ANYWHERE.into())),
        network_include: zones(network.include, &base.network_include),
        network_exclude: zones(network.exclude, &base.network_exclude),
        // Only an import has no planned value.
        revoke_on_destroy: Field::Known(base.revoke_on_destroy.known().unwrap_or(REVOKE_DEFAULT)),
        user_id: text(&token.user_id),
        client_name: text(&token.client_name),
        token_window: text(&token.token_window),
        created: text(&token.created),
        last_updated: text(&token.last_updated),
        expires_at: text(&token.expires_at),
    }
}

/// The plan-time warning (summary, detail) for a token expiring within [`EXPIRY_WARNING`].
pub fn expiry_warning(expires_at: &str, now: OffsetDateTime) -> Option<(String, String)> {
    let left = OffsetDateTime::parse(expires_at, &Rfc3339).ok()? - now;
    if left >= EXPIRY_WARNING {
        return None;
    }
    let why = "Okta expires SSWS tokens that have not been used for 30 days; every API call made with the \
               token renews it. If nothing uses this token (for example Pomerium's directory sync is not \
               configured with it, or not running), it will stop working.";
    if left <= time::Duration::ZERO {
        let detail = format!("The token expired at {expires_at}. {why} {NEW_TOKEN_HELP}");
        return Some(("API token has expired".into(), detail));
    }
    let hours = left.whole_hours();
    let remaining = match hours {
        24.. => format!("{} days {} hours", hours / 24, hours % 24),
        _ => format!("{hours} hours"),
    };
    Some((
        "API token expires soon".into(),
        format!(
            "The token expires at {expires_at} (in about {remaining}) unless it is used before. {why} Use it, or \
             replace it: {NEW_TOKEN_HELP}"
        ),
    ))
}

fn at(name: &str) -> AttrPath {
    AttrPath::root(name)
}

/// Checks that the planned token value works and returns the id of its user.
async fn token_owner(
    client: &OktaClient,
    planned: &ApiTokenModel,
    d: &mut Diagnostics,
) -> Option<String> {
    let Some(token) = planned.token.get() else {
        return fail(d, "token", "Missing token", "The token value is required.");
    };
    match client.api_tokens().owner(token).await {
        Ok(Some(id)) => Some(id),
        Ok(None) => {
            d.error(
                "Unexpected answer from Okta",
                "GET /api/v1/users/me returned a user without an id.",
            );
            None
        }
        Err(e) if e.is_unauthorized() => diagnostics::unusable_token(d, &e),
        Err(e) => okta_fail(
            d,
            Some("token"),
            "checking the API token (GET /api/v1/users/me with it)",
            &e,
        ),
    }
}

/// The token to adopt: `token_id`, which must belong to `owner` (the user the token value
/// authenticates as), else the only active token of `owner` named `name`.
async fn find_token(
    client: &OktaClient,
    config: &ApiTokenModel,
    owner: &str,
    d: &mut Diagnostics,
) -> Option<ApiToken> {
    let tokens = client.api_tokens();
    let (found, key) = match (config.token_id.get(), config.name.get()) {
        (Some(id), _) => match tokens.active_by_id(id, owner).await {
            Ok(found) => (found, id),
            Err(e) => {
                return okta_fail(d, Some("token_id"), &format!("reading API token {id}"), &e)
            }
        },
        (None, Some(name)) => match tokens.active_by_name(name, owner).await {
            Ok(found) => (found, name),
            Err(e) => return okta_fail(d, None, "listing API tokens", &e),
        },
        (None, None) => return None,
    };
    found
        .map_err(|miss| diagnostics::lookup_failed(d, miss, key, owner))
        .ok()
}

/// Renames / sets the network condition with one PUT when `current` differs from the plan.
async fn apply_desired(
    client: &OktaClient,
    current: ApiToken,
    change: &Change<'_, ApiTokenResource>,
    diags: &mut Diagnostics,
) -> Option<ApiToken> {
    let Some(body) = update_body(&current, change.planned, change.config) else {
        return Some(current);
    };
    let id = current.id.unwrap_or_default();
    match client.api_tokens().update(&id, &body).await {
        Ok(updated) => {
            tracing::info!(token_id = %id, "updated the API token's name / network condition");
            Some(updated)
        }
        Err(e) => okta_fail(
            diags,
            None,
            "updating the API token's name and network condition",
            &e,
        ),
    }
}

pub struct ApiTokenResource {
    pub data: Arc<ProviderData>,
}

impl ApiTokenResource {
    /// Whether `state`'s token is the one the provider itself authenticates with.
    fn is_provider_token(&self, state: &ApiTokenModel) -> bool {
        let (Some(token), Some(settings)) = (state.token.get(), self.data.settings()) else {
            return false;
        };
        settings.api_token.as_deref() == Some(token.expose())
    }
}

#[tonic::async_trait]
impl TypedResource for ApiTokenResource {
    type Model = ApiTokenModel;
    type Private = ();
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new(&crate::provider::oauth_scopes::note(
                include_str!("../../descriptions/api_token.md").trim_end(), &["okta.apiTokens.manage"])
            )
            .attr(from_okta("id", "The token's ID (`00T...`), the same as `token_id`."))
            .attr(Attribute::string("token").optional().sensitive().check(|t| validate::credential("token", t)).describe(include_str!("../../descriptions/api_token/token.md").trim_end()))
            .attr(write_only::token_wo_attribute())
            .attr(write_only::token_wo_version_attribute())
            .attr(
                Attribute::string("token_id")
                    .optional()
                    .computed()
                    .requires_replace()
                    .use_state_for_unknown()
                    .check(validate::token_id)
                    .describe(include_str!("../../descriptions/api_token/token_id.md").trim_end()),
            )
            .attr(
                Attribute::string("name")
                    .optional()
                    .computed()
                    .use_state_for_unknown()
                    .check(|name| match name.trim() {
                        "" => Err("The token name must not be empty.".into()),
                        _ => Ok(()),
                    })
                    .describe(include_str!("../../descriptions/api_token/name.md").trim_end()),
            )
            .attr(
                Attribute::string("network_connection")
                    .default(Value::string(ANYWHERE))
                    .one_of(&CONNECTIONS)
                    .describe(include_str!("../../descriptions/api_token/network_connection.md").trim_end()),
            )
            .attr(Attribute::new("network_include", strings_set()).optional().describe(
                "Network zone IDs (`nzo...`) the token may be used from (allowlist); only with `network_connection = \"ZONE\"`.",
            ))
            .attr(Attribute::new("network_exclude", strings_set()).optional().describe(
                "Network zone IDs (`nzo...`) the token may not be used from (blocklist); only with `network_connection = \"ZONE\"`.",
            ))
            .attr(Attribute::bool("revoke_on_destroy").default(Value::Bool(REVOKE_DEFAULT)).describe(include_str!("../../descriptions/api_token/revoke_on_destroy.md").trim_end()))
            .attr(from_okta(
                "user_id",
                "ID of the Okta user the token belongs to (it has that user's admin privileges).",
            ))
            .attr(from_okta("client_name", "The client Okta records for the token, e.g. `Okta API`."))
            .attr(from_okta(
                "token_window",
                "How long the token lives unused, as an ISO 8601 duration (`P30D`).",
            ))
            .attr(from_okta("created", "When the token was created."))
            .attr(Attribute::string("last_updated").computed().describe(
                "When the token's name or network condition last changed.",
            ))
            .attr(Attribute::string("expires_at").computed().describe(
                "When the token expires unless it is used before (each use renews it for `token_window`).",
            )),
        )
    }

    /// Checks involving several attributes; unknown values are skipped (checked again at apply).
    fn validate(&self, config: &ApiTokenModel, diags: &mut Diagnostics) {
        write_only::validate(config, diags);
        if config.name.is_null() && config.token_id.is_null() {
            diags.attr_error(
                at("name"),
                "Missing name or token_id",
                "Set name (the token's name in the Admin Console, under Security → API → Tokens) or token_id, so \
                 that the provider knows which of the user's tokens `token` is.",
            );
        }
        let lists = [
            ("network_include", &config.network_include),
            ("network_exclude", &config.network_exclude),
        ];
        // Here rather than in the schema, which would report every bad zone of a list.
        let bad = |z: &String| z.is_empty() || z.chars().any(|c| c.is_whitespace() || c == '/');
        for (list, _) in lists
            .iter()
            .filter(|(_, z)| z.get().is_some_and(|z| z.iter().any(bad)))
        {
            diags.attr_error(
                at(list),
                format!("Invalid {list}"),
                "Network zone IDs look like nzo1abcd...; empty values and whitespace are not allowed.",
            );
        }
        let empty = |z: &Zones| z.is_null() || z.get().is_some_and(BTreeSet::is_empty);
        // Unset is the schema's default, ANYWHERE.
        match config.network_connection.as_deref() {
            Some(ZONE) if lists.iter().all(|(_, z)| empty(z)) => diags.attr_error(
                at("network_connection"),
                "ZONE needs network zones",
                "With network_connection = \"ZONE\", set network_include (zones the token may be used from) \
                 or network_exclude (zones it may not be used from).",
            ),
            Some(ANYWHERE) | None if !config.network_connection.is_unknown() => {
                for (list, _) in lists.iter().filter(|(_, z)| z.is_known() && !empty(z)) {
                    diags.attr_error(
                        at(list),
                        format!("{list} needs network_connection = \"ZONE\""),
                        "Network zones only apply with network_connection = \"ZONE\"; with ANYWHERE (the default) \
                         the token is usable from any IP address. Set network_connection = \"ZONE\" or remove the zones.",
                    );
                }
            }
            _ => {}
        }
    }

    fn modify_plan(&self, plan: &mut Plan<'_, Self>, diags: &mut Diagnostics) {
        let Some(prior) = plan.prior else {
            return;
        };
        let now = OffsetDateTime::now_utc();
        if let Some((summary, detail)) =
            (prior.expires_at.get()).and_then(|at| expiry_warning(at, now))
        {
            diags.attr_warning(at("token"), summary, detail);
        }
        // Nothing that reaches Okta changes (e.g. only revoke_on_destroy): the apply makes no
        // API call, so the timestamps stay as they are.
        if plan.planned.remote_same(prior) {
            plan.planned.last_updated = prior.last_updated.clone();
            plan.planned.expires_at = prior.expires_at.clone();
        }
    }

    async fn create(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self> {
        let client = self.data.client(diags)?;
        let effective = write_only::effective(change.planned, change.config);
        let owner = token_owner(&client, &effective, diags).await?;
        let found = find_token(&client, change.config, &owner, diags).await?;
        // Nothing is created: on any error below, return nothing, so that a failed adoption is
        // never kept (and, with revoke_on_destroy, tainted and revoked at the next apply).
        let token = apply_desired(&client, found, &change, diags).await?;
        let token_id = token.id.as_deref().unwrap_or_default();
        tracing::info!(token_id, user_id = %owner, "adopted API token");
        Some(Saved::state(state_from_token(&token, change.planned)))
    }

    async fn read(&self, state: ApiTokenModel, _: (), diags: &mut Diagnostics) -> Outcome<Self> {
        let id = state.id.get()?;
        let client = self.data.client(diags)?;
        match client.api_tokens().get(id).await {
            Ok(Some(token)) if !token.is_expired(OffsetDateTime::now_utc()) => {
                Some(Saved::state(state_from_token(&token, &state)))
            }
            Ok(found) => {
                tracing::info!(token_id = %id, "API token revoked or expired; removing it from state");
                diagnostics::gone(diags, id, state.name.get(), found.is_some());
                None
            }
            Err(e) => {
                okta_diag::error(diags, &format!("reading API token {id}"), &e);
                if e.is_unauthorized() && self.is_provider_token(&state) {
                    diags.warning(
                        "The provider authenticates with this token",
                        format!(
                            "The provider's api_token is the token this resource adopts, and Okta no longer accepts \
                             it. Set both the provider's api_token (or OKTA_API_TOKEN) and this resource's `token` \
                             to a new token. {NEW_TOKEN_HELP}"
                        ),
                    );
                }
                None
            }
        }
    }

    async fn update(&self, change: Change<'_, Self>, diags: &mut Diagnostics) -> Outcome<Self> {
        let (prior, planned) = (change.prior?, change.planned);
        let id = prior.id.get()?;
        if planned.remote_same(prior) {
            // Only state-side settings change (revoke_on_destroy): no API call.
            let revoke_on_destroy = planned
                .revoke_on_destroy
                .or_if_unknown(prior.revoke_on_destroy);
            return Some(Saved::state(ApiTokenModel {
                revoke_on_destroy,
                ..prior.clone()
            }));
        }
        let client = self.data.client(diags)?;
        let owner = match write_only::value_changed(prior, planned) {
            true => {
                let effective = write_only::effective(planned, change.config);
                Some(token_owner(&client, &effective, diags).await?)
            }
            false => None,
        };
        let current = match client.api_tokens().get(id).await {
            Ok(Some(t)) => t,
            Ok(None) => {
                diags.error(
                    format!("API token {id} no longer exists"),
                    format!(
                        "Okta has no API token {id} any more: it was revoked or has expired. Run terraform apply \
                         again: the refresh removes it from the state and the apply adopts `token` again. \
                         {NEW_TOKEN_HELP}"
                    ),
                );
                return None;
            }
            Err(e) => return okta_fail(diags, None, &format!("reading API token {id}"), &e),
        };
        if let Some(owner) = owner.filter(|o| current.user_id.as_ref() != Some(o)) {
            let detail = format!(
                "The new value of `token` authenticates as Okta user {owner}, but token {id}, which this \
                 resource manages, belongs to user {}. A token of another user is another Okta object: \
                 replace the resource (terraform apply -replace=<this resource's address>), or set token_id \
                 to the new token's id, which replaces it too.",
                current.user_id.as_deref().unwrap_or("(unknown)")
            );
            return fail(
                diags,
                "token",
                "The new token value belongs to another token",
                detail,
            );
        }
        let token = apply_desired(&client, current, &change, diags).await?;
        Some(Saved::state(state_from_token(&token, planned)))
    }

    async fn delete(&self, prior: ApiTokenModel, _: (), diags: &mut Diagnostics) {
        let Some(id) = prior.id.get() else {
            return;
        };
        if prior.revoke_on_destroy != Field::Known(true) {
            tracing::info!(token_id = %id, "forgetting the API token (revoke_on_destroy is false)");
            return;
        }
        let Some(client) = self.data.client(diags) else {
            return;
        };
        match client.api_tokens().revoke(id).await {
            Ok(true) => tracing::info!(token_id = %id, "revoked API token"),
            Ok(false) => tracing::info!(token_id = %id, "API token was already gone"),
            Err(e) => return okta_diag::error(diags, &format!("revoking API token {id}"), &e),
        }
        if self.is_provider_token(&prior) {
            diags.warning(
                "The provider's own API token was revoked",
                "This resource's token is also the provider's api_token: further Okta requests in this run fail \
                 with 401. Set the provider's api_token (or OKTA_API_TOKEN) to another token.",
            );
        }
    }

    async fn import(&self, id: &str, diags: &mut Diagnostics) -> Outcome<Self> {
        let checked = validate::token_id(id).map_err(|e| diags.error("Invalid import id", e));
        checked.ok()?;
        let client = self.data.client(diags)?;
        match client.api_tokens().get_active(id).await {
            // Okta never returns the value: `token` stays null until the first apply adopts the
            // configured one (an in-place update that only checks ownership).
            Ok(token) => token.map(|t| Saved::state(state_from_token(&t, &Default::default()))),
            Err(e) => okta_fail(diags, None, &format!("reading API token {id}"), &e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::{ApiError, OktaError};
    use crate::provider::OktaIdpProvider;
    use crate::tfplugin::framework::{plan_object, ApplyRequest, PlanRequest, Provider, Resource};
    use crate::tfplugin::model::{from_value, to_value};
    use crate::tfplugin::typed::Typed;
    use okta_emulator::{EmulatorConfig, MintRequest, RunningEmulator};
    use std::sync::Mutex;

    /// A recorded Okta answer (VCR `TestAccResourceAPITokenResource_basic`).
    const RECORDED: &str = r#"{"id":"00T1gtr35t8ZbfBfV1d7","name":"api-token-test-token","userId":"00unkw1sfbTw08c0g1d7","clientName":"Okta API",
        "tokenWindow":"P30D","network":{"connection":"ZONE","exclude":["nzonkw1sfwwiH9Hxt1d7"]},
        "expiresAt":"2025-12-02T14:47:13.000Z","created":"2025-11-02T14:47:13.000Z","lastUpdated":"2025-11-06T08:22:21.000Z",
        "_links":{"self":{"href":"https://example.okta.com/api/v1/api-tokens/00T1gtr35t8ZbfBfV1d7","hints":{"allow":["GET","DELETE"]}}}}"#;

    const ADMIN_TOKEN: &str = "00ProviderOwnTokenValue0000000000000000000";

    fn obj(pairs: &[(&str, Value)]) -> Value {
        crate::provider::testing::object(&ApiTokenResource::schema(), pairs)
    }

    fn model_of(value: &Value) -> ApiTokenModel {
        from_value(value).expect("fits the model")
    }

    fn to_state(model: &ApiTokenModel) -> Value {
        to_value(model, &ApiTokenResource::schema().implied_type()).expect("state conforms")
    }

    /// Okta's token as state, over a `base` given as a value.
    fn state_from(token: &ApiToken, base: &Value) -> Value {
        to_state(&state_from_token(token, &model_of(base)))
    }

    fn resource() -> Arc<dyn Resource> {
        let provider = OktaIdpProvider::with_env(|_| None);
        Typed::resource(ApiTokenResource {
            data: Arc::clone(provider.data()),
        })
    }

    /// Validation as Terraform runs it: the schema's checks, then the resource's.
    fn check_config(config: &Value, diags: &mut Diagnostics) {
        resource().validate(config, diags);
    }

    fn zones(list: &[&str]) -> Value {
        Value::Set(list.iter().map(|z| Value::string(*z)).collect())
    }

    fn error_paths(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .filter(|x| x.severity == crate::tfplugin::diag::Severity::Error)
            .filter_map(|x| x.path.as_ref().map(ToString::to_string))
            .collect()
    }

    fn assert_no_secret(d: &Diagnostics, secrets: &[&str]) {
        for diag in d.iter() {
            for s in secrets {
                assert!(
                    !diag.summary.contains(s) && !diag.detail.contains(s),
                    "secret leaked into {diag:?}"
                );
            }
        }
    }

    #[test]
    fn schema_is_valid() {
        ApiTokenResource::schema()
            .block
            .check(TYPE_NAME)
            .expect("valid schema");
        let schema = ApiTokenResource::schema();
        let token = schema.block.attribute("token").cloned().expect("token");
        assert!(token.optional && token.sensitive);
        let wo = schema
            .block
            .attribute("token_wo")
            .cloned()
            .expect("token_wo");
        assert!(wo.write_only && wo.sensitive && !wo.computed);
    }

    #[test]
    fn validation_points_at_each_bad_attribute() {
        let mut d = Diagnostics::new();
        check_config(
            &obj(&[
                ("token", Value::string("00abc\n")),
                ("token_id", Value::string("00T/../apps")),
                ("name", Value::string("  ")),
                ("network_connection", Value::string("SOMEWHERE")),
            ]),
            &mut d,
        );
        assert_eq!(
            error_paths(&d),
            vec!["token", "token_id", "name", "network_connection"]
        );

        let mut d = Diagnostics::new();
        check_config(
            &obj(&[
                ("token", Value::string("")),
                ("network_include", zones(&["nzo1"])),
                ("network_exclude", zones(&["nzo 2"])),
            ]),
            &mut d,
        );
        // Empty token; neither name nor token_id; zones need ZONE (the default is ANYWHERE);
        // a zone id with whitespace.
        assert_eq!(
            error_paths(&d),
            vec![
                "token",
                "name",
                "network_exclude",
                "network_include",
                "network_exclude"
            ]
        );

        let mut d = Diagnostics::new();
        check_config(
            &obj(&[
                ("token", Value::string("00abc")),
                ("name", Value::string("sync")),
                ("network_connection", Value::string("ZONE")),
                ("network_include", Value::Set(Vec::new())),
            ]),
            &mut d,
        );
        assert_eq!(error_paths(&d), vec!["network_connection"]);
    }

    #[test]
    fn valid_and_unknown_values_pass() {
        for config in [
            obj(&[
                ("token", Value::string("00abc")),
                ("name", Value::string("sync")),
            ]),
            obj(&[
                ("token", Value::string("00abc")),
                ("token_id", Value::string("00T1gtr35t8ZbfBfV1d7")),
                ("network_connection", Value::string("ZONE")),
                ("network_exclude", zones(&["nzo1"])),
            ]),
            obj(&[
                ("token", Value::Unknown),
                ("name", Value::Unknown),
                ("network_connection", Value::string("ZONE")),
                ("network_include", Value::Unknown),
            ]),
            obj(&[
                ("token", Value::string("00abc")),
                ("token_id", Value::Unknown),
                ("network_connection", Value::Unknown),
                ("network_include", zones(&["nzo1"])),
            ]),
        ] {
            let mut d = Diagnostics::new();
            check_config(&config, &mut d);
            assert!(d.is_empty(), "{config:?}: {d:?}");
        }
    }

    #[test]
    fn state_maps_a_recorded_token() {
        let token: ApiToken = serde_json::from_str(RECORDED).expect("recorded JSON");
        let base = obj(&[
            ("token", Value::string("00value")),
            ("revoke_on_destroy", Value::Bool(true)),
            ("network_include", Value::Set(Vec::new())),
        ]);
        let state = state_from(&token, &base);
        let expect = obj(&[
            ("id", Value::string("00T1gtr35t8ZbfBfV1d7")),
            ("token", Value::string("00value")),
            ("token_id", Value::string("00T1gtr35t8ZbfBfV1d7")),
            ("name", Value::string("api-token-test-token")),
            ("network_connection", Value::string("ZONE")),
            // Okta omits the empty list; the configured `[]` form is kept.
            ("network_include", Value::Set(Vec::new())),
            ("network_exclude", zones(&["nzonkw1sfwwiH9Hxt1d7"])),
            ("revoke_on_destroy", Value::Bool(true)),
            ("user_id", Value::string("00unkw1sfbTw08c0g1d7")),
            ("client_name", Value::string("Okta API")),
            ("token_window", Value::string("P30D")),
            ("created", Value::string("2025-11-02T14:47:13.000Z")),
            ("last_updated", Value::string("2025-11-06T08:22:21.000Z")),
            ("expires_at", Value::string("2025-12-02T14:47:13.000Z")),
        ]);
        assert_eq!(state, expect);
        state
            .check_type(&ApiTokenResource::schema().implied_type())
            .expect("conforms to the schema");

        // Without a network condition: ANYWHERE, no zones (null unless configured as []).
        let mut bare = token.clone();
        bare.network = None;
        let state = to_state(&state_from_token(&bare, &ApiTokenModel::default()));
        assert_eq!(
            state.get("network_connection"),
            Some(&Value::string("ANYWHERE"))
        );
        assert_eq!(state.get("network_include"), Some(&Value::Null));
        assert_eq!(state.get("revoke_on_destroy"), Some(&Value::Bool(false)));
        assert_eq!(state.get("token"), Some(&Value::Null));
    }

    #[test]
    fn network_update_body_keeps_okta_shape() {
        let token: ApiToken = serde_json::from_str(RECORDED).expect("recorded JSON");
        let anywhere = "ANYWHERE".to_string();
        // The plan asks for ANYWHERE without zones; the name is not configured.
        let planned = ApiTokenModel {
            network_connection: Field::Known(anywhere.clone()),
            ..Default::default()
        };
        let unnamed = ApiTokenModel::default();
        let none = Field::Null;
        assert_eq!(planned.network(), Some((&anywhere, &none, &none)));
        let update = update_body(&token, &planned, &unnamed).expect("differs");
        assert_eq!(
            update
                .network
                .map(|n| serde_json::to_value(n).expect("json")),
            Some(serde_json::json!({"connection": "ANYWHERE"}))
        );
        assert_eq!(update.name.as_deref(), Some("api-token-test-token"));
        let same = state_from_token(&token, &ApiTokenModel::default());
        let exclude = Field::Known(BTreeSet::from(["nzonkw1sfwwiH9Hxt1d7".to_string()]));
        assert_eq!(same.network(), Some((&"ZONE".to_string(), &none, &exclude)));
        assert_eq!(same.name.as_deref(), Some("api-token-test-token"));
        assert!(update_body(&token, &same, &same).is_none());
        // A zone list unknown in the plan: no network change yet.
        let unknown = ApiTokenModel {
            network_include: Field::Unknown,
            ..planned
        };
        assert_eq!(unknown.network(), None);
        let renamed = ApiTokenModel {
            name: Field::Known("renamed".into()),
            ..Default::default()
        };
        let update = update_body(&token, &unknown, &renamed).expect("differs");
        assert_eq!(update.name.as_deref(), Some("renamed"));
        assert_eq!(update.network, token.network);
    }

    #[test]
    fn expiry_warning_threshold_is_seven_days() {
        let now = OffsetDateTime::parse("2025-11-25T12:00:00Z", &Rfc3339).expect("time");
        let at =
            |offset: time::Duration| (now + offset).format(&Rfc3339).expect("format").to_string();
        assert!(expiry_warning(&at(time::Duration::days(8)), now).is_none());
        assert!(expiry_warning(&at(time::Duration::days(7)), now).is_none());
        let (summary, detail) =
            expiry_warning(&at(time::Duration::days(7) - time::Duration::SECOND), now)
                .expect("warns");
        assert_eq!(summary, "API token expires soon");
        assert!(detail.contains("6 days 23 hours"), "{detail}");
        assert!(detail.contains("Security → API → Tokens"), "{detail}");
        let (_, detail) = expiry_warning(&at(time::Duration::hours(5)), now).expect("warns");
        assert!(detail.contains("5 hours"), "{detail}");
        let (summary, _) = expiry_warning(&at(-time::Duration::hours(1)), now).expect("warns");
        assert_eq!(summary, "API token has expired");
        // Okta's millisecond form parses; garbage is ignored.
        assert!(expiry_warning("2025-11-26T14:47:13.000Z", now).is_some());
        assert!(expiry_warning("soon", now).is_none());
    }

    #[test]
    fn plan_warns_on_expiry_and_keeps_timestamps_when_only_state_changes() {
        let resource = resource();
        let soon = (OffsetDateTime::now_utc() + time::Duration::days(2))
            .format(&Rfc3339)
            .expect("format");
        let token: ApiToken = serde_json::from_str(RECORDED).expect("recorded JSON");
        let mut prior = state_from(
            &token,
            &obj(&[
                ("token", Value::string("00value")),
                ("revoke_on_destroy", Value::Bool(false)),
            ]),
        );
        if let Value::Object(f) = &mut prior {
            f.insert("expires_at".into(), Value::string(soon));
        }
        let config = obj(&[
            ("token", Value::string("00value")),
            ("name", Value::string("api-token-test-token")),
            ("network_connection", Value::string("ZONE")),
            ("network_exclude", zones(&["nzonkw1sfwwiH9Hxt1d7"])),
            ("revoke_on_destroy", Value::Bool(true)),
        ]);
        let (planned, replace, d) = plan(&resource, &prior, &config);
        assert!(replace.is_empty());
        assert_eq!(d.iter().count(), 1, "{d:?}");
        assert_eq!(d.0[0].severity, crate::tfplugin::diag::Severity::Warning);
        assert_no_secret(&d, &["00value"]);
        assert!(planned.is_wholly_known(), "{planned:?}");
        assert_eq!(planned.get("revoke_on_destroy"), Some(&Value::Bool(true)));
        assert_eq!(planned.get("expires_at"), prior.get("expires_at"));

        // A different token_id replaces; a rename leaves the timestamps to the apply.
        let renamed = obj(&[
            ("token", Value::string("00value")),
            ("token_id", Value::string("00Tother")),
            ("name", Value::string("renamed")),
            ("network_connection", Value::string("ZONE")),
            ("network_exclude", zones(&["nzonkw1sfwwiH9Hxt1d7"])),
        ]);
        let (planned, replace, _) = plan(&resource, &prior, &renamed);
        assert_eq!(replace, vec![AttrPath::root("token_id")]);
        assert_eq!(planned.get("last_updated"), Some(&Value::Unknown));
    }

    #[test]
    fn no_secret_in_diagnostics() {
        let secret = "00SecretTokenValue_do_not_print";
        let mut d = Diagnostics::new();
        check_config(
            &obj(&[("token", Value::string(format!("{secret} \n")))]),
            &mut d,
        );
        let err = OktaError::from(ApiError::from_response(
            http::StatusCode::UNAUTHORIZED,
            "GET",
            "/api/v1/users/me",
            br#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeX","errorCauses":[]}"#,
        ));
        diagnostics::unusable_token::<()>(&mut d, &err);
        diagnostics::gone(&mut d, "00T1", Some(&"sync".to_string()), false);
        assert!(d.has_errors());
        assert_no_secret(&d, &[secret]);
        let detail = &d
            .iter()
            .find(|x| x.summary == "The API token in `token` does not work")
            .expect("unusable token error")
            .detail;
        assert!(detail.contains("E0000011"), "{detail}");
        assert!(detail.contains("Security → API → Tokens"), "{detail}");
        assert!(detail.contains("Create Token"), "{detail}");
        assert!(detail.contains("only once"), "{detail}");
        assert!(detail.contains("variable"), "{detail}");
    }

    // ---- against the in-process emulator ------------------------------------------------

    /// Terraform's proposed new state: configured values, prior values for unset computed ones.
    fn proposed(prior: &Value, config: &Value) -> Value {
        Value::object(ApiTokenResource::schema().block.attributes.iter().map(|a| {
            let c = config.get(&a.name).cloned().unwrap_or(Value::Null);
            let v = if a.computed && c.is_null() {
                prior.get(&a.name).cloned().unwrap_or(Value::Null)
            } else {
                c
            };
            (a.name.clone(), v)
        }))
    }

    fn plan(
        resource: &Arc<dyn Resource>,
        prior: &Value,
        config: &Value,
    ) -> (Value, Vec<AttrPath>, Diagnostics) {
        let (mut planned, mut replace) = plan_object(
            &resource.schema().block,
            prior,
            &proposed(prior, config),
            config,
        );
        let mut d = Diagnostics::new();
        resource.modify_plan(
            &PlanRequest {
                prior,
                config,
                prior_private: &[],
            },
            &mut planned,
            &mut replace,
            &mut d,
        );
        (planned, replace, d)
    }

    /// Captures every log line of the test's thread (current-thread runtime: the emulator too).
    #[derive(Clone, Default)]
    struct LogBuffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for LogBuffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut v) = self.0.lock() {
                v.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl LogBuffer {
        fn text(&self) -> String {
            self.0
                .lock()
                .map(|v| String::from_utf8_lossy(&v).into_owned())
                .unwrap_or_default()
        }
    }

    struct Env {
        emu: RunningEmulator,
        resource: Arc<dyn Resource>,
        _provider: OktaIdpProvider,
        http: reqwest::Client,
        diags: Diagnostics,
    }

    impl Env {
        async fn start() -> Self {
            let emu = okta_emulator::spawn(EmulatorConfig::ephemeral().with_api_token(ADMIN_TOKEN))
                .await
                .expect("emulator");
            let url = emu.base_url().to_string();
            let provider = OktaIdpProvider::with_env(move |k| match k {
                "OKTA_ORG_URL" => Some(url.clone()),
                "OKTA_API_TOKEN" => Some(ADMIN_TOKEN.to_string()),
                _ => None,
            });
            let mut d = Diagnostics::new();
            provider
                .configure(
                    &Value::null_object(&provider.schema().implied_type()),
                    &mut d,
                )
                .await;
            assert!(d.is_empty(), "{d:?}");
            let resource = Typed::resource(ApiTokenResource {
                data: Arc::clone(provider.data()),
            });
            Self {
                emu,
                resource,
                _provider: provider,
                http: reqwest::Client::builder().no_proxy().build().expect("http"),
                diags: Diagnostics::new(),
            }
        }

        fn mint(&self, name: &str, login: Option<&str>) -> (String, String, String) {
            let t = self
                .emu
                .mint_token(MintRequest {
                    name: Some(name.into()),
                    login: login.map(str::to_string),
                    ..Default::default()
                })
                .expect("mint");
            (t.id, t.token, t.user_id)
        }

        /// The Okta API calls made since the last call, as "METHOD path".
        async fn calls(&self) -> Vec<String> {
            let base = self.emu.base_url();
            let log: Vec<serde_json::Value> = self
                .http
                .get(format!("{base}/__emulator/requests"))
                .send()
                .await
                .expect("log")
                .json()
                .await
                .expect("json");
            self.http
                .delete(format!("{base}/__emulator/requests"))
                .send()
                .await
                .expect("clear");
            log.iter()
                .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/api/")))
                .map(|e| {
                    format!(
                        "{} {}",
                        e["method"].as_str().unwrap_or(""),
                        e["path"].as_str().unwrap_or("")
                    )
                })
                .collect()
        }

        async fn create(&mut self, config: &Value) -> Option<Value> {
            let (planned, _, d) = plan(&self.resource, &Value::Null, config);
            self.diags.extend(d);
            let req = ApplyRequest {
                prior: &Value::Null,
                planned: &planned,
                config,
                private: &[],
            };
            let stored = self.resource.create(&req, &mut self.diags).await?;
            assert!(stored.state.is_wholly_known(), "{:?}", stored.state);
            assert_consistent(&planned, &stored.state);
            Some(stored.state)
        }

        async fn update(&mut self, prior: &Value, config: &Value) -> Option<Value> {
            let (planned, replace, d) = plan(&self.resource, prior, config);
            assert!(replace.is_empty(), "{replace:?}");
            self.diags.extend(d);
            let req = ApplyRequest {
                prior,
                planned: &planned,
                config,
                private: &[],
            };
            let stored = self.resource.update(&req, &mut self.diags).await?;
            assert!(stored.state.is_wholly_known(), "{:?}", stored.state);
            assert_consistent(&planned, &stored.state);
            Some(stored.state)
        }

        async fn read(&mut self, state: &Value) -> Option<Value> {
            self.resource
                .read(state, &[], &mut self.diags)
                .await
                .map(|s| s.state)
        }

        /// Refresh, then plan: nothing to do.
        async fn assert_clean_plan(&mut self, state: &Value, config: &Value) -> Value {
            let refreshed = self.read(state).await.expect("still there");
            let (planned, replace, d) = plan(&self.resource, &refreshed, config);
            assert!(d.is_empty(), "{d:?}");
            assert!(replace.is_empty(), "{replace:?}");
            assert_eq!(planned, refreshed, "plan is not empty");
            refreshed
        }
    }

    /// What Terraform checks after apply: known planned values are kept.
    fn assert_consistent(planned: &Value, state: &Value) {
        let (Some(p), Some(s)) = (planned.as_map(), state.as_map()) else {
            panic!("objects")
        };
        for (k, v) in p {
            if v.is_known() {
                assert_eq!(Some(v), s.get(k), "inconsistent result for {k}");
            }
        }
    }

    fn capture_logs() -> (LogBuffer, tracing::subscriber::DefaultGuard) {
        let buf = LogBuffer::default();
        let writer = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        (buf, tracing::subscriber::set_default(subscriber))
    }

    #[tokio::test]
    async fn adopt_rename_restrict_revoke_and_fail_with_instructions() {
        let (logs, _guard) = capture_logs();
        let mut env = Env::start().await;
        let (id, value, user) = env.mint("directory-sync", None);
        let config = |pairs: &[(&str, Value)]| {
            // Later pairs win.
            let mut all = pairs.to_vec();
            all.push(("token", Value::string(value.clone())));
            all.push(("name", Value::string("directory-sync")));
            obj(&all)
        };

        // Create by name: /users/me with the adopted token, list; no PUT (already ANYWHERE).
        let base = config(&[]);
        env.calls().await;
        let state = env.create(&base).await.expect("adopted");
        assert_eq!(
            env.calls().await,
            ["GET /api/v1/users/me", "GET /api/v1/api-tokens"]
        );
        assert_eq!(state.get("id"), Some(&Value::string(id.clone())));
        assert_eq!(state.get("token_id"), Some(&Value::string(id.clone())));
        assert_eq!(state.get("user_id"), Some(&Value::string(user)));
        assert_eq!(
            state.get("network_connection"),
            Some(&Value::string("ANYWHERE"))
        );
        assert_eq!(state.get("token_window"), Some(&Value::string("P30D")));
        let state = env.assert_clean_plan(&state, &base).await;
        assert_eq!(
            env.calls().await,
            ["GET /api/v1/api-tokens/".to_string() + &id]
        );

        // Rename and restrict: GET + PUT.
        let restricted = config(&[
            ("name", Value::string("pomerium-sync")),
            ("network_connection", Value::string("ZONE")),
            ("network_include", zones(&["nzoOffice1", "nzoOffice2"])),
        ]);
        let state = env.update(&state, &restricted).await.expect("updated");
        assert_eq!(
            env.calls().await,
            [
                format!("GET /api/v1/api-tokens/{id}"),
                format!("PUT /api/v1/api-tokens/{id}")
            ]
        );
        assert_eq!(state.get("name"), Some(&Value::string("pomerium-sync")));
        let state = env.assert_clean_plan(&state, &restricted).await;
        env.calls().await;

        // Back to ANYWHERE with an explicit empty list: the [] form is kept, no diff.
        let open = config(&[
            ("name", Value::string("pomerium-sync")),
            ("network_include", Value::Set(Vec::new())),
        ]);
        let state = env.update(&state, &open).await.expect("updated");
        let state = env.assert_clean_plan(&state, &open).await;
        env.calls().await;

        // Only revoke_on_destroy: no API call.
        let revoking = config(&[
            ("name", Value::string("pomerium-sync")),
            ("network_include", Value::Set(Vec::new())),
            ("revoke_on_destroy", Value::Bool(true)),
        ]);
        let state = env.update(&state, &revoking).await.expect("updated");
        assert!(env.calls().await.is_empty());
        let state = env.assert_clean_plan(&state, &revoking).await;
        env.calls().await;

        // Destroy with revoke_on_destroy: one DELETE.
        env.resource.delete(&state, &[], &mut env.diags).await;
        assert_eq!(
            env.calls().await,
            [format!("DELETE /api/v1/api-tokens/{id}")]
        );
        assert!(!env.diags.has_errors(), "{:?}", env.diags);

        // Refresh: gone, with a warning.
        assert!(env.read(&state).await.is_none());
        let warning = env.diags.0.last().cloned().expect("warning");
        assert_eq!(warning.severity, crate::tfplugin::diag::Severity::Warning);
        assert!(warning.summary.contains("revoked"), "{warning:?}");
        assert!(
            warning.detail.contains("adopts the token in `token` again"),
            "{warning:?}"
        );

        // The next apply (create) fails: 401 from /users/me, with instructions.
        env.calls().await;
        assert!(env.create(&revoking).await.is_none());
        assert_eq!(env.calls().await, ["GET /api/v1/users/me"]);
        let err = env.diags.0.last().cloned().expect("error");
        assert_eq!(err.path, Some(AttrPath::root("token")));
        assert!(err.detail.contains("E0000011"), "{err:?}");
        assert!(err.detail.contains("Security → API → Tokens"), "{err:?}");

        assert_no_secret(&env.diags, &[&value, ADMIN_TOKEN]);
        let logs = logs.text();
        assert!(logs.contains("adopted API token"), "logs were not captured");
        assert!(
            !logs.contains(&value) && !logs.contains(ADMIN_TOKEN),
            "secret in logs"
        );
        env.emu.shutdown().await.expect("shutdown");
    }

    #[tokio::test]
    async fn import_then_apply_once_gives_a_clean_plan() {
        let (logs, _guard) = capture_logs();
        let mut env = Env::start().await;
        let (id, value, _) = env.mint("directory-sync", None);
        env.calls().await;
        let imported = env
            .resource
            .import(&id, &mut env.diags)
            .await
            .expect("imported")
            .state;
        assert_eq!(env.calls().await, [format!("GET /api/v1/api-tokens/{id}")]);
        assert_eq!(imported.get("token"), Some(&Value::Null));
        imported
            .check_type(&ApiTokenResource::schema().implied_type())
            .expect("conforms");

        let config = obj(&[
            ("token", Value::string(value.clone())),
            ("name", Value::string("directory-sync")),
        ]);
        // The plan after import: only `token` (null -> value), an in-place update.
        let refreshed = env.read(&imported).await.expect("exists");
        env.calls().await;
        let (planned, replace, _) = plan(&env.resource, &refreshed, &config);
        assert!(replace.is_empty());
        assert_eq!(planned.get("token"), Some(&Value::string(value.clone())));
        assert_eq!(planned.get("id"), Some(&Value::string(id.clone())));

        let state = env.update(&refreshed, &config).await.expect("adopted");
        assert_eq!(
            env.calls().await,
            [
                "GET /api/v1/users/me".to_string(),
                format!("GET /api/v1/api-tokens/{id}")
            ]
        );
        env.assert_clean_plan(&state, &config).await;

        // Importing an id that does not exist: nothing (Terraform reports it).
        assert!(env
            .resource
            .import("00Tnope0000000000000", &mut env.diags)
            .await
            .is_none());
        assert!(!env.diags.has_errors(), "{:?}", env.diags);
        assert_no_secret(&env.diags, &[&value, ADMIN_TOKEN]);
        assert!(!logs.text().contains(&value));
        env.emu.shutdown().await.expect("shutdown");
    }

    #[tokio::test]
    async fn ownership_and_lookup_errors() {
        let mut env = Env::start().await;
        let (id, value, _) = env.mint("directory-sync", None);
        let (other_id, other_value, other_user) = env.mint("other-sync", Some("robot@example.com"));
        env.mint("dup", None);
        env.mint("dup", None);
        let secrets = [value.as_str(), other_value.as_str(), ADMIN_TOKEN];

        // token_id of another user's token.
        let mismatch = obj(&[
            ("token", Value::string(other_value.clone())),
            ("token_id", Value::string(id.clone())),
        ]);
        assert!(env.create(&mismatch).await.is_none());
        let err = env.diags.0.last().cloned().expect("error");
        assert_eq!(err.path, Some(AttrPath::root("token")));
        assert!(err.detail.contains(&other_user), "{err:?}");

        // Several tokens with the name: ask for token_id.
        let dup = obj(&[
            ("token", Value::string(value.clone())),
            ("name", Value::string("dup")),
        ]);
        assert!(env.create(&dup).await.is_none());
        let err = env.diags.0.last().cloned().expect("error");
        assert_eq!(err.path, Some(AttrPath::root("name")));
        assert!(err.detail.contains("token_id"), "{err:?}");

        // No token of that user with the name.
        let missing = obj(&[
            ("token", Value::string(value.clone())),
            ("name", Value::string("other-sync")),
        ]);
        assert!(env.create(&missing).await.is_none());
        let err = env.diags.0.last().cloned().expect("error");
        assert_eq!(err.summary, "API token not found by name");

        // With token_id and a new name: adopts by id and renames (me, GET, PUT).
        let by_id = obj(&[
            ("token", Value::string(other_value.clone())),
            ("token_id", Value::string(other_id.clone())),
            ("name", Value::string("robot-sync")),
        ]);
        env.calls().await;
        let state = env.create(&by_id).await.expect("adopted");
        assert_eq!(
            env.calls().await,
            [
                "GET /api/v1/users/me".to_string(),
                format!("GET /api/v1/api-tokens/{other_id}"),
                format!("PUT /api/v1/api-tokens/{other_id}")
            ]
        );
        assert_eq!(state.get("name"), Some(&Value::string("robot-sync")));

        // Changing `token` to a value of another user: error asking for a replacement.
        let swapped = obj(&[
            ("token", Value::string(value.clone())),
            ("token_id", Value::string(other_id.clone())),
            ("name", Value::string("robot-sync")),
        ]);
        assert!(env.update(&state, &swapped).await.is_none());
        let err = env.diags.0.last().cloned().expect("error");
        assert_eq!(err.path, Some(AttrPath::root("token")));
        assert!(err.detail.contains("-replace"), "{err:?}");

        // Destroy without revoke_on_destroy: no call, the token still works.
        env.calls().await;
        env.resource.delete(&state, &[], &mut env.diags).await;
        assert!(env.calls().await.is_empty());
        assert!(env.read(&state).await.is_some());

        assert_no_secret(&env.diags, &secrets);
        env.emu.shutdown().await.expect("shutdown");
    }
}
