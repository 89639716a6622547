//! Operations on the org's policies: list by type, find, create, replace, delete, lifecycle,
//! and the apps mapped to an access policy. Plain functions on the org (no HTTP).

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, OktaError},
    base::ids,
    okta::policies::body,
    store::policies::{self as model, Policy, POLICY_KIND},
    store::{Org, Status},
};

/// The `type` values Okta's list accepts (its `PolicyType` enum for `/api/v1/policies`).
pub const LIST_TYPES: &[&str] = &[
    model::OKTA_SIGN_ON,
    model::PASSWORD,
    model::MFA_ENROLL,
    model::IDP_DISCOVERY,
    model::ACCESS_POLICY,
    model::PROFILE_ENROLLMENT,
    "POST_AUTH_SESSION",
    "ENTITY_RISK",
];

/// The list's required `type`.
pub fn list_type(value: Option<&str>) -> ApiResult<&str> {
    match value {
        None | Some("") => Err(OktaError::new(
            StatusCode::BAD_REQUEST,
            "E0000028",
            "The request is missing a required parameter.",
        )
        .with_cause("type: The type query parameter is required.")),
        Some(t) if LIST_TYPES.contains(&t) => Ok(t),
        Some(_) => Err(body::invalid_type()),
    }
}

/// The list's optional `status` filter.
pub fn status_filter(value: Option<&str>) -> ApiResult<Option<Status>> {
    match value {
        None => Ok(None),
        Some("ACTIVE") => Ok(Some(Status::Active)),
        Some("INACTIVE") => Ok(Some(Status::Inactive)),
        Some(_) => Err(OktaError::validation(
            "status",
            "'status' must be one of the following values: [ACTIVE, INACTIVE]",
        )),
    }
}

/// Policies of `policy_type` (and `status`, if given), by priority then creation.
pub fn list<'o>(org: &'o Org, policy_type: &str, status: Option<Status>) -> Vec<&'o Policy> {
    let mut found: Vec<&Policy> = org
        .policies
        .iter()
        .filter(|p| p.policy_type == policy_type && status.is_none_or(|s| p.status == s))
        .collect();
    found.sort_by_key(|p| (p.priority, p.seq));
    found
}

pub fn find<'o>(org: &'o Org, id: &str) -> ApiResult<&'o Policy> {
    org.policy(id)
        .ok_or_else(|| OktaError::not_found(id, POLICY_KIND))
}

pub fn find_mut<'o>(org: &'o mut Org, id: &str) -> ApiResult<&'o mut Policy> {
    org.policy_mut(id)
        .ok_or_else(|| OktaError::not_found(id, POLICY_KIND))
}

/// 403 for changes Okta refuses on the policies it manages itself.
fn forbidden(cause: &str) -> OktaError {
    OktaError::new(
        StatusCode::FORBIDDEN,
        "E0000006",
        "You do not have permission to perform the requested action",
    )
    .with_cause(cause)
}

/// Adds a policy (with the default rule Okta gives its type) and returns its id. `activate`
/// is the query parameter (Okta's default: true).
pub fn create(
    org: &mut Org,
    req: &Map<String, Value>,
    activate: bool,
    now: i64,
) -> ApiResult<String> {
    let fields = body::policy(req, None)?;
    let seq = org.next_seq();
    let rule_seq = org.next_seq();
    let id = ids::object_id(model::policy_prefix(&fields.policy_type));
    let rules = match fields.policy_type.as_str() {
        model::ACCESS_POLICY => vec![model::access_catch_all(rule_seq, now)],
        _ => Vec::new(),
    };
    let status = if activate {
        fields.status
    } else {
        Status::Inactive
    };
    org.policies.push(Policy {
        id: id.clone(),
        seq,
        resource_type: (fields.policy_type == model::ACCESS_POLICY)
            .then(|| model::RESOURCE_APP.to_string()),
        policy_type: fields.policy_type,
        name: fields.name,
        description: fields.description,
        priority: fields.priority.unwrap_or(1),
        system: false,
        status,
        conditions: fields.conditions,
        settings: fields.settings,
        created: now,
        last_updated: now,
        rules,
    });
    Ok(id)
}

/// Full-replace PUT: name, description, priority, conditions, settings (and status, if
/// sent). The type cannot change; system policies keep their name.
pub fn replace<'o>(
    org: &'o mut Org,
    id: &str,
    req: &Map<String, Value>,
    now: i64,
) -> ApiResult<&'o Policy> {
    let current = find(org, id)?;
    if current.read_only() {
        return Err(forbidden("This policy cannot be modified."));
    }
    let fields = body::policy(req, Some(current))?;
    let p = find_mut(org, id)?;
    p.name = fields.name;
    p.description = fields.description;
    if let Some(priority) = fields.priority {
        p.priority = priority;
    }
    p.conditions = fields.conditions;
    p.settings = fields.settings;
    if !p.system {
        p.status = fields.status;
    }
    p.last_updated = now;
    Ok(p)
}

/// Deletes a policy and its rules. Okta's own policies cannot be deleted, nor an access
/// policy apps are still mapped to.
pub fn delete(org: &mut Org, id: &str) -> ApiResult<()> {
    let p = find(org, id)?;
    if p.system || p.read_only() {
        return Err(forbidden("Default policy cannot be deleted."));
    }
    if !org.apps_on_policy(id).is_empty() {
        return Err(OktaError::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: policy",
        )
        .with_cause("policy: This policy cannot be deleted because it is assigned to one or more applications."));
    }
    org.policies.retain(|p| p.id != id);
    Ok(())
}

pub fn set_status(org: &mut Org, id: &str, status: Status, now: i64) -> ApiResult<()> {
    let p = find_mut(org, id)?;
    if p.status == status {
        return Ok(());
    }
    if p.system || p.read_only() {
        return Err(forbidden("Default policy cannot be deactivated."));
    }
    p.status = status;
    p.last_updated = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::App;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_access_list_holds_exactly_one_system_policy() {
        let org = Org::seed(None);
        let access = list(&org, model::ACCESS_POLICY, None);
        assert_eq!(access.iter().filter(|p| p.system).count(), 1);
        assert!(access.iter().any(|p| p.id == org.access_policy_id));
        assert!(list(&org, model::ACCESS_POLICY, Some(Status::Inactive)).is_empty());
    }

    #[test]
    fn list_type_is_required_and_checked() {
        assert_eq!(list_type(None).unwrap_err().code, "E0000028");
        assert_eq!(
            list_type(Some("OAUTH_AUTHORIZATION_POLICY"))
                .unwrap_err()
                .code,
            "E0000002"
        );
        assert_eq!(list_type(Some("PASSWORD")).unwrap(), "PASSWORD");
        assert!(status_filter(Some("GONE")).is_err());
    }

    #[test]
    fn create_replace_delete_an_access_policy() {
        let mut org = Org::seed(None);
        let req = obj(json!({"type": "ACCESS_POLICY", "name": "p", "description": "d"}));
        let id = create(&mut org, &req, true, 1).unwrap();
        let p = find(&org, &id).unwrap();
        assert!(id.starts_with("rst"));
        assert_eq!(p.status, Status::Active);
        assert_eq!(p.rules.len(), 1);
        assert!(p.rules[0].system);
        let put = obj(json!({"type": "ACCESS_POLICY", "name": "q"}));
        let p = replace(&mut org, &id, &put, 2).unwrap();
        assert_eq!(p.name, "q");
        assert_eq!(p.description, None);
        set_status(&mut org, &id, Status::Inactive, 3).unwrap();
        assert_eq!(find(&org, &id).unwrap().status, Status::Inactive);
        delete(&mut org, &id).unwrap();
        assert_eq!(find(&org, &id).unwrap_err().status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn create_inactive_with_activate_false() {
        let mut org = Org::seed(None);
        let req = obj(json!({"type": "ACCESS_POLICY", "name": "p"}));
        let id = create(&mut org, &req, false, 1).unwrap();
        assert_eq!(find(&org, &id).unwrap().status, Status::Inactive);
    }

    #[test]
    fn system_and_mapped_policies_are_not_deleted() {
        let mut org = Org::seed(None);
        let default = org.access_policy_id.clone();
        assert_eq!(delete(&mut org, &default).unwrap_err().code, "E0000006");
        assert!(set_status(&mut org, &default, Status::Inactive, 1).is_err());
        let req = obj(json!({"type": "ACCESS_POLICY", "name": "p"}));
        let id = create(&mut org, &req, true, 1).unwrap();
        org.apps.push(App {
            id: "0oaMAPPED".into(),
            seq: 0,
            status: Status::Active,
            created: 1,
            last_updated: 1,
            body: Map::new(),
            secrets: vec![],
            groups: vec![],
            access_policy: Some(id.clone()),
        });
        assert_eq!(org.apps_on_policy(&id), ["0oaMAPPED"]);
        assert_eq!(delete(&mut org, &id).unwrap_err().code, "E0000001");
        org.apps.clear();
        delete(&mut org, &id).unwrap();
    }
}
