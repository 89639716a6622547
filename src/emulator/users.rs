//! `/api/v1/users/me` and `/api/v1/users/{id}`: the users that own API tokens.

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    response::Response,
    Extension,
};
use serde_json::{json, Value};

use super::{
    auth::Caller,
    clock,
    errors::{ApiResult, OktaError},
    http::{self, BaseUrl},
    server::Shared,
    state::{Org, User},
};

const USER_KIND: &str = "User";

/// An ACTIVE user in Okta's shape.
pub fn render(u: &User, org: &Org, base: &str) -> Value {
    let href = format!("{base}/api/v1/users/{}", u.id);
    let post =
        |action: &str| json!({"href": format!("{href}/lifecycle/{action}"), "method": "POST"});
    json!({
        "id": u.id,
        "status": "ACTIVE",
        "created": clock::okta_ts(u.created),
        "activated": clock::okta_ts(u.created),
        "statusChanged": clock::okta_ts(u.created),
        "lastLogin": null,
        "lastUpdated": clock::okta_ts(u.last_updated),
        "passwordChanged": null,
        "realmId": org.realm_id,
        "type": {"id": org.user_type_id},
        "profile": u.profile,
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {
            "suspend": post("suspend"),
            "schema": {"href": format!("{base}/api/v1/meta/schemas/user/{}", org.user_type_id)},
            "resetPassword": post("reset_password"),
            "expirePassword": post("expire_password"),
            "self": {"href": href},
            "resetFactors": post("reset_factors"),
            "type": {"href": format!("{base}/api/v1/meta/types/user/{}", org.user_type_id)},
            "deactivate": post("deactivate")
        }
    })
}

fn find<'a>(org: &'a Org, id_or_login: &str) -> Option<&'a User> {
    org.user(id_or_login).or_else(|| {
        org.users
            .iter()
            .find(|u| u.profile.get("login").and_then(Value::as_str) == Some(id_or_login))
    })
}

pub async fn me(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        org.user(&caller.user_id)
            .map(|u| render(u, org, &base))
            .ok_or_else(|| OktaError::not_found(&caller.user_id, USER_KIND))
    })?;
    Ok(http::ok(&rendered))
}

/// By id or login, like Okta.
pub async fn get_one(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let rendered = s.read(|org| {
        find(org, &id)
            .map(|u| render(u, org, &base))
            .ok_or_else(|| OktaError::not_found(&id, USER_KIND))
    })?;
    Ok(http::ok(&rendered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_id_or_login() {
        let org = Org::seed(None);
        assert!(find(&org, &org.admin_user_id).is_some());
        assert!(find(&org, crate::emulator::state::ADMIN_LOGIN).is_some());
        assert!(find(&org, "nobody").is_none());
        let r = render(&org.users[0], &org, "http://h");
        assert_eq!(r["status"], "ACTIVE");
        assert_eq!(r["profile"]["login"], crate::emulator::state::ADMIN_LOGIN);
    }
}
