//! Policies and rules as Okta returns them (key order and `_links` as recorded).

use serde_json::{json, Map, Value};

use crate::{
    base::clock::okta_ts,
    store::policies::{Policy, PolicyRule, ACCESS_POLICY, RESOURCE_APP},
    store::Status,
};

fn link(href: String, allow: &[&str]) -> Value {
    json!({"href": href, "hints": {"allow": allow}})
}

/// A policy. `listed`: lists add `_embedded.resourceType` to access policies (a single GET
/// does not); `rules`: the `expand=rules` embedding.
pub fn policy(p: &Policy, base: &str, listed: bool, rules: bool) -> Value {
    let url = format!("{base}/api/v1/policies/{}", p.id);
    let mut m = Map::new();
    m.insert("id".into(), json!(p.id));
    m.insert("status".into(), json!(p.status.as_str()));
    m.insert("name".into(), json!(p.name));
    if let Some(d) = &p.description {
        m.insert("description".into(), json!(d));
    }
    m.insert("priority".into(), json!(p.priority));
    m.insert("system".into(), json!(p.system));
    m.insert("conditions".into(), p.conditions.clone());
    m.insert("created".into(), json!(okta_ts(p.created)));
    m.insert("lastUpdated".into(), json!(okta_ts(p.last_updated)));
    if let Some(s) = &p.settings {
        m.insert("settings".into(), s.clone());
    }
    let mut links = Map::new();
    let app_policy = p.resource_type.as_deref() == Some(RESOURCE_APP);
    if app_policy && !p.system {
        links.insert(
            "mappings".into(),
            link(format!("{url}/mappings"), &["GET", "POST"]),
        );
    }
    let allow: &[&str] = if p.read_only() {
        &["GET"]
    } else if p.system {
        &["GET", "PUT"]
    } else {
        &["GET", "PUT", "DELETE"]
    };
    links.insert("self".into(), link(url.clone(), allow));
    links.insert(
        "rules".into(),
        link(format!("{url}/rules"), &["GET", "POST"]),
    );
    if !p.system && !p.read_only() {
        let (rel, action) = match p.status {
            Status::Active => ("deactivate", "deactivate"),
            Status::Inactive => ("activate", "activate"),
        };
        links.insert(
            rel.into(),
            link(format!("{url}/lifecycle/{action}"), &["POST"]),
        );
    }
    m.insert("_links".into(), Value::Object(links));
    let mut embedded = Map::new();
    if listed && p.policy_type == ACCESS_POLICY {
        if let Some(r) = &p.resource_type {
            embedded.insert("resourceType".into(), json!(r));
        }
    }
    if rules {
        let mut sorted: Vec<&PolicyRule> = p.rules.iter().collect();
        sorted.sort_by_key(|r| (r.system, r.priority, r.seq));
        embedded.insert(
            "rules".into(),
            Value::Array(sorted.into_iter().map(|r| rule(r, p, base)).collect()),
        );
    }
    if !embedded.is_empty() {
        m.insert("_embedded".into(), Value::Object(embedded));
    }
    m.insert("type".into(), json!(p.policy_type));
    Value::Object(m)
}

/// A rule of `policy`.
pub fn rule(r: &PolicyRule, policy: &Policy, base: &str) -> Value {
    let url = format!("{base}/api/v1/policies/{}/rules/{}", policy.id, r.id);
    let mut m = Map::new();
    m.insert("id".into(), json!(r.id));
    m.insert("status".into(), json!(r.status.as_str()));
    m.insert("name".into(), json!(r.name));
    m.insert("priority".into(), json!(r.priority));
    m.insert("created".into(), json!(okta_ts(r.created)));
    m.insert("lastUpdated".into(), json!(okta_ts(r.last_updated)));
    m.insert("system".into(), json!(r.system));
    m.insert("conditions".into(), r.conditions.clone());
    m.insert("actions".into(), r.actions.clone());
    let mut links = Map::new();
    if r.system {
        links.insert("self".into(), link(url, &["GET", "PUT"]));
    } else {
        links.insert("self".into(), link(url.clone(), &["GET", "PUT", "DELETE"]));
        let action = match r.status {
            Status::Active => "deactivate",
            Status::Inactive => "activate",
        };
        links.insert(
            action.into(),
            link(format!("{url}/lifecycle/{action}"), &["POST"]),
        );
    }
    m.insert("_links".into(), Value::Object(links));
    m.insert("type".into(), json!(r.rule_type));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Org;

    #[test]
    fn the_system_access_policy_renders_as_recorded() {
        let org = Org::seed(None);
        let p = org.policy(&org.access_policy_id).unwrap();
        let v = policy(p, "https://h", true, false);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "id",
                "status",
                "name",
                "description",
                "priority",
                "system",
                "conditions",
                "created",
                "lastUpdated",
                "_links",
                "_embedded",
                "type"
            ]
        );
        assert_eq!(v["_links"]["self"]["hints"]["allow"], json!(["GET", "PUT"]));
        assert!(v["_links"].get("deactivate").is_none());
        assert_eq!(v["_embedded"]["resourceType"], "APP");
        let single = policy(p, "https://h", false, false);
        assert!(single.get("_embedded").is_none());
    }

    #[test]
    fn a_catch_all_rule_cannot_be_deleted() {
        let org = Org::seed(None);
        let p = org.policy(&org.access_policy_id).unwrap();
        let v = rule(&p.rules[0], p, "https://h");
        assert_eq!(v["_links"]["self"]["hints"]["allow"], json!(["GET", "PUT"]));
        assert_eq!(v["priority"], 99);
        assert!(v["conditions"].is_null());
    }
}
