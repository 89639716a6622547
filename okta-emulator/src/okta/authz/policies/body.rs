//! A policy's create or PUT body, and the `type` and `priority` readers rules share.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes},
    base::ids,
    okta::fields::{required_str, status_field, str_list},
    store::authz::AuthPolicy,
};

/// `type`: absent, or exactly `expected`.
pub fn type_field(req: &Map<String, Value>, expected: &str, causes: &mut Causes) {
    match req.get("type") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) if t == expected => {}
        Some(_) => causes.push("type", format!("'type' must be {expected}.")),
    }
}

/// `priority`: a positive integer, or `default` when absent.
pub fn priority_field(req: &Map<String, Value>, default: i64, causes: &mut Causes) -> i64 {
    match req.get("priority") {
        None | Some(Value::Null) => default,
        Some(v) => match v.as_i64() {
            Some(p) if p >= 1 => p,
            _ => {
                causes.push("priority", "The field has an invalid value");
                default
            }
        },
    }
}

/// Validates a policy body; `current` is the policy a PUT replaces (it keeps its id, status,
/// rules and creation time), `default_priority` the priority of a body without one.
pub fn policy(
    req: &Map<String, Value>,
    default_priority: i64,
    current: Option<&AuthPolicy>,
    now: i64,
) -> ApiResult<AuthPolicy> {
    let mut causes = Causes::new();
    type_field(req, "OAUTH_AUTHORIZATION_POLICY", &mut causes);
    let name = required_str(req, "name", &mut causes);
    let description = required_str(req, "description", &mut causes);
    let priority = priority_field(
        req,
        current.map_or(default_priority, |c| c.priority),
        &mut causes,
    );
    let clients =
        str_list(req, &["conditions", "clients", "include"], &mut causes).unwrap_or_default();
    if clients.is_empty() {
        causes.push(
            "conditions.clients.include",
            "The field cannot be left blank.",
        );
    }
    let status = match current {
        // Status changes go through the lifecycle endpoints.
        Some(c) => c.status,
        None => status_field(req, &mut causes),
    };
    causes.into_result()?;
    Ok(AuthPolicy {
        id: current.map_or_else(|| ids::object_id("00p"), |c| c.id.clone()),
        name,
        description,
        priority,
        status,
        system: current.is_some_and(|c| c.system),
        clients,
        rules: current.map(|c| c.rules.clone()).unwrap_or_default(),
        created: current.map_or(now, |c| c.created),
        last_updated: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Status;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn policies_need_name_description_and_clients() {
        let e = policy(&obj(json!({"type": "X"})), 1, None, 0)
            .err()
            .unwrap();
        assert_eq!(e.causes.len(), 4);
        let p = policy(
            &obj(json!({"name": "p", "description": "d", "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}})),
            3,
            None,
            0,
        )
        .ok()
        .unwrap();
        assert_eq!((p.priority, p.status), (3, Status::Active));
        assert!(p.id.starts_with("00p"));
    }
}
