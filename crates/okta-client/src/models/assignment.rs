//! App group assignments (`/api/v1/apps/{id}/groups/{groupId}`): which groups may sign in.

use serde_json::{Map, Number, Value};

use super::json_model;

json_model! {
    /// An app group assignment; `id` is the group id.
    pub struct AppGroupAssignment {
        "id" => id: String,
        /// Okta's number as sent: nothing reads it, and an `i64` would write `-0` back as `0`.
        "priority" => priority: Number,
        "profile" => profile: Map<String, Value>,
        "lastUpdated" => last_updated: String,
    }
}

json_model! {
    /// Body of `PUT /api/v1/apps/{id}/groups/{groupId}` (an idempotent upsert). Without a
    /// priority Okta assigns the next one.
    pub struct GroupAssignmentRequest {
        "id" => id: String,
        "priority" => priority: Number,
        "profile" => profile: Map<String, Value>,
    }
}
