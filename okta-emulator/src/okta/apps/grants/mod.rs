//! `/api/v1/apps/{appId}/grants`: the Okta API scopes an app may request (Okta's "Okta API
//! Scopes" tab). A service app's `client_credentials` token request is limited to these.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
    Extension,
};
use serde_json::{json, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    base::{clock, ids},
    okta::apps::APP_KIND,
    pipeline::auth::Caller,
    pipeline::http::{self, BaseUrl, BoundBase, Query},
    pipeline::okta_scopes,
    pipeline::shared::Shared,
    store::{App, AppGrant, Org},
};

const GRANT_KIND: &str = "OAuth2ScopeConsentGrant";

pub fn render(g: &AppGrant, app: &App, base: &str, expand_scope: bool) -> Value {
    let app_href = format!("{base}/api/v1/apps/{}", app.id);
    let label = app.body.get("label").cloned().unwrap_or(Value::Null);
    let mut out = json!({
        "id": g.id,
        "status": "ACTIVE",
        "created": clock::okta_ts(g.created),
        "createdBy": {"id": g.created_by, "type": g.created_by_type},
        "lastUpdated": clock::okta_ts(g.last_updated),
        "issuer": g.issuer,
        "clientId": app.client_id(),
        "scopeId": g.scope_id,
        "source": "ADMIN",
        "_links": {
            "app": {"href": app_href, "title": label},
            "self": {"href": format!("{app_href}/grants/{}", g.id), "hints": {"allow": ["GET", "DELETE"]}},
            "client": {"href": format!("{base}/oauth2/v1/clients/{}", app.client_id()), "title": label},
        },
    });
    if expand_scope {
        out["_embedded"] = json!({"scope": {"id": g.scope_id}});
    }
    out
}

fn app_of<'a>(org: &'a Org, app_id: &str) -> ApiResult<&'a App> {
    org.app(app_id)
        .ok_or_else(|| OktaError::not_found(app_id, APP_KIND))
}

fn expand(q: &Query) -> ApiResult<bool> {
    match q.get("expand") {
        None => Ok(false),
        Some("scope") => Ok(true),
        Some(_) => Err(OktaError::validation(
            "expand",
            "The field has an invalid value",
        )),
    }
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(app_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let expand = expand(&Query::parse(raw.as_deref()))?;
    let items = s.read(|org| {
        let app = app_of(org, &app_id)?;
        Ok::<_, OktaError>(
            org.app_grants
                .iter()
                .filter(|g| g.app_id == app.id)
                .map(|g| render(g, app, &base, expand))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((app_id, grant_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let expand = expand(&Query::parse(raw.as_deref()))?;
    let rendered = s.read(|org| {
        let app = app_of(org, &app_id)?;
        org.app_grants
            .iter()
            .find(|g| g.app_id == app.id && g.id == grant_id)
            .map(|g| render(g, app, &base, expand))
            .ok_or_else(|| OktaError::not_found(&grant_id, GRANT_KIND))
    })?;
    Ok(http::ok(&rendered))
}

/// The org URLs a grant's `issuer` may name: the public org URL and the URL this request used.
fn issuer_ok(issuer: &str, base: &str, bound: &BoundBase) -> bool {
    let issuer = issuer.trim_end_matches('/');
    issuer == base.trim_end_matches('/') || issuer == bound.0.trim_end_matches('/')
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Extension(bound): Extension<BoundBase>,
    Extension(caller): Extension<Caller>,
    Path(app_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let issuer = req.get("issuer").and_then(Value::as_str).unwrap_or("");
    let scope = req.get("scopeId").and_then(Value::as_str).unwrap_or("");
    let rendered = s.write(|org| {
        let app = app_of(org, &app_id)?.clone();
        if issuer.is_empty() {
            return Err(OktaError::validation(
                "issuer",
                "The field cannot be left blank",
            ));
        }
        if !issuer_ok(issuer, &base, &bound) {
            return Err(OktaError::validation(
                "issuer",
                "The issuer must be the org authorization server.",
            ));
        }
        if scope.is_empty() {
            return Err(OktaError::validation(
                "scopeId",
                "The field cannot be left blank",
            ));
        }
        if !okta_scopes::is_okta_scope(scope) {
            return Err(OktaError::validation(
                "scopeId",
                &format!("The scope '{scope}' is not a valid Okta API scope."),
            ));
        }
        if org
            .app_grants
            .iter()
            .any(|g| g.app_id == app.id && g.scope_id == scope)
        {
            return Err(OktaError::validation(
                "scopeId",
                &format!("The scope '{scope}' is already granted to this app."),
            ));
        }
        let now = clock::now();
        let (by, by_type) = match &caller.client_id {
            Some(c) => (c.clone(), "Client"),
            None => (caller.user_id.clone(), "User"),
        };
        let grant = AppGrant {
            id: ids::object_id("oag"),
            app_id: app.id.clone(),
            scope_id: scope.to_string(),
            issuer: issuer.trim_end_matches('/').to_string(),
            created: now,
            last_updated: now,
            created_by: by,
            created_by_type: by_type.to_string(),
        };
        let out = render(&grant, &app, &base, false);
        org.app_grants.push(grant);
        Ok(out)
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((app_id, grant_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| {
        let app_id = app_of(org, &app_id)?.id.clone();
        let before = org.app_grants.len();
        org.app_grants
            .retain(|g| !(g.app_id == app_id && g.id == grant_id));
        if org.app_grants.len() == before {
            return Err(OktaError::not_found(&grant_id, GRANT_KIND));
        }
        Ok(())
    })?;
    Ok(http::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_is_the_org_url() {
        let bound = BoundBase("http://okta.localhost:8089".into());
        assert!(issuer_ok(
            "http://127.0.0.1:1/",
            "http://127.0.0.1:1",
            &bound
        ));
        assert!(issuer_ok("http://okta.localhost:8089", "http://x", &bound));
        assert!(!issuer_ok(
            "http://okta.localhost:8089/oauth2/default",
            "http://x",
            &bound
        ));
    }

    #[test]
    fn grants_render_like_okta() {
        let mut org = Org::seed(None);
        let mut app = App {
            id: "0oa1".into(),
            seq: 1,
            status: crate::store::Status::Active,
            created: 0,
            last_updated: 0,
            body: serde_json::Map::new(),
            secrets: vec![],
            groups: vec![],
        };
        app.body.insert("label".into(), json!("svc"));
        let g = AppGrant {
            id: "oag1".into(),
            app_id: "0oa1".into(),
            scope_id: "okta.apps.read".into(),
            issuer: "http://h".into(),
            created: 0,
            last_updated: 0,
            created_by: "00u1".into(),
            created_by_type: "User".into(),
        };
        let v = render(&g, &app, "http://h", true);
        assert_eq!(v["clientId"], "0oa1");
        assert_eq!(v["source"], "ADMIN");
        assert_eq!(v["status"], "ACTIVE");
        assert_eq!(v["_embedded"]["scope"]["id"], "okta.apps.read");
        assert_eq!(
            v["_links"]["self"]["href"],
            "http://h/api/v1/apps/0oa1/grants/oag1"
        );
        org.app_grants.push(g);
        assert_eq!(org.granted_scopes("0oa1"), vec!["okta.apps.read"]);
        assert!(org.granted_scopes("0oa2").is_empty());
    }
}
