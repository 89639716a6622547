//! Authorization-server claims (`/api/v1/authorizationServers/{as}/claims`) and the org
//! authorization server's per-app ID-token claim (Okta's internal
//! `/api/v1/internal/apps/{app}/settings/oauth/idToken`).

use serde_json::{Map, Value};

use super::json_model;

json_model! {
    /// A claim of a custom authorization server. `group_filter_type` is snake_case in Okta's
    /// claims API.
    pub struct AuthServerClaim {
        "id" => id: String,
        "name" => name: String,
        "status" => status: String,
        "claimType" => claim_type: String,
        "valueType" => value_type: String,
        "value" => value: String,
        "group_filter_type" => group_filter_type: String,
        "alwaysIncludeInToken" => always_include_in_token: bool,
        "conditions" => conditions: Map<String, Value>,
        "system" => system: bool,
    }
}

impl AuthServerClaim {
    /// `conditions.scopes`; empty when Okta sends none.
    pub fn scopes(&self) -> Vec<String> {
        self.conditions
            .as_ref()
            .and_then(|c| c.get("scopes"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

json_model! {
    /// The org authorization server's ID-token claim of one app. GET fills `issuer` and
    /// `audience`; a POST with empty `name`, `value` and `valueType` clears the claim.
    pub struct AppIdTokenClaim {
        "issuer" => issuer: String,
        "audience" => audience: String,
        "issuerMode" => issuer_mode: String,
        "valueType" => value_type: String,
        "name" => name: String,
        "groupFilterType" => group_filter_type: String,
        "value" => value: String,
    }
}

impl AppIdTokenClaim {
    /// Whether a claim is set (Okta answers without `name` when none is).
    pub fn is_set(&self) -> bool {
        self.name.as_deref().is_some_and(|n| !n.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_shapes_decode() {
        let c: AuthServerClaim = serde_json::from_str(
            r#"{"id":"ocl1","name":"test","status":"ACTIVE","claimType":"RESOURCE","valueType":"GROUPS","value":"Everyone","conditions":{"scopes":[]},"system":false,"alwaysIncludeInToken":true,"apiResourceId":null,"group_filter_type":"EQUALS","_links":{}}"#,
        )
        .unwrap();
        assert_eq!(c.group_filter_type.as_deref(), Some("EQUALS"));
        assert!(c.scopes().is_empty());
        assert!(c.extra.contains_key("_links"));
        let empty: AppIdTokenClaim = serde_json::from_str(
            r#"{"issuer":null,"orgUrl":null,"customUrl":null,"audience":null,"issuerMode":"ORG_URL"}"#,
        )
        .unwrap();
        assert!(!empty.is_set());
        let set: AppIdTokenClaim = serde_json::from_str(
            r#"{"issuer":"https://o","audience":"0oa1","issuerMode":"ORG_URL","valueType":"GROUPS","name":"groups","groupFilterType":"REGEX","value":".*"}"#,
        )
        .unwrap();
        assert!(set.is_set());
    }
}
