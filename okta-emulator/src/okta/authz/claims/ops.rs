//! Operations on a server's claims: list, find, create, replace, delete.

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    okta::authz::{claims::body, servers, system::system_object},
    store::authz::{AuthClaim, AuthServer},
    store::Org,
};

const CLAIM_KIND: &str = "OAuth2Claim";

fn claim_index(srv: &AuthServer, id: &str) -> ApiResult<usize> {
    srv.claims
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| OktaError::not_found(id, CLAIM_KIND))
}

/// The claims of server `as_key`, in creation order.
pub fn list<'o>(org: &'o Org, as_key: &str) -> ApiResult<&'o [AuthClaim]> {
    Ok(&servers::ops::find(org, as_key)?.claims)
}

pub fn find<'o>(org: &'o Org, as_key: &str, id: &str) -> ApiResult<&'o AuthClaim> {
    let srv = servers::ops::find(org, as_key)?;
    Ok(&srv.claims[claim_index(srv, id)?])
}

pub fn create<'o>(
    org: &'o mut Org,
    as_key: &str,
    req: &Map<String, Value>,
) -> ApiResult<&'o AuthClaim> {
    let srv = servers::ops::find_mut(org, as_key)?;
    let claim = body::claim(req, srv, None)?;
    srv.claims.push(claim);
    Ok(srv.claims.last().expect("just pushed"))
}

/// Full-replace PUT; a system claim only takes `alwaysIncludeInToken`.
pub fn replace<'o>(
    org: &'o mut Org,
    as_key: &str,
    id: &str,
    req: &Map<String, Value>,
) -> ApiResult<&'o AuthClaim> {
    let srv = servers::ops::find_mut(org, as_key)?;
    let j = claim_index(srv, id)?;
    let claim = body::claim(req, srv, Some(&srv.claims[j]))?;
    srv.claims[j] = claim;
    Ok(&srv.claims[j])
}

pub fn delete(org: &mut Org, as_key: &str, id: &str) -> ApiResult<()> {
    let srv = servers::ops::find_mut(org, as_key)?;
    let j = claim_index(srv, id)?;
    if srv.claims[j].system {
        return Err(system_object("A system claim"));
    }
    srv.claims.remove(j);
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
    fn custom_claims_are_created_replaced_and_deleted() {
        let mut org = Org::seed(None);
        let body = obj(json!({"name": "dept", "claimType": "IDENTITY",
                              "valueType": "EXPRESSION", "value": "user.department"}));
        let id = create(&mut org, "default", &body).unwrap().id.clone();
        assert!(list(&org, "default").unwrap().iter().any(|c| c.id == id));
        let mut put = body.clone();
        put.insert("value".into(), json!("user.title"));
        assert_eq!(
            replace(&mut org, "default", &id, &put).unwrap().value,
            "user.title"
        );
        delete(&mut org, "default", &id).unwrap();
        let e = find(&org, "default", &id).unwrap_err();
        assert!(e.summary.ends_with("(OAuth2Claim)"));
    }

    #[test]
    fn system_claims_cannot_be_deleted() {
        let mut org = Org::seed(None);
        let srv = servers::ops::find(&org, "default").unwrap();
        let id = srv.claims.iter().find(|c| c.system).unwrap().id.clone();
        let e = delete(&mut org, "default", &id).unwrap_err();
        assert_eq!(e.causes, ["A system claim cannot be deleted."]);
    }
}
