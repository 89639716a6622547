//! Users and groups as Okta shows them, wherever they appear: in their own APIs, as a group's
//! members, a user's groups, or an app's assigned users and groups.

use serde_json::{json, Map, Value};

use crate::{
    base::clock,
    store::{Group, Org, User, UserStatus},
};

/// Okta's type words for users and groups in 404 summaries.
pub const USER_KIND: &str = "User";
pub const GROUP_KIND: &str = "UserGroup";

const LOGO_MEDIUM: &str = "https://op3static2.oktacdn.com/assets/img/logos/groups/odyssey/okta-medium.30ce6d4085dff29412984e4c191bc874.png";
const LOGO_LARGE: &str = "https://op3static2.oktacdn.com/assets/img/logos/groups/odyssey/okta-large.c3cb8cda8ae0add1b4fe928f5844dbe3.png";

/// A user in Okta's shape. `_links` follow the status; no password material ever appears
/// (`credentials.password` is `{}` when a password is set, as in Okta).
pub fn user(u: &User, org: &Org, base: &str) -> Value {
    let href = format!("{base}/api/v1/users/{}", u.id);
    let post =
        |action: &str| json!({"href": format!("{href}/lifecycle/{action}"), "method": "POST"});
    let schema = json!({"href": format!("{base}/api/v1/meta/schemas/user/{}", org.user_type_id)});
    let kind = json!({"href": format!("{base}/api/v1/meta/types/user/{}", org.user_type_id)});
    let links = match u.status {
        UserStatus::Active => json!({
            "suspend": post("suspend"),
            "schema": schema,
            "resetPassword": post("reset_password"),
            "expirePassword": post("expire_password"),
            "self": {"href": href},
            "resetFactors": post("reset_factors"),
            "type": kind,
            "deactivate": post("deactivate")
        }),
        UserStatus::Provisioned => json!({
            "schema": schema,
            "resetPassword": post("reset_password"),
            "reactivate": post("reactivate"),
            "self": {"href": href},
            "type": kind,
            "deactivate": post("deactivate")
        }),
        UserStatus::Staged => json!({
            "schema": schema,
            "activate": post("activate"),
            "self": {"href": href},
            "type": kind,
            "deactivate": post("deactivate")
        }),
        UserStatus::Deprovisioned => json!({
            "schema": schema,
            "activate": post("activate"),
            "self": {"href": href},
            "type": kind
        }),
    };
    let activated = match u.status {
        UserStatus::Staged => u.activated,
        _ => u.activated.or(Some(u.created)),
    };
    let status_changed = match u.status {
        UserStatus::Staged => u.status_changed,
        _ => u.status_changed.or(Some(u.created)),
    };
    let ts = |t: Option<i64>| t.map_or(Value::Null, |t| Value::String(clock::okta_ts(t)));
    let mut credentials = Map::new();
    if u.password.is_some() {
        credentials.insert("password".into(), json!({}));
    }
    credentials.insert("provider".into(), json!({"type": "OKTA", "name": "OKTA"}));
    json!({
        "id": u.id,
        "status": u.status.as_str(),
        "created": clock::okta_ts(u.created),
        "activated": ts(activated),
        "statusChanged": ts(status_changed),
        "lastLogin": ts(u.last_login),
        "lastUpdated": clock::okta_ts(u.last_updated),
        "passwordChanged": ts(u.password_changed),
        "realmId": org.realm_id,
        "type": {"id": org.user_type_id},
        "profile": u.profile,
        "credentials": credentials,
        "_links": links
    })
}

pub fn group(g: &Group, base: &str) -> Value {
    let href = format!("{base}/api/v1/groups/{}", g.id);
    json!({
        "id": g.id,
        "created": clock::okta_ts(g.created),
        "lastUpdated": clock::okta_ts(g.last_updated),
        "lastMembershipUpdated": clock::okta_ts(g.last_membership_updated),
        "objectClass": ["okta:user_group"],
        "type": g.kind,
        "profile": g.profile,
        "_links": {
            "logo": [
                {"name": "medium", "href": LOGO_MEDIUM, "type": "image/png"},
                {"name": "large", "href": LOGO_LARGE, "type": "image/png"}
            ],
            "owners": {"href": format!("{href}/owners")},
            "users": {"href": format!("{href}/users")},
            "apps": {"href": format!("{href}/apps")}
        }
    })
}

/// One page of `users` (in creation order) after the user id `after`; an unknown cursor has
/// nothing after it. Returns the page and the next cursor (the last item's id).
pub fn page_by_id<'a>(
    users: Vec<&'a User>,
    after: Option<&str>,
    limit: usize,
) -> (Vec<&'a User>, Option<String>) {
    let start = match after {
        None => 0,
        Some(a) => match users.iter().position(|u| u.id == a) {
            Some(i) => i + 1,
            None => users.len(),
        },
    };
    let rest = &users[start..];
    let more = rest.len() > limit;
    let page: Vec<&User> = rest.iter().take(limit).copied().collect();
    let next = if more {
        page.last().map(|u| u.id.clone())
    } else {
        None
    };
    (page, next)
}
