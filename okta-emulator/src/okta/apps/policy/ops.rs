//! Mapping an app to an access policy.

use axum::http::StatusCode;

use crate::{
    base::errors::{ApiResult, OktaError},
    okta::apps::APP_KIND,
    store::policies::{ACCESS_POLICY, POLICY_KIND, RESOURCE_APP},
    store::Org,
};

/// Maps `app_id` to `policy_id`, which must be an access policy for apps (not the
/// account-management policy, nor a policy of another type).
pub fn assign(org: &mut Org, app_id: &str, policy_id: &str) -> ApiResult<()> {
    if org.app(app_id).is_none() {
        return Err(OktaError::not_found(app_id, APP_KIND));
    }
    let policy = org
        .policy(policy_id)
        .ok_or_else(|| OktaError::not_found(policy_id, POLICY_KIND))?;
    if policy.policy_type != ACCESS_POLICY || policy.resource_type.as_deref() != Some(RESOURCE_APP)
    {
        return Err(OktaError::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: policyId",
        )
        .with_cause("policyId: The policy is not an authentication policy for applications."));
    }
    // The org default is stored as no mapping, so the app follows the default as Okta's does.
    let mapping = (policy_id != org.access_policy_id).then(|| policy_id.to_string());
    if let Some(app) = org.app_mut(app_id) {
        app.access_policy = mapping;
    }
    Ok(())
}

/// The apps mapped to access policy `policy_id`, in creation order.
pub fn apps_of<'o>(org: &'o Org, policy_id: &str) -> ApiResult<Vec<&'o crate::store::App>> {
    if org.policy(policy_id).is_none() {
        return Err(OktaError::not_found(policy_id, POLICY_KIND));
    }
    Ok(org
        .apps_on_policy(policy_id)
        .into_iter()
        .filter_map(|id| org.app(id))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::policies::PASSWORD;
    use crate::store::{App, Status};

    fn org_with_app() -> Org {
        let mut org = Org::seed(None);
        org.apps.push(App {
            id: "0oaAPP".into(),
            seq: 0,
            status: Status::Active,
            created: 1,
            last_updated: 1,
            body: serde_json::Map::new(),
            secrets: vec![],
            groups: vec![],
            access_policy: None,
        });
        org
    }

    #[test]
    fn maps_and_unmaps() {
        let mut org = org_with_app();
        let other = org
            .policies
            .iter()
            .find(|p| {
                p.policy_type == ACCESS_POLICY
                    && !p.system
                    && p.resource_type.as_deref() == Some(RESOURCE_APP)
            })
            .unwrap()
            .id
            .clone();
        assign(&mut org, "0oaAPP", &other).unwrap();
        assert_eq!(org.access_policy_of("0oaAPP"), other);
        assert_eq!(apps_of(&org, &other).unwrap().len(), 1);
        assert!(apps_of(&org, &org.access_policy_id).unwrap().is_empty());
        let default = org.access_policy_id.clone();
        assign(&mut org, "0oaAPP", &default).unwrap();
        assert_eq!(org.access_policy_of("0oaAPP"), default);
        assert_eq!(org.app("0oaAPP").unwrap().access_policy, None);
    }

    #[test]
    fn refuses_unknown_ids_and_other_types() {
        let mut org = org_with_app();
        let default = org.access_policy_id.clone();
        let err = assign(&mut org, "0oaNOPE", &default).unwrap_err();
        assert_eq!(
            err.summary,
            "Not found: Resource not found: 0oaNOPE (AppInstance)"
        );
        let err = assign(&mut org, "0oaAPP", "rstNOPE").unwrap_err();
        assert_eq!(
            err.summary,
            "Not found: Resource not found: rstNOPE (Policy)"
        );
        let password = org
            .policies
            .iter()
            .find(|p| p.policy_type == PASSWORD)
            .unwrap()
            .id
            .clone();
        assert_eq!(
            assign(&mut org, "0oaAPP", &password).unwrap_err().code,
            "E0000001"
        );
    }
}
