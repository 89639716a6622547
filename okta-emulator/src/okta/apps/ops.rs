//! App operations on the org: search, create, look up, full replace, delete, lifecycle. The
//! request → stored document work is `model.rs`; these place the result in the org.

use std::sync::LazyLock;

use axum::http::StatusCode;
use regex::Regex;
use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    base::ids,
    okta::apps::{model, model::SecretPlan, APP_KIND},
    store::{App, ClientSecret, Org, Status},
};

static CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*([A-Za-z][A-Za-z0-9_.]*)\s+eq\s+"([^"]*)"\s*$"#)
        .expect("constant filter pattern compiles")
});

/// Parses `field eq "value" [and field eq "value" …]`.
pub fn parse_filter(filter: &str) -> ApiResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for clause in filter.split(" and ") {
        let caps = CLAUSE
            .captures(clause)
            .ok_or_else(OktaError::invalid_search)?;
        out.push((caps[1].to_string(), caps[2].to_string()));
    }
    Ok(out)
}

/// The value a list `filter` clause (`field eq "value"`) compares against.
fn filter_value<'a>(app: &'a App, field: &str) -> Option<&'a str> {
    match field {
        "status" => Some(app.status.as_str()),
        "name" => app.body.get("name").and_then(Value::as_str),
        "id" => Some(&app.id),
        "credentials.signing.kid" => app
            .body
            .get("credentials")
            .and_then(|c| c.get("signing"))
            .and_then(|s| s.get("kid"))
            .and_then(Value::as_str),
        _ => None,
    }
}

fn app_matches(app: &App, clauses: &[(String, String)]) -> ApiResult<bool> {
    for (field, value) in clauses {
        let ok = match field.as_str() {
            "group.id" => app.groups.iter().any(|g| &g.group_id == value),
            f => match filter_value(app, f) {
                Some(v) => v == value,
                None if matches!(f, "status" | "name" | "id" | "credentials.signing.kid") => false,
                None => {
                    return Err(OktaError::new(
                        StatusCode::BAD_REQUEST,
                        "E0000094",
                        "The provided filter is unsupported.",
                    ))
                }
            },
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.to_lowercase().starts_with(&prefix.to_lowercase())
}

/// The apps, in creation order, whose label or name starts with `q` and that match every
/// filter clause.
pub fn list<'a>(
    org: &'a Org,
    q: Option<&str>,
    clauses: &[(String, String)],
) -> ApiResult<Vec<&'a App>> {
    let mut matching = Vec::new();
    for app in &org.apps {
        if let Some(q) = q {
            let name = app.body.get("name").and_then(Value::as_str).unwrap_or("");
            let label = app.body.get("label").and_then(Value::as_str).unwrap_or("");
            if !starts_with_ci(label, q) && !starts_with_ci(name, q) {
                continue;
            }
        }
        if app_matches(app, clauses)? {
            matching.push(app);
        }
    }
    Ok(matching)
}

fn index_of(org: &Org, id: &str) -> ApiResult<usize> {
    org.apps
        .iter()
        .position(|a| a.id == id)
        .ok_or_else(|| OktaError::not_found(id, APP_KIND))
}

pub fn find<'a>(org: &'a Org, id: &str) -> ApiResult<&'a App> {
    org.app(id)
        .ok_or_else(|| OktaError::not_found(id, APP_KIND))
}

/// Applies a secret plan after a create or replace.
fn apply_secret(app: &mut App, plan: SecretPlan, now: i64) {
    let new_secret = |secret: String| ClientSecret {
        id: ids::object_id("ocs"),
        status: Status::Active,
        secret,
        hash: ids::secret_hash(),
        created: now,
        last_updated: now,
    };
    match plan {
        SecretPlan::Keep => {}
        SecretPlan::Generate => app.secrets.push(new_secret(ids::client_secret())),
        SecretPlan::Set(value) => {
            if app.current_secret().map(|c| c.secret.as_str()) != Some(value.as_str()) {
                // A caller-chosen secret replaces the app's secrets.
                app.secrets.clear();
                app.secrets.push(new_secret(value));
            }
        }
    }
}

/// Creates an app from a request body (ACTIVE unless `activate` is false); returns its id.
pub fn create(
    org: &mut Org,
    req: Map<String, Value>,
    activate: bool,
    now: i64,
) -> ApiResult<String> {
    let id = ids::object_id("0oa");
    let built = model::build(req, None, org, &id)?;
    let seq = org.next_seq();
    let mut app = App {
        id: id.clone(),
        seq,
        status: if activate {
            Status::Active
        } else {
            Status::Inactive
        },
        created: now,
        last_updated: now,
        body: built.body,
        secrets: Vec::new(),
        groups: Vec::new(),
        access_policy: None,
    };
    apply_secret(&mut app, built.secret, now);
    org.apps.push(app);
    Ok(id)
}

/// Replaces an app's document (PUT), keeping its id, status, secrets and assignments.
pub fn replace(org: &mut Org, id: &str, req: Map<String, Value>, now: i64) -> ApiResult<()> {
    let idx = index_of(org, id)?;
    let built = model::build(req, Some(&org.apps[idx]), org, id)?;
    let app = &mut org.apps[idx];
    app.body = built.body;
    app.last_updated = now;
    apply_secret(app, built.secret, now);
    Ok(())
}

/// Deletes an inactive app with what hangs off it: user assignments, tokens, its ID-token
/// claim, scope grants and client roles.
pub fn delete(org: &mut Org, id: &str) -> ApiResult<()> {
    let idx = index_of(org, id)?;
    if org.apps[idx].status == Status::Active {
        return Err(OktaError::new(
            StatusCode::FORBIDDEN,
            "E0000056",
            "Delete application forbidden.",
        )
        .with_cause("The application must be deactivated before deletion."));
    }
    let app = org.apps.remove(idx);
    org.app_users.retain(|a| a.app_id != app.id);
    org.oidc.revoke_client(app.client_id());
    // Okta's per-app ID-token claim goes with the app.
    org.app_id_token_claims.retain(|c| c.app_id != id);
    org.app_grants.retain(|g| g.app_id != id);
    org.client_roles.retain(|r| r.app_id != id);
    Ok(())
}

/// Activates or deactivates an app; deactivating revokes the tokens issued to it.
pub fn set_status(org: &mut Org, id: &str, status: Status, now: i64) -> ApiResult<()> {
    let idx = index_of(org, id)?;
    let app = &mut org.apps[idx];
    if app.status != status {
        app.status = status;
        app.last_updated = now;
    }
    if status == Status::Inactive {
        let client_id = app.client_id().to_string();
        org.oidc.revoke_client(&client_id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::apps::model::tests::web_request;

    #[test]
    fn filters_parse() {
        assert_eq!(
            parse_filter(r#"status eq "ACTIVE""#).unwrap(),
            vec![("status".to_string(), "ACTIVE".to_string())]
        );
        assert_eq!(
            parse_filter(r#"name eq "oidc_client" and status eq "INACTIVE""#)
                .unwrap()
                .len(),
            2
        );
        assert!(parse_filter("status = ACTIVE").is_err());
        assert!(parse_filter(r#"status eq ACTIVE"#).is_err());
    }

    #[test]
    fn secret_plans() {
        let mut app = App {
            id: "0oa".into(),
            seq: 1,
            status: Status::Active,
            created: 0,
            last_updated: 0,
            body: Default::default(),
            secrets: vec![],
            access_policy: None,
            groups: vec![],
        };
        apply_secret(&mut app, SecretPlan::Generate, 1);
        assert_eq!(app.secrets.len(), 1);
        let first = app.secrets[0].secret.clone();
        apply_secret(&mut app, SecretPlan::Set(first.clone()), 2);
        assert_eq!(app.secrets.len(), 1);
        apply_secret(&mut app, SecretPlan::Set("a-brand-new-secret".into()), 3);
        assert_eq!(app.secrets.len(), 1);
        assert_eq!(
            app.current_secret().map(|c| c.secret.as_str()),
            Some("a-brand-new-secret")
        );
        apply_secret(&mut app, SecretPlan::Keep, 4);
        assert_eq!(app.secrets.len(), 1);
    }

    #[test]
    fn lifecycle_and_search() {
        let mut org = Org::seed(None);
        let id = create(&mut org, web_request(), false, 1).unwrap();
        assert_eq!(find(&org, &id).unwrap().secrets.len(), 1);
        let inactive = parse_filter(r#"status eq "INACTIVE""#).unwrap();
        assert_eq!(list(&org, Some("MY-"), &inactive).unwrap().len(), 1);
        assert!(list(&org, Some("other"), &[]).unwrap().is_empty());
        let unsupported = parse_filter(r#"label eq "x""#).unwrap();
        assert_eq!(list(&org, None, &unsupported).unwrap_err().code, "E0000094");
        set_status(&mut org, &id, Status::Active, 2).unwrap();
        assert_eq!(
            filter_value(find(&org, &id).unwrap(), "status"),
            Some("ACTIVE")
        );
        assert_eq!(delete(&mut org, &id).unwrap_err().code, "E0000056");
        set_status(&mut org, &id, Status::Inactive, 3).unwrap();
        replace(&mut org, &id, web_request(), 4).unwrap();
        assert_eq!(find(&org, &id).unwrap().last_updated, 4);
        delete(&mut org, &id).unwrap();
        assert_eq!(find(&org, &id).unwrap_err().status.as_u16(), 404);
    }
}
