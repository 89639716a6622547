//! A group assignment as Okta returns it.

use serde_json::{json, Map, Value};

use crate::{
    base::clock,
    okta::objects,
    store::{GroupAssignment, Org},
};

/// `expand_group` embeds the group (`?expand=group`).
pub fn assignment(
    a: &GroupAssignment,
    app_id: &str,
    org: &Org,
    base: &str,
    expand_group: bool,
) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), Value::from(a.group_id.clone()));
    out.insert(
        "lastUpdated".into(),
        Value::from(clock::okta_ts(a.last_updated)),
    );
    out.insert("priority".into(), Value::from(a.priority));
    out.insert("profile".into(), a.profile.clone());
    out.insert(
        "_links".into(),
        json!({
            "app": {"href": format!("{base}/api/v1/apps/{app_id}")},
            "self": {"href": format!("{base}/api/v1/apps/{app_id}/groups/{}", a.group_id)},
            "group": {"href": format!("{base}/api/v1/groups/{}", a.group_id)}
        }),
    );
    if expand_group {
        if let Some(g) = org.group(&a.group_id) {
            out.insert(
                "_embedded".into(),
                json!({ "group": objects::group(g, base) }),
            );
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_shape() {
        let org = Org::seed(None);
        let a = GroupAssignment {
            group_id: org.groups[0].id.clone(),
            seq: 1,
            priority: 4,
            profile: json!({}),
            last_updated: 0,
        };
        let r = assignment(&a, "0oa1", &org, "http://h", true);
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "id",
                "lastUpdated",
                "priority",
                "profile",
                "_links",
                "_embedded"
            ]
        );
        assert_eq!(r["_links"]["app"]["href"], "http://h/api/v1/apps/0oa1");
        assert_eq!(r["_embedded"]["group"]["profile"]["name"], "Everyone");
    }
}
