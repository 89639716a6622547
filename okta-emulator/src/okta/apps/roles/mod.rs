//! Admin roles of client apps: `POST/GET /oauth2/v1/clients/{clientId}/roles` (Okta's "assign
//! a role to a client app"), also answered under `/api/v1/apps/{clientId}/roles`, and
//! `GET/DELETE …/roles/{roleId}`. A service app's OAuth access token can only do what one of
//! its roles covers (`okta_scopes::role_covers`).

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde_json::{json, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    base::{clock, ids},
    okta::apps::APP_KIND,
    pipeline::http::{self, BaseUrl},
    pipeline::okta_scopes,
    pipeline::shared::Shared,
    store::{App, ClientRole, Org},
};

const ROLE_KIND: &str = "Role";

pub fn render(r: &ClientRole, app: &App, base: &str) -> Value {
    json!({
        "id": r.id,
        "label": okta_scopes::role_label(&r.role_type).unwrap_or_default(),
        "type": r.role_type,
        "status": "ACTIVE",
        "created": clock::okta_ts(r.created),
        "lastUpdated": clock::okta_ts(r.last_updated),
        "assignmentType": "CLIENT",
        "_links": {
            "assignee": {"href": format!("{base}/oauth2/v1/clients/{}", app.client_id())},
        },
    })
}

/// The app a `{clientId}` path segment names (its client id, or its app id).
fn client<'a>(org: &'a Org, client_id: &str) -> ApiResult<&'a App> {
    org.apps
        .iter()
        .find(|a| a.client_id() == client_id)
        .or_else(|| org.app(client_id))
        .ok_or_else(|| OktaError::not_found(client_id, APP_KIND))
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(client_id): Path<String>,
) -> ApiResult<Response> {
    let items = s.read(|org| {
        let app = client(org, &client_id)?;
        Ok::<_, OktaError>(
            org.client_roles
                .iter()
                .filter(|r| r.app_id == app.id)
                .map(|r| render(r, app, &base))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(http::ok(&Value::Array(items)))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((client_id, role_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let app = client(org, &client_id)?;
        org.client_roles
            .iter()
            .find(|r| r.app_id == app.id && r.id == role_id)
            .map(|r| render(r, app, &base))
            .ok_or_else(|| OktaError::not_found(&role_id, ROLE_KIND))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn assign(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(client_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let role_type = req.get("type").and_then(Value::as_str).unwrap_or("");
    let rendered = s.write(|org| {
        let app = client(org, &client_id)?.clone();
        if role_type.is_empty() {
            return Err(OktaError::validation(
                "type",
                "The field cannot be left blank",
            ));
        }
        if okta_scopes::role_label(role_type).is_none() {
            return Err(OktaError::validation(
                "type",
                "The field has an invalid value",
            ));
        }
        if org
            .client_roles
            .iter()
            .any(|r| r.app_id == app.id && r.role_type == role_type)
        {
            return Err(OktaError::new(
                StatusCode::CONFLICT,
                "E0000090",
                "Duplicate role assignment exception.",
            ));
        }
        let now = clock::now();
        let role = ClientRole {
            id: ids::object_id("irb"),
            app_id: app.id.clone(),
            role_type: role_type.to_string(),
            created: now,
            last_updated: now,
        };
        let out = render(&role, &app, &base);
        org.client_roles.push(role);
        Ok(out)
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn unassign(
    State(s): State<Arc<Shared>>,
    Path((client_id, role_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| {
        let app_id = client(org, &client_id)?.id.clone();
        let before = org.client_roles.len();
        org.client_roles
            .retain(|r| !(r.app_id == app_id && r.id == role_id));
        if org.client_roles.len() == before {
            return Err(OktaError::not_found(&role_id, ROLE_KIND));
        }
        Ok(())
    })?;
    Ok(http::no_content())
}
