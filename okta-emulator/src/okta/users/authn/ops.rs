//! Primary authentication as operations on the org.

use http::StatusCode;

use crate::{
    base::errors::{ApiResult, OktaError},
    base::password::{self, PasswordHash},
    store::{Org, SessionToken, User, UserStatus},
};

/// Lifetime of a session token, in seconds (Okta: five minutes).
pub const SESSION_TOKEN_SECS: i64 = 300;

/// Okta's one answer to every failed authentication.
pub fn failed() -> OktaError {
    OktaError::new(
        StatusCode::UNAUTHORIZED,
        "E0000004",
        "Authentication failed",
    )
}

/// The id and password hash of the ACTIVE user with this login, if it has a password.
pub fn candidate(org: &Org, username: &str) -> Option<(String, PasswordHash)> {
    org.user_by_login(username)
        .filter(|u| u.status == UserStatus::Active)
        .and_then(|u| u.password.clone().map(|p| (u.id.clone(), p)))
}

/// Opens a session for a user whose password was verified against `stored`: expired session
/// tokens are dropped, the user's `lastLogin` moves and `token` is kept (hashed) until
/// `now + SESSION_TOKEN_SECS`. 401 if the user changed meanwhile (no longer ACTIVE, or another
/// password).
pub fn open_session<'a>(
    org: &'a mut Org,
    user_id: &str,
    stored: &PasswordHash,
    token: &str,
    now: i64,
) -> ApiResult<&'a User> {
    let expires_at = now + SESSION_TOKEN_SECS;
    org.session_tokens.retain(|t| t.expires_at > now);
    let u = org
        .user_mut(user_id)
        .filter(|u| u.status == UserStatus::Active && u.password.as_ref() == Some(stored))
        .ok_or_else(failed)?;
    u.last_login = Some(now);
    org.session_tokens.push(SessionToken {
        hash: password::token_hash(token),
        user_id: user_id.to_string(),
        expires_at,
    });
    org.user(user_id).ok_or_else(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::clock;

    #[test]
    fn deactivated_users_cannot_redeem() {
        let mut org = Org::seed(None);
        let uid = org.admin_user_id.clone();
        let now = clock::now();
        org.session_tokens.push(SessionToken {
            hash: password::token_hash("t"),
            user_id: uid,
            expires_at: now + 10,
        });
        org.users[0].status = UserStatus::Deprovisioned;
        assert_eq!(org.redeem_session_token("t", now), None);
    }

    #[test]
    fn sessions_open_for_active_users_with_that_password() {
        let mut org = Org::seed(None);
        let uid = org.admin_user_id.clone();
        let stored = password::hash("Passw0rdOK");
        org.users[0].password = Some(stored.clone());
        let login = org.users[0].login().to_string();
        assert_eq!(candidate(&org, &login), Some((uid.clone(), stored.clone())));
        // Another hash (the password changed since it was verified) is refused.
        let other = password::hash("Passw0rdOK");
        let e = open_session(&mut org, &uid, &other, "tok", 100).unwrap_err();
        assert_eq!(e.code, "E0000004");
        let u = open_session(&mut org, &uid, &stored, "tok", 100).unwrap();
        assert_eq!(u.last_login, Some(100));
        assert_eq!(org.redeem_session_token("tok", 101), Some(uid));
    }
}
