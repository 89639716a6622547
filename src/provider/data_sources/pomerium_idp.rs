//! `oktaidp_pomerium_idp` data source: the identity-provider settings Pomerium needs, rendered
//! from Okta. Its schema, checks and rendering are shared with the ephemeral resource of the same
//! name (`pomerium::idp`); its own rule: its outputs are state, so it never reads the client
//! secret from Okta.

use std::sync::Arc;

use crate::provider::pomerium::idp::{self, IdpSettings, Renderer, SecretSource};
use crate::provider::ProviderData;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::schema::Schema;
use crate::tfplugin::typed::TypedDataSource;

pub use crate::provider::pomerium::idp::{schema, TYPE_NAME};

pub struct PomeriumIdp {
    pub data: Arc<ProviderData>,
}

#[tonic::async_trait]
impl TypedDataSource for PomeriumIdp {
    type Model = IdpSettings;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema() -> Schema {
        schema()
    }

    /// Single values are checked by the schema; unknown ones again at read time.
    fn validate(&self, config: &IdpSettings, diags: &mut Diagnostics) {
        idp::validate_settings(config, SecretSource::Config, diags);
    }

    async fn read(&self, config: IdpSettings, diags: &mut Diagnostics) -> Option<IdpSettings> {
        let renderer = Renderer { data: &self.data };
        let rendered = renderer
            .render(&config, SecretSource::Config, diags)
            .await?;
        Some(rendered.into_settings(config))
    }
}
