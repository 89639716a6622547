//! Okta's checks of a policy-rule create or PUT body, and the shape Okta gives an access
//! policy rule back (recorded: defaults added, keys reordered, fields the verification method
//! type does not use dropped).

use serde_json::{json, Map, Value};

use crate::{
    base::errors::{ApiResult, Causes},
    okta::fields::required_str,
    okta::policies::body::object_or_null,
    store::policies::{Policy, PolicyRule, ACCESS_POLICY},
    store::Status,
};

/// What a body sets on a rule.
pub struct RuleFields {
    pub name: String,
    pub priority: Option<i64>,
    pub status: Status,
    pub conditions: Value,
    pub actions: Value,
}

/// Checks `req` for a rule of `policy`; `current` is the rule a PUT replaces. The default
/// (system) rule keeps its name, priority and conditions: only its actions change.
pub fn rule(
    req: &Map<String, Value>,
    policy: &Policy,
    current: Option<&PolicyRule>,
) -> ApiResult<RuleFields> {
    let mut causes = Causes::new();
    let mut name = required_str(req, "name", &mut causes);
    if name.chars().count() > 255 {
        causes.push("name", "The field cannot exceed 255 characters.");
    }
    match req.get("type") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) if t == policy.rule_type() => {}
        Some(_) => causes.push(
            "type",
            format!("The rule type must be {}.", policy.rule_type()),
        ),
    }
    let mut priority = match req.get("priority") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(n) if n >= 0 => Some(n),
            _ => {
                causes.push("priority", "The field has an invalid value");
                None
            }
        },
    };
    let status = match req.get("status") {
        None | Some(Value::Null) => current.map_or(Status::Active, |r| r.status),
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
    let mut conditions = object_or_null(req, "conditions", &mut causes);
    let mut actions = object_or_null(req, "actions", &mut causes);
    if policy.policy_type == ACCESS_POLICY {
        actions = access_actions(&actions, &mut causes);
        conditions = access_conditions(&conditions);
    }
    if let Some(r) = current.filter(|r| r.system) {
        name = r.name.clone();
        priority = Some(r.priority);
        conditions = r.conditions.clone();
    }
    causes.into_result()?;
    Ok(RuleFields {
        name,
        priority,
        status,
        conditions,
        actions,
    })
}

/// Moves `keys` (those present) to the front of `m`, in that order.
fn ordered(m: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for k in keys {
        if let Some(v) = m.get(*k) {
            out.insert((*k).to_string(), v.clone());
        }
    }
    for (k, v) in m {
        if !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// `{include, exclude}` with both lists present.
fn include_exclude(v: Option<&Value>) -> Value {
    let mut m = v.and_then(Value::as_object).cloned().unwrap_or_default();
    m.entry("exclude").or_insert_with(|| json!([]));
    Value::Object(ordered(&m, &["include", "exclude"]))
}

/// An access policy rule's conditions as Okta returns them: `people.users.exclude` and
/// `userType` always present, an empty `platform` dropped, platform entries as
/// `{type, os:{type, expression}}` without null expressions.
fn access_conditions(conditions: &Value) -> Value {
    let mut m = conditions.as_object().cloned().unwrap_or_default();
    let mut people = m
        .get("people")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    people.insert("users".into(), include_exclude(people.get("users")));
    if people.contains_key("groups") {
        people.insert("groups".into(), include_exclude(people.get("groups")));
    }
    m.insert(
        "people".into(),
        Value::Object(ordered(&people, &["users", "groups"])),
    );
    match m.get("platform").and_then(Value::as_object) {
        Some(p) if p.get("include").is_some_and(|i| !i.is_null()) => {
            let include: Vec<Value> = p["include"]
                .as_array()
                .map(|items| items.iter().map(platform_entry).collect())
                .unwrap_or_default();
            let mut platform = p.clone();
            platform.insert("include".into(), Value::Array(include));
            platform.entry("exclude").or_insert_with(|| json!([]));
            m.insert(
                "platform".into(),
                Value::Object(ordered(&platform, &["include", "exclude"])),
            );
        }
        _ => {
            m.remove("platform");
        }
    }
    let user_type = m.get("userType").cloned();
    let mut ut = user_type
        .as_ref()
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    ut.entry("include").or_insert_with(|| json!([]));
    ut.entry("exclude").or_insert_with(|| json!([]));
    m.insert(
        "userType".into(),
        Value::Object(ordered(&ut, &["include", "exclude"])),
    );
    Value::Object(ordered(
        &m,
        &[
            "people",
            "network",
            "riskScore",
            "device",
            "platform",
            "elCondition",
            "userType",
        ],
    ))
}

fn platform_entry(entry: &Value) -> Value {
    let Some(e) = entry.as_object() else {
        return entry.clone();
    };
    let mut e = e.clone();
    if let Some(os) = e.get("os").and_then(Value::as_object) {
        let mut os = os.clone();
        if os.get("expression").is_some_and(Value::is_null) {
            os.remove("expression");
        }
        e.insert(
            "os".into(),
            Value::Object(ordered(&os, &["type", "expression"])),
        );
    }
    Value::Object(ordered(&e, &["type", "os"]))
}

/// An access policy rule's `actions.appSignOn`: `access` ALLOW or DENY, a verification method
/// of a known type, `keepMeSignedIn` defaulting to `NOT_ALLOWED`.
fn access_actions(actions: &Value, causes: &mut Causes) -> Value {
    let Some(app) = actions.get("appSignOn").and_then(Value::as_object) else {
        causes.push("actions", "The field cannot be left blank.");
        return actions.clone();
    };
    let mut app = app.clone();
    match app.get("access").and_then(Value::as_str) {
        Some("ALLOW" | "DENY") => {}
        _ => causes.push(
            "access",
            "'access' must be one of the following values: [ALLOW, DENY]",
        ),
    }
    if let Some(vm) = app.get("verificationMethod").and_then(Value::as_object) {
        let mut vm = vm.clone();
        match vm.get("type").and_then(Value::as_str) {
            Some("ASSURANCE") => {
                if let Some(mode) = vm.get("factorMode") {
                    if !matches!(mode.as_str(), Some("1FA" | "2FA")) {
                        causes.push(
                            "factorMode",
                            "'factorMode' must be one of the following values: [1FA, 2FA]",
                        );
                    }
                }
                vm = ordered(
                    &vm,
                    &[
                        "factorMode",
                        "type",
                        "reauthenticateIn",
                        "inactivityPeriod",
                        "constraints",
                    ],
                );
            }
            Some("AUTH_METHOD_CHAIN") => {
                // A chain sets its own factors and session: Okta drops these two.
                vm.remove("factorMode");
                vm.remove("inactivityPeriod");
                vm = ordered(&vm, &["type", "chains", "reauthenticateIn"]);
            }
            Some("ID_PROOFING") => {}
            _ => causes.push(
                "verificationMethod",
                "'type' must be one of the following values: [ASSURANCE, AUTH_METHOD_CHAIN, ID_PROOFING]",
            ),
        }
        app.insert("verificationMethod".into(), Value::Object(vm));
    }
    app.entry("keepMeSignedIn")
        .or_insert_with(|| json!({"postAuth": "NOT_ALLOWED"}));
    let mut out = actions.as_object().cloned().unwrap_or_default();
    out.insert(
        "appSignOn".into(),
        Value::Object(ordered(
            &app,
            &["access", "verificationMethod", "keepMeSignedIn"],
        )),
    );
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Org;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn access(org: &Org) -> &Policy {
        org.policy(&org.access_policy_id).unwrap()
    }

    #[test]
    fn an_access_rule_is_shaped_as_recorded() {
        let org = Org::seed(None);
        let req = obj(json!({
            "actions": {"appSignOn": {"access": "ALLOW", "verificationMethod":
                {"factorMode": "2FA", "reauthenticateIn": "PT2H", "type": "ASSURANCE"}}},
            "conditions": {"network": {"connection": "ANYWHERE"},
                "platform": {"include": [{"os": {"expression": "", "type": "OTHER"}, "type": "DESKTOP"}]}},
            "name": "r", "priority": 0, "type": "ACCESS_POLICY"
        }));
        let f = rule(&req, access(&org), None).unwrap();
        assert_eq!(
            f.conditions,
            json!({"people": {"users": {"exclude": []}}, "network": {"connection": "ANYWHERE"},
                   "platform": {"include": [{"type": "DESKTOP", "os": {"type": "OTHER", "expression": ""}}], "exclude": []},
                   "userType": {"include": [], "exclude": []}})
        );
        assert_eq!(
            serde_json::to_string(&f.actions).unwrap(),
            r#"{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"2FA","type":"ASSURANCE","reauthenticateIn":"PT2H"},"keepMeSignedIn":{"postAuth":"NOT_ALLOWED"}}}"#
        );
        assert_eq!(f.priority, Some(0));
    }

    #[test]
    fn an_empty_platform_is_dropped_and_chains_lose_factor_mode() {
        let org = Org::seed(None);
        let req = obj(json!({
            "actions": {"appSignOn": {"access": "ALLOW", "verificationMethod":
                {"factorMode": "2FA", "inactivityPeriod": "PT1H", "reauthenticateIn": "PT0S",
                 "type": "AUTH_METHOD_CHAIN", "chains": []}}},
            "conditions": {"network": {"connection": "ANYWHERE"}, "platform": {}},
            "name": "r"
        }));
        let f = rule(&req, access(&org), None).unwrap();
        assert!(f.conditions.get("platform").is_none());
        assert_eq!(
            f.actions["appSignOn"]["verificationMethod"],
            json!({"type": "AUTH_METHOD_CHAIN", "chains": [], "reauthenticateIn": "PT0S"})
        );
    }

    #[test]
    fn bad_fields_are_causes() {
        let org = Org::seed(None);
        let req = obj(json!({
            "actions": {"appSignOn": {"access": "MAYBE"}},
            "name": "", "type": "PASSWORD", "status": "ON"
        }));
        let err = rule(&req, access(&org), None).err().unwrap();
        assert_eq!(err.code, "E0000001");
        assert_eq!(err.causes.len(), 4);
        let err = rule(&obj(json!({"name": "x"})), access(&org), None)
            .err()
            .unwrap();
        assert_eq!(err.summary, "Api validation failed: actions");
    }

    #[test]
    fn the_default_rule_keeps_name_and_conditions() {
        let org = Org::seed(None);
        let p = access(&org);
        let req = obj(json!({"name": "renamed", "priority": 1,
            "conditions": {"network": {"connection": "ZONE"}},
            "actions": {"appSignOn": {"access": "DENY"}}}));
        let f = rule(&req, p, Some(&p.rules[0])).unwrap();
        assert_eq!(f.name, "Catch-all Rule");
        assert_eq!(f.priority, Some(99));
        assert!(f.conditions.is_null());
        assert_eq!(f.actions["appSignOn"]["access"], "DENY");
    }
}
