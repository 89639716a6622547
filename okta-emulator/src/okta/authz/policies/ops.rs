//! Operations on a server's access policies: list, find, create, replace, delete and
//! lifecycle. The server's policies stay sorted by priority (stable: ties keep creation order).

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    okta::authz::{policies::body, servers},
    store::authz::AuthPolicy,
    store::{Org, Status},
};

const POLICY_KIND: &str = "AuthorizationServerPolicy";

/// `(server index, policy index)` of `{as}/policies/{pid}`.
fn position(org: &Org, as_key: &str, pid: &str) -> ApiResult<(usize, usize)> {
    let i = servers::ops::server_index(org, as_key)?;
    let j = org.auth_servers[i]
        .policies
        .iter()
        .position(|p| p.id == pid)
        .ok_or_else(|| OktaError::not_found(pid, POLICY_KIND))?;
    Ok((i, j))
}

/// The policies of server `as_key`, in priority order.
pub fn list<'o>(org: &'o Org, as_key: &str) -> ApiResult<&'o [AuthPolicy]> {
    Ok(&servers::ops::find(org, as_key)?.policies)
}

pub fn find<'o>(org: &'o Org, as_key: &str, pid: &str) -> ApiResult<&'o AuthPolicy> {
    let (i, j) = position(org, as_key, pid)?;
    Ok(&org.auth_servers[i].policies[j])
}

/// The policy `pid` of server `as_key`, to change it or its rules.
pub fn find_mut<'o>(org: &'o mut Org, as_key: &str, pid: &str) -> ApiResult<&'o mut AuthPolicy> {
    let (i, j) = position(org, as_key, pid)?;
    Ok(&mut org.auth_servers[i].policies[j])
}

/// Puts `policy` at its priority among `policies` and returns it there.
fn insert_sorted(
    policies: &mut Vec<AuthPolicy>,
    at: Option<usize>,
    policy: AuthPolicy,
) -> &AuthPolicy {
    let id = policy.id.clone();
    match at {
        Some(j) => policies[j] = policy,
        None => policies.push(policy),
    }
    policies.sort_by_key(|p| p.priority);
    policies.iter().find(|p| p.id == id).expect("just stored")
}

/// Adds a policy; without a `priority` it goes after the server's last one.
pub fn create<'o>(
    org: &'o mut Org,
    as_key: &str,
    req: &Map<String, Value>,
    now: i64,
) -> ApiResult<&'o AuthPolicy> {
    let srv = servers::ops::find_mut(org, as_key)?;
    let next = srv.policies.iter().map(|p| p.priority).max().unwrap_or(0) + 1;
    let p = body::policy(req, next, None, now)?;
    Ok(insert_sorted(&mut srv.policies, None, p))
}

/// Full-replace PUT; the policy keeps its status, rules and creation time.
pub fn replace<'o>(
    org: &'o mut Org,
    as_key: &str,
    pid: &str,
    req: &Map<String, Value>,
    now: i64,
) -> ApiResult<&'o AuthPolicy> {
    let (i, j) = position(org, as_key, pid)?;
    let srv = &mut org.auth_servers[i];
    let p = body::policy(req, 1, Some(&srv.policies[j]), now)?;
    Ok(insert_sorted(&mut srv.policies, Some(j), p))
}

pub fn delete(org: &mut Org, as_key: &str, pid: &str) -> ApiResult<()> {
    let (i, j) = position(org, as_key, pid)?;
    org.auth_servers[i].policies.remove(j);
    Ok(())
}

/// Activates or deactivates; `lastUpdated` moves only when the status does.
pub fn set_status(
    org: &mut Org,
    as_key: &str,
    pid: &str,
    status: Status,
    now: i64,
) -> ApiResult<()> {
    let p = find_mut(org, as_key, pid)?;
    if p.status != status {
        p.status = status;
        p.last_updated = now;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(name: &str, priority: Option<i64>) -> Map<String, Value> {
        let mut b = json!({"name": name, "description": "d",
                           "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}});
        if let Some(p) = priority {
            b["priority"] = json!(p);
        }
        b.as_object().cloned().unwrap()
    }

    #[test]
    fn policies_are_kept_in_priority_order() {
        let mut org = Org::seed(None);
        let a = create(&mut org, "default", &body("a", None), 5).unwrap();
        assert_eq!(a.created, 5);
        let a = a.id.clone();
        let b = create(&mut org, "default", &body("b", None), 6)
            .unwrap()
            .id
            .clone();
        let at = |org: &Org, id: &str| {
            list(org, "default")
                .unwrap()
                .iter()
                .position(|p| p.id == id)
                .unwrap()
        };
        assert!(at(&org, &a) < at(&org, &b));
        let moved = replace(&mut org, "default", &b, &body("b", Some(1)), 7).unwrap();
        assert_eq!((moved.priority, moved.last_updated), (1, 7));
        assert!(at(&org, &b) < at(&org, &a));
        set_status(&mut org, "default", &b, Status::Inactive, 9).unwrap();
        assert_eq!(find(&org, "default", &b).unwrap().status, Status::Inactive);
        delete(&mut org, "default", &b).unwrap();
        assert!(find(&org, "default", &b).is_err());
    }

    #[test]
    fn unknown_policies_are_404() {
        let org = Org::seed(None);
        let e = find(&org, "default", "00p404").unwrap_err();
        assert!(e.summary.ends_with("00p404 (AuthorizationServerPolicy)"));
    }
}
