//! Groups and their explicit members.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Org;

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

impl Org {
    /// Adds an explicit membership (no-op if present or if the group is built in).
    pub fn add_member(&mut self, group_id: &str, user_id: &str, now: i64) {
        let builtin = self.group(group_id).is_some_and(|g| g.kind == "BUILT_IN");
        if builtin || self.is_member(group_id, user_id) {
            return;
        }
        self.memberships.push(Membership {
            group_id: group_id.to_string(),
            user_id: user_id.to_string(),
        });
        if let Some(g) = self.groups.iter_mut().find(|g| g.id == group_id) {
            g.last_membership_updated = now;
        }
    }
}
