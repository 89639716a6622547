//! Okta users; the provider only reads the current user (`/api/v1/users/me`).

use super::json_model;

json_model! {
    /// A user (`00u…`).
    pub struct User {
        "id" => id: String,
        "status" => status: String,
        "created" => created: String,
        "activated" => activated: String,
        "statusChanged" => status_changed: String,
        "lastLogin" => last_login: String,
        "lastUpdated" => last_updated: String,
        "passwordChanged" => password_changed: String,
        "profile" => profile: UserProfile,
    }
}

json_model! {
    /// `profile` of a user (custom attributes stay in `extra`).
    pub struct UserProfile {
        "login" => login: String,
        "email" => email: String,
        "firstName" => first_name: String,
        "lastName" => last_name: String,
    }
}

impl User {
    pub fn login(&self) -> Option<&str> {
        self.profile.as_ref().and_then(|p| p.login.as_deref())
    }
}
