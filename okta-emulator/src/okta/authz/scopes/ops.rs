//! Operations on a server's scopes: list, find, create, replace, delete.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    okta::authz::{scopes::body, servers, system::system_object},
    store::authz::{AuthScope, AuthServer},
    store::Org,
};

const SCOPE_KIND: &str = "OAuth2Scope";

fn scope_index(srv: &AuthServer, id: &str) -> ApiResult<usize> {
    srv.scopes
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| OktaError::not_found(id, SCOPE_KIND))
}

/// The scopes of server `as_key` whose name contains `q`, ignoring case.
pub fn list<'o>(org: &'o Org, as_key: &str, q: Option<&str>) -> ApiResult<Vec<&'o AuthScope>> {
    let srv = servers::ops::find(org, as_key)?;
    let q = q.map(str::to_lowercase);
    Ok(srv
        .scopes
        .iter()
        .filter(|sc| {
            q.as_deref()
                .is_none_or(|q| sc.name.to_lowercase().contains(q))
        })
        .collect())
}

pub fn find<'o>(org: &'o Org, as_key: &str, id: &str) -> ApiResult<&'o AuthScope> {
    let srv = servers::ops::find(org, as_key)?;
    Ok(&srv.scopes[scope_index(srv, id)?])
}

pub fn create<'o>(
    org: &'o mut Org,
    as_key: &str,
    req: &Map<String, Value>,
) -> ApiResult<&'o AuthScope> {
    let srv = servers::ops::find_mut(org, as_key)?;
    let scope = body::scope(req, srv, None)?;
    srv.scopes.push(scope);
    Ok(srv.scopes.last().expect("just pushed"))
}

/// Full-replace PUT; a system scope keeps its name and stays a system scope.
pub fn replace<'o>(
    org: &'o mut Org,
    as_key: &str,
    id: &str,
    req: &Map<String, Value>,
) -> ApiResult<&'o AuthScope> {
    let srv = servers::ops::find_mut(org, as_key)?;
    let j = scope_index(srv, id)?;
    let scope = body::scope(req, srv, Some(&srv.scopes[j]))?;
    srv.scopes[j] = scope;
    Ok(&srv.scopes[j])
}

pub fn delete(org: &mut Org, as_key: &str, id: &str) -> ApiResult<()> {
    let srv = servers::ops::find_mut(org, as_key)?;
    let j = scope_index(srv, id)?;
    if srv.scopes[j].system {
        return Err(system_object("A system scope"));
    }
    srv.scopes.remove(j);
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
    fn custom_scopes_are_created_found_and_deleted() {
        let mut org = Org::seed(None);
        let id = create(&mut org, "default", &obj(json!({"name": "payroll:read"})))
            .unwrap()
            .id
            .clone();
        let found = list(&org, "default", Some("PAYROLL")).unwrap();
        assert_eq!((found.len(), found[0].id.as_str()), (1, id.as_str()));
        let put = obj(json!({"name": "payroll:write"}));
        assert_eq!(
            replace(&mut org, "default", &id, &put).unwrap().name,
            "payroll:write"
        );
        delete(&mut org, "default", &id).unwrap();
        let e = find(&org, "default", &id).unwrap_err();
        assert!(e.summary.ends_with("(OAuth2Scope)"));
    }

    #[test]
    fn system_scopes_cannot_be_deleted() {
        let mut org = Org::seed(None);
        let openid = find_by_name(&org, "openid");
        let e = delete(&mut org, "default", &openid).unwrap_err();
        assert_eq!(e.causes, ["A system scope cannot be deleted."]);
    }

    fn find_by_name(org: &Org, name: &str) -> String {
        let srv = servers::ops::find(org, "default").unwrap();
        let sc = srv.scopes.iter().find(|s| s.name == name).unwrap();
        sc.id.clone()
    }
}
