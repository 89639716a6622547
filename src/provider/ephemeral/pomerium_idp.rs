//! Ephemeral `oktaidp_pomerium_idp`: the data source of that name as an ephemeral resource, with
//! the same arguments, checks and outputs (one schema and one implementation, in `pomerium::idp`), so that the rendered
//! settings can feed write-only attributes and accept ephemeral inputs without touching state.

use std::sync::Arc;

use crate::provider::pomerium::idp::{self, IdpSettings, Renderer, SecretSource};
use crate::provider::ProviderData;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::schema::Schema;
use crate::tfplugin::typed::TypedEphemeralResource;

pub struct PomeriumIdpEphemeral {
    data: Arc<ProviderData>,
}

impl PomeriumIdpEphemeral {
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }
}

/// The data source's description, with what differs for the ephemeral resource first.
pub fn schema() -> Schema {
    let mut schema = idp::schema();
    schema.block.description = format!(
        "The ephemeral form of the `oktaidp_pomerium_idp` data source (Terraform 1.10 or later): \
         the same arguments, checks and outputs, but nothing is written to the plan or the state, \
         and ephemeral inputs (an ephemeral variable holding the API token, the \
         `oktaidp_oidc_app_client_secret` ephemeral resource) are accepted. Feed the outputs to \
         write-only attributes of other providers (for example a Kubernetes secret's `data_wo`). \
         Unlike the data source, with `app_id` and no `client_secret` it reads the app's newest \
         active client secret from Okta (one more call), which suits apps with \
         `store_client_secret = false`.\n\n{}",
        schema.block.description
    );
    for attribute in &mut schema.block.attributes {
        if attribute.name == "client_secret" {
            attribute.description =
                include_str!("../descriptions/pomerium_idp/client_secret_ephemeral.md")
                    .trim_end()
                    .to_string();
        }
    }
    schema
}

#[tonic::async_trait]
impl TypedEphemeralResource for PomeriumIdpEphemeral {
    type Model = IdpSettings;
    const TYPE_NAME: &'static str = idp::TYPE_NAME;

    fn schema() -> Schema {
        schema()
    }

    fn validate(&self, config: &IdpSettings, diags: &mut Diagnostics) {
        idp::validate_settings(config, SecretSource::ConfigOrOkta, diags);
    }

    /// Never stored, so an unset `client_secret` may be read from the app.
    async fn open(&self, config: IdpSettings, diags: &mut Diagnostics) -> Option<IdpSettings> {
        let renderer = Renderer { data: &self.data };
        let rendered = renderer
            .render(&config, SecretSource::ConfigOrOkta, diags)
            .await?;
        Some(rendered.into_settings(config))
    }
}
