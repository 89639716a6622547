//! API tokens (SSWS).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::base::clock;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub user_id: String,
    /// The SSWS value. Kept so tokens survive restarts; never logged or dumped.
    pub value: String,
    pub client_name: String,
    pub network: Value,
    pub created: i64,
    pub last_updated: i64,
    /// Last authenticated use; the 30-day window restarts from it.
    #[serde(default)]
    pub last_used: Option<i64>,
}

impl ApiToken {
    pub fn expires_at(&self) -> i64 {
        self.last_used.unwrap_or(self.created) + clock::TOKEN_WINDOW_SECS
    }
}
