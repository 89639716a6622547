//! Operations on the org's authorization servers: find, list, create, replace, delete and
//! lifecycle.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    okta::authz::{servers::body, system::system_object},
    pipeline::http,
    store::authz::AuthServer,
    store::{seed, Org, Status},
};

/// Okta's type word for authorization servers in 404 summaries.
pub const SERVER_KIND: &str = "AuthorizationServer";

/// Index of the server addressed as `key`: its `aus…` id, or `default` for the built-in one.
pub fn server_index(org: &Org, key: &str) -> ApiResult<usize> {
    org.auth_servers
        .iter()
        .position(|s| s.id == key || (key == "default" && s.is_default))
        .ok_or_else(|| OktaError::not_found(key, SERVER_KIND))
}

/// The server addressed as `key` (see [`server_index`]).
pub fn find<'o>(org: &'o Org, key: &str) -> ApiResult<&'o AuthServer> {
    Ok(&org.auth_servers[server_index(org, key)?])
}

/// The server addressed as `key`, to change it or its scopes, claims and policies.
pub fn find_mut<'o>(org: &'o mut Org, key: &str) -> ApiResult<&'o mut AuthServer> {
    let i = server_index(org, key)?;
    Ok(&mut org.auth_servers[i])
}

/// One page of the servers whose name or an audience starts with `q` (ignoring case), after
/// the server of sequence `after`; with the sequence the next page starts after, if any.
pub fn list<'o>(
    org: &'o Org,
    q: Option<&str>,
    after: Option<u64>,
    limit: usize,
) -> (Vec<&'o AuthServer>, Option<u64>) {
    let q = q.map(str::to_lowercase);
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
    http::paginate(matching, after, limit, |srv| srv.seq)
}

/// Adds a custom server from a create body.
pub fn create<'o>(org: &'o mut Org, req: &Map<String, Value>) -> ApiResult<&'o AuthServer> {
    let f = body::fields(req, org, None)?;
    let seq = org.next_seq();
    let srv = seed::new_server(
        seq,
        f.name,
        f.description,
        f.audiences,
        f.issuer_mode,
        f.rotation_mode,
    );
    org.auth_servers.push(srv);
    Ok(org.auth_servers.last().expect("just pushed"))
}

/// Full-replace PUT of the server addressed as `key`.
pub fn replace<'o>(
    org: &'o mut Org,
    key: &str,
    req: &Map<String, Value>,
    now: i64,
) -> ApiResult<&'o AuthServer> {
    let i = server_index(org, key)?;
    let f = body::fields(req, org, Some(i))?;
    let srv = &mut org.auth_servers[i];
    srv.name = f.name;
    srv.description = f.description;
    srv.audiences = f.audiences;
    srv.issuer_mode = f.issuer_mode;
    srv.rotation_mode = f.rotation_mode;
    srv.last_updated = now;
    Ok(srv)
}

/// Deletes an INACTIVE custom server. The Terraform provider deactivates first; an ACTIVE
/// server is refused (modelled on apps) so that a client skipping that step notices.
pub fn delete(org: &mut Org, key: &str) -> ApiResult<()> {
    let i = server_index(org, key)?;
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
}

/// Activates or deactivates; `lastUpdated` moves only when the status does.
pub fn set_status(org: &mut Org, key: &str, status: Status, now: i64) -> ApiResult<()> {
    let srv = find_mut(org, key)?;
    if srv.status != status {
        srv.status = status;
        srv.last_updated = now;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn servers_are_found_by_id_or_default() {
        let org = Org::seed(None);
        let id = org.auth_servers[0].id.clone();
        assert_eq!(server_index(&org, "default").unwrap(), 0);
        assert_eq!(server_index(&org, &id).unwrap(), 0);
        let e = server_index(&org, "aus404").unwrap_err();
        assert_eq!(
            e.summary,
            "Not found: Resource not found: aus404 (AuthorizationServer)"
        );
    }

    #[test]
    fn servers_are_created_listed_and_deleted_once_inactive() {
        let mut org = Org::seed(None);
        let body =
            obj(json!({"name": "Payroll", "description": "d", "audiences": ["api://payroll"]}));
        let id = create(&mut org, &body).unwrap().id.clone();
        let (page, next) = list(&org, Some("API://PAY"), None, 10);
        assert_eq!(
            (page.len(), page[0].id.as_str(), next),
            (1, id.as_str(), None)
        );
        let e = delete(&mut org, &id).unwrap_err();
        assert_eq!(e.summary, "Api validation failed: status");
        set_status(&mut org, &id, Status::Inactive, 7).unwrap();
        assert_eq!(find(&org, &id).unwrap().last_updated, 7);
        delete(&mut org, &id).unwrap();
        assert!(find(&org, &id).is_err());
        assert!(delete(&mut org, "default").is_err());
    }

    #[test]
    fn a_put_replaces_the_fields_and_stamps_the_time() {
        let mut org = Org::seed(None);
        let body = obj(json!({"name": "renamed", "description": "d2", "audiences": ["b"]}));
        let srv = replace(&mut org, "default", &body, 42).unwrap();
        assert_eq!((srv.name.as_str(), srv.last_updated), ("renamed", 42));
        assert!(replace(&mut org, "aus404", &body, 42).is_err());
    }
}
