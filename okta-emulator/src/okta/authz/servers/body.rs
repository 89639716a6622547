//! A server's create or PUT body, validated with Okta's causes.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes},
    okta::fields::{enum_field, required_str, str_list},
    store::Org,
};

const ISSUER_MODES: &[&str] = &["ORG_URL", "CUSTOM_URL", "DYNAMIC"];

/// The fields a create or PUT sets.
pub struct ServerFields {
    pub name: String,
    pub description: String,
    pub audiences: Vec<String>,
    pub issuer_mode: String,
    pub rotation_mode: String,
}

/// Validates a server body; `current` is the server a PUT replaces (its own name is no
/// conflict, and an omitted issuer or rotation mode keeps its value).
pub fn fields(
    req: &Map<String, Value>,
    org: &Org,
    current: Option<usize>,
) -> ApiResult<ServerFields> {
    let mut causes = Causes::new();
    let name = required_str(req, "name", &mut causes);
    if !name.is_empty()
        && org
            .auth_servers
            .iter()
            .enumerate()
            .any(|(i, s)| Some(i) != current && s.name == name)
    {
        causes.push(
            "name",
            "An object with this field already exists in the current organization",
        );
    }
    let description = required_str(req, "description", &mut causes);
    let audiences = str_list(req, &["audiences"], &mut causes).unwrap_or_default();
    if audiences.iter().all(|a| a.trim().is_empty()) {
        causes.push("audiences", "The field cannot be left blank.");
    } else if audiences.len() > 1 {
        // Okta accepts exactly one audience per server.
        causes.push("audiences", "Only one audience is supported.");
    }
    let prev = current.map(|i| &org.auth_servers[i]);
    let issuer_mode = enum_field(
        req,
        "issuerMode",
        ISSUER_MODES,
        prev.map_or("ORG_URL", |s| s.issuer_mode.as_str()),
        &mut causes,
    );
    let signing = req
        .get("credentials")
        .and_then(|c| c.get("signing"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let rotation_mode = enum_field(
        &signing,
        "rotationMode",
        &["AUTO", "MANUAL"],
        prev.map_or("AUTO", |s| s.rotation_mode.as_str()),
        &mut causes,
    );
    causes.into_result()?;
    Ok(ServerFields {
        name,
        description,
        audiences,
        issuer_mode,
        rotation_mode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn create_bodies_are_validated() {
        let org = Org::seed(None);
        let e = fields(&obj(json!({})), &org, None).err().unwrap();
        assert_eq!(e.summary, "Api validation failed: name");
        assert_eq!(
            e.causes,
            [
                "name: The field cannot be left blank.",
                "description: The field cannot be left blank.",
                "audiences: The field cannot be left blank."
            ]
        );
        let e = fields(
            &obj(json!({"name": "default", "description": "d", "audiences": ["a"], "issuerMode": "X"})),
            &org,
            None,
        )
        .err()
        .unwrap();
        assert_eq!(e.causes.len(), 2);
        let ok = fields(
            &obj(json!({"name": "n", "description": "d", "audiences": ["a"]})),
            &org,
            None,
        )
        .ok()
        .unwrap();
        assert_eq!(
            (ok.issuer_mode.as_str(), ok.rotation_mode.as_str()),
            ("ORG_URL", "AUTO")
        );
        // A PUT keeps its own name and its modes when omitted.
        let same = fields(
            &obj(json!({"name": "default", "description": "d", "audiences": ["a"]})),
            &org,
            Some(0),
        )
        .ok()
        .unwrap();
        assert_eq!(
            (same.issuer_mode.as_str(), same.rotation_mode.as_str()),
            ("DYNAMIC", "MANUAL")
        );
    }
}
