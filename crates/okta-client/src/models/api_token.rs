//! SSWS API token metadata (`/api/v1/api-tokens`). The token value itself is never returned by
//! Okta after creation, so no model here holds it.

use super::json_model;

json_model! {
    /// An API token (`00T…`).
    pub struct ApiToken {
        "id" => id: String,
        "name" => name: String,
        "userId" => user_id: String,
        "clientName" => client_name: String,
        /// ISO-8601 duration, e.g. `P30D`.
        "tokenWindow" => token_window: String,
        "network" => network: TokenNetwork,
        "expiresAt" => expires_at: String,
        "created" => created: String,
        "lastUpdated" => last_updated: String,
    }
}

json_model! {
    /// Network condition of a token.
    pub struct TokenNetwork {
        /// `ANYWHERE` or `ZONE`.
        "connection" => connection: String,
        "include" => include: Vec<String>,
        "exclude" => exclude: Vec<String>,
    }
}

json_model! {
    /// Body of `PUT /api/v1/api-tokens/{id}` (name and network condition).
    pub struct ApiTokenUpdate {
        "name" => name: String,
        "clientName" => client_name: String,
        "userId" => user_id: String,
        "created" => created: String,
        "network" => network: TokenNetwork,
    }
}

impl ApiToken {
    /// An update body carrying this token's current values, to be modified and sent.
    pub fn to_update(&self) -> ApiTokenUpdate {
        ApiTokenUpdate {
            name: self.name.clone(),
            client_name: self.client_name.clone(),
            user_id: self.user_id.clone(),
            created: self.created.clone(),
            network: self.network.clone(),
            ..Default::default()
        }
    }
}
