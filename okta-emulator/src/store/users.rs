//! Users: their profile, lifecycle status and password hash, and the one-time session tokens
//! of `/api/v1/authn`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::base::{clock, ids, password::PasswordHash};

/// A user's lifecycle status, as Okta names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum UserStatus {
    #[default]
    Active,
    Staged,
    Provisioned,
    Deprovisioned,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "ACTIVE",
            UserStatus::Staged => "STAGED",
            UserStatus::Provisioned => "PROVISIONED",
            UserStatus::Deprovisioned => "DEPROVISIONED",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub created: i64,
    pub last_updated: i64,
    pub profile: Value,
    /// Older state files predate user lifecycle: their users are ACTIVE token owners.
    #[serde(default)]
    pub status: UserStatus,
    #[serde(default)]
    pub activated: Option<i64>,
    #[serde(default)]
    pub status_changed: Option<i64>,
    #[serde(default)]
    pub last_login: Option<i64>,
    #[serde(default)]
    pub password_changed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordHash>,
}

impl User {
    /// An ACTIVE user without a password (API-token owners).
    pub fn new_active(profile: Value) -> User {
        let now = clock::now();
        User {
            id: ids::object_id("00u"),
            created: now,
            last_updated: now,
            profile,
            status: UserStatus::Active,
            activated: Some(now),
            status_changed: Some(now),
            last_login: None,
            password_changed: None,
            password: None,
        }
    }

    pub fn login(&self) -> &str {
        self.profile
            .get("login")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// A one-time session token from `/api/v1/authn`, kept until redeemed or expired. Only a hash
/// of the value is stored.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionToken {
    pub hash: String,
    pub user_id: String,
    pub expires_at: i64,
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionToken")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}
