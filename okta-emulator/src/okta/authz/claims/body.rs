//! A claim's create or PUT body, validated against the server (its scopes, its other claims).
//! SYSTEM claims only take `alwaysIncludeInToken`.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes},
    base::ids,
    okta::fields::{
        bool_field, check_group_filter, enum_field, required_str, status_field, str_list,
    },
    store::authz::{AuthClaim, AuthServer},
};

/// Validates a claim body against the server; `current` is the claim a PUT replaces.
pub fn claim(
    req: &Map<String, Value>,
    srv: &AuthServer,
    current: Option<&AuthClaim>,
) -> ApiResult<AuthClaim> {
    let mut causes = Causes::new();
    if let Some(c) = current.filter(|c| c.system) {
        let mut out = c.clone();
        out.always_include_in_token = bool_field(
            req,
            "alwaysIncludeInToken",
            c.always_include_in_token,
            &mut causes,
        );
        if out.claim_type == "RESOURCE" {
            out.always_include_in_token = true;
        }
        causes.into_result()?;
        return Ok(out);
    }
    let name = required_str(req, "name", &mut causes);
    let status = status_field(req, &mut causes);
    let claim_type = match req.get("claimType") {
        None | Some(Value::Null) => {
            causes.push("claimType", "The field cannot be left blank.");
            String::new()
        }
        Some(_) => enum_field(req, "claimType", &["IDENTITY", "RESOURCE"], "", &mut causes),
    };
    let value_type = match req.get("valueType") {
        None | Some(Value::Null) => {
            causes.push("valueType", "The field cannot be left blank.");
            String::new()
        }
        Some(_) => enum_field(req, "valueType", &["EXPRESSION", "GROUPS"], "", &mut causes),
    };
    let value = required_str(req, "value", &mut causes);
    let group_filter_type = match (value_type.as_str(), req.get("group_filter_type")) {
        ("GROUPS", None | Some(Value::Null)) => {
            causes.push("group_filter_type", "The field cannot be left blank.");
            None
        }
        ("GROUPS", Some(Value::String(f))) => {
            if let Err((field, cause)) = check_group_filter(f, &value) {
                causes.push(field, cause);
            }
            Some(f.clone())
        }
        ("GROUPS", Some(_)) => {
            causes.push("group_filter_type", "The field has an invalid value");
            None
        }
        // Okta drops the filter type of non-GROUPS claims.
        _ => None,
    };
    let scopes = str_list(req, &["conditions", "scopes"], &mut causes).unwrap_or_default();
    for sc in &scopes {
        if !srv.scopes.iter().any(|s| &s.name == sc) {
            causes.push(
                "conditions.scopes",
                format!("The scope '{sc}' does not exist on this authorization server."),
            );
        }
    }
    let current_id = current.map(|c| c.id.as_str());
    if !name.is_empty()
        && srv.claims.iter().any(|c| {
            c.name == name && c.claim_type == claim_type && Some(c.id.as_str()) != current_id
        })
    {
        causes.push(
            "name",
            "A claim with the same name and claim type already exists.",
        );
    }
    // RESOURCE claims always go into the access token.
    let always =
        claim_type == "RESOURCE" || bool_field(req, "alwaysIncludeInToken", false, &mut causes);
    causes.into_result()?;
    Ok(AuthClaim {
        id: current.map_or_else(|| ids::object_id("ocl"), |c| c.id.clone()),
        name,
        status,
        claim_type,
        value_type,
        value,
        group_filter_type,
        always_include_in_token: always,
        scopes,
        system: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seed;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn groups_claim(extra: Value) -> Map<String, Value> {
        let mut m = obj(
            json!({"name": "groups", "claimType": "IDENTITY", "valueType": "GROUPS",
                               "value": ".*", "group_filter_type": "REGEX",
                               "alwaysIncludeInToken": true, "conditions": {"scopes": []}}),
        );
        m.extend(obj(extra));
        m
    }

    #[test]
    fn groups_claims_are_validated() {
        let srv = seed::default_server(1);
        let c = claim(&groups_claim(json!({})), &srv, None).ok().unwrap();
        assert_eq!(c.group_filter_type.as_deref(), Some("REGEX"));
        assert!(c.always_include_in_token && !c.system);
        let bad = |extra: Value| {
            claim(&groups_claim(extra), &srv, None)
                .err()
                .unwrap()
                .causes
        };
        assert_eq!(
            bad(json!({"value": "(["})),
            ["value: The regular expression is not valid."]
        );
        assert!(bad(json!({"group_filter_type": "LIKE"}))[0].starts_with("group_filter_type:"));
        assert!(bad(json!({"group_filter_type": null}))[0].starts_with("group_filter_type:"));
        assert!(bad(json!({"claimType": "ACCESS"}))[0].starts_with("claimType:"));
        assert!(bad(json!({"valueType": "SYSTEM"}))[0].starts_with("valueType:"));
        assert!(
            bad(json!({"conditions": {"scopes": ["groups"]}}))[0].starts_with("conditions.scopes:")
        );
        // An IDENTITY `email` clashes with the system claim; a RESOURCE one does not.
        assert!(!bad(json!({"name": "email"})).is_empty());
        let r = claim(
            &groups_claim(
                json!({"name": "email", "claimType": "RESOURCE", "alwaysIncludeInToken": false}),
            ),
            &srv,
            None,
        )
        .ok()
        .unwrap();
        assert!(r.always_include_in_token);
    }

    #[test]
    fn system_claims_only_toggle_inclusion() {
        let srv = seed::default_server(1);
        let birthdate = srv.claims.iter().find(|c| c.name == "birthdate").unwrap();
        let c = claim(
            &obj(json!({"name": "x", "alwaysIncludeInToken": true})),
            &srv,
            Some(birthdate),
        )
        .ok()
        .unwrap();
        assert_eq!(c.name, "birthdate");
        assert!(c.always_include_in_token && c.system);
    }
}
