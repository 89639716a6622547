//! Scope grant operations on the org: list, look up, grant, revoke.

use crate::{
    base::errors::{ApiResult, OktaError},
    base::ids,
    okta::apps::APP_KIND,
    pipeline::okta_scopes,
    store::{App, AppGrant, Org},
};

const GRANT_KIND: &str = "OAuth2ScopeConsentGrant";

/// A grant request: the scope, the issuer it names, and who asks.
pub struct NewGrant<'a> {
    pub issuer: &'a str,
    pub scope_id: &'a str,
    pub created_by: String,
    /// `User` or `Client`.
    pub created_by_type: &'static str,
}

fn app_of<'a>(org: &'a Org, app_id: &str) -> ApiResult<&'a App> {
    org.app(app_id)
        .ok_or_else(|| OktaError::not_found(app_id, APP_KIND))
}

/// The app and its grants.
pub fn list<'a>(org: &'a Org, app_id: &str) -> ApiResult<(&'a App, Vec<&'a AppGrant>)> {
    let app = app_of(org, app_id)?;
    let grants = org
        .app_grants
        .iter()
        .filter(|g| g.app_id == app.id)
        .collect();
    Ok((app, grants))
}

pub fn find<'a>(org: &'a Org, app_id: &str, grant_id: &str) -> ApiResult<(&'a App, &'a AppGrant)> {
    let app = app_of(org, app_id)?;
    org.app_grants
        .iter()
        .find(|g| g.app_id == app.id && g.id == grant_id)
        .map(|g| (app, g))
        .ok_or_else(|| OktaError::not_found(grant_id, GRANT_KIND))
}

/// Whether a grant's `issuer` names one of the org's URLs (the public org URL, the URL the
/// request used).
fn issuer_ok(issuer: &str, org_urls: &[&str]) -> bool {
    let issuer = issuer.trim_end_matches('/');
    org_urls.iter().any(|u| issuer == u.trim_end_matches('/'))
}

/// Grants a scope to the app; returns the new grant's id.
pub fn create(
    org: &mut Org,
    app_id: &str,
    req: NewGrant,
    org_urls: &[&str],
    now: i64,
) -> ApiResult<String> {
    let app_id = app_of(org, app_id)?.id.clone();
    let (issuer, scope) = (req.issuer, req.scope_id);
    if issuer.is_empty() {
        return Err(OktaError::validation(
            "issuer",
            "The field cannot be left blank",
        ));
    }
    if !issuer_ok(issuer, org_urls) {
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
        .any(|g| g.app_id == app_id && g.scope_id == scope)
    {
        return Err(OktaError::validation(
            "scopeId",
            &format!("The scope '{scope}' is already granted to this app."),
        ));
    }
    let id = ids::object_id("oag");
    org.app_grants.push(AppGrant {
        id: id.clone(),
        app_id,
        scope_id: scope.to_string(),
        issuer: issuer.trim_end_matches('/').to_string(),
        created: now,
        last_updated: now,
        created_by: req.created_by,
        created_by_type: req.created_by_type.to_string(),
    });
    Ok(id)
}

pub fn delete(org: &mut Org, app_id: &str, grant_id: &str) -> ApiResult<()> {
    let app_id = app_of(org, app_id)?.id.clone();
    let before = org.app_grants.len();
    org.app_grants
        .retain(|g| !(g.app_id == app_id && g.id == grant_id));
    if org.app_grants.len() == before {
        return Err(OktaError::not_found(grant_id, GRANT_KIND));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Status;

    #[test]
    fn issuer_is_the_org_url() {
        let urls = ["http://127.0.0.1:1", "http://okta.localhost:8089"];
        assert!(issuer_ok("http://127.0.0.1:1/", &urls));
        assert!(issuer_ok("http://okta.localhost:8089", &urls));
        assert!(!issuer_ok(
            "http://okta.localhost:8089/oauth2/default",
            &urls
        ));
    }

    #[test]
    fn grant_once_then_revoke() {
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
        let new = || NewGrant {
            issuer: "http://h/",
            scope_id: "okta.apps.read",
            created_by: "00u1".into(),
            created_by_type: "User",
        };
        let id = create(&mut org, "0oa1", new(), &["http://h"], 1).unwrap();
        assert_eq!(find(&org, "0oa1", &id).unwrap().1.issuer, "http://h");
        let dup = create(&mut org, "0oa1", new(), &["http://h"], 2).unwrap_err();
        assert_eq!(dup.summary, "Api validation failed: scopeId");
        delete(&mut org, "0oa1", &id).unwrap();
        assert!(list(&org, "0oa1").unwrap().1.is_empty());
    }
}
