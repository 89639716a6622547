//! `POST /api/v1/authn`: Okta's (Classic) primary authentication. Public, like Okta's: no
//! `Authorization` header. A correct username (login) and password of an ACTIVE user answer
//! `SUCCESS` with a one-time `sessionToken` valid for five minutes; anything else is 401
//! `E0000004`. The token is kept (hashed) in the org until [`redeem_session_token`] takes it.

use std::sync::Arc;

use axum::{body::Bytes, extract::State, http::StatusCode, response::Response};
use serde_json::{json, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    base::{clock, ids, password},
    pipeline::http,
    pipeline::shared::Shared,
    store::{SessionToken, UserStatus},
};

/// Lifetime of a session token, in seconds (Okta: five minutes).
pub const SESSION_TOKEN_SECS: i64 = 300;

fn failed() -> OktaError {
    OktaError::new(
        StatusCode::UNAUTHORIZED,
        "E0000004",
        "Authentication failed",
    )
}

pub async fn authn(State(s): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let field = |k: &str| req.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(username), Some(pass)) = (field("username"), field("password")) else {
        return Err(failed());
    };
    // Verify outside the lock: hashing is deliberately slow.
    let candidate = s.read(|org| {
        org.user_by_login(&username)
            .filter(|u| u.status == UserStatus::Active)
            .and_then(|u| u.password.clone().map(|p| (u.id.clone(), p)))
    });
    let Some((user_id, stored)) = candidate else {
        return Err(failed());
    };
    if !password::verify(&pass, &stored) {
        return Err(failed());
    }
    let token = ids::api_token_value();
    let body = s.write(|org| {
        let now = clock::now();
        let expires_at = now + SESSION_TOKEN_SECS;
        org.session_tokens.retain(|t| t.expires_at > now);
        let u = org
            .user_mut(&user_id)
            .filter(|u| u.status == UserStatus::Active && u.password.as_ref() == Some(&stored))
            .ok_or_else(failed)?;
        u.last_login = Some(now);
        let profile = &u.profile;
        let body = json!({
            "expiresAt": clock::okta_ts(expires_at),
            "status": "SUCCESS",
            "sessionToken": token,
            "_embedded": {"user": {
                "id": u.id,
                "passwordChanged": u.password_changed.map(clock::okta_ts),
                "profile": {
                    "login": profile.get("login"),
                    "firstName": profile.get("firstName"),
                    "lastName": profile.get("lastName"),
                    "locale": profile.get("locale").and_then(Value::as_str).unwrap_or("en_US"),
                    "timeZone": profile.get("timeZone").and_then(Value::as_str)
                        .unwrap_or("America/Los_Angeles"),
                }
            }}
        });
        org.session_tokens.push(SessionToken {
            hash: password::token_hash(&token),
            user_id: user_id.clone(),
            expires_at,
        });
        Ok(body)
    })?;
    Ok(http::ok(&body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Org;

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
}
