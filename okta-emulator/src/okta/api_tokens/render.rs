//! An API token as Okta shows it (metadata only: the value is never shown after minting).

use serde_json::{json, Value};

use crate::{base::clock, store::ApiToken};

pub fn token(t: &ApiToken, base: &str) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "userId": t.user_id,
        "clientName": t.client_name,
        "tokenWindow": "P30D",
        "network": t.network,
        "expiresAt": clock::okta_ts(t.expires_at()),
        "created": clock::okta_ts(t.created),
        "lastUpdated": clock::okta_ts(t.last_updated),
        "_links": {
            "self": {
                "href": format!("{base}/api/v1/api-tokens/{}", t.id),
                "hints": {"allow": ["GET", "DELETE"]}
            },
            "user": {
                "href": format!("{base}/api/v1/users/{}", t.user_id),
                "hints": {"allow": ["GET"]}
            }
        }
    })
}
