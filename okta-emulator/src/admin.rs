//! Admin endpoints under `/__emulator/` — not part of Okta's API. They let tests and demos
//! inspect and steer the emulator: state dump, request log, fault injection, token minting and
//! reset. Out-of-band edits to the org are made through the normal Okta API.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{delete, get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    base::ids,
    okta::apps::{self, assignments, grants, roles, secrets},
    okta::{api_tokens, objects},
    pipeline::faults::FaultSpec,
    pipeline::http::{BaseUrl, Query},
    pipeline::{routes::Handlers, shared::Shared},
};

/// One admin endpoint: the single place it is declared, for the router, `GET /__emulator` and
/// `--help` alike.
struct Endpoint {
    method: &'static str,
    path: &'static str,
    /// How the listing shows it: optional parts after the path, and what it does. `None` when
    /// a sibling's line covers it (`DELETE /__emulator/faults[/ID]`).
    listed: Option<(&'static str, &'static str)>,
    handler: Handlers,
}

fn endpoints() -> Vec<Endpoint> {
    let e = |method, path, suffix, description, handler| Endpoint {
        method,
        path,
        listed: Some((suffix, description)),
        handler,
    };
    vec![
        e("GET", "/__emulator", "", "this list", get(index)),
        e("GET", "/__emulator/health", "", "liveness: {\"status\":\"ok\"}", get(health)),
        e("GET", "/__emulator/state", "", "dump of the org (users without password material, groups, memberships, apps with secrets, assignments, scope grants and admin roles, API token metadata) and rate-limit buckets", get(state)),
        e("GET", "/__emulator/requests", "[?since=SEQ]", "request log: seq, time, method, path, query, status, durationMs, bucket, tokenId, fault", get(requests)),
        e("DELETE", "/__emulator/requests", "", "clear the request log", delete(clear_requests)),
        e("POST", "/__emulator/faults", "", "add a fault rule {method, path, status, errorCode, errorSummary, delayMs, reset, times}", post(add_fault)),
        e("GET", "/__emulator/faults", "", "list fault rules with their hit counts", get(list_faults)),
        e("DELETE", "/__emulator/faults", "[/ID]", "remove one or all fault rules", delete(clear_faults)),
        Endpoint {
            method: "DELETE",
            path: "/__emulator/faults/{fault_id}",
            listed: None,
            handler: delete(remove_fault),
        },
        e("POST", "/__emulator/tokens", "", "mint an SSWS API token {name?, userId? | login?, token?} -> {id, token, name, userId}", post(mint_token)),
        e("GET", "/__emulator/secrets", "", "every API token value and client secret the org held since start, deleted ones too: {\"secrets\": [...]} (for leak checks in tests)", get(secrets)),
        e("POST", "/__emulator/reset", "", "wipe the org to its seeded state; clears fault rules and rate-limit windows", post(reset)),
    ]
}

/// The admin endpoints as listed: `(method and path, description)`.
pub fn listing() -> Vec<(String, &'static str)> {
    endpoints()
        .into_iter()
        .filter_map(|e| {
            let (suffix, description) = e.listed?;
            Some((format!("{:<6} {}{suffix}", e.method, e.path), description))
        })
        .collect()
}

/// The router of the admin endpoints.
pub fn router() -> Router<Arc<Shared>> {
    endpoints()
        .into_iter()
        .fold(Router::new(), |r, e| r.route(e.path, e.handler))
}

fn admin_error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({ "error": msg.into() }))).into_response()
}

pub async fn index() -> Response {
    let list: Vec<Value> = listing()
        .iter()
        .map(|(e, d)| json!({"endpoint": e, "description": d}))
        .collect();
    Json(json!({ "endpoints": list })).into_response()
}

pub async fn health() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

pub async fn state(State(s): State<Arc<Shared>>, BaseUrl(base): BaseUrl) -> Response {
    let org_dump = s.read(|org| {
        let apps: Vec<Value> = org
            .apps
            .iter()
            .map(|a| {
                json!({
                    "app": apps::render::app(a, org, &base, false),
                    "secrets": a.secrets.iter().map(|x| secrets::render::secret(x, &a.id, &base)).collect::<Vec<_>>(),
                    "groups": a.groups.iter().map(|g| assignments::render::assignment(g, &a.id, org, &base, false)).collect::<Vec<_>>(),
                    "grants": org.app_grants.iter().filter(|g| g.app_id == a.id).map(|g| grants::render::grant(g, a, &base, false)).collect::<Vec<_>>(),
                    "roles": org.client_roles.iter().filter(|r| r.app_id == a.id).map(|r| roles::render::role(r, a, &base)).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "orgId": org.org_id,
            "adminUserId": org.admin_user_id,
            "users": org.users.iter().map(|u| objects::user(u, org, &base)).collect::<Vec<_>>(),
            "groups": org.groups.iter().map(|g| objects::group(g, &base)).collect::<Vec<_>>(),
            // Explicit memberships; the built-in Everyone group holds every user implicitly.
            "memberships": org.memberships,
            "apps": apps,
            // Metadata only: token values are never shown after minting.
            "apiTokens": org.tokens.iter().map(|t| api_tokens::render::token(t, &base)).collect::<Vec<_>>(),
        })
    });
    let mut dump = org_dump;
    dump["rateLimits"] = json!({
        "perMinute": s.limiter.per_minute(),
        "buckets": s.limiter.status(),
    });
    dump["faults"] = json!(s.faults.list());
    Json(dump).into_response()
}

pub async fn requests(State(s): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Query::parse(raw.as_deref());
    let since = match q.get("since").map(str::parse::<u64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return admin_error(StatusCode::BAD_REQUEST, "since must be an integer"),
    };
    Json(json!(s.log.since(since))).into_response()
}

pub async fn clear_requests(State(s): State<Arc<Shared>>) -> Response {
    s.log.clear();
    StatusCode::NO_CONTENT.into_response()
}

pub async fn list_faults(State(s): State<Arc<Shared>>) -> Response {
    Json(json!(s.faults.list())).into_response()
}

pub async fn add_fault(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec: FaultSpec = match serde_json::from_slice(&body) {
        Ok(spec) => spec,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, format!("invalid fault rule: {e}")),
    };
    match s.faults.add(spec) {
        Ok(rule) => (StatusCode::CREATED, Json(json!(rule))).into_response(),
        Err(e) => admin_error(StatusCode::BAD_REQUEST, format!("invalid fault rule: {e}")),
    }
}

pub async fn clear_faults(State(s): State<Arc<Shared>>) -> Response {
    s.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

pub async fn remove_fault(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    if s.faults.remove(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        admin_error(StatusCode::NOT_FOUND, format!("no fault rule {id}"))
    }
}

/// Body of `POST /__emulator/tokens`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MintRequest {
    /// Token name (default `okta-emulator-minted`).
    #[serde(default)]
    pub name: Option<String>,
    /// Owner by user id (must exist).
    #[serde(default)]
    pub user_id: Option<String>,
    /// Owner by login; the user is created if needed.
    #[serde(default)]
    pub login: Option<String>,
    /// Caller-chosen token value (default: generated).
    #[serde(default)]
    pub token: Option<String>,
}

/// A freshly minted token: the only time its value is shown.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MintedToken {
    pub id: String,
    pub token: String,
    pub name: String,
    pub user_id: String,
}

/// Why a mint request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MintError {
    #[error("{0}")]
    Invalid(String),
    #[error("no user {0}")]
    NoSuchUser(String),
    #[error("state could not be saved")]
    Save,
}

/// Registers a new SSWS token (the out-of-band equivalent of Okta's Admin Console).
pub fn mint(s: &Shared, req: MintRequest) -> Result<MintedToken, MintError> {
    if req.user_id.is_some() && req.login.is_some() {
        return Err(MintError::Invalid("give userId or login, not both".into()));
    }
    let value = match req.token {
        Some(t) => {
            if t.is_empty() || !t.chars().all(|c| c.is_ascii_graphic()) {
                return Err(MintError::Invalid(
                    "token must be non-empty printable ASCII without spaces".into(),
                ));
            }
            t
        }
        None => ids::api_token_value(),
    };
    let name = req
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "okta-emulator-minted".to_string());
    let mut failure = None;
    let result = s.write(|org| {
        if org.tokens.iter().any(|t| t.value == value) {
            failure = Some(MintError::Invalid(
                "that token value is already registered".into(),
            ));
            return Err(crate::base::errors::OktaError::forbidden());
        }
        let owner = match (&req.user_id, &req.login) {
            (Some(id), _) => {
                if org.user(id).is_none() {
                    failure = Some(MintError::NoSuchUser(id.clone()));
                    return Err(crate::base::errors::OktaError::forbidden());
                }
                id.clone()
            }
            (None, Some(login)) => org.user_by_login_or_create(login),
            (None, None) => org.admin_user_id.clone(),
        };
        let t = org.add_token(value.clone(), name.clone(), owner);
        Ok(MintedToken {
            id: t.id.clone(),
            token: value.clone(),
            name: t.name.clone(),
            user_id: t.user_id.clone(),
        })
    });
    result.map_err(|_| failure.unwrap_or(MintError::Save))
}

pub async fn mint_token(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: MintRequest = if body.iter().all(u8::is_ascii_whitespace) {
        MintRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return admin_error(StatusCode::BAD_REQUEST, format!("invalid request: {e}")),
        }
    };
    match mint(&s, req) {
        Ok(t) => (StatusCode::CREATED, Json(json!(t))).into_response(),
        Err(e @ MintError::NoSuchUser(_)) => admin_error(StatusCode::NOT_FOUND, e.to_string()),
        Err(e @ MintError::Invalid(_)) => admin_error(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e @ MintError::Save) => admin_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// For tests that check logs for leaks: the values themselves, so never log this answer.
pub async fn secrets(State(s): State<Arc<Shared>>) -> Response {
    Json(json!({ "secrets": s.issued_secrets() })).into_response()
}

pub async fn reset(State(s): State<Arc<Shared>>) -> Response {
    match s.reset() {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => admin_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "state could not be saved",
        ),
    }
}

/// `--help` text listing the admin endpoints.
pub fn endpoints_help() -> String {
    let mut s = String::from("Admin endpoints (not part of Okta's API, no auth):\n");
    for (e, d) in listing() {
        s.push_str(&format!("  {e:<42} {d}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Org;

    fn shared() -> Shared {
        Shared::new(Org::seed(None), None, None, 600, std::time::Duration::ZERO)
    }

    #[test]
    fn mint_variants() {
        let s = shared();
        let a = mint(&s, MintRequest::default()).unwrap();
        assert_eq!(a.token.len(), 42);
        let admin = s.read(|o| o.admin_user_id.clone());
        assert_eq!(a.user_id, admin);
        let b = mint(
            &s,
            MintRequest {
                login: Some("ci@example.com".into()),
                token: Some("fixed-value".into()),
                name: Some("ci".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_ne!(b.user_id, admin);
        assert_eq!(b.token, "fixed-value");
        assert!(matches!(
            mint(
                &s,
                MintRequest {
                    token: Some("fixed-value".into()),
                    ..Default::default()
                }
            ),
            Err(MintError::Invalid(_))
        ));
        assert!(matches!(
            mint(
                &s,
                MintRequest {
                    user_id: Some("00unope".into()),
                    ..Default::default()
                }
            ),
            Err(MintError::NoSuchUser(_))
        ));
        assert_eq!(s.read(|o| o.tokens.len()), 2);
    }

    #[test]
    fn issued_secrets_outlive_their_tokens() {
        let s = Shared::new(
            Org::seed(Some("seed-tok")),
            None,
            None,
            600,
            Default::default(),
        );
        let minted = mint(&s, MintRequest::default()).unwrap();
        s.write(|org| {
            org.tokens.clear();
            Ok(())
        })
        .unwrap();
        let issued = s.issued_secrets();
        assert!(issued.contains(&"seed-tok".to_string()), "{issued:?}");
        assert!(issued.contains(&minted.token), "{issued:?}");
    }

    #[test]
    fn help_lists_every_endpoint() {
        let h = endpoints_help();
        for (e, _) in listing() {
            assert!(h.contains(&e));
        }
    }
}
