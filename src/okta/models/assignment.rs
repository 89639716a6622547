//! App group assignments (`/api/v1/apps/{id}/groups/{groupId}`): which groups may sign in.

use serde_json::{Map, Value};

use super::json_model;

json_model! {
    /// An app group assignment; `id` is the group id.
    pub struct AppGroupAssignment {
        "id" => id: String,
        "priority" => priority: i64,
        "profile" => profile: Map<String, Value>,
        "lastUpdated" => last_updated: String,
    }
}

json_model! {
    /// Body of `PUT /api/v1/apps/{id}/groups/{groupId}` (an idempotent upsert). Without a
    /// priority Okta assigns the next one.
    pub struct GroupAssignmentRequest {
        "id" => id: String,
        "priority" => priority: i64,
        "profile" => profile: Map<String, Value>,
    }
}
