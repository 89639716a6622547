//! App user operations on the org: list, look up, assign (or update), unassign.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    okta::apps::APP_KIND,
    okta::objects::USER_KIND,
    store::authz::AppUserAssignment,
    store::Org,
};

const APP_USER_KIND: &str = "AppUser";

fn require_app(org: &Org, app_id: &str) -> ApiResult<()> {
    org.app(app_id)
        .map(|_| ())
        .ok_or_else(|| OktaError::not_found(app_id, APP_KIND))
}

/// Keeps only the parts of an assignment body Okta stores (`credentials`, `profile`).
pub fn stored_body(req: &Map<String, Value>) -> ApiResult<Map<String, Value>> {
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

/// Reads an assign body (`{"id": "00u…", "scope": "USER", "credentials": {...}}`): the user
/// it names and the part that is stored.
pub fn parse_assign(req: &Map<String, Value>) -> ApiResult<(String, Map<String, Value>)> {
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
    Ok((user_id, stored_body(req)?))
}

/// Assigns the user (by id or login) to the app, or merges `body` into the existing
/// assignment; returns the user's id.
pub fn upsert(
    org: &mut Org,
    app_id: &str,
    user_id: &str,
    body: Map<String, Value>,
    now: i64,
) -> ApiResult<String> {
    require_app(org, app_id)?;
    let uid = org
        .user_by_id_or_login(user_id)
        .map(|u| u.id.clone())
        .ok_or_else(|| OktaError::not_found(user_id, USER_KIND))?;
    let seq = org.next_seq();
    match org
        .app_users
        .iter_mut()
        .find(|a| a.app_id == app_id && a.user_id == uid)
    {
        Some(a) => {
            for (k, v) in body {
                a.body.insert(k, v);
            }
            a.last_updated = now;
        }
        None => org.app_users.push(AppUserAssignment {
            app_id: app_id.to_string(),
            user_id: uid.clone(),
            seq,
            created: now,
            last_updated: now,
            body,
        }),
    }
    Ok(uid)
}

/// Changes an existing assignment; unlike `upsert` it never creates one.
pub fn update(
    org: &mut Org,
    app_id: &str,
    user_id: &str,
    body: Map<String, Value>,
    now: i64,
) -> ApiResult<String> {
    require_app(org, app_id)?;
    if !org
        .app_users
        .iter()
        .any(|a| a.app_id == app_id && a.user_id == user_id)
    {
        return Err(OktaError::not_found(user_id, APP_USER_KIND));
    }
    upsert(org, app_id, user_id, body, now)
}

/// The app's users in assignment order; `q` keeps users whose login, email or name starts
/// with it.
pub fn list<'a>(
    org: &'a Org,
    app_id: &str,
    q: Option<&str>,
) -> ApiResult<Vec<&'a AppUserAssignment>> {
    require_app(org, app_id)?;
    let q = q.map(str::to_lowercase);
    Ok(org
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
        .collect())
}

pub fn find<'a>(org: &'a Org, app_id: &str, user_id: &str) -> ApiResult<&'a AppUserAssignment> {
    require_app(org, app_id)?;
    org.app_users
        .iter()
        .find(|a| a.app_id == app_id && a.user_id == user_id)
        .ok_or_else(|| OktaError::not_found(user_id, APP_USER_KIND))
}

/// Removes the assignment and revokes the user's tokens for the app.
pub fn unassign(org: &mut Org, app_id: &str, user_id: &str) -> ApiResult<()> {
    require_app(org, app_id)?;
    let pos = org
        .app_users
        .iter()
        .position(|a| a.app_id == app_id && a.user_id == user_id)
        .ok_or_else(|| OktaError::not_found(user_id, APP_USER_KIND))?;
    org.app_users.remove(pos);
    let client_id = org
        .app(app_id)
        .map(|a| a.client_id().to_string())
        .unwrap_or_default();
    org.oidc.revoke_user(user_id, Some(&client_id));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn assignments_upsert() {
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
            access_policy: None,
        });
        assert_eq!(
            update(&mut org, "0oa1", &uid, Map::new(), 1)
                .unwrap_err()
                .status
                .as_u16(),
            404
        );
        assert_eq!(upsert(&mut org, "0oa1", &uid, Map::new(), 1).unwrap(), uid);
        let mut creds = Map::new();
        creds.insert("credentials".into(), json!({"userName": "alias"}));
        update(&mut org, "0oa1", &uid, creds, 2).unwrap();
        assert_eq!(org.app_users.len(), 1);
        assert_eq!(
            find(&org, "0oa1", &uid).unwrap().body["credentials"]["userName"],
            "alias"
        );
        assert_eq!(
            upsert(&mut org, "0oa1", "00uNope", Map::new(), 3)
                .unwrap_err()
                .summary,
            "Not found: Resource not found: 00uNope (User)"
        );
        assert_eq!(
            upsert(&mut org, "0oaNope", &uid, Map::new(), 3)
                .unwrap_err()
                .status
                .as_u16(),
            404
        );
        let bad: Map<String, Value> = serde_json::from_value(json!({"profile": 3})).unwrap();
        assert!(stored_body(&bad).is_err());
        let blank: Map<String, Value> = serde_json::from_value(json!({"id": ""})).unwrap();
        assert_eq!(
            parse_assign(&blank).unwrap_err().summary,
            "Api validation failed: id"
        );
        unassign(&mut org, "0oa1", &uid).unwrap();
        assert!(list(&org, "0oa1", None).unwrap().is_empty());
    }
}
