//! Ephemeral `oktaidp_oidc_app_client_secret`: an app's client ID and newest active client
//! secret, read when Terraform needs them and never written to plan or state.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::provider::okta_diag;
use crate::provider::validate;
use crate::provider::ProviderData;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model::Field;
use crate::tfplugin::schema::{Attribute, Block, Schema};
use crate::tfplugin::typed::TypedEphemeralResource;

pub const TYPE_NAME: &str = "oktaidp_oidc_app_client_secret";

pub struct OidcAppClientSecret {
    data: Arc<ProviderData>,
}

impl OidcAppClientSecret {
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }
}

#[derive(Serialize, Deserialize)]
pub struct ClientSecretModel {
    pub app_id: Field<String>,
    /// Outputs are never read from the configuration.
    #[serde(skip_deserializing)]
    pub client_id: Option<String>,
    #[serde(skip_deserializing)]
    pub client_secret: Option<String>,
}

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(&crate::provider::oauth_scopes::note(
            "Reads an Okta OIDC app's client ID and its newest active client secret as ephemeral values \
             (Terraform 1.10 or later): usable in provider blocks, write-only attributes and other \
             ephemeral contexts, and never written to the plan or the state. Pair it with \
             `store_client_secret = false` on the `oktaidp_oidc_app` to keep the secret out of state \
             altogether.", &["okta.apps.read"])
        )
        .attr(
            Attribute::string("app_id")
                .required()
                .check(validate::app_id)
                .describe("ID of the Okta OIDC app (`0oa...`, e.g. `oktaidp_oidc_app.pomerium.id`)."),
        )
        .attr(
            Attribute::string("client_id")
                .computed()
                .describe("The app's OAuth client ID."),
        )
        .attr(
            Attribute::string("client_secret")
                .computed()
                .sensitive()
                .describe("The app's newest active client secret."),
        ),
    )
}

#[tonic::async_trait]
impl TypedEphemeralResource for OidcAppClientSecret {
    type Model = ClientSecretModel;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema() -> Schema {
        schema()
    }

    async fn open(
        &self,
        config: ClientSecretModel,
        diags: &mut Diagnostics,
    ) -> Option<ClientSecretModel> {
        let app_id = config.app_id.get()?.clone();
        let client = self.data.client(diags)?;
        let app = okta_diag::ok_at(
            diags,
            "app_id",
            "reading the app",
            client.apps().get(&app_id).await,
        )?;
        let Some(app) = app else {
            return okta_diag::fail(
                diags,
                "app_id",
                "Okta app not found",
                format!("No app with ID {app_id} exists in this Okta org."),
            );
        };
        let Some(client_id) = app.client_id().map(str::to_string) else {
            return okta_diag::fail(
                diags,
                "app_id",
                "Not an OIDC app",
                format!("App {app_id} has no OAuth client ID: it is not an OIDC app."),
            );
        };
        let secret = okta_diag::ok_at(
            diags,
            "app_id",
            "reading the app's client secrets",
            client.app_secrets().newest_active(&app_id).await,
        )?;
        let Some(secret) = secret else {
            return okta_diag::fail(
                diags,
                "app_id",
                "No active client secret",
                format!("App {app_id} has no active client secret (it may use private_key_jwt, or every secret is inactive)."),
            );
        };
        Some(ClientSecretModel {
            app_id: config.app_id,
            client_id: Some(client_id),
            client_secret: Some(secret.expose().to_string()),
        })
    }
}
