//! A client secret as Okta returns it; its `_links` follow its status.

use serde_json::{json, Value};

use crate::{
    base::clock,
    store::{ClientSecret, Status},
};

pub fn secret(secret: &ClientSecret, app_id: &str, base: &str) -> Value {
    let href = format!(
        "{base}/api/v1/apps/{app_id}/credentials/secrets/{}",
        secret.id
    );
    let links = match secret.status {
        Status::Active => json!({
            "deactivate": {"href": format!("{href}/lifecycle/deactivate"), "hints": {"allow": ["POST"]}}
        }),
        Status::Inactive => json!({
            "activate": {"href": format!("{href}/lifecycle/activate"), "hints": {"allow": ["POST"]}},
            "delete": {"href": href, "hints": {"allow": ["DELETE"]}}
        }),
    };
    json!({
        "id": secret.id,
        "created": clock::okta_ts(secret.created),
        "lastUpdated": clock::okta_ts(secret.last_updated),
        "status": secret.status.as_str(),
        "client_secret": secret.secret,
        "secret_hash": secret.hash,
        "_links": links,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_status() {
        let mut sec = ClientSecret {
            id: "ocs1".into(),
            status: Status::Active,
            secret: "x".into(),
            hash: "h".into(),
            created: 0,
            last_updated: 0,
        };
        let r = secret(&sec, "0oa1", "http://h");
        assert_eq!(
            r["_links"]["deactivate"]["href"],
            "http://h/api/v1/apps/0oa1/credentials/secrets/ocs1/lifecycle/deactivate"
        );
        assert!(r["_links"].get("delete").is_none());
        sec.status = Status::Inactive;
        let r = secret(&sec, "0oa1", "http://h");
        assert_eq!(r["_links"]["delete"]["hints"]["allow"], json!(["DELETE"]));
        assert!(r["_links"].get("activate").is_some());
        assert!(r["_links"].get("deactivate").is_none());
    }
}
