//! Access-policy evaluation of a custom authorization server at `/authorize`: the first ACTIVE
//! policy (by priority) whose clients include the app, then its first ACTIVE rule (by priority)
//! matching the grant type and the user; the rule decides the scopes and token lifetimes. OIDC
//! scopes are granted by any matching rule.

use crate::store::oidc::Lifetimes;
use crate::{
    store::authz::{AuthServer, PolicyRule},
    store::{Org, Status},
};

pub const POLICY_FAILED: &str =
    "Policy evaluation failed for this request, please check the policy configurations.";
pub const ALL_SCOPES_REJECTED: &str =
    "Policy evaluation succeeded, but all the requested scopes were rejected.";

const OIDC_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
];

/// Why access was refused (each is an `access_denied` with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("{POLICY_FAILED}")]
    NoPolicy,
    #[error("Some of the requested scopes were denied by the policy. Denied scopes: [{}].", .0.join(", "))]
    SomeScopes(Vec<String>),
    #[error("{ALL_SCOPES_REJECTED}")]
    AllScopes,
}

fn rule_matches(org: &Org, rule: &PolicyRule, grant: &str, user_id: &str) -> bool {
    if rule.status != Status::Active || !rule.grant_types.iter().any(|g| g == grant) {
        return false;
    }
    if rule.users_exclude.iter().any(|u| u == user_id) {
        return false;
    }
    if rule.users_include.is_empty() && rule.groups_include.is_empty() {
        return true;
    }
    rule.users_include.iter().any(|u| u == user_id)
        || rule
            .groups_include
            .iter()
            .any(|g| g == "EVERYONE" || org.is_member(g, user_id))
}

fn minutes(m: i64) -> i64 {
    m.saturating_mul(60)
}

/// Evaluates the server's policies; returns the token lifetimes of the matching rule.
pub fn evaluate(
    org: &Org,
    server: &AuthServer,
    client_id: &str,
    grant: &str,
    user_id: &str,
    scopes: &[String],
) -> Result<Lifetimes, Denied> {
    let mut policies: Vec<_> = server
        .policies
        .iter()
        .filter(|p| p.status == Status::Active)
        .filter(|p| {
            p.clients
                .iter()
                .any(|c| c == "ALL_CLIENTS" || c == client_id)
        })
        .collect();
    policies.sort_by_key(|p| p.priority);
    let policy = policies.first().ok_or(Denied::NoPolicy)?;
    let mut rules: Vec<_> = policy.rules.iter().collect();
    rules.sort_by_key(|r| r.priority);
    let rule = rules
        .into_iter()
        .find(|r| rule_matches(org, r, grant, user_id))
        .ok_or(Denied::NoPolicy)?;
    let denied: Vec<String> = scopes
        .iter()
        .filter(|s| {
            !OIDC_SCOPES.contains(&s.as_str()) && !rule.scopes.iter().any(|r| r == "*" || r == *s)
        })
        .cloned()
        .collect();
    if !denied.is_empty() {
        return Err(if denied.len() == scopes.len() {
            Denied::AllScopes
        } else {
            Denied::SomeScopes(denied)
        });
    }
    Ok(Lifetimes {
        access_secs: minutes(rule.access_token_lifetime_minutes.max(1)),
        refresh_secs: (rule.refresh_token_lifetime_minutes > 0)
            .then(|| minutes(rule.refresh_token_lifetime_minutes)),
        refresh_idle_secs: (rule.refresh_token_window_minutes > 0)
            .then(|| minutes(rule.refresh_token_window_minutes)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::authz::AuthPolicy;

    fn rule(priority: i64, grants: &[&str], groups: &[&str], scopes: &[&str]) -> PolicyRule {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        PolicyRule {
            id: format!("0pr{priority}"),
            name: "r".into(),
            priority,
            status: Status::Active,
            system: false,
            grant_types: v(grants),
            groups_include: v(groups),
            users_include: vec![],
            users_exclude: vec![],
            scopes: v(scopes),
            access_token_lifetime_minutes: 5,
            refresh_token_lifetime_minutes: 0,
            refresh_token_window_minutes: 10080,
            created: 0,
            last_updated: 0,
        }
    }

    fn server(policies: Vec<AuthPolicy>) -> AuthServer {
        AuthServer {
            id: "aus1".into(),
            seq: 1,
            name: "s".into(),
            description: String::new(),
            audiences: vec!["api://s".into()],
            issuer_mode: "ORG_URL".into(),
            status: Status::Active,
            is_default: false,
            rotation_mode: "AUTO".into(),
            last_rotated: 0,
            created: 0,
            last_updated: 0,
            keys: vec![],
            scopes: vec![],
            claims: vec![],
            policies,
        }
    }

    fn policy(priority: i64, clients: &[&str], rules: Vec<PolicyRule>) -> AuthPolicy {
        AuthPolicy {
            id: format!("00p{priority}"),
            name: "p".into(),
            description: String::new(),
            priority,
            status: Status::Active,
            system: false,
            clients: clients.iter().map(|s| s.to_string()).collect(),
            rules,
            created: 0,
            last_updated: 0,
        }
    }

    fn scopes(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn first_matching_policy_and_rule_decide() {
        let org = Org::seed(None);
        let uid = org.admin_user_id.clone();
        let s = server(vec![]);
        assert_eq!(
            evaluate(
                &org,
                &s,
                "0oa1",
                "authorization_code",
                &uid,
                &scopes(&["openid"])
            ),
            Err(Denied::NoPolicy)
        );
        let s = server(vec![
            policy(
                2,
                &["ALL_CLIENTS"],
                vec![rule(1, &["authorization_code"], &["EVERYONE"], &["*"])],
            ),
            policy(
                1,
                &["0oa1"],
                vec![
                    rule(2, &["authorization_code"], &["EVERYONE"], &["api:read"]),
                    rule(1, &["implicit"], &["EVERYONE"], &["*"]),
                ],
            ),
        ]);
        let l = evaluate(
            &org,
            &s,
            "0oa1",
            "authorization_code",
            &uid,
            &scopes(&["openid", "api:read"]),
        )
        .unwrap();
        assert_eq!(l.access_secs, 300);
        assert_eq!(l.refresh_secs, None);
        assert_eq!(l.refresh_idle_secs, Some(10080 * 60));
        assert_eq!(
            evaluate(
                &org,
                &s,
                "0oa1",
                "authorization_code",
                &uid,
                &scopes(&["openid", "api:write"])
            ),
            Err(Denied::SomeScopes(vec!["api:write".into()]))
        );
        assert_eq!(
            Denied::SomeScopes(vec!["a".into(), "b".into()]).to_string(),
            "Some of the requested scopes were denied by the policy. Denied scopes: [a, b]."
        );
        assert_eq!(
            evaluate(
                &org,
                &s,
                "0oa1",
                "authorization_code",
                &uid,
                &scopes(&["api:write"])
            ),
            Err(Denied::AllScopes)
        );
        // Another client falls to the ALL_CLIENTS policy.
        assert!(evaluate(
            &org,
            &s,
            "0oa2",
            "authorization_code",
            &uid,
            &scopes(&["x"])
        )
        .is_ok());
        // A group the user is not in.
        let s = server(vec![policy(
            1,
            &["ALL_CLIENTS"],
            vec![rule(1, &["authorization_code"], &["00gNope"], &["*"])],
        )]);
        assert_eq!(
            evaluate(
                &org,
                &s,
                "0oa1",
                "authorization_code",
                &uid,
                &scopes(&["openid"])
            ),
            Err(Denied::NoPolicy)
        );
    }
}
