//! `/api/v1/authorizationServers[/{as}]`: list, create, get, full-replace PUT, delete and
//! lifecycle of custom authorization servers (`default` included).

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
};
use serde_json::{Map, Value};

use crate::{
    base::clock,
    base::errors::{ApiResult, Causes, OktaError},
    okta::authz::{render, server_index, system_object},
    okta::fields::{enum_field, only_params, required_str, str_list},
    pipeline::http::{self, BaseUrl, ListParams, Query},
    pipeline::shared::Shared,
    store::{seed, Org, Status},
};

const DEFAULT_LIMIT: usize = 200;
const MAX_LIMIT: usize = 200;
const ISSUER_MODES: &[&str] = &["ORG_URL", "CUSTOM_URL", "DYNAMIC"];

/// The fields a create or PUT sets.
struct ServerFields {
    name: String,
    description: String,
    audiences: Vec<String>,
    issuer_mode: String,
    rotation_mode: String,
}

/// Validates a server body; `current` is the server a PUT replaces (its own name is no
/// conflict, and an omitted issuer or rotation mode keeps its value).
fn fields(req: &Map<String, Value>, org: &Org, current: Option<usize>) -> ApiResult<ServerFields> {
    let mut causes = Causes::new();
    let name = required_str(req, "name", &mut causes);
    if !name.is_empty()
        && org
            .auth_servers
            .iter()
            .enumerate()
            .any(|(i, s)| Some(i) != current && s.name == name)
    {
        causes.push(
            "name",
            "An object with this field already exists in the current organization",
        );
    }
    let description = required_str(req, "description", &mut causes);
    let audiences = str_list(req, &["audiences"], &mut causes).unwrap_or_default();
    if audiences.iter().all(|a| a.trim().is_empty()) {
        causes.push("audiences", "The field cannot be left blank.");
    } else if audiences.len() > 1 {
        // Okta accepts exactly one audience per server.
        causes.push("audiences", "Only one audience is supported.");
    }
    let prev = current.map(|i| &org.auth_servers[i]);
    let issuer_mode = enum_field(
        req,
        "issuerMode",
        ISSUER_MODES,
        prev.map_or("ORG_URL", |s| s.issuer_mode.as_str()),
        &mut causes,
    );
    let signing = req
        .get("credentials")
        .and_then(|c| c.get("signing"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let rotation_mode = enum_field(
        &signing,
        "rotationMode",
        &["AUTO", "MANUAL"],
        prev.map_or("AUTO", |s| s.rotation_mode.as_str()),
        &mut causes,
    );
    causes.into_result()?;
    Ok(ServerFields {
        name,
        description,
        audiences,
        issuer_mode,
        rotation_mode,
    })
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = Query::parse(raw.as_deref());
    only_params(&query, &["q", "limit", "after"])?;
    let params = ListParams::from_query(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = match &params.after {
        Some(a) => Some(a.parse::<u64>().map_err(|_| OktaError::invalid_search())?),
        None => None,
    };
    let (items, next) = s.read(|org| {
        // `q` matches the start of the name or of an audience, ignoring case.
        let q = params.q.as_deref().map(str::to_lowercase);
        let matching: Vec<_> = org
            .auth_servers
            .iter()
            .filter(|srv| {
                q.as_deref().is_none_or(|q| {
                    srv.name.to_lowercase().starts_with(q)
                        || srv
                            .audiences
                            .iter()
                            .any(|a| a.to_lowercase().starts_with(q))
                })
            })
            .collect();
        let (page, next) = http::paginate(matching, after, params.limit, |srv| srv.seq);
        (
            page.into_iter()
                .map(|srv| render::server(srv, &base))
                .collect::<Vec<_>>(),
            next,
        )
    });
    let links = params.links(
        &base,
        "/api/v1/authorizationServers",
        next.map(|n| n.to_string()),
        false,
    );
    Ok(http::list(items, &links))
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let f = fields(&req, org, None)?;
        let seq = org.next_seq();
        let srv = seed::new_server(
            seq,
            f.name,
            f.description,
            f.audiences,
            f.issuer_mode,
            f.rotation_mode,
        );
        let rendered = render::server(&srv, &base);
        org.auth_servers.push(srv);
        Ok(rendered)
    })?;
    Ok(http::json(StatusCode::CREATED, &rendered))
}

pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(as_id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        let i = server_index(org, &as_id)?;
        Ok::<_, OktaError>(render::server(&org.auth_servers[i], &base))
    })?;
    Ok(http::ok(&rendered))
}

pub async fn replace(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(as_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let req = http::object_body(&body)?;
    let rendered = s.write(|org| {
        let i = server_index(org, &as_id)?;
        let f = fields(&req, org, Some(i))?;
        let srv = &mut org.auth_servers[i];
        srv.name = f.name;
        srv.description = f.description;
        srv.audiences = f.audiences;
        srv.issuer_mode = f.issuer_mode;
        srv.rotation_mode = f.rotation_mode;
        srv.last_updated = clock::now();
        Ok(render::server(srv, &base))
    })?;
    Ok(http::ok(&rendered))
}

/// Deletes an INACTIVE custom server. The Terraform provider deactivates first; an ACTIVE
/// server is refused (modelled on apps) so that a client skipping that step notices.
pub async fn delete(
    State(s): State<Arc<Shared>>,
    Path(as_id): Path<String>,
) -> ApiResult<Response> {
    s.write(|org| {
        let i = server_index(org, &as_id)?;
        let srv = &org.auth_servers[i];
        if srv.is_default {
            return Err(system_object("The default authorization server"));
        }
        if srv.status == Status::Active {
            return Err(OktaError::validation(
                "status",
                "The authorization server must be deactivated before deletion.",
            ));
        }
        org.auth_servers.remove(i);
        Ok(())
    })?;
    Ok(http::no_content())
}

fn set_status(s: &Shared, as_id: &str, status: Status) -> ApiResult<Response> {
    s.write(|org| {
        let i = server_index(org, as_id)?;
        let srv = &mut org.auth_servers[i];
        if srv.status != status {
            srv.status = status;
            srv.last_updated = clock::now();
        }
        Ok(())
    })?;
    Ok(http::no_content())
}

pub async fn activate(
    State(s): State<Arc<Shared>>,
    Path(as_id): Path<String>,
) -> ApiResult<Response> {
    set_status(&s, &as_id, Status::Active)
}

pub async fn deactivate(
    State(s): State<Arc<Shared>>,
    Path(as_id): Path<String>,
) -> ApiResult<Response> {
    set_status(&s, &as_id, Status::Inactive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn create_bodies_are_validated() {
        let org = Org::seed(None);
        let e = fields(&obj(json!({})), &org, None).err().unwrap();
        assert_eq!(e.summary, "Api validation failed: name");
        assert_eq!(
            e.causes,
            [
                "name: The field cannot be left blank.",
                "description: The field cannot be left blank.",
                "audiences: The field cannot be left blank."
            ]
        );
        let e = fields(
            &obj(json!({"name": "default", "description": "d", "audiences": ["a"], "issuerMode": "X"})),
            &org,
            None,
        )
        .err()
        .unwrap();
        assert_eq!(e.causes.len(), 2);
        let ok = fields(
            &obj(json!({"name": "n", "description": "d", "audiences": ["a"]})),
            &org,
            None,
        )
        .ok()
        .unwrap();
        assert_eq!(
            (ok.issuer_mode.as_str(), ok.rotation_mode.as_str()),
            ("ORG_URL", "AUTO")
        );
        // A PUT keeps its own name and its modes when omitted.
        let same = fields(
            &obj(json!({"name": "default", "description": "d", "audiences": ["a"]})),
            &org,
            Some(0),
        )
        .ok()
        .unwrap();
        assert_eq!(
            (same.issuer_mode.as_str(), same.rotation_mode.as_str()),
            ("DYNAMIC", "MANUAL")
        );
    }
}
