//! What the OIDC endpoints hand out and must remember: sign-in sessions, authorization codes,
//! refresh tokens and access tokens. Kept in the org (so `--state` keeps them) as SHA-256
//! hashes of their values, never the values; access tokens are JWTs and are remembered by
//! their `jti` so they can be revoked. Expired entries are pruned on every grant write.

use serde::{Deserialize, Serialize};

/// Which authorization server issued a grant: `org` or a custom server's `aus…` id.
pub const ORG_ISSUER: &str = "org";

/// Everything the OIDC endpoints remember.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcGrants {
    #[serde(default)]
    pub sessions: Vec<Session>,
    #[serde(default)]
    pub codes: Vec<CodeGrant>,
    #[serde(default)]
    pub refresh_tokens: Vec<RefreshGrant>,
    #[serde(default)]
    pub access_tokens: Vec<AccessGrant>,
    /// `jti`s of `private_key_jwt` client assertions already used, kept until they expire.
    #[serde(default)]
    pub used_assertions: Vec<UsedAssertion>,
}

/// A client assertion that was used: its `jti` (hashed) may not come back before `expires_at`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsedAssertion {
    pub client_id: String,
    pub jti_hash: String,
    pub expires_at: i64,
}

/// An Okta sign-in session (the `sid` cookie).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub hash: String,
    pub user_id: String,
    /// Sign-in time: the tokens' `auth_time`.
    pub auth_time: i64,
    pub expires_at: i64,
}

/// An authorization code and everything `/authorize` bound to it.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeGrant {
    pub hash: String,
    pub issuer: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    /// S256 code challenge, when one was sent.
    pub challenge: Option<String>,
    pub user_id: String,
    pub auth_time: i64,
    pub expires_at: i64,
    pub lifetimes: Lifetimes,
}

/// Token lifetimes decided at `/authorize` (custom servers: by the matching policy rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lifetimes {
    pub access_secs: i64,
    /// Absolute refresh-token lifetime; `None` = unlimited.
    pub refresh_secs: Option<i64>,
    /// Idle window: a refresh token unused this long expires; `None` = no window.
    pub refresh_idle_secs: Option<i64>,
}

impl Lifetimes {
    /// The org authorization server: 1 h access tokens, 90-day refresh tokens.
    pub const ORG: Lifetimes = Lifetimes {
        access_secs: 3600,
        refresh_secs: Some(90 * 24 * 3600),
        refresh_idle_secs: None,
    };
}

/// A refresh token. Rotation chains tokens into a family; reuse of a superseded token after
/// the leeway revokes the whole family.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshGrant {
    pub hash: String,
    pub family: String,
    pub issuer: String,
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub auth_time: i64,
    pub created: i64,
    pub last_used: i64,
    /// The family's absolute expiry; rotated tokens keep the original one.
    pub expires_at: Option<i64>,
    pub idle_secs: Option<i64>,
    pub access_secs: i64,
    /// When a newer token replaced this one (ROTATE).
    pub superseded_at: Option<i64>,
}

impl RefreshGrant {
    /// Whether the token is past its absolute or idle expiry at `now`.
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
            || self.idle_secs.is_some_and(|w| now >= self.last_used + w)
    }
}

/// An issued access token, by `jti`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessGrant {
    pub jti: String,
    pub issuer: String,
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    /// The refresh-token family it came from, so revoking the family revokes it too.
    pub family: Option<String>,
    pub issued_at: i64,
    pub expires_at: i64,
    /// DPoP binding: the RFC 7638 thumbprint of the proof key (`cnf.jkt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
}

impl OidcGrants {
    /// Drops everything expired at `now`.
    pub fn prune(&mut self, now: i64) {
        self.sessions.retain(|s| s.expires_at > now);
        self.codes.retain(|c| c.expires_at > now);
        self.refresh_tokens.retain(|r| !r.expired(now));
        self.access_tokens.retain(|a| a.expires_at > now);
        self.used_assertions.retain(|a| a.expires_at > now);
    }

    /// Revokes a refresh-token family and the access tokens minted from it.
    pub fn revoke_family(&mut self, family: &str) {
        self.refresh_tokens.retain(|r| r.family != family);
        self.access_tokens
            .retain(|a| a.family.as_deref() != Some(family));
    }

    /// Revokes every grant of `user_id` (optionally only those of one client).
    pub fn revoke_user(&mut self, user_id: &str, client_id: Option<&str>) {
        let hit = |u: &str, c: &str| u == user_id && client_id.is_none_or(|x| x == c);
        self.codes.retain(|g| !hit(&g.user_id, &g.client_id));
        self.refresh_tokens
            .retain(|g| !hit(&g.user_id, &g.client_id));
        self.access_tokens
            .retain(|g| !hit(&g.user_id, &g.client_id));
        if client_id.is_none() {
            self.sessions.retain(|s| s.user_id != user_id);
        }
    }

    /// Revokes every grant issued to `client_id`.
    pub fn revoke_client(&mut self, client_id: &str) {
        self.codes.retain(|g| g.client_id != client_id);
        self.refresh_tokens.retain(|g| g.client_id != client_id);
        self.access_tokens.retain(|g| g.client_id != client_id);
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for CodeGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeGrant")
            .field("client_id", &self.client_id)
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for RefreshGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshGrant")
            .field("family", &self.family)
            .field("client_id", &self.client_id)
            .field("superseded_at", &self.superseded_at)
            .finish_non_exhaustive()
    }
}

pub use crate::base::ids::opaque;

/// The stored form of a code, refresh token or session id.
pub fn hash(value: &str) -> String {
    crate::base::password::token_hash(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refresh(family: &str, user: &str, client: &str) -> RefreshGrant {
        RefreshGrant {
            hash: format!("h-{family}"),
            family: family.into(),
            issuer: ORG_ISSUER.into(),
            client_id: client.into(),
            user_id: user.into(),
            scopes: vec![],
            auth_time: 0,
            created: 0,
            last_used: 100,
            expires_at: Some(1000),
            idle_secs: Some(50),
            access_secs: 60,
            superseded_at: None,
        }
    }

    #[test]
    fn refresh_expiry_is_absolute_or_idle() {
        let r = refresh("f", "u", "c");
        assert!(!r.expired(149));
        assert!(r.expired(150));
        let mut r = r;
        r.idle_secs = None;
        assert!(!r.expired(999));
        assert!(r.expired(1000));
        r.expires_at = None;
        assert!(!r.expired(i64::MAX));
    }

    #[test]
    fn families_and_users_are_revoked_together() {
        let mut g = OidcGrants::default();
        g.refresh_tokens.push(refresh("f1", "u1", "c1"));
        g.refresh_tokens.push(refresh("f2", "u1", "c2"));
        g.refresh_tokens.push(refresh("f3", "u2", "c1"));
        g.access_tokens.push(AccessGrant {
            jti: "AT.1".into(),
            issuer: ORG_ISSUER.into(),
            client_id: "c1".into(),
            user_id: "u1".into(),
            scopes: vec![],
            family: Some("f1".into()),
            issued_at: 0,
            expires_at: 10,
            jkt: None,
        });
        g.revoke_family("f1");
        assert_eq!(g.refresh_tokens.len(), 2);
        assert!(g.access_tokens.is_empty());
        g.revoke_user("u1", Some("c1"));
        assert_eq!(g.refresh_tokens.len(), 2);
        g.revoke_user("u1", None);
        assert_eq!(g.refresh_tokens.len(), 1);
        g.revoke_client("c1");
        assert!(g.refresh_tokens.is_empty());
        g.prune(0);
    }
}
