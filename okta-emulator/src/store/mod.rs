//! The emulated org: plain data, serialisable as the `--state` file.
//!
//! Apps are stored as the normalised JSON Okta would return (minus `id`, `status`, timestamps,
//! `_links` and the client secret, which are rendered per request), so a full-replace PUT keeps
//! fields the emulator does not model.

pub mod apps;
pub mod authz;
pub mod groups;
pub mod live;
pub mod oidc;
pub mod persist;
pub mod policies;
pub mod seed;
pub mod tokens;
pub mod users;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use apps::{App, AppGrant, ClientRole, ClientSecret, GroupAssignment};
pub use groups::{Group, Membership};
pub use tokens::ApiToken;
pub use users::{SessionToken, User, UserStatus};

use crate::base::{clock, ids};
use authz::{AppIdTokenClaim, AppUserAssignment, AuthServer, SigningKey};
use oidc::OidcGrants;

/// Lifecycle status shared by apps and client secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Active,
    Inactive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "ACTIVE",
            Status::Inactive => "INACTIVE",
        }
    }
}

/// Everything the emulated org holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Org {
    pub org_id: String,
    pub signing_kid: String,
    pub access_policy_id: String,
    pub enrollment_policy_id: String,
    pub user_type_id: String,
    pub realm_id: String,
    pub admin_user_id: String,
    pub next_seq: u64,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub apps: Vec<App>,
    pub tokens: Vec<ApiToken>,
    #[serde(default)]
    pub memberships: Vec<Membership>,
    #[serde(default)]
    pub session_tokens: Vec<SessionToken>,
    /// Custom authorization servers, `default` included.
    #[serde(default)]
    pub auth_servers: Vec<AuthServer>,
    /// Signing keys of the org authorization server (made on first use).
    #[serde(default)]
    pub org_keys: Vec<SigningKey>,
    /// The org authorization server's ID-token claim per app.
    #[serde(default)]
    pub app_id_token_claims: Vec<AppIdTokenClaim>,
    /// Users assigned to apps directly.
    #[serde(default)]
    pub app_users: Vec<AppUserAssignment>,
    /// Sessions, codes and tokens handed out by the OIDC endpoints (hashes only).
    #[serde(default)]
    pub oidc: OidcGrants,
    /// Okta API scopes granted to apps (`/api/v1/apps/{id}/grants`).
    #[serde(default)]
    pub app_grants: Vec<AppGrant>,
    /// Admin roles of client apps.
    #[serde(default)]
    pub client_roles: Vec<ClientRole>,
    /// `/api/v1/policies`: every type, each policy with its rules.
    #[serde(default)]
    pub policies: Vec<policies::Policy>,
}

/// Login of the seeded super-admin that owns `--api-token`.
pub const ADMIN_LOGIN: &str = "admin@okta-emulator.local";
/// Name given to the `--api-token` token.
pub const SEED_TOKEN_NAME: &str = "okta-emulator";

impl Org {
    /// A fresh org: one admin user, the built-in Everyone group, and `api_token` (if any)
    /// registered for the admin.
    pub fn seed(api_token: Option<&str>) -> Org {
        let now = clock::now();
        let admin = User::new_active(user_profile("Emulator", "Admin", ADMIN_LOGIN));
        let mut org = Org {
            org_id: ids::object_id("00o"),
            signing_kid: ids::signing_kid(),
            access_policy_id: ids::object_id("rst"),
            enrollment_policy_id: ids::object_id("rst"),
            user_type_id: ids::object_id("oty"),
            realm_id: ids::object_id("guo"),
            admin_user_id: admin.id.clone(),
            next_seq: 1,
            users: vec![admin],
            groups: Vec::new(),
            apps: Vec::new(),
            tokens: Vec::new(),
            memberships: Vec::new(),
            session_tokens: Vec::new(),
            auth_servers: Vec::new(),
            org_keys: Vec::new(),
            app_id_token_claims: Vec::new(),
            app_users: Vec::new(),
            oidc: OidcGrants::default(),
            app_grants: Vec::new(),
            client_roles: Vec::new(),
            policies: Vec::new(),
        };
        let seq = org.next_seq();
        org.groups.push(Group {
            id: ids::object_id("00g"),
            seq,
            created: now,
            last_updated: now,
            last_membership_updated: now,
            kind: "BUILT_IN".to_string(),
            profile: json!({"name": "Everyone", "description": "All users in your organization"}),
        });
        crate::store::seed::ensure_default_server(&mut org);
        policies::ensure_seeded(&mut org);
        if let Some(value) = api_token {
            org.ensure_token(value);
        }
        org
    }

    pub fn next_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    /// Registers `value` for the admin unless a token with that value already exists.
    /// Returns whether the org changed.
    pub fn ensure_token(&mut self, value: &str) -> bool {
        if self.tokens.iter().any(|t| t.value == value) {
            return false;
        }
        let owner = self.admin_user_id.clone();
        self.add_token(value.to_string(), SEED_TOKEN_NAME.to_string(), owner);
        true
    }

    pub fn add_token(&mut self, value: String, name: String, user_id: String) -> &ApiToken {
        let now = clock::now();
        self.tokens.push(ApiToken {
            id: ids::object_id("00T"),
            name,
            user_id,
            value,
            client_name: "Okta API".to_string(),
            network: json!({"connection": "ANYWHERE"}),
            created: now,
            last_updated: now,
            last_used: None,
        });
        let last = self.tokens.len() - 1;
        &self.tokens[last]
    }

    /// Finds a user by login, creating it (ACTIVE) if needed.
    pub fn user_by_login_or_create(&mut self, login: &str) -> String {
        if let Some(u) = self.user_by_login(login) {
            return u.id.clone();
        }
        let local = login.split('@').next().unwrap_or(login);
        let user = User::new_active(user_profile(local, "User", login));
        let id = user.id.clone();
        self.users.push(user);
        id
    }

    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.id == id)
    }

    pub fn app_mut(&mut self, id: &str) -> Option<&mut App> {
        self.apps.iter_mut().find(|a| a.id == id)
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn user_mut(&mut self, id: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.id == id)
    }

    /// Okta compares logins case-insensitively.
    pub fn user_by_login(&self, login: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.login().eq_ignore_ascii_case(login))
    }

    /// By id, else by login, as `/api/v1/users/{idOrLogin}` resolves.
    pub fn user_by_id_or_login(&self, key: &str) -> Option<&User> {
        self.user(key).or_else(|| self.user_by_login(key))
    }

    /// Whether `user_id` belongs to `group_id` (Everyone holds every user).
    pub fn is_member(&self, group_id: &str, user_id: &str) -> bool {
        self.group(group_id).is_some_and(|g| g.kind == "BUILT_IN")
            || self
                .memberships
                .iter()
                .any(|m| m.group_id == group_id && m.user_id == user_id)
    }

    /// Redeems a one-time `/api/v1/authn` session token: removes it and returns its user's id
    /// if it was unexpired and the user is still ACTIVE. Expired tokens are dropped too.
    pub(crate) fn redeem_session_token(&mut self, token: &str, now: i64) -> Option<String> {
        let hash = crate::base::password::token_hash(token);
        self.session_tokens.retain(|t| t.expires_at > now);
        let idx = self.session_tokens.iter().position(|t| t.hash == hash)?;
        let t = self.session_tokens.remove(idx);
        self.user(&t.user_id)
            .filter(|u| u.status == UserStatus::Active)
            .map(|u| u.id.clone())
    }

    pub fn token(&self, id: &str) -> Option<&ApiToken> {
        self.tokens.iter().find(|t| t.id == id)
    }

    pub fn token_mut(&mut self, id: &str) -> Option<&mut ApiToken> {
        self.tokens.iter_mut().find(|t| t.id == id)
    }
}

fn user_profile(first: &str, last: &str, login: &str) -> Value {
    json!({
        "firstName": first,
        "lastName": last,
        "mobilePhone": null,
        "secondEmail": null,
        "login": login,
        "email": login,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_registers_token_once() {
        let mut org = Org::seed(Some("secret-token"));
        assert_eq!(org.tokens.len(), 1);
        assert_eq!(org.tokens[0].user_id, org.admin_user_id);
        assert!(!org.ensure_token("secret-token"));
        assert!(org.ensure_token("other"));
        assert_eq!(org.tokens.len(), 2);
        assert_eq!(org.groups[0].profile["name"], "Everyone");
    }

    #[test]
    fn users_by_login_are_reused() {
        let mut org = Org::seed(None);
        let a = org.user_by_login_or_create("alice@example.com");
        let b = org.user_by_login_or_create("alice@example.com");
        assert_eq!(a, b);
        assert_eq!(org.users.len(), 2);
    }

    #[test]
    fn state_round_trips_through_json() {
        let org = Org::seed(Some("t"));
        let text = serde_json::to_string(&org).unwrap();
        let back: Org = serde_json::from_str(&text).unwrap();
        assert_eq!(back.tokens[0].value, "t");
        assert_eq!(back.org_id, org.org_id);
    }

    #[test]
    fn token_expiry_follows_last_use() {
        let mut org = Org::seed(Some("t"));
        let created = org.tokens[0].created;
        assert_eq!(
            org.tokens[0].expires_at(),
            created + clock::TOKEN_WINDOW_SECS
        );
        org.tokens[0].last_used = Some(created + 10);
        assert_eq!(
            org.tokens[0].expires_at(),
            created + 10 + clock::TOKEN_WINDOW_SECS
        );
    }
}
