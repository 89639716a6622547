//! `/api/v1/authorizationServers/{as}/scopes[/{id}]`: scopes of a server. System scopes
//! (`openid`, `profile`, ...) keep their name and cannot be deleted.

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
    base::ids,
    okta::authz::{render, server_index, system_object},
    okta::fields::{bool_field, enum_field, only_params, required_str},
    pipeline::http::{self, BaseUrl, Query},
    pipeline::shared::Shared,
    store::authz::{AuthScope, AuthServer},
};

const SCOPE_KIND: &str = "OAuth2Scope";

fn optional_text(req: &Map<String, Value>, field: &str, causes: &mut Causes) -> Option<String> {
    match req.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            causes.push(field, "The field has an invalid value");
            None
        }
    }
}

/// Validates a scope body against the server's other scopes; `current` is the scope a PUT
/// replaces.
fn build(
    req: &Map<String, Value>,
    srv: &AuthServer,
    current: Option<&AuthScope>,
) -> ApiResult<AuthScope> {
    let mut causes = Causes::new();
    let name = required_str(req, "name", &mut causes);
    if name.chars().any(char::is_whitespace) {
        causes.push("name", "The scope name must not contain whitespace.");
    } else if !name.is_empty()
        && srv
            .scopes
            .iter()
            .any(|s| s.name == name && Some(s.id.as_str()) != current.map(|c| c.id.as_str()))
    {
        causes.push(
            "name",
            "An object with this field already exists in the current organization",
        );
    }
    if let Some(c) = current.filter(|c| c.system && c.name != name) {
        causes.push(
            "name",
            format!("The system scope '{}' cannot be renamed.", c.name),
        );
    }
    let scope = AuthScope {
        id: current.map_or_else(|| ids::object_id("scp"), |c| c.id.clone()),
        display_name: optional_text(req, "displayName", &mut causes),
        description: optional_text(req, "description", &mut causes),
        system: current.is_some_and(|c| c.system),
        metadata_publish: enum_field(
            req,
            "metadataPublish",
            &["ALL_CLIENTS", "NO_CLIENTS"],
            "NO_CLIENTS",
            &mut causes,
        ),
        consent: enum_field(
            req,
            "consent",
            &["IMPLICIT", "REQUIRED", "FLEXIBLE"],
            "IMPLICIT",
            &mut causes,
        ),
        default: bool_field(req, "default", false, &mut causes),
        optional: bool_field(req, "optional", false, &mut causes),
        name,
    };
    causes.into_result()?;
    Ok(scope)
}

fn scope_index(srv: &AuthServer, id: &str) -> ApiResult<usize> {
    srv.scopes
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| OktaError::not_found(id, SCOPE_KIND))
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(as_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    // Okta's `filter`, `cursor` and `limit` are not implemented: the list is one page.
    only_params(&query, &["q"])?;
    let q = query.get("q").map(str::to_lowercase);
    let items = s.read(|org| {
        let srv = &org.auth_servers[server_index(org, &as_id)?];
        Ok::<_, OktaError>(
            srv.scopes
                .iter()
                .filter(|sc| {
                    q.as_deref()
                        .is_none_or(|q| sc.name.to_lowercase().contains(q))
                })
                .map(|sc| render::scope(sc, &base, &as_id))
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
        let scope = build(&req, &org.auth_servers[i], None)?;
        let rendered = render::scope(&scope, &base, &as_id);
        org.auth_servers[i].scopes.push(scope);
        Ok(rendered)
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let srv = &org.auth_servers[server_index(org, &as_id)?];
        let sc = &srv.scopes[scope_index(srv, &id)?];
        Ok::<_, OktaError>(render::scope(sc, &base, &as_id))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path((as_id, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let i = server_index(org, &as_id)?;
        let j = scope_index(&org.auth_servers[i], &id)?;
        let current = org.auth_servers[i].scopes[j].clone();
        let scope = build(&req, &org.auth_servers[i], Some(&current))?;
        let rendered = render::scope(&scope, &base, &as_id);
        org.auth_servers[i].scopes[j] = scope;
        Ok(rendered)
    })?;
    Ok(http::ok(&rendered))
}

pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path((as_id, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    s.write(|org| {
        let i = server_index(org, &as_id)?;
        let j = scope_index(&org.auth_servers[i], &id)?;
        if org.auth_servers[i].scopes[j].system {
            return Err(system_object("A system scope"));
        }
        org.auth_servers[i].scopes.remove(j);
        Ok(())
    })?;
    Ok(http::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seed;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn scopes_are_validated() {
        let srv = seed::default_server(1);
        let sc = build(&obj(json!({"name": "groups"})), &srv, None)
            .ok()
            .unwrap();
        assert_eq!(
            (sc.metadata_publish.as_str(), sc.consent.as_str(), sc.system),
            ("NO_CLIENTS", "IMPLICIT", false)
        );
        assert!(build(&obj(json!({"name": "openid"})), &srv, None).is_err());
        assert!(build(&obj(json!({"name": "a b"})), &srv, None).is_err());
        assert!(build(&obj(json!({"name": "x", "consent": "NEVER"})), &srv, None).is_err());
        let openid = srv.scopes[0].clone();
        let renamed = build(&obj(json!({"name": "oid"})), &srv, Some(&openid));
        assert!(renamed.is_err());
        let kept = build(
            &obj(json!({"name": "openid", "metadataPublish": "ALL_CLIENTS"})),
            &srv,
            Some(&openid),
        )
        .ok()
        .unwrap();
        assert!(kept.system);
        assert_eq!(kept.id, openid.id);
    }
}
