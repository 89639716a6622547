//! Operations on a policy's rules: list, find, create, replace, delete, lifecycle. Lists are
//! ordered by priority, then creation, with the default (system) rule always last, where Okta
//! evaluates it.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    base::ids,
    okta::policies::{ops as policies, rules::body},
    store::policies::{rule_prefix, PolicyRule, RULE_KIND},
    store::{Org, Status},
};

pub fn list<'o>(org: &'o Org, pid: &str) -> ApiResult<Vec<&'o PolicyRule>> {
    let p = policies::find(org, pid)?;
    let mut rules: Vec<&PolicyRule> = p.rules.iter().collect();
    rules.sort_by_key(|r| (r.system, r.priority, r.seq));
    Ok(rules)
}

pub fn find<'o>(org: &'o Org, pid: &str, rid: &str) -> ApiResult<&'o PolicyRule> {
    policies::find(org, pid)?
        .rule(rid)
        .ok_or_else(|| OktaError::not_found(rid, RULE_KIND))
}

fn forbidden(cause: &str) -> OktaError {
    OktaError::new(
        StatusCode::FORBIDDEN,
        "E0000006",
        "You do not have permission to perform the requested action",
    )
    .with_cause(cause)
}

/// Adds a rule and returns its id. Without a `priority` it goes after the other rules
/// (before the default rule). `activate` is the query parameter (Okta's default: true).
pub fn create(
    org: &mut Org,
    pid: &str,
    req: &Map<String, Value>,
    activate: bool,
    now: i64,
) -> ApiResult<String> {
    let p = policies::find(org, pid)?;
    let fields = body::rule(req, p, None)?;
    let next = p
        .rules
        .iter()
        .filter(|r| !r.system)
        .map(|r| r.priority)
        .max()
        .unwrap_or(0)
        + 1;
    let rule_type = p.rule_type().to_string();
    let id = ids::object_id(rule_prefix(&p.policy_type));
    let seq = org.next_seq();
    let p = policies::find_mut(org, pid)?;
    p.rules.push(PolicyRule {
        id: id.clone(),
        seq,
        rule_type,
        name: fields.name,
        priority: fields.priority.unwrap_or(next),
        system: false,
        status: if activate {
            fields.status
        } else {
            Status::Inactive
        },
        conditions: fields.conditions,
        actions: fields.actions,
        created: now,
        last_updated: now,
    });
    Ok(id)
}

/// Full-replace PUT; the rule keeps its id, type and creation time (and, for the default
/// rule, its name, priority and conditions).
pub fn replace<'o>(
    org: &'o mut Org,
    pid: &str,
    rid: &str,
    req: &Map<String, Value>,
    now: i64,
) -> ApiResult<&'o PolicyRule> {
    let p = policies::find(org, pid)?;
    let current = p
        .rule(rid)
        .ok_or_else(|| OktaError::not_found(rid, RULE_KIND))?;
    let fields = body::rule(req, p, Some(current))?;
    let r = policies::find_mut(org, pid)?
        .rule_mut(rid)
        .expect("found above");
    r.name = fields.name;
    if let Some(priority) = fields.priority {
        r.priority = priority;
    }
    if !r.system {
        r.status = fields.status;
    }
    r.conditions = fields.conditions;
    r.actions = fields.actions;
    r.last_updated = now;
    Ok(r)
}

/// Deletes a rule; the default rule cannot be deleted.
pub fn delete(org: &mut Org, pid: &str, rid: &str) -> ApiResult<()> {
    if find(org, pid, rid)?.system {
        return Err(forbidden("The default rule cannot be deleted."));
    }
    policies::find_mut(org, pid)?.rules.retain(|r| r.id != rid);
    Ok(())
}

pub fn set_status(org: &mut Org, pid: &str, rid: &str, status: Status, now: i64) -> ApiResult<()> {
    let r = find(org, pid, rid)?;
    if r.status == status {
        return Ok(());
    }
    if r.system {
        return Err(forbidden("The default rule cannot be deactivated."));
    }
    let r = policies::find_mut(org, pid)?
        .rule_mut(rid)
        .expect("found above");
    r.status = status;
    r.last_updated = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn allow(name: &str) -> Map<String, Value> {
        obj(json!({"name": name, "actions": {"appSignOn": {"access": "ALLOW"}}}))
    }

    #[test]
    fn rules_crud_and_lifecycle() {
        let mut org = Org::seed(None);
        let pid = org.access_policy_id.clone();
        let a = create(&mut org, &pid, &allow("a"), true, 1).unwrap();
        let b = create(&mut org, &pid, &allow("b"), false, 1).unwrap();
        assert!(a.starts_with("rul"));
        let names: Vec<&str> = list(&org, &pid)
            .unwrap()
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b", "Catch-all Rule"]);
        assert_eq!(find(&org, &pid, &b).unwrap().status, Status::Inactive);
        set_status(&mut org, &pid, &b, Status::Active, 2).unwrap();
        let r = replace(&mut org, &pid, &a, &allow("a2"), 3).unwrap();
        assert_eq!((r.name.as_str(), r.last_updated), ("a2", 3));
        delete(&mut org, &pid, &a).unwrap();
        assert_eq!(
            find(&org, &pid, &a).unwrap_err().summary,
            format!("Not found: Resource not found: {a} (PolicyRule)")
        );
    }

    #[test]
    fn the_default_rule_stays() {
        let mut org = Org::seed(None);
        let pid = org.access_policy_id.clone();
        let default = list(&org, &pid).unwrap()[0].id.clone();
        assert_eq!(
            delete(&mut org, &pid, &default).unwrap_err().code,
            "E0000006"
        );
        assert!(set_status(&mut org, &pid, &default, Status::Inactive, 1).is_err());
        let deny = obj(json!({"name": "x", "actions": {"appSignOn": {"access": "DENY"}}}));
        let r = replace(&mut org, &pid, &default, &deny, 2).unwrap();
        assert_eq!(r.name, "Catch-all Rule");
        assert_eq!(r.actions["appSignOn"]["access"], "DENY");
        assert_eq!(
            list(&org, "rstNOPE").unwrap_err().status,
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn sign_on_rules_have_the_sign_on_type() {
        let mut org = Org::seed(None);
        let pid = org
            .policies
            .iter()
            .find(|p| p.policy_type == "OKTA_SIGN_ON")
            .unwrap()
            .id
            .clone();
        let req = obj(json!({"name": "r", "type": "SIGN_ON",
            "actions": {"signon": {"access": "ALLOW"}}}));
        let id = create(&mut org, &pid, &req, true, 1).unwrap();
        let r = find(&org, &pid, &id).unwrap();
        assert_eq!(r.rule_type, "SIGN_ON");
        assert!(id.starts_with("0pr"));
        assert_eq!(r.priority, 1);
    }
}
