//! The AppUser object as Okta returns it.

use serde_json::{json, Map, Value};

use crate::{base::clock, okta::objects, store::authz::AppUserAssignment, store::Org};

/// `expand_user` embeds the user (`?expand=user`).
pub fn app_user(a: &AppUserAssignment, org: &Org, base: &str, expand_user: bool) -> Value {
    let login = org.user(&a.user_id).map(|u| u.login().to_string());
    let user_name = a
        .body
        .get("credentials")
        .and_then(|c| c.get("userName"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or(login);
    let mut out = Map::new();
    out.insert("id".into(), json!(a.user_id));
    out.insert("externalId".into(), Value::Null);
    out.insert("created".into(), json!(clock::okta_ts(a.created)));
    out.insert("lastUpdated".into(), json!(clock::okta_ts(a.last_updated)));
    out.insert("scope".into(), json!("USER"));
    out.insert("status".into(), json!("ACTIVE"));
    out.insert("statusChanged".into(), json!(clock::okta_ts(a.created)));
    out.insert("passwordChanged".into(), Value::Null);
    out.insert("syncState".into(), json!("DISABLED"));
    out.insert("credentials".into(), json!({ "userName": user_name }));
    out.insert(
        "profile".into(),
        a.body.get("profile").cloned().unwrap_or_else(|| json!({})),
    );
    out.insert(
        "_links".into(),
        json!({
            "app": {"href": format!("{base}/api/v1/apps/{}", a.app_id)},
            "user": {"href": format!("{base}/api/v1/users/{}", a.user_id)}
        }),
    );
    if expand_user {
        if let Some(u) = org.user(&a.user_id) {
            out.insert(
                "_embedded".into(),
                json!({ "user": objects::user(u, org, base) }),
            );
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_shape_and_user_name() {
        let org = Org::seed(None);
        let mut a = AppUserAssignment {
            app_id: "0oa1".into(),
            user_id: org.admin_user_id.clone(),
            seq: 1,
            created: 0,
            last_updated: 0,
            body: Map::new(),
        };
        let r = app_user(&a, &org, "http://h", false);
        let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "id",
                "externalId",
                "created",
                "lastUpdated",
                "scope",
                "status",
                "statusChanged",
                "passwordChanged",
                "syncState",
                "credentials",
                "profile",
                "_links"
            ]
        );
        assert_eq!(r["credentials"]["userName"], crate::store::ADMIN_LOGIN);
        a.body
            .insert("credentials".into(), json!({"userName": "alias"}));
        let r = app_user(&a, &org, "http://h", false);
        assert_eq!(r["credentials"]["userName"], "alias");
    }
}
