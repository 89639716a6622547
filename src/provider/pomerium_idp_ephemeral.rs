//! Ephemeral `oktaidp_pomerium_idp`: the data source of that name as an ephemeral resource, with
//! the same arguments, checks and outputs (one schema, one implementation), so that the rendered
//! settings can feed write-only attributes and accept ephemeral inputs without touching state.

use std::sync::Arc;

use super::pomerium_idp_data_source::{self, IdpSettings, PomeriumIdp};
use super::ProviderData;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::schema::Schema;
use crate::tfplugin::typed::{TypedDataSource, TypedEphemeralResource};

pub struct PomeriumIdpEphemeral {
    inner: PomeriumIdp,
}

impl PomeriumIdpEphemeral {
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self {
            inner: PomeriumIdp { data },
        }
    }
}

/// The data source's description, with what differs for the ephemeral resource first.
pub fn schema() -> Schema {
    let mut schema = pomerium_idp_data_source::schema();
    schema.block.description = format!(
        "The ephemeral form of the `oktaidp_pomerium_idp` data source (Terraform 1.10 or later): \
         the same arguments, checks and outputs, but nothing is written to the plan or the state, \
         and ephemeral inputs (an ephemeral variable holding the API token, the \
         `oktaidp_oidc_app_client_secret` ephemeral resource) are accepted. Feed the outputs to \
         write-only attributes of other providers (for example a Kubernetes secret's `data_wo`).\n\n{}",
        schema.block.description
    );
    schema
}

#[tonic::async_trait]
impl TypedEphemeralResource for PomeriumIdpEphemeral {
    type Model = IdpSettings;
    const TYPE_NAME: &'static str = pomerium_idp_data_source::TYPE_NAME;

    fn schema() -> Schema {
        schema()
    }

    fn validate(&self, config: &IdpSettings, diags: &mut Diagnostics) {
        TypedDataSource::validate(&self.inner, config, diags);
    }

    async fn open(&self, config: IdpSettings, diags: &mut Diagnostics) -> Option<IdpSettings> {
        TypedDataSource::read(&self.inner, config, diags).await
    }
}
