//! `/api/v1/authorizationServers/{as}/claims[/{id}]`: claims of a server, with the snake_case
//! `group_filter_type` of Okta's claims API. SYSTEM claims cannot be deleted; a PUT on one only
//! changes `alwaysIncludeInToken`, as Okta allows.

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
    okta::fields::{
        bool_field, check_group_filter, enum_field, only_params, required_str, status_field,
        str_list,
    },
    pipeline::http::{self, BaseUrl, Query},
    pipeline::shared::Shared,
    store::authz::{AuthClaim, AuthServer},
};

const CLAIM_KIND: &str = "OAuth2Claim";
/// Validates a claim body against the server; `current` is the claim a PUT replaces.
fn build(
    req: &Map<String, Value>,
    srv: &AuthServer,
    current: Option<&AuthClaim>,
) -> ApiResult<AuthClaim> {
    let mut causes = Causes::new();
    if let Some(c) = current.filter(|c| c.system) {
        let mut out = c.clone();
        out.always_include_in_token = bool_field(
            req,
            "alwaysIncludeInToken",
            c.always_include_in_token,
            &mut causes,
        );
        if out.claim_type == "RESOURCE" {
            out.always_include_in_token = true;
        }
        causes.into_result()?;
        return Ok(out);
    }
    let name = required_str(req, "name", &mut causes);
    let status = status_field(req, &mut causes);
    let claim_type = match req.get("claimType") {
        None | Some(Value::Null) => {
            causes.push("claimType", "The field cannot be left blank.");
            String::new()
        }
        Some(_) => enum_field(req, "claimType", &["IDENTITY", "RESOURCE"], "", &mut causes),
    };
    let value_type = match req.get("valueType") {
        None | Some(Value::Null) => {
            causes.push("valueType", "The field cannot be left blank.");
            String::new()
        }
        Some(_) => enum_field(req, "valueType", &["EXPRESSION", "GROUPS"], "", &mut causes),
    };
    let value = required_str(req, "value", &mut causes);
    let group_filter_type = match (value_type.as_str(), req.get("group_filter_type")) {
        ("GROUPS", None | Some(Value::Null)) => {
            causes.push("group_filter_type", "The field cannot be left blank.");
            None
        }
        ("GROUPS", Some(Value::String(f))) => {
            if let Err((field, cause)) = check_group_filter(f, &value) {
                causes.push(field, cause);
            }
            Some(f.clone())
        }
        ("GROUPS", Some(_)) => {
            causes.push("group_filter_type", "The field has an invalid value");
            None
        }
        // Okta drops the filter type of non-GROUPS claims.
        _ => None,
    };
    let scopes = str_list(req, &["conditions", "scopes"], &mut causes).unwrap_or_default();
    for sc in &scopes {
        if !srv.scopes.iter().any(|s| &s.name == sc) {
            causes.push(
                "conditions.scopes",
                format!("The scope '{sc}' does not exist on this authorization server."),
            );
        }
    }
    let current_id = current.map(|c| c.id.as_str());
    if !name.is_empty()
        && srv.claims.iter().any(|c| {
            c.name == name && c.claim_type == claim_type && Some(c.id.as_str()) != current_id
        })
    {
        causes.push(
            "name",
            "A claim with the same name and claim type already exists.",
        );
    }
    // RESOURCE claims always go into the access token.
    let always =
        claim_type == "RESOURCE" || bool_field(req, "alwaysIncludeInToken", false, &mut causes);
    causes.into_result()?;
    Ok(AuthClaim {
        id: current.map_or_else(|| ids::object_id("ocl"), |c| c.id.clone()),
        name,
        status,
        claim_type,
        value_type,
        value,
        group_filter_type,
        always_include_in_token: always,
        scopes,
        system: false,
    })
}

fn claim_index(srv: &AuthServer, id: &str) -> ApiResult<usize> {
    srv.claims
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| OktaError::not_found(id, CLAIM_KIND))
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(as_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    // Okta's claims list takes no parameters.
    only_params(&Query::parse(raw.as_deref()), &[])?;
    let items = s.read(|org| {
        let srv = &org.auth_servers[server_index(org, &as_id)?];
        Ok::<_, OktaError>(
            srv.claims
                .iter()
                .map(|c| render::claim(c, &base, &as_id))
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
        let claim = build(&req, &org.auth_servers[i], None)?;
        let rendered = render::claim(&claim, &base, &as_id);
        org.auth_servers[i].claims.push(claim);
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
        let c = &srv.claims[claim_index(srv, &id)?];
        Ok::<_, OktaError>(render::claim(c, &base, &as_id))
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
        let j = claim_index(&org.auth_servers[i], &id)?;
        let current = org.auth_servers[i].claims[j].clone();
        let claim = build(&req, &org.auth_servers[i], Some(&current))?;
        let rendered = render::claim(&claim, &base, &as_id);
        org.auth_servers[i].claims[j] = claim;
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
        let j = claim_index(&org.auth_servers[i], &id)?;
        if org.auth_servers[i].claims[j].system {
            return Err(system_object("A system claim"));
        }
        org.auth_servers[i].claims.remove(j);
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

    fn groups_claim(extra: Value) -> Map<String, Value> {
        let mut m = obj(
            json!({"name": "groups", "claimType": "IDENTITY", "valueType": "GROUPS",
                               "value": ".*", "group_filter_type": "REGEX",
                               "alwaysIncludeInToken": true, "conditions": {"scopes": []}}),
        );
        m.extend(obj(extra));
        m
    }

    #[test]
    fn groups_claims_are_validated() {
        let srv = seed::default_server(1);
        let c = build(&groups_claim(json!({})), &srv, None).ok().unwrap();
        assert_eq!(c.group_filter_type.as_deref(), Some("REGEX"));
        assert!(c.always_include_in_token && !c.system);
        let bad = |extra: Value| {
            build(&groups_claim(extra), &srv, None)
                .err()
                .unwrap()
                .causes
        };
        assert_eq!(
            bad(json!({"value": "(["})),
            ["value: The regular expression is not valid."]
        );
        assert!(bad(json!({"group_filter_type": "LIKE"}))[0].starts_with("group_filter_type:"));
        assert!(bad(json!({"group_filter_type": null}))[0].starts_with("group_filter_type:"));
        assert!(bad(json!({"claimType": "ACCESS"}))[0].starts_with("claimType:"));
        assert!(bad(json!({"valueType": "SYSTEM"}))[0].starts_with("valueType:"));
        assert!(
            bad(json!({"conditions": {"scopes": ["groups"]}}))[0].starts_with("conditions.scopes:")
        );
        // An IDENTITY `email` clashes with the system claim; a RESOURCE one does not.
        assert!(!bad(json!({"name": "email"})).is_empty());
        let r = build(
            &groups_claim(
                json!({"name": "email", "claimType": "RESOURCE", "alwaysIncludeInToken": false}),
            ),
            &srv,
            None,
        )
        .ok()
        .unwrap();
        assert!(r.always_include_in_token);
    }

    #[test]
    fn system_claims_only_toggle_inclusion() {
        let srv = seed::default_server(1);
        let birthdate = srv.claims.iter().find(|c| c.name == "birthdate").unwrap();
        let c = build(
            &obj(json!({"name": "x", "alwaysIncludeInToken": true})),
            &srv,
            Some(birthdate),
        )
        .ok()
        .unwrap();
        assert_eq!(c.name, "birthdate");
        assert!(c.always_include_in_token && c.system);
    }
}
