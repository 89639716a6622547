//! Okta's checks of a policy create or PUT body, collecting every cause into one 400
//! `E0000001` as Okta does.

use serde_json::{Map, Value};

use axum::http::StatusCode;

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    okta::fields::required_str,
    store::policies::Policy,
    store::Status,
};

/// What a body sets on a policy.
pub struct PolicyFields {
    pub policy_type: String,
    pub name: String,
    pub description: Option<String>,
    pub priority: Option<i64>,
    pub status: Status,
    pub conditions: Value,
    pub settings: Option<Value>,
}

/// The policy types clients may create (the list's types less those only Okta makes).
const CREATABLE: &[&str] = &[
    "OKTA_SIGN_ON",
    "PASSWORD",
    "MFA_ENROLL",
    "IDP_DISCOVERY",
    "ACCESS_POLICY",
    "PROFILE_ENROLLMENT",
];

/// Checks `req`; `current` is the policy a PUT replaces (its type and system name stay).
pub fn policy(req: &Map<String, Value>, current: Option<&Policy>) -> ApiResult<PolicyFields> {
    let policy_type = match (req.get("type"), current) {
        (None | Some(Value::Null), Some(p)) => p.policy_type.clone(),
        (Some(Value::String(t)), Some(p)) if *t == p.policy_type => t.clone(),
        (Some(Value::String(t)), None) if CREATABLE.contains(&t.as_str()) => t.clone(),
        // A type Okta does not know, none at all on create, or a change of type.
        _ => return Err(invalid_type()),
    };
    let mut causes = Causes::new();
    let mut name = required_str(req, "name", &mut causes);
    if name.chars().count() > 255 {
        causes.push("name", "The field cannot exceed 255 characters.");
    }
    if let Some(p) = current.filter(|p| p.system) {
        if !name.is_empty() && name != p.name {
            causes.push("name", "The name of a default policy cannot be changed.");
        }
        name = p.name.clone();
    }
    let description = match req.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() > 1024 => {
            causes.push("description", "The field cannot exceed 1024 characters.");
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            causes.push("description", "The field has an invalid value");
            None
        }
    };
    let priority = match req.get("priority") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 => Some(n),
            _ => {
                causes.push("priority", "The field has an invalid value");
                None
            }
        },
    };
    let status = match req.get("status") {
        None | Some(Value::Null) => current.map_or(Status::Active, |p| p.status),
        Some(Value::String(s)) if s == "ACTIVE" => Status::Active,
        Some(Value::String(s)) if s == "INACTIVE" => Status::Inactive,
        Some(_) => {
            causes.push(
                "status",
                "'status' must be one of the following values: [ACTIVE, INACTIVE]",
            );
            Status::Active
        }
    };
    let conditions = object_or_null(req, "conditions", &mut causes);
    let settings = match object_or_null(req, "settings", &mut causes) {
        Value::Null => None,
        v => Some(v),
    };
    causes.into_result()?;
    Ok(PolicyFields {
        policy_type,
        name,
        description,
        priority,
        status,
        conditions,
        settings,
    })
}

/// Okta's answer to a `type` it does not know (400 `E0000002`).
pub fn invalid_type() -> OktaError {
    OktaError::new(
        StatusCode::BAD_REQUEST,
        "E0000002",
        "The request was not valid: Invalid policy type specified.",
    )
}

/// An optional JSON object field, kept as sent (`null` when absent).
pub fn object_or_null(req: &Map<String, Value>, field: &str, causes: &mut Causes) -> Value {
    match req.get(field) {
        None | Some(Value::Null) => Value::Null,
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => {
            causes.push(field, "The field has an invalid value");
            Value::Null
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn name_is_required_and_type_known() {
        let err = policy(&obj(json!({"type": "ACCESS_POLICY"})), None)
            .err()
            .unwrap();
        assert_eq!(err.summary, "Api validation failed: name");
        let err = policy(&obj(json!({"type": "NOPE", "name": "x"})), None)
            .err()
            .unwrap();
        assert_eq!(err.code, "E0000002");
        let err = policy(&obj(json!({"name": "x"})), None).err().unwrap();
        assert_eq!(err.code, "E0000002");
    }

    #[test]
    fn every_bad_field_is_a_cause() {
        let err = policy(
            &obj(json!({"type": "PASSWORD", "name": "", "priority": 0, "status": "ON", "settings": 1})),
            None,
        )
        .err()
        .unwrap();
        assert_eq!(err.causes.len(), 4);
    }
}
