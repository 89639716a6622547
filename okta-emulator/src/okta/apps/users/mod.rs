//! `/api/v1/apps/{appId}/users`: users assigned to an app directly (scope `USER`). Together with
//! group assignments they decide who may sign in to the app over OIDC.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::Response,
};
use serde_json::{json, Map, Value};

use crate::{
    base::clock,
    base::errors::{ApiResult, OktaError},
    okta::apps::APP_KIND,
    okta::objects::{self, USER_KIND},
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::shared::Shared,
    store::authz::AppUserAssignment,
    store::Org,
};

const APP_USER_KIND: &str = "AppUser";
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

/// The AppUser object as Okta renders it.
pub fn render(a: &AppUserAssignment, org: &Org, base: &str, expand_user: bool) -> Value {
    let login = org.user(&a.user_id).map(|u| u.login().to_string());
    let user_name = a
        .body
        .get("credentials")
        .and_then(|c| c.get("userName"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or(login);
    let mut out = Map::new();
    out.insert("id".into(), json!(a.user_id));
    out.insert("externalId".into(), Value::Null);
    out.insert("created".into(), json!(clock::okta_ts(a.created)));
    out.insert("lastUpdated".into(), json!(clock::okta_ts(a.last_updated)));
    out.insert("scope".into(), json!("USER"));
    out.insert("status".into(), json!("ACTIVE"));
    out.insert("statusChanged".into(), json!(clock::okta_ts(a.created)));
    out.insert("passwordChanged".into(), Value::Null);
    out.insert("syncState".into(), json!("DISABLED"));
    out.insert("credentials".into(), json!({ "userName": user_name }));
    out.insert(
        "profile".into(),
        a.body.get("profile").cloned().unwrap_or_else(|| json!({})),
    );
    out.insert(
        "_links".into(),
        json!({
            "app": {"href": format!("{base}/api/v1/apps/{}", a.app_id)},
            "user": {"href": format!("{base}/api/v1/users/{}", a.user_id)}
        }),
    );
    if expand_user {
        if let Some(u) = org.user(&a.user_id) {
            out.insert(
                "_embedded".into(),
                json!({ "user": objects::user(u, org, base) }),
            );
        }
    }
    Value::Object(out)
}

fn require_app(org: &Org, app_id: &str) -> ApiResult<()> {
    org.app(app_id)
        .map(|_| ())
        .ok_or_else(|| OktaError::not_found(app_id, APP_KIND))
}

/// Keeps only the parts of an assignment body Okta stores (`credentials`, `profile`).
fn stored_body(req: &Map<String, Value>) -> ApiResult<Map<String, Value>> {
    let mut body = Map::new();
    for k in ["credentials", "profile"] {
        match req.get(k) {
            None | Some(Value::Null) => {}
            Some(v @ Value::Object(_)) => {
                body.insert(k.to_string(), v.clone());
            }
            Some(_) => return Err(OktaError::validation(k, "The field has an invalid value")),
        }
    }
    Ok(body)
}

fn upsert(
    org: &mut Org,
    app_id: &str,
    user_id: &str,
    body: Map<String, Value>,
    base: &str,
) -> ApiResult<Value> {
    require_app(org, app_id)?;
    let uid = org
        .user_by_id_or_login(user_id)
        .map(|u| u.id.clone())
        .ok_or_else(|| OktaError::not_found(user_id, USER_KIND))?;
    let now = clock::now();
    let seq = org.next_seq();
    let idx = match org
        .app_users
        .iter()
        .position(|a| a.app_id == app_id && a.user_id == uid)
    {
        Some(i) => {
            let a = &mut org.app_users[i];
            for (k, v) in body {
                a.body.insert(k, v);
            }
            a.last_updated = now;
            i
        }
        None => {
            org.app_users.push(AppUserAssignment {
                app_id: app_id.to_string(),
                user_id: uid,
                seq,
                created: now,
                last_updated: now,
                body,
            });
            org.app_users.len() - 1
        }
    };
    let a = org.app_users[idx].clone();
    Ok(render(&a, org, base, false))
}

/// `POST /api/v1/apps/{appId}/users` `{"id": "00u…", "scope": "USER", "credentials": {...}}`.
pub async fn assign(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let user_id = match req.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => {
            return Err(OktaError::validation(
                "id",
                "The field cannot be left blank.",
            ))
        }
    };
    if let Some(scope) = req.get("scope").and_then(Value::as_str) {
        if scope != "USER" {
            return Err(OktaError::validation(
                "scope",
                "The field has an invalid value",
            ));
        }
    }
    let stored = stored_body(&req)?;
    let rendered = s.write(|org| upsert(org, &app_id, &user_id, stored, &base))?;
    Ok(http::ok(&rendered))
}

/// `POST /api/v1/apps/{appId}/users/{userId}`: updates an existing assignment.
pub async fn update(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::optional_object_body(&body)?;
    let stored = stored_body(&req)?;
    let rendered = s.write(|org| {
        require_app(org, &app_id)?;
        if !org
            .app_users
            .iter()
            .any(|a| a.app_id == app_id && a.user_id == user_id)
        {
            return Err(OktaError::not_found(&user_id, APP_USER_KIND));
        }
        upsert(org, &app_id, &user_id, stored, &base)
    })?;
    Ok(http::ok(&rendered))
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = match &params.after {
        Some(a) => Some(a.parse::<u64>().map_err(|_| OktaError::invalid_search())?),
        None => None,
    };
    let expand = query
        .get("expand")
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "user"));
    let (items, next) = s.read(|org| {
        require_app(org, &app_id)?;
        let q = params.q.as_deref().map(str::to_lowercase);
        let matching: Vec<&AppUserAssignment> = org
            .app_users
            .iter()
            .filter(|a| a.app_id == app_id)
            .filter(|a| match &q {
                None => true,
                Some(q) => org.user(&a.user_id).is_some_and(|u| {
                    ["login", "email", "firstName", "lastName"].iter().any(|k| {
                        u.profile
                            .get(*k)
                            .and_then(Value::as_str)
                            .is_some_and(|v| v.to_lowercase().starts_with(q))
                    })
                }),
            })
            .collect();
        let (page, next) = http::paginate(matching, after, params.limit, |a| a.seq);
        Ok::<_, OktaError>((
            page.into_iter()
                .map(|a| render(a, org, &base, expand))
                .collect::<Vec<_>>(),
            next,
        ))
    })?;
    let path = format!("/api/v1/apps/{app_id}/users");
    // Okta's self link states the effective limit (`?limit=50`).
    let links = params.links(&base, &path, next.map(|n| n.to_string()), true);
    Ok(http::list(items, &links))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, user_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let expand = Query::parse(raw.as_deref())
        .get("expand")
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "user"));
    let rendered = s.read(|org| {
        require_app(org, &app_id)?;
        let a = org
            .app_users
            .iter()
            .find(|a| a.app_id == app_id && a.user_id == user_id)
            .ok_or_else(|| OktaError::not_found(&user_id, APP_USER_KIND))?;
        Ok::<_, OktaError>(render(a, org, &base, expand))
    })?;
    Ok(http::ok(&rendered))
}

/// `DELETE …/users/{userId}`: 204; the user's tokens for the app are revoked.
pub async fn unassign(
    State(s): State<Arc<Shared>>,
    Path((app_id, user_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| {
        require_app(org, &app_id)?;
        let pos = org
            .app_users
            .iter()
            .position(|a| a.app_id == app_id && a.user_id == user_id)
            .ok_or_else(|| OktaError::not_found(&user_id, APP_USER_KIND))?;
        org.app_users.remove(pos);
        let client_id = org
            .app(&app_id)
            .map(|a| a.client_id().to_string())
            .unwrap_or_default();
        org.oidc.revoke_user(&user_id, Some(&client_id));
        Ok(())
    })?;
    Ok(http::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_upsert_and_render() {
        let mut org = Org::seed(None);
        let uid = org.admin_user_id.clone();
        org.apps.push(crate::store::App {
            id: "0oa1".into(),
            seq: 1,
            status: crate::store::Status::Active,
            created: 0,
            last_updated: 0,
            body: Map::new(),
            secrets: vec![],
            groups: vec![],
        });
        let r = upsert(&mut org, "0oa1", &uid, Map::new(), "http://h").unwrap();
        let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "id",
                "externalId",
                "created",
                "lastUpdated",
                "scope",
                "status",
                "statusChanged",
                "passwordChanged",
                "syncState",
                "credentials",
                "profile",
                "_links"
            ]
        );
        assert_eq!(r["credentials"]["userName"], crate::store::ADMIN_LOGIN);
        let mut creds = Map::new();
        creds.insert("credentials".into(), json!({"userName": "alias"}));
        let r = upsert(&mut org, "0oa1", &uid, creds, "http://h").unwrap();
        assert_eq!(r["credentials"]["userName"], "alias");
        assert_eq!(org.app_users.len(), 1);
        assert_eq!(
            upsert(&mut org, "0oa1", "00uNope", Map::new(), "http://h")
                .unwrap_err()
                .summary,
            "Not found: Resource not found: 00uNope (User)"
        );
        assert_eq!(
            upsert(&mut org, "0oaNope", &uid, Map::new(), "http://h")
                .unwrap_err()
                .status
                .as_u16(),
            404
        );
        let bad: Map<String, Value> = serde_json::from_value(json!({"profile": 3})).unwrap();
        assert!(stored_body(&bad).is_err());
    }
}
