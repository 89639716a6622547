//! Apps with their client secrets and group assignments (the app body is kept as Okta's JSON),
//! the scopes granted to them and the admin roles their clients hold.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Org, Status};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSecret {
    pub id: String,
    pub status: Status,
    pub secret: String,
    pub hash: String,
    pub created: i64,
    pub last_updated: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupAssignment {
    pub group_id: String,
    pub seq: u64,
    pub priority: i64,
    pub profile: Value,
    pub last_updated: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    pub id: String,
    pub seq: u64,
    pub status: Status,
    pub created: i64,
    pub last_updated: i64,
    /// Normalised app JSON without id/orn/status/timestamps/_links/client_secret.
    pub body: Map<String, Value>,
    pub secrets: Vec<ClientSecret>,
    pub groups: Vec<GroupAssignment>,
    /// The access policy the app is mapped to (`PUT /api/v1/apps/{id}/policies/{policyId}`);
    /// `None` is the org's default access policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_policy: Option<String>,
}

impl App {
    /// `credentials.oauthClient.<key>` as a string.
    pub fn oauth_credential(&self, key: &str) -> Option<&str> {
        self.body
            .get("credentials")?
            .get("oauthClient")?
            .get(key)?
            .as_str()
    }

    pub fn client_id(&self) -> &str {
        self.oauth_credential("client_id").unwrap_or(&self.id)
    }

    pub fn auth_method(&self) -> &str {
        self.oauth_credential("token_endpoint_auth_method")
            .unwrap_or("client_secret_basic")
    }

    /// The secret Okta reports in create/PUT responses: the newest ACTIVE one.
    pub fn current_secret(&self) -> Option<&ClientSecret> {
        self.secrets
            .iter()
            .filter(|s| s.status == Status::Active)
            .max_by_key(|s| s.created)
    }

    pub fn oauth_settings(&self) -> Option<&Map<String, Value>> {
        self.body.get("settings")?.get("oauthClient")?.as_object()
    }
}

/// A scope granted to an app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppGrant {
    pub id: String,
    pub app_id: String,
    pub scope_id: String,
    pub issuer: String,
    pub created: i64,
    pub last_updated: i64,
    /// Who granted it: a user id (SSWS) or a client id (OAuth).
    pub created_by: String,
    pub created_by_type: String,
}

/// A standard admin role held by a client app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientRole {
    pub id: String,
    pub app_id: String,
    pub role_type: String,
    pub created: i64,
    pub last_updated: i64,
}

impl Org {
    /// The scopes granted to `app_id`.
    pub fn granted_scopes(&self, app_id: &str) -> Vec<String> {
        self.app_grants
            .iter()
            .filter(|g| g.app_id == app_id)
            .map(|g| g.scope_id.clone())
            .collect()
    }

    /// The role types of `app_id`.
    pub fn roles_of(&self, app_id: &str) -> Vec<String> {
        self.client_roles
            .iter()
            .filter(|r| r.app_id == app_id)
            .map(|r| r.role_type.clone())
            .collect()
    }
}
