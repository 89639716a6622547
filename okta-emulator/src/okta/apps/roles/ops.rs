//! Client role operations on the org: list, look up, assign, unassign.

use axum::http::StatusCode;

use crate::{
    base::errors::{ApiResult, OktaError},
    base::ids,
    okta::apps::APP_KIND,
    pipeline::okta_scopes,
    store::{App, ClientRole, Org},
};

const ROLE_KIND: &str = "Role";

/// The app a `{clientId}` path segment names (its client id, or its app id).
pub fn client<'a>(org: &'a Org, client_id: &str) -> ApiResult<&'a App> {
    org.apps
        .iter()
        .find(|a| a.client_id() == client_id)
        .or_else(|| org.app(client_id))
        .ok_or_else(|| OktaError::not_found(client_id, APP_KIND))
}

/// The client's app and its roles.
pub fn list<'a>(org: &'a Org, client_id: &str) -> ApiResult<(&'a App, Vec<&'a ClientRole>)> {
    let app = client(org, client_id)?;
    let roles = org
        .client_roles
        .iter()
        .filter(|r| r.app_id == app.id)
        .collect();
    Ok((app, roles))
}

pub fn find<'a>(
    org: &'a Org,
    client_id: &str,
    role_id: &str,
) -> ApiResult<(&'a App, &'a ClientRole)> {
    let app = client(org, client_id)?;
    org.client_roles
        .iter()
        .find(|r| r.app_id == app.id && r.id == role_id)
        .map(|r| (app, r))
        .ok_or_else(|| OktaError::not_found(role_id, ROLE_KIND))
}

/// Gives the client a role of `role_type`; returns the new assignment's id.
pub fn assign(org: &mut Org, client_id: &str, role_type: &str, now: i64) -> ApiResult<String> {
    let app_id = client(org, client_id)?.id.clone();
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
        .any(|r| r.app_id == app_id && r.role_type == role_type)
    {
        return Err(OktaError::new(
            StatusCode::CONFLICT,
            "E0000090",
            "Duplicate role assignment exception.",
        ));
    }
    let id = ids::object_id("irb");
    org.client_roles.push(ClientRole {
        id: id.clone(),
        app_id,
        role_type: role_type.to_string(),
        created: now,
        last_updated: now,
    });
    Ok(id)
}

pub fn unassign(org: &mut Org, client_id: &str, role_id: &str) -> ApiResult<()> {
    let app_id = client(org, client_id)?.id.clone();
    let before = org.client_roles.len();
    org.client_roles
        .retain(|r| !(r.app_id == app_id && r.id == role_id));
    if org.client_roles.len() == before {
        return Err(OktaError::not_found(role_id, ROLE_KIND));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Status;

    #[test]
    fn assign_once_then_unassign() {
        let mut org = Org::seed(None);
        org.apps.push(App {
            id: "0oa1".into(),
            seq: 1,
            status: Status::Active,
            created: 0,
            last_updated: 0,
            body: Default::default(),
            secrets: vec![],
            groups: vec![],
            access_policy: None,
        });
        let id = assign(&mut org, "0oa1", "APP_ADMIN", 1).unwrap();
        assert_eq!(
            assign(&mut org, "0oa1", "APP_ADMIN", 2).unwrap_err().code,
            "E0000090"
        );
        assert_eq!(list(&org, "0oa1").unwrap().1.len(), 1);
        assert_eq!(find(&org, "0oa1", &id).unwrap().1.role_type, "APP_ADMIN");
        unassign(&mut org, "0oa1", &id).unwrap();
        assert_eq!(
            unassign(&mut org, "0oa1", &id).unwrap_err().status.as_u16(),
            404
        );
    }
}
