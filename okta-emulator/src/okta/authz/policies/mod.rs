//! `/api/v1/authorizationServers/{as}/policies[/{pid}]` and `…/policies/{pid}/rules[/{rid}]`:
//! access policies (which clients) and their rules (who, which grants and scopes, token
//! lifetimes), with lifecycle. Lists are ordered by priority, then creation.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
};
use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    base::{clock, ids},
    okta::authz::{render, server_index},
    okta::fields::{only_params, required_str, status_field, str_list},
    pipeline::http::{self, BaseUrl, Query},
    pipeline::shared::Shared,
    store::authz::{AuthPolicy, PolicyRule},
    store::{Org, Status},
};

const POLICY_KIND: &str = "AuthorizationServerPolicy";
const RULE_KIND: &str = "AuthorizationServerPolicyRule";
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

fn type_field(req: &Map<String, Value>, expected: &str, causes: &mut Causes) {
    match req.get("type") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) if t == expected => {}
        Some(_) => causes.push("type", format!("'type' must be {expected}.")),
    }
}

/// `priority`: a positive integer, or `default` when absent.
fn priority_field(req: &Map<String, Value>, default: i64, causes: &mut Causes) -> i64 {
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

/// A whole number at `actions.token.<field>` within `range`, or `default`.
fn minutes(
    token: &Map<String, Value>,
    field: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
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

fn sort_policies(policies: &mut [AuthPolicy]) {
    policies.sort_by_key(|p| p.priority);
}

fn build_policy(
    req: &Map<String, Value>,
    default_priority: i64,
    current: Option<&AuthPolicy>,
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
    let now = clock::now();
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

fn build_rule(
    req: &Map<String, Value>,
    default_priority: i64,
    current: Option<&PolicyRule>,
) -> ApiResult<PolicyRule> {
    let mut causes = Causes::new();
    type_field(req, "RESOURCE_ACCESS", &mut causes);
    let name = required_str(req, "name", &mut causes);
    let priority = priority_field(
        req,
        current.map_or(default_priority, |c| c.priority),
        &mut causes,
    );
    let grant_types =
        str_list(req, &["conditions", "grantTypes", "include"], &mut causes).unwrap_or_default();
    if grant_types.is_empty() {
        causes.push(
            "conditions.grantTypes.include",
            "The field cannot be left blank.",
        );
    }
    for g in &grant_types {
        if !GRANT_TYPES.contains(&g.as_str()) {
            causes.push(
                "conditions.grantTypes.include",
                format!("'{g}' is not a supported grant type."),
            );
        }
    }
    let people = ["conditions", "people"];
    let groups_include = str_list(
        req,
        &[people[0], people[1], "groups", "include"],
        &mut causes,
    )
    .unwrap_or_default();
    let users_include = str_list(
        req,
        &[people[0], people[1], "users", "include"],
        &mut causes,
    )
    .unwrap_or_default();
    let users_exclude = str_list(
        req,
        &[people[0], people[1], "users", "exclude"],
        &mut causes,
    )
    .unwrap_or_default();
    if groups_include.is_empty() && users_include.is_empty() {
        causes.push(
            "conditions.people",
            "A rule must include at least one group or user.",
        );
    }
    let scopes =
        str_list(req, &["conditions", "scopes", "include"], &mut causes).unwrap_or_default();
    let token = req
        .get("actions")
        .and_then(|a| a.get("token"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let access = minutes(
        &token,
        "accessTokenLifetimeMinutes",
        60,
        5..=1440,
        &mut causes,
    );
    let refresh = minutes(
        &token,
        "refreshTokenLifetimeMinutes",
        0,
        0..=FIVE_YEARS_MINUTES,
        &mut causes,
    );
    let window = minutes(
        &token,
        "refreshTokenWindowMinutes",
        10080,
        10..=FIVE_YEARS_MINUTES,
        &mut causes,
    );
    let status = match current {
        Some(c) => c.status,
        None => status_field(req, &mut causes),
    };
    causes.into_result()?;
    let now = clock::now();
    Ok(PolicyRule {
        id: current.map_or_else(|| ids::object_id("0pr"), |c| c.id.clone()),
        name,
        priority,
        status,
        system: current.is_some_and(|c| c.system),
        grant_types,
        groups_include,
        users_include,
        users_exclude,
        scopes,
        access_token_lifetime_minutes: access,
        refresh_token_lifetime_minutes: refresh,
        refresh_token_window_minutes: window,
        created: current.map_or(now, |c| c.created),
        last_updated: now,
    })
}

/// `(server index, policy index)` of `{as}/policies/{pid}`.
fn policy_at(org: &Org, as_id: &str, pid: &str) -> ApiResult<(usize, usize)> {
    let i = server_index(org, as_id)?;
    let j = org.auth_servers[i]
        .policies
        .iter()
        .position(|p| p.id == pid)
        .ok_or_else(|| OktaError::not_found(pid, POLICY_KIND))?;
    Ok((i, j))
}

fn rule_at(org: &Org, as_id: &str, pid: &str, rid: &str) -> ApiResult<(usize, usize, usize)> {
    let (i, j) = policy_at(org, as_id, pid)?;
    let k = org.auth_servers[i].policies[j]
        .rules
        .iter()
        .position(|r| r.id == rid)
        .ok_or_else(|| OktaError::not_found(rid, RULE_KIND))?;
    Ok((i, j, k))
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(as_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    only_params(&Query::parse(raw.as_deref()), &[])?;
    let items = s.read(|org| {
        let srv = &org.auth_servers[server_index(org, &as_id)?];
        Ok::<_, OktaError>(
            srv.policies
                .iter()
                .map(|p| render::policy(p, &base, &as_id))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(as_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let i = server_index(org, &as_id)?;
        let srv = &mut org.auth_servers[i];
        let next = srv.policies.iter().map(|p| p.priority).max().unwrap_or(0) + 1;
        let p = build_policy(&req, next, None)?;
        let rendered = render::policy(&p, &base, &as_id);
        srv.policies.push(p);
        sort_policies(&mut srv.policies);
        Ok(rendered)
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, pid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let (i, j) = policy_at(org, &as_id, &pid)?;
        Ok::<_, OktaError>(render::policy(
            &org.auth_servers[i].policies[j],
            &base,
            &as_id,
        ))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, pid)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let (i, j) = policy_at(org, &as_id, &pid)?;
        let srv = &mut org.auth_servers[i];
        let p = build_policy(&req, 1, Some(&srv.policies[j]))?;
        let rendered = render::policy(&p, &base, &as_id);
        srv.policies[j] = p;
        sort_policies(&mut srv.policies);
        Ok(rendered)
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((as_id, pid)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| {
        let (i, j) = policy_at(org, &as_id, &pid)?;
        org.auth_servers[i].policies.remove(j);
        Ok(())
    })?;
    Ok(http::no_content())
}

fn set_policy_status(s: &Shared, as_id: &str, pid: &str, status: Status) -> ApiResult<Response> {
    s.write(|org| {
        let (i, j) = policy_at(org, as_id, pid)?;
        let p = &mut org.auth_servers[i].policies[j];
        if p.status != status {
            p.status = status;
            p.last_updated = clock::now();
        }
        Ok(())
    })?;
    Ok(http::no_content())
}

pub async fn activate(
    State(s): State<Arc<Shared>>,
    Path((as_id, pid)): Path<(String, String)>,
) -> ApiResult<Response> {
    set_policy_status(&s, &as_id, &pid, Status::Active)
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path((as_id, pid)): Path<(String, String)>,
) -> ApiResult<Response> {
    set_policy_status(&s, &as_id, &pid, Status::Inactive)
}

pub async fn list_rules(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, pid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    only_params(&Query::parse(raw.as_deref()), &[])?;
    let items = s.read(|org| {
        let (i, j) = policy_at(org, &as_id, &pid)?;
        Ok::<_, OktaError>(
            org.auth_servers[i].policies[j]
                .rules
                .iter()
                .map(|r| render::rule(r, &base, &as_id, &pid))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn create_rule(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, pid)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let (i, j) = policy_at(org, &as_id, &pid)?;
        let p = &mut org.auth_servers[i].policies[j];
        let next = p.rules.iter().map(|r| r.priority).max().unwrap_or(0) + 1;
        let r = build_rule(&req, next, None)?;
        let rendered = render::rule(&r, &base, &as_id, &pid);
        p.rules.push(r);
        p.rules.sort_by_key(|r| r.priority);
        Ok(rendered)
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn get_rule(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, pid, rid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let (i, j, k) = rule_at(org, &as_id, &pid, &rid)?;
        Ok::<_, OktaError>(render::rule(
            &org.auth_servers[i].policies[j].rules[k],
            &base,
            &as_id,
            &pid,
        ))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn replace_rule(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, pid, rid)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let (i, j, k) = rule_at(org, &as_id, &pid, &rid)?;
        let p = &mut org.auth_servers[i].policies[j];
        let r = build_rule(&req, 1, Some(&p.rules[k]))?;
        let rendered = render::rule(&r, &base, &as_id, &pid);
        p.rules[k] = r;
        p.rules.sort_by_key(|r| r.priority);
        Ok(rendered)
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete_rule(
    State(s): State<Arc<Shared>>,
    Path((as_id, pid, rid)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    s.write(|org| {
        let (i, j, k) = rule_at(org, &as_id, &pid, &rid)?;
        org.auth_servers[i].policies[j].rules.remove(k);
        Ok(())
    })?;
    Ok(http::no_content())
}

fn set_rule_status(
    s: &Shared,
    (as_id, pid, rid): (String, String, String),
    status: Status,
) -> ApiResult<Response> {
    s.write(|org| {
        let (i, j, k) = rule_at(org, &as_id, &pid, &rid)?;
        let r = &mut org.auth_servers[i].policies[j].rules[k];
        if r.status != status {
            r.status = status;
            r.last_updated = clock::now();
        }
        Ok(())
    })?;
    Ok(http::no_content())
}

pub async fn activate_rule(
    State(s): State<Arc<Shared>>,
    Path(ids): Path<(String, String, String)>,
) -> ApiResult<Response> {
    set_rule_status(&s, ids, Status::Active)
}

pub async fn deactivate_rule(
    State(s): State<Arc<Shared>>,
    Path(ids): Path<(String, String, String)>,
) -> ApiResult<Response> {
    set_rule_status(&s, ids, Status::Inactive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn policies_need_name_description_and_clients() {
        let e = build_policy(&obj(json!({"type": "X"})), 1, None)
            .err()
            .unwrap();
        assert_eq!(e.causes.len(), 4);
        let p = build_policy(
            &obj(json!({"name": "p", "description": "d", "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}})),
            3,
            None,
        )
        .ok()
        .unwrap();
        assert_eq!((p.priority, p.status), (3, Status::Active));
        assert!(p.id.starts_with("00p"));
    }

    #[test]
    fn rules_are_validated_and_defaulted() {
        let base = json!({"name": "r", "conditions": {"grantTypes": {"include": ["authorization_code"]},
                          "people": {"groups": {"include": ["EVERYONE"]}, "users": {}}}});
        let r = build_rule(&obj(base.clone()), 1, None).ok().unwrap();
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
        assert!(build_rule(&bad, 1, None).is_err());
        let mut nobody = obj(base);
        nobody.insert(
            "conditions".into(),
            json!({"grantTypes": {"include": ["magic"]}}),
        );
        assert_eq!(build_rule(&nobody, 1, None).err().unwrap().causes.len(), 2);
    }
}
