//! The `SUCCESS` answer of primary authentication.

use serde_json::{json, Value};

use crate::{base::clock, store::User};

/// Okta's `SUCCESS` transaction: the session token and a short view of the user (locale and
/// time zone default to Okta's).
pub fn success(u: &User, token: &str, expires_at: i64) -> Value {
    let profile = &u.profile;
    json!({
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
    })
}
