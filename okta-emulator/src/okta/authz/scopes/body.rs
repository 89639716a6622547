//! A scope's create or PUT body, validated against the server's other scopes.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes},
    base::ids,
    okta::fields::{bool_field, enum_field, required_str},
    store::authz::{AuthScope, AuthServer},
};

fn optional_text(req: &Map<String, Value>, field: &str, causes: &mut Causes) -> Option<String> {
    match req.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            causes.push(field, "The field has an invalid value");
            None
        }
    }
}

/// Validates a scope body against the server's other scopes; `current` is the scope a PUT
/// replaces.
pub fn scope(
    req: &Map<String, Value>,
    srv: &AuthServer,
    current: Option<&AuthScope>,
) -> ApiResult<AuthScope> {
    let mut causes = Causes::new();
    let name = required_str(req, "name", &mut causes);
    if name.chars().any(char::is_whitespace) {
        causes.push("name", "The scope name must not contain whitespace.");
    } else if !name.is_empty()
        && srv
            .scopes
            .iter()
            .any(|s| s.name == name && Some(s.id.as_str()) != current.map(|c| c.id.as_str()))
    {
        causes.push(
            "name",
            "An object with this field already exists in the current organization",
        );
    }
    if let Some(c) = current.filter(|c| c.system && c.name != name) {
        causes.push(
            "name",
            format!("The system scope '{}' cannot be renamed.", c.name),
        );
    }
    let scope = AuthScope {
        id: current.map_or_else(|| ids::object_id("scp"), |c| c.id.clone()),
        display_name: optional_text(req, "displayName", &mut causes),
        description: optional_text(req, "description", &mut causes),
        system: current.is_some_and(|c| c.system),
        metadata_publish: enum_field(
            req,
            "metadataPublish",
            &["ALL_CLIENTS", "NO_CLIENTS"],
            "NO_CLIENTS",
            &mut causes,
        ),
        consent: enum_field(
            req,
            "consent",
            &["IMPLICIT", "REQUIRED", "FLEXIBLE"],
            "IMPLICIT",
            &mut causes,
        ),
        default: bool_field(req, "default", false, &mut causes),
        optional: bool_field(req, "optional", false, &mut causes),
        name,
    };
    causes.into_result()?;
    Ok(scope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seed;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn scopes_are_validated() {
        let srv = seed::default_server(1);
        let sc = scope(&obj(json!({"name": "groups"})), &srv, None)
            .ok()
            .unwrap();
        assert_eq!(
            (sc.metadata_publish.as_str(), sc.consent.as_str(), sc.system),
            ("NO_CLIENTS", "IMPLICIT", false)
        );
        assert!(scope(&obj(json!({"name": "openid"})), &srv, None).is_err());
        assert!(scope(&obj(json!({"name": "a b"})), &srv, None).is_err());
        assert!(scope(&obj(json!({"name": "x", "consent": "NEVER"})), &srv, None).is_err());
        let openid = srv.scopes[0].clone();
        let renamed = scope(&obj(json!({"name": "oid"})), &srv, Some(&openid));
        assert!(renamed.is_err());
        let kept = scope(
            &obj(json!({"name": "openid", "metadataPublish": "ALL_CLIENTS"})),
            &srv,
            Some(&openid),
        )
        .ok()
        .unwrap();
        assert!(kept.system);
        assert_eq!(kept.id, openid.id);
    }
}
