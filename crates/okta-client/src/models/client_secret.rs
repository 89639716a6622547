//! OAuth client secrets of an app (`/api/v1/apps/{id}/credentials/secrets`).

use serde_json::Value;

use super::json_model;
use crate::secret::Secret;

json_model! {
    /// A client secret object (`ocs…`). Okta returns the full secret value in lists and GETs.
    pub struct ClientSecret {
        "id" => id: String,
        /// `ACTIVE` or `INACTIVE`.
        "status" => status: String,
        "client_secret" => client_secret: Secret,
        "secret_hash" => secret_hash: String,
        "created" => created: String,
        "lastUpdated" => last_updated: String,
    }
}

impl ClientSecret {
    pub fn is_active(&self) -> bool {
        self.status.as_deref() == Some("ACTIVE")
    }

    /// `_links`, e.g. to see whether `activate` or `deactivate` applies.
    pub fn links(&self) -> Option<&Value> {
        self.extra.get("_links")
    }
}

json_model! {
    /// Body of `POST …/credentials/secrets`: empty (`{}`) lets Okta generate the secret.
    pub struct NewClientSecret {
        "client_secret" => client_secret: Secret,
        /// `ACTIVE` or `INACTIVE`.
        "status" => status: String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_redacted_in_debug() {
        let s: ClientSecret = serde_json::from_str(
            r#"{"id":"ocs1","status":"ACTIVE","client_secret":"Sf6D__6R7m8Tg3Paas","secret_hash":"h","_links":{}}"#,
        )
        .unwrap();
        assert!(s.is_active());
        assert!(!format!("{s:?}").contains("Sf6D__6R7m8Tg3Paas"));
        let body = NewClientSecret {
            client_secret: Some("abcdefghijklmnop".into()),
            ..Default::default()
        };
        assert!(!format!("{body:?}").contains("abcdefghijklmnop"));
        assert_eq!(
            serde_json::to_string(&NewClientSecret::default()).unwrap(),
            "{}"
        );
    }
}
