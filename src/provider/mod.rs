//! The `oktaidp` provider: its configuration block, and the registry of the resources, data
//! sources, ephemeral resources and functions it offers (one module each, in the folder of its
//! kind). The modules beside those folders are what several of them share.

pub mod data_sources;
pub mod ephemeral;
pub mod functions;
pub mod resources;

mod app_parts;
mod config;
mod oauth_scopes;
pub mod okta_diag;
pub mod pomerium;
pub mod validate;

#[cfg(test)]
mod combinations;
#[cfg(test)]
mod testing;

use std::sync::Arc;

use parking_lot::RwLock;
use tokio_util::sync::CancellationToken;

use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::framework::{DataSource, EphemeralResource, Provider, Resource};
use crate::tfplugin::function::{Function, TypedFn};
use crate::tfplugin::schema::Schema;
use crate::tfplugin::typed::Typed;
use crate::tfplugin::value::Value;

pub use config::ProviderSettings;

/// The provider's local name: resource types are `oktaidp_*`.
pub const TYPE_NAME: &str = "oktaidp";
/// The source address used in examples and by `--debug`.
pub const SOURCE_ADDRESS: &str = "registry.terraform.io/oktaidp/oktaidp";

type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What `ConfigureProvider` produced, shared with every resource and data source.
pub struct ProviderData {
    settings: RwLock<Option<Arc<ProviderSettings>>>,
    stop: CancellationToken,
    env: EnvLookup,
}

impl ProviderData {
    pub fn settings(&self) -> Option<Arc<ProviderSettings>> {
        self.settings.read().clone()
    }

    /// The Okta client, or an error diagnostic saying what configuration is missing.
    pub fn client(&self, diags: &mut Diagnostics) -> Option<crate::okta::OktaClient> {
        let Some(settings) = self.settings() else {
            diags.error(
                "Provider not configured",
                "The oktaidp provider was not configured before use. This is a bug in Terraform or the provider.",
            );
            return None;
        };
        if let Some(client) = &settings.client {
            return Some(client.clone());
        }
        let detail = if settings.unknown {
            "The provider configuration depends on values not known yet. Apply the resources it depends on first (terraform apply -target=...)."
        } else if settings.org_url.is_none() {
            "No Okta org is configured: set org_url (or org_name) in the provider block, or OKTA_ORG_URL (or OKTA_ORG_NAME) in the environment."
        } else {
            "No Okta credentials are configured. Set either api_token (an SSWS API token; or OKTA_API_TOKEN in the environment), or client_id, private_key and private_key_id (an OAuth 2.0 service app; or OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY and OKTA_API_PRIVATE_KEY_ID)."
        };
        diags.error("Okta client not available", detail);
        None
    }

    /// Whether the provider signs in as an OAuth 2.0 service app (not with an SSWS API token).
    /// Okta's internal per-app claim API refuses such sign-ins: 403 "Invalid session" to any
    /// OAuth access token (okta/terraform-provider-okta#568, #1253, #1906).
    pub fn signs_in_as_service_app(&self) -> bool {
        self.settings()
            .is_some_and(|s| s.oauth.is_some() && s.api_token.is_none())
    }

    /// Cancelled by `StopProvider`; long waits and requests watch it.
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }
}

pub struct OktaIdpProvider {
    schema: Schema,
    data: Arc<ProviderData>,
    resources: Vec<Arc<dyn Resource>>,
    data_sources: Vec<Arc<dyn DataSource>>,
    functions: Vec<Arc<dyn Function>>,
    ephemeral_resources: Vec<Arc<dyn EphemeralResource>>,
}

impl OktaIdpProvider {
    /// Cheap by design: Terraform starts the provider several times per command.
    pub fn new() -> Self {
        Self::with_env(|k| std::env::var(k).ok())
    }

    /// Builds the provider reading environment defaults through `env` (tests pass their own).
    pub fn with_env(env: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        let data = Arc::new(ProviderData {
            settings: RwLock::new(None),
            stop: CancellationToken::new(),
            env: Box::new(env),
        });
        Self {
            schema: config::schema(),
            data_sources: vec![
                Typed::data_source(data_sources::pomerium_idp::PomeriumIdp {
                    data: Arc::clone(&data),
                }),
                Typed::data_source(data_sources::group::GroupLookup {
                    data: Arc::clone(&data),
                }),
            ],
            resources: vec![
                Typed::resource(resources::oidc_app::OidcAppResource {
                    data: Arc::clone(&data),
                }),
                Typed::resource(resources::api_token::ApiTokenResource {
                    data: Arc::clone(&data),
                }),
                Typed::resource(
                    resources::oidc_app_redirect_uri::OidcAppRedirectUriResource {
                        data: Arc::clone(&data),
                    },
                ),
                Typed::resource(resources::oidc_app_refresh_grant::OidcAppRefreshGrant {
                    data: Arc::clone(&data),
                }),
                Typed::resource(resources::groups_claim::GroupsClaimResource {
                    data: Arc::clone(&data),
                }),
            ],
            ephemeral_resources: vec![
                Typed::ephemeral_resource(
                    ephemeral::oidc_app_client_secret::OidcAppClientSecret::new(Arc::clone(&data)),
                ),
                Typed::ephemeral_resource(ephemeral::pomerium_idp::PomeriumIdpEphemeral::new(
                    Arc::clone(&data),
                )),
            ],
            functions: vec![
                TypedFn::function(functions::IdpServiceAccount),
                TypedFn::function(functions::CallbackUrl),
            ],
            data,
        }
    }

    pub fn data(&self) -> &Arc<ProviderData> {
        &self.data
    }
}

impl Default for OktaIdpProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[tonic::async_trait]
impl Provider for OktaIdpProvider {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn resources(&self) -> &[Arc<dyn Resource>] {
        &self.resources
    }

    fn data_sources(&self) -> &[Arc<dyn DataSource>] {
        &self.data_sources
    }

    fn functions(&self) -> &[Arc<dyn Function>] {
        &self.functions
    }

    fn ephemeral_resources(&self) -> &[Arc<dyn EphemeralResource>] {
        &self.ephemeral_resources
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        config::validate(config, diags);
    }

    async fn configure(&self, config: &Value, diags: &mut Diagnostics) {
        let settings = config::resolve(config, &self.data.env, &self.data.stop, diags);
        if !diags.has_errors() {
            *self.data.settings.write() = Some(Arc::new(settings));
        }
    }

    fn stop(&self) {
        self.data.stop.cancel();
    }
}
