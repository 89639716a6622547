//! A rule's create or PUT body, read part by part (grant types, people, token lifetimes) with
//! Okta's causes, in the order Okta reports them.

use std::ops::RangeInclusive;

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes},
    base::ids,
    okta::authz::policies::body::{priority_field, type_field},
    okta::fields::{required_str, status_field, str_list},
    store::authz::PolicyRule,
};

const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "implicit",
    "client_credentials",
    "password",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
    "interaction_code",
];
/// Five years in minutes: the upper bound of refresh-token lifetimes.
const FIVE_YEARS_MINUTES: i64 = 5 * 365 * 24 * 60;

/// `conditions.grantTypes.include`: at least one, each one Okta knows.
fn grant_types(req: &Map<String, Value>, causes: &mut Causes) -> Vec<String> {
    const FIELD: &str = "conditions.grantTypes.include";
    let grant_types =
        str_list(req, &["conditions", "grantTypes", "include"], causes).unwrap_or_default();
    if grant_types.is_empty() {
        causes.push(FIELD, "The field cannot be left blank.");
    }
    for g in &grant_types {
        if !GRANT_TYPES.contains(&g.as_str()) {
            causes.push(FIELD, format!("'{g}' is not a supported grant type."));
        }
    }
    grant_types
}

/// `conditions.people`: who the rule applies to.
struct People {
    groups_include: Vec<String>,
    users_include: Vec<String>,
    users_exclude: Vec<String>,
}

/// Reads `conditions.people`; a rule must include at least one group or user.
fn people(req: &Map<String, Value>, causes: &mut Causes) -> People {
    let list = |who: &str, how: &str, causes: &mut Causes| {
        str_list(req, &["conditions", "people", who, how], causes).unwrap_or_default()
    };
    let people = People {
        groups_include: list("groups", "include", causes),
        users_include: list("users", "include", causes),
        users_exclude: list("users", "exclude", causes),
    };
    if people.groups_include.is_empty() && people.users_include.is_empty() {
        causes.push(
            "conditions.people",
            "A rule must include at least one group or user.",
        );
    }
    people
}

/// `actions.token`: the lifetimes of the tokens the rule grants, in minutes.
struct Lifetimes {
    access: i64,
    refresh: i64,
    refresh_window: i64,
}

/// Reads `actions.token`, each lifetime defaulted and bounded as Okta does.
fn token_lifetimes(req: &Map<String, Value>, causes: &mut Causes) -> Lifetimes {
    let token = req
        .get("actions")
        .and_then(|a| a.get("token"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Lifetimes {
        access: minutes(&token, "accessTokenLifetimeMinutes", 60, 5..=1440, causes),
        refresh: minutes(
            &token,
            "refreshTokenLifetimeMinutes",
            0,
            0..=FIVE_YEARS_MINUTES,
            causes,
        ),
        refresh_window: minutes(
            &token,
            "refreshTokenWindowMinutes",
            10080,
            10..=FIVE_YEARS_MINUTES,
            causes,
        ),
    }
}

/// A whole number at `actions.token.<field>` within `range`, or `default`.
fn minutes(
    token: &Map<String, Value>,
    field: &str,
    default: i64,
    range: RangeInclusive<i64>,
    causes: &mut Causes,
) -> i64 {
    match token.get(field) {
        None | Some(Value::Null) => default,
        Some(v) => match v.as_i64() {
            Some(n) if range.contains(&n) => n,
            _ => {
                causes.push(
                    field,
                    format!(
                        "'{field}' must be between {} and {} minutes.",
                        range.start(),
                        range.end()
                    ),
                );
                default
            }
        },
    }
}

/// Validates a rule body; `current` is the rule a PUT replaces (it keeps its id, status and
/// creation time), `default_priority` the priority of a body without one.
pub fn rule(
    req: &Map<String, Value>,
    default_priority: i64,
    current: Option<&PolicyRule>,
    now: i64,
) -> ApiResult<PolicyRule> {
    let mut causes = Causes::new();
    type_field(req, "RESOURCE_ACCESS", &mut causes);
    let name = required_str(req, "name", &mut causes);
    let priority = priority_field(
        req,
        current.map_or(default_priority, |c| c.priority),
        &mut causes,
    );
    let grant_types = grant_types(req, &mut causes);
    let people = people(req, &mut causes);
    let scopes =
        str_list(req, &["conditions", "scopes", "include"], &mut causes).unwrap_or_default();
    let lifetimes = token_lifetimes(req, &mut causes);
    let status = match current {
        // Status changes go through the lifecycle endpoints.
        Some(c) => c.status,
        None => status_field(req, &mut causes),
    };
    causes.into_result()?;
    Ok(PolicyRule {
        id: current.map_or_else(|| ids::object_id("0pr"), |c| c.id.clone()),
        name,
        priority,
        status,
        system: current.is_some_and(|c| c.system),
        grant_types,
        groups_include: people.groups_include,
        users_include: people.users_include,
        users_exclude: people.users_exclude,
        scopes,
        access_token_lifetime_minutes: lifetimes.access,
        refresh_token_lifetime_minutes: lifetimes.refresh,
        refresh_token_window_minutes: lifetimes.refresh_window,
        created: current.map_or(now, |c| c.created),
        last_updated: now,
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
    fn rules_are_validated_and_defaulted() {
        let base = json!({"name": "r", "conditions": {"grantTypes": {"include": ["authorization_code"]},
                          "people": {"groups": {"include": ["EVERYONE"]}, "users": {}}}});
        let r = rule(&obj(base.clone()), 1, None, 0).ok().unwrap();
        assert_eq!(
            (
                r.access_token_lifetime_minutes,
                r.refresh_token_lifetime_minutes,
                r.refresh_token_window_minutes
            ),
            (60, 0, 10080)
        );
        assert!(r.scopes.is_empty() && r.users_exclude.is_empty());
        let mut bad = obj(base.clone());
        bad.insert(
            "actions".into(),
            json!({"token": {"accessTokenLifetimeMinutes": 2}}),
        );
        assert!(rule(&bad, 1, None, 0).is_err());
        let mut nobody = obj(base);
        nobody.insert(
            "conditions".into(),
            json!({"grantTypes": {"include": ["magic"]}}),
        );
        assert_eq!(rule(&nobody, 1, None, 0).err().unwrap().causes.len(), 2);
    }
}
