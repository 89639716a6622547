//! Okta groups (`/api/v1/groups`).

use super::json_model;

json_model! {
    /// A group (`00g…`).
    pub struct Group {
        "id" => id: String,
        "created" => created: String,
        "lastUpdated" => last_updated: String,
        "lastMembershipUpdated" => last_membership_updated: String,
        "objectClass" => object_class: Vec<String>,
        /// `OKTA_GROUP`, `BUILT_IN` (Everyone) or `APP_GROUP`.
        "type" => group_type: String,
        "profile" => profile: GroupProfile,
    }
}

json_model! {
    /// `profile` of a group.
    pub struct GroupProfile {
        "name" => name: String,
        "description" => description: String,
    }
}

json_model! {
    /// Body of `POST /api/v1/groups`.
    pub struct NewGroup {
        "profile" => profile: GroupProfile,
    }
}

impl Group {
    pub fn name(&self) -> Option<&str> {
        self.profile.as_ref().and_then(|p| p.name.as_deref())
    }
}

impl NewGroup {
    pub fn new(name: &str, description: Option<&str>) -> Self {
        Self {
            profile: Some(GroupProfile {
                name: Some(name.to_owned()),
                description: Some(description.unwrap_or_default().to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}
