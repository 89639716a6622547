//! Operations on a policy's rules: list, find, create, replace, delete and lifecycle. A
//! policy's rules stay sorted by priority (stable: ties keep creation order).

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    okta::authz::policies::{self, rules::body},
    store::authz::{AuthPolicy, PolicyRule},
    store::{Org, Status},
};

const RULE_KIND: &str = "AuthorizationServerPolicyRule";

fn rule_index(policy: &AuthPolicy, rid: &str) -> ApiResult<usize> {
    policy
        .rules
        .iter()
        .position(|r| r.id == rid)
        .ok_or_else(|| OktaError::not_found(rid, RULE_KIND))
}

/// Puts `rule` at its priority among `rules` and returns it there.
fn insert_sorted(rules: &mut Vec<PolicyRule>, at: Option<usize>, rule: PolicyRule) -> &PolicyRule {
    let id = rule.id.clone();
    match at {
        Some(k) => rules[k] = rule,
        None => rules.push(rule),
    }
    rules.sort_by_key(|r| r.priority);
    rules.iter().find(|r| r.id == id).expect("just stored")
}

/// The rules of policy `pid`, in priority order.
pub fn list<'o>(org: &'o Org, as_key: &str, pid: &str) -> ApiResult<&'o [PolicyRule]> {
    Ok(&policies::ops::find(org, as_key, pid)?.rules)
}

pub fn find<'o>(org: &'o Org, as_key: &str, pid: &str, rid: &str) -> ApiResult<&'o PolicyRule> {
    let policy = policies::ops::find(org, as_key, pid)?;
    Ok(&policy.rules[rule_index(policy, rid)?])
}

/// Adds a rule; without a `priority` it goes after the policy's last one.
pub fn create<'o>(
    org: &'o mut Org,
    as_key: &str,
    pid: &str,
    req: &Map<String, Value>,
    now: i64,
) -> ApiResult<&'o PolicyRule> {
    let policy = policies::ops::find_mut(org, as_key, pid)?;
    let next = policy.rules.iter().map(|r| r.priority).max().unwrap_or(0) + 1;
    let rule = body::rule(req, next, None, now)?;
    Ok(insert_sorted(&mut policy.rules, None, rule))
}

/// Full-replace PUT; the rule keeps its status and creation time.
pub fn replace<'o>(
    org: &'o mut Org,
    as_key: &str,
    pid: &str,
    rid: &str,
    req: &Map<String, Value>,
    now: i64,
) -> ApiResult<&'o PolicyRule> {
    let policy = policies::ops::find_mut(org, as_key, pid)?;
    let k = rule_index(policy, rid)?;
    let rule = body::rule(req, 1, Some(&policy.rules[k]), now)?;
    Ok(insert_sorted(&mut policy.rules, Some(k), rule))
}

pub fn delete(org: &mut Org, as_key: &str, pid: &str, rid: &str) -> ApiResult<()> {
    let policy = policies::ops::find_mut(org, as_key, pid)?;
    let k = rule_index(policy, rid)?;
    policy.rules.remove(k);
    Ok(())
}

/// Activates or deactivates; `lastUpdated` moves only when the status does.
pub fn set_status(
    org: &mut Org,
    as_key: &str,
    pid: &str,
    rid: &str,
    status: Status,
    now: i64,
) -> ApiResult<()> {
    let policy = policies::ops::find_mut(org, as_key, pid)?;
    let k = rule_index(policy, rid)?;
    let rule = &mut policy.rules[k];
    if rule.status != status {
        rule.status = status;
        rule.last_updated = now;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(name: &str, priority: Option<i64>) -> Map<String, Value> {
        let mut b = json!({"name": name,
            "conditions": {"grantTypes": {"include": ["authorization_code"]},
                           "people": {"groups": {"include": ["EVERYONE"]}}}});
        if let Some(p) = priority {
            b["priority"] = json!(p);
        }
        b.as_object().cloned().unwrap()
    }

    fn default_policy(org: &Org) -> String {
        policies::ops::list(org, "default").unwrap()[0].id.clone()
    }

    #[test]
    fn rules_are_kept_in_priority_order() {
        let mut org = Org::seed(None);
        let pid = default_policy(&org);
        let a = create(&mut org, "default", &pid, &body("a", None), 5)
            .unwrap()
            .id
            .clone();
        let b = create(&mut org, "default", &pid, &body("b", None), 6)
            .unwrap()
            .id
            .clone();
        let at = |org: &Org, id: &str| {
            list(org, "default", &pid)
                .unwrap()
                .iter()
                .position(|r| r.id == id)
                .unwrap()
        };
        assert!(at(&org, &a) < at(&org, &b));
        let moved = replace(&mut org, "default", &pid, &b, &body("b", Some(1)), 7).unwrap();
        assert_eq!(
            (moved.priority, moved.created, moved.last_updated),
            (1, 6, 7)
        );
        assert!(at(&org, &b) < at(&org, &a));
        set_status(&mut org, "default", &pid, &a, Status::Inactive, 8).unwrap();
        assert_eq!(find(&org, "default", &pid, &a).unwrap().last_updated, 8);
        delete(&mut org, "default", &pid, &a).unwrap();
        let e = find(&org, "default", &pid, &a).unwrap_err();
        assert!(e.summary.ends_with("(AuthorizationServerPolicyRule)"));
    }

    #[test]
    fn rules_of_an_unknown_policy_are_404() {
        let mut org = Org::seed(None);
        let e = create(&mut org, "default", "00p404", &body("a", None), 5).unwrap_err();
        assert!(e.summary.ends_with("00p404 (AuthorizationServerPolicy)"));
    }
}
