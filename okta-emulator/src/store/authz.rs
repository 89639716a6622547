//! Plain data of the identity-provider half of the org: authorization servers (their scopes,
//! claims, access policies and signing keys), the org authorization server's per-app ID-token
//! groups claim, direct app user assignments, and the grants the OIDC endpoints hand out.
//!
//! These types are the contract between the authorization-servers Management API
//! (`okta/authz/`), which edits them, and the OIDC endpoints (`oidc/`), which
//! read them when they sign a user in and mint tokens. Everything here is saved with `--state`;
//! secrets (private keys aside, which must survive restarts) are kept only as hashes.

use serde::{Deserialize, Serialize};

pub use crate::base::jose::keys::{KeyStatus, SigningKey};
use serde_json::{Map, Value};

use crate::store::Status;

/// A scope of a custom authorization server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthScope {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub display_name: Option<String>,
    /// `true` for the OIDC scopes every server has (`openid`, `profile`, ...).
    pub system: bool,
    /// `ALL_CLIENTS` (listed in discovery) or `NO_CLIENTS`.
    pub metadata_publish: String,
    /// `IMPLICIT`, `REQUIRED` or `FLEXIBLE`.
    pub consent: String,
    pub default: bool,
    pub optional: bool,
}

/// A claim of a custom authorization server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthClaim {
    pub id: String,
    pub name: String,
    pub status: Status,
    /// `IDENTITY` (ID token, `/userinfo`) or `RESOURCE` (access token).
    pub claim_type: String,
    /// `EXPRESSION`, `GROUPS` or `SYSTEM`.
    pub value_type: String,
    /// An Okta expression, or the group filter's operand for `GROUPS`.
    pub value: String,
    /// `STARTS_WITH`, `EQUALS`, `CONTAINS` or `REGEX`; only for `GROUPS`.
    pub group_filter_type: Option<String>,
    pub always_include_in_token: bool,
    /// `conditions.scopes`: empty means whatever scopes were granted.
    pub scopes: Vec<String>,
    pub system: bool,
}

/// A rule of an access policy: who gets which scopes through which grants, and token lifetimes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    pub id: String,
    pub name: String,
    pub priority: i64,
    pub status: Status,
    pub system: bool,
    /// `conditions.grantTypes.include`.
    pub grant_types: Vec<String>,
    /// `conditions.people.groups.include`: `EVERYONE` or group ids.
    pub groups_include: Vec<String>,
    /// `conditions.people.users.include` / `exclude`: user ids.
    pub users_include: Vec<String>,
    pub users_exclude: Vec<String>,
    /// `conditions.scopes.include`: `*` or scope names.
    pub scopes: Vec<String>,
    pub access_token_lifetime_minutes: i64,
    /// 0 means unlimited.
    pub refresh_token_lifetime_minutes: i64,
    pub refresh_token_window_minutes: i64,
    pub created: i64,
    pub last_updated: i64,
}

/// An access policy of a custom authorization server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthPolicy {
    pub id: String,
    pub name: String,
    pub description: String,
    pub priority: i64,
    pub status: Status,
    pub system: bool,
    /// `conditions.clients.include`: `ALL_CLIENTS` or client ids.
    pub clients: Vec<String>,
    pub rules: Vec<PolicyRule>,
    pub created: i64,
    pub last_updated: i64,
}

/// A custom authorization server (`default` included).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthServer {
    /// `aus…`; the default server is addressed as `default` in paths and its issuer.
    pub id: String,
    pub seq: u64,
    pub name: String,
    pub description: String,
    pub audiences: Vec<String>,
    /// `ORG_URL`, `CUSTOM_URL` or `DYNAMIC`.
    pub issuer_mode: String,
    pub status: Status,
    /// The built-in `default` server.
    pub is_default: bool,
    /// `credentials.signing.rotationMode`: `AUTO` or `MANUAL`.
    pub rotation_mode: String,
    pub last_rotated: i64,
    pub created: i64,
    pub last_updated: i64,
    pub keys: Vec<SigningKey>,
    pub scopes: Vec<AuthScope>,
    pub claims: Vec<AuthClaim>,
    pub policies: Vec<AuthPolicy>,
}

impl AuthServer {
    /// The segment that addresses this server under `/oauth2/` and in its issuer.
    pub fn path_key(&self) -> &str {
        if self.is_default {
            "default"
        } else {
            &self.id
        }
    }
}

/// The org authorization server's ID-token claim of one app (the Admin Console's "Groups claim
/// filter"; Okta's internal `/api/v1/internal/apps/{app}/settings/oauth/idToken`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppIdTokenClaim {
    pub app_id: String,
    pub name: String,
    /// `GROUPS` or `EXPRESSION`.
    pub value_type: String,
    /// For `GROUPS`: `STARTS_WITH`, `EQUALS`, `CONTAINS` or `REGEX`.
    pub group_filter_type: Option<String>,
    pub value: String,
    pub issuer_mode: String,
}

/// A user assigned to an app directly (`POST /api/v1/apps/{app}/users`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppUserAssignment {
    pub app_id: String,
    pub user_id: String,
    pub seq: u64,
    pub created: i64,
    pub last_updated: i64,
    /// `credentials` and `profile` of the app user, as sent.
    pub body: Map<String, Value>,
}
