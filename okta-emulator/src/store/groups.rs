//! Groups and their explicit members.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    /// Creation order; the list cursor.
    pub seq: u64,
    pub created: i64,
    pub last_updated: i64,
    /// Last membership change (user added, removed or deleted). State files written before it
    /// was kept load with 0, which the loader replaces by the creation time.
    #[serde(default)]
    pub last_membership_updated: i64,
    /// `OKTA_GROUP` or `BUILT_IN` (the seeded Everyone group).
    pub kind: String,
    pub profile: Value,
}

/// An explicit group membership. The built-in Everyone group holds every user implicitly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub group_id: String,
    pub user_id: String,
}
