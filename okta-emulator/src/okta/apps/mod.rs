//! `/api/v1/apps`: list/search, create, get, full-replace PUT, delete, lifecycle.

pub mod assignments;
pub mod grants;
pub mod id_token;
pub mod model;
pub mod roles;
pub mod secrets;
pub mod users;
pub mod validate;

use std::sync::{Arc, LazyLock};

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::Response,
    routing::{get, post},
};
use regex::Regex;
use serde_json::{json, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    base::{clock, ids},
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::{
        ratelimit::{APPS, DEFAULT_BUCKET, OAUTH2},
        routes::Route,
        shared::Shared,
    },
    store::{App, ClientSecret, Org, Status},
};
use model::SecretPlan;

/// Okta's `(AppInstance)` type word in 404 summaries.
pub const APP_KIND: &str = "AppInstance";
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 200;

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

fn app_matches(app: &App, clauses: &[(String, String)]) -> ApiResult<bool> {
    for (field, value) in clauses {
        let ok = match field.as_str() {
            "group.id" => app.groups.iter().any(|g| &g.group_id == value),
            f => match model::filter_value(app, f) {
                Some(v) => v == value,
                None if matches!(f, "status" | "name" | "id" | "credentials.signing.kid") => false,
                None => {
                    return Err(OktaError::new(
                        axum::http::StatusCode::BAD_REQUEST,
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

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let params = ListParams::from_query(&Query::parse(raw.as_deref()), DEFAULT_LIMIT, MAX_LIMIT)?;
    let clauses = match &params.filter {
        Some(f) if !f.trim().is_empty() => parse_filter(f)?,
        _ => Vec::new(),
    };
    let after = match &params.after {
        Some(a) => Some(a.parse::<u64>().map_err(|_| OktaError::invalid_search())?),
        None => None,
    };
    let (items, next) = s.read(|org| -> ApiResult<_> {
        let mut matching = Vec::new();
        for app in &org.apps {
            if let Some(q) = &params.q {
                let name = app.body.get("name").and_then(Value::as_str).unwrap_or("");
                let label = app.body.get("label").and_then(Value::as_str).unwrap_or("");
                if !starts_with_ci(label, q) && !starts_with_ci(name, q) {
                    continue;
                }
            }
            if app_matches(app, &clauses)? {
                matching.push(app);
            }
        }
        let (page, next) = http::paginate(matching, after, params.limit, |a| a.seq);
        let items = page
            .into_iter()
            .map(|a| model::render(a, org, &base, false))
            .collect::<Vec<_>>();
        Ok((items, next))
    })?;
    let links = params.links(&base, "/api/v1/apps", next.map(|n| n.to_string()), false);
    Ok(http::list(items, &links))
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

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    let activate = !query
        .get("activate")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"));
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let id = ids::object_id("0oa");
        let built = model::build(req, None, org, &id)?;
        let now = clock::now();
        let seq = org.next_seq();
        let mut app = App {
            id,
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
        };
        apply_secret(&mut app, built.secret, now);
        let rendered = model::render(&app, org, &base, true);
        org.apps.push(app);
        Ok(rendered)
    })?;
    // Okta answers a create with 200, not 201.
    Ok(http::ok(&rendered))
}

fn index_of(org: &Org, id: &str) -> ApiResult<usize> {
    org.apps
        .iter()
        .position(|a| a.id == id)
        .ok_or_else(|| OktaError::not_found(id, APP_KIND))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let app = org
            .app(&id)
            .ok_or_else(|| OktaError::not_found(&id, APP_KIND))?;
        Ok::<_, OktaError>(model::render(app, org, &base, false))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let idx = index_of(org, &id)?;
        let built = model::build(req, Some(&org.apps[idx]), org, &id)?;
        let now = clock::now();
        let app = &mut org.apps[idx];
        app.body = built.body;
        app.last_updated = now;
        apply_secret(app, built.secret, now);
        Ok(model::render(&org.apps[idx], org, &base, true))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    s.write(|org| {
        let idx = index_of(org, &id)?;
        if org.apps[idx].status == Status::Active {
            return Err(OktaError::new(
                axum::http::StatusCode::FORBIDDEN,
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
    })?;
    Ok(http::no_content())
}

fn set_status(s: &Shared, id: &str, status: Status) -> ApiResult<Response> {
    s.write(|org| {
        let idx = index_of(org, id)?;
        let app = &mut org.apps[idx];
        if app.status != status {
            app.status = status;
            app.last_updated = clock::now();
        }
        // Deactivating an app revokes the tokens issued to it.
        if status == Status::Inactive {
            let client_id = app.client_id().to_string();
            org.oidc.revoke_client(&client_id);
        }
        Ok(())
    })?;
    Ok(http::ok(&json!({})))
}

pub async fn activate(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult<Response> {
    set_status(&s, &id, Status::Active)
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    set_status(&s, &id, Status::Inactive)
}

/// The apps API: apps, their client secrets, group and user assignments, scope grants, the
/// admin roles of their clients, and the internal ID-token setting.
pub fn routes() -> Vec<Route> {
    const APP: &str = "/api/v1/apps/{app_id}";
    const CLIENT_ROLES: &str = "/oauth2/v1/clients/{client_id}/roles";
    let app = |suffix: &str| format!("{APP}{suffix}");
    vec![
        Route::api("/api/v1/apps", "apps", APPS, get(list).post(create)),
        Route::api(APP, "apps", APPS, get(get_one).put(replace).delete(delete)),
        Route::api(app("/lifecycle/activate"), "apps", APPS, post(activate)),
        Route::api(app("/lifecycle/deactivate"), "apps", APPS, post(deactivate)),
        Route::api(
            app("/credentials/secrets"),
            "apps",
            APPS,
            get(secrets::handlers::list).post(secrets::handlers::create),
        ),
        Route::api(
            app("/credentials/secrets/{secret_id}"),
            "apps",
            APPS,
            get(secrets::handlers::get_one).delete(secrets::handlers::delete),
        ),
        Route::api(
            app("/credentials/secrets/{secret_id}/lifecycle/activate"),
            "apps",
            APPS,
            post(secrets::handlers::activate),
        ),
        Route::api(
            app("/credentials/secrets/{secret_id}/lifecycle/deactivate"),
            "apps",
            APPS,
            post(secrets::handlers::deactivate),
        ),
        Route::api(
            app("/groups"),
            "apps",
            APPS,
            get(assignments::handlers::list),
        ),
        Route::api(
            app("/groups/{group_id}"),
            "apps",
            APPS,
            get(assignments::handlers::get_one)
                .put(assignments::handlers::upsert)
                .delete(assignments::handlers::delete),
        ),
        Route::api(
            app("/users"),
            "apps",
            APPS,
            get(users::handlers::list).post(users::handlers::assign),
        ),
        Route::api(
            app("/users/{user_id}"),
            "apps",
            APPS,
            get(users::handlers::get_one)
                .post(users::handlers::update)
                .delete(users::handlers::unassign),
        ),
        Route::api(
            app("/grants"),
            "appGrants",
            APPS,
            get(grants::handlers::list).post(grants::handlers::create),
        ),
        Route::api(
            app("/grants/{grant_id}"),
            "appGrants",
            APPS,
            get(grants::handlers::get_one).delete(grants::handlers::delete),
        ),
        Route::api(
            app("/roles"),
            "roles",
            APPS,
            get(roles::handlers::list).post(roles::handlers::assign),
        ),
        Route::api(
            app("/roles/{role_id}"),
            "roles",
            APPS,
            get(roles::handlers::get_one).delete(roles::handlers::unassign),
        ),
        Route::api(
            CLIENT_ROLES,
            "roles",
            OAUTH2,
            get(roles::handlers::list).post(roles::handlers::assign),
        ),
        Route::api(
            format!("{CLIENT_ROLES}/{{role_id}}"),
            "roles",
            OAUTH2,
            get(roles::handlers::get_one).delete(roles::handlers::unassign),
        ),
        Route::internal(
            "/api/v1/internal/apps/{app_id}/settings/oauth/idToken",
            DEFAULT_BUCKET,
            get(id_token::handlers::get_one).post(id_token::handlers::set),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
