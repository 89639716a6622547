//! Routes of the authorization-servers Management API and the internal per-app ID-token claim,
//! and the helpers their handlers share: finding a server by `{as}`, refusing query parameters
//! the emulator does not implement, reading body fields with Okta's validation errors.

pub mod claims;
pub mod policies;
pub mod render;
pub mod scopes;
pub mod servers;

use std::sync::Arc;

use axum::{
    http::StatusCode,
    routing::{get, post},
    Router,
};
use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    okta::apps::id_token as app_id_token,
    okta::authz::{
        claims as authz_claims, policies as authz_policies, scopes as authz_scopes,
        servers as authz_servers,
    },
    pipeline::http::Query,
    pipeline::shared::Shared,
    store::{Org, Status},
};

/// Okta's type word for authorization servers in 404 summaries.
pub const SERVER_KIND: &str = "AuthorizationServer";

pub fn routes() -> Router<Arc<Shared>> {
    const AS: &str = "/api/v1/authorizationServers/{as_id}";
    let r = |suffix: &str| format!("{AS}{suffix}");
    Router::new()
        .route(
            "/api/v1/authorizationServers",
            get(authz_servers::list).post(authz_servers::create),
        )
        .route(
            AS,
            get(authz_servers::get_one)
                .put(authz_servers::replace)
                .delete(authz_servers::delete),
        )
        .route(&r("/lifecycle/activate"), post(authz_servers::activate))
        .route(&r("/lifecycle/deactivate"), post(authz_servers::deactivate))
        .route(
            &r("/scopes"),
            get(authz_scopes::list).post(authz_scopes::create),
        )
        .route(
            &r("/scopes/{scope_id}"),
            get(authz_scopes::get_one)
                .put(authz_scopes::replace)
                .delete(authz_scopes::delete),
        )
        .route(
            &r("/claims"),
            get(authz_claims::list).post(authz_claims::create),
        )
        .route(
            &r("/claims/{claim_id}"),
            get(authz_claims::get_one)
                .put(authz_claims::replace)
                .delete(authz_claims::delete),
        )
        .route(
            &r("/policies"),
            get(authz_policies::list).post(authz_policies::create),
        )
        .route(
            &r("/policies/{policy_id}"),
            get(authz_policies::get_one)
                .put(authz_policies::replace)
                .delete(authz_policies::delete),
        )
        .route(
            &r("/policies/{policy_id}/lifecycle/activate"),
            post(authz_policies::activate),
        )
        .route(
            &r("/policies/{policy_id}/lifecycle/deactivate"),
            post(authz_policies::deactivate),
        )
        .route(
            &r("/policies/{policy_id}/rules"),
            get(authz_policies::list_rules).post(authz_policies::create_rule),
        )
        .route(
            &r("/policies/{policy_id}/rules/{rule_id}"),
            get(authz_policies::get_rule)
                .put(authz_policies::replace_rule)
                .delete(authz_policies::delete_rule),
        )
        .route(
            &r("/policies/{policy_id}/rules/{rule_id}/lifecycle/activate"),
            post(authz_policies::activate_rule),
        )
        .route(
            &r("/policies/{policy_id}/rules/{rule_id}/lifecycle/deactivate"),
            post(authz_policies::deactivate_rule),
        )
        .route(
            "/api/v1/internal/apps/{app_id}/settings/oauth/idToken",
            get(app_id_token::get_one).post(app_id_token::set),
        )
}

/// Index of the server addressed as `key`: its `aus…` id, or `default` for the built-in one.
pub fn server_index(org: &Org, key: &str) -> ApiResult<usize> {
    org.auth_servers
        .iter()
        .position(|s| s.id == key || (key == "default" && s.is_default))
        .ok_or_else(|| OktaError::not_found(key, SERVER_KIND))
}

/// Refuses query parameters Okta documents for this list but the emulator does not implement
/// (and anything unknown), so a client never gets a silently unfiltered answer.
pub fn only_params(query: &Query, supported: &[&str]) -> ApiResult<()> {
    match query
        .0
        .iter()
        .find(|(k, _)| !supported.contains(&k.as_str()))
    {
        None => Ok(()),
        Some((k, _)) => Err(OktaError::validation(
            k,
            "okta-emulator does not support this query parameter here",
        )),
    }
}

/// A required non-blank string field.
pub fn required_str(req: &Map<String, Value>, field: &str, causes: &mut Causes) -> String {
    match req.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) | Some(Value::Null) | None => {
            causes.push(field, "The field cannot be left blank.");
            String::new()
        }
        Some(_) => {
            causes.push(field, "The field has an invalid value");
            String::new()
        }
    }
}

/// An optional string field that must be one of `allowed`; `default` when absent or null.
pub fn enum_field(
    req: &Map<String, Value>,
    field: &str,
    allowed: &[&str],
    default: &str,
    causes: &mut Causes,
) -> String {
    match req.get(field) {
        None | Some(Value::Null) => default.to_string(),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => s.clone(),
        Some(_) => {
            causes.push(
                field,
                format!(
                    "'{field}' must be one of the following values: [{}]",
                    allowed.join(", ")
                ),
            );
            default.to_string()
        }
    }
}

/// An optional boolean field.
pub fn bool_field(
    req: &Map<String, Value>,
    field: &str,
    default: bool,
    causes: &mut Causes,
) -> bool {
    match req.get(field) {
        None | Some(Value::Null) => default,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            causes.push(field, "The field has an invalid value");
            default
        }
    }
}

/// An optional array of strings at `path` (e.g. `["conditions", "scopes"]`).
pub fn str_list(
    req: &Map<String, Value>,
    path: &[&str],
    causes: &mut Causes,
) -> Option<Vec<String>> {
    let mut cur: Option<&Value> = None;
    for (i, key) in path.iter().enumerate() {
        let next = if i == 0 {
            req.get(*key)
        } else {
            cur.and_then(|v| v.get(*key))
        };
        match next {
            None | Some(Value::Null) => return None,
            Some(v) => cur = Some(v),
        }
    }
    match cur {
        Some(Value::Array(items)) => {
            let out: Option<Vec<String>> = items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect();
            if out.is_none() {
                causes.push(&path.join("."), "The field has an invalid value");
            }
            out
        }
        _ => {
            causes.push(&path.join("."), "The field has an invalid value");
            None
        }
    }
}

/// `status` of a create body: ACTIVE (default) or INACTIVE.
pub fn status_field(req: &Map<String, Value>, causes: &mut Causes) -> Status {
    match enum_field(req, "status", &["ACTIVE", "INACTIVE"], "ACTIVE", causes).as_str() {
        "INACTIVE" => Status::Inactive,
        _ => Status::Active,
    }
}

/// 403 for objects Okta manages itself (system scopes and claims, the `default` server).
pub fn system_object(what: &str) -> OktaError {
    OktaError::new(
        StatusCode::FORBIDDEN,
        "E0000006",
        "You do not have permission to perform the requested action",
    )
    .with_cause(format!("{what} cannot be deleted."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn servers_are_found_by_id_or_default() {
        let org = Org::seed(None);
        let id = org.auth_servers[0].id.clone();
        assert_eq!(server_index(&org, "default").unwrap(), 0);
        assert_eq!(server_index(&org, &id).unwrap(), 0);
        let e = server_index(&org, "aus404").unwrap_err();
        assert_eq!(
            e.summary,
            "Not found: Resource not found: aus404 (AuthorizationServer)"
        );
    }

    #[test]
    fn unknown_params_are_refused() {
        let q = Query::parse(Some("q=a&limit=2"));
        assert!(only_params(&q, &["q", "limit"]).is_ok());
        let e = only_params(&q, &["q"]).unwrap_err();
        assert_eq!(e.summary, "Api validation failed: limit");
    }

    #[test]
    fn field_readers_collect_causes() {
        let mut c = Causes::new();
        let req = obj(json!({"name": " ", "mode": "X", "flag": 1, "l": {"s": ["a", 2]}}));
        assert_eq!(required_str(&req, "name", &mut c), "");
        assert_eq!(enum_field(&req, "mode", &["A"], "A", &mut c), "A");
        assert!(bool_field(&req, "flag", true, &mut c));
        assert_eq!(str_list(&req, &["l", "s"], &mut c), None);
        assert_eq!(str_list(&req, &["absent", "s"], &mut c), None);
        let e = c.into_result().unwrap_err();
        assert_eq!(e.causes.len(), 4);
        assert_eq!(e.causes[3], "l.s: The field has an invalid value");
    }
}
