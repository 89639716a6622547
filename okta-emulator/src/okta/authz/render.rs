//! JSON of authorization servers, scopes, claims, policies and rules, in the key order and with
//! the `_links` of recorded Okta responses.

use serde_json::{json, Map, Value};

use crate::{
    base::clock,
    store::authz::{AuthClaim, AuthPolicy, AuthScope, AuthServer, KeyStatus, PolicyRule},
    store::seed::ROTATION_SECS,
    store::Status,
};

fn link(href: String, allow: &[&str]) -> Value {
    json!({"href": href, "hints": {"allow": allow}})
}

/// `{base}/api/v1/authorizationServers/{as}` as the request addressed it (`default` or `aus…`).
pub fn server_href(base: &str, as_key: &str) -> String {
    format!("{base}/api/v1/authorizationServers/{as_key}")
}

/// The issuer: the emulator has no custom domain, so every issuer mode resolves to the org URL.
pub fn issuer(s: &AuthServer, base: &str) -> String {
    format!("{base}/oauth2/{}", s.path_key())
}

pub fn server(s: &AuthServer, base: &str) -> Value {
    let href = server_href(base, &s.id);
    let meta = format!("{base}/oauth2/{}/.well-known", s.path_key());
    let mut signing = Map::new();
    // Keys are made lazily by the OIDC side; show the active one once it exists.
    if let Some(k) = s.keys.iter().find(|k| k.status == KeyStatus::Active) {
        signing.insert("kid".into(), json!(k.kid));
    }
    signing.insert("rotationMode".into(), json!(s.rotation_mode));
    signing.insert("lastRotated".into(), json!(clock::okta_ts(s.last_rotated)));
    if s.rotation_mode == "AUTO" {
        signing.insert(
            "nextRotation".into(),
            json!(clock::okta_ts(s.last_rotated + ROTATION_SECS)),
        );
    }
    let mut links = Map::new();
    links.insert(
        "rotateKey".into(),
        link(format!("{href}/credentials/lifecycle/keyRotate"), &["POST"]),
    );
    links.insert(
        "metadata".into(),
        json!([
            {"name": "oauth-authorization-server", "href": format!("{meta}/oauth-authorization-server"), "hints": {"allow": ["GET"]}},
            {"name": "openid-configuration", "href": format!("{meta}/openid-configuration"), "hints": {"allow": ["GET"]}}
        ]),
    );
    links.insert(
        "keys".into(),
        link(format!("{href}/credentials/keys"), &["GET"]),
    );
    links.insert(
        "claims".into(),
        link(format!("{href}/claims"), &["GET", "POST"]),
    );
    links.insert(
        "policies".into(),
        link(format!("{href}/policies"), &["GET", "POST"]),
    );
    links.insert("self".into(), link(href.clone(), &["GET", "DELETE", "PUT"]));
    links.insert(
        "scopes".into(),
        link(format!("{href}/scopes"), &["GET", "POST"]),
    );
    let (rel, verb) = match s.status {
        Status::Active => ("deactivate", "deactivate"),
        Status::Inactive => ("activate", "activate"),
    };
    links.insert(
        rel.into(),
        link(format!("{href}/lifecycle/{verb}"), &["POST"]),
    );
    json!({
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "audiences": s.audiences,
        "issuer": issuer(s, base),
        "issuerMode": s.issuer_mode,
        "status": s.status.as_str(),
        "created": clock::okta_ts(s.created),
        "lastUpdated": clock::okta_ts(s.last_updated),
        "credentials": {"signing": signing},
        "default": s.is_default,
        "_links": links,
    })
}

pub fn scope(sc: &AuthScope, base: &str, as_key: &str) -> Value {
    json!({
        "id": sc.id,
        "name": sc.name,
        "displayName": sc.display_name,
        "description": sc.description,
        "system": sc.system,
        "metadataPublish": sc.metadata_publish,
        "consent": sc.consent,
        "optional": sc.optional,
        "apiResourceId": null,
        "default": sc.default,
        "_links": {"self": link(format!("{}/scopes/{}", server_href(base, as_key), sc.id), &["GET", "PUT", "DELETE"])},
    })
}

pub fn claim(c: &AuthClaim, base: &str, as_key: &str) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(c.id));
    out.insert("name".into(), json!(c.name));
    out.insert("status".into(), json!(c.status.as_str()));
    out.insert("claimType".into(), json!(c.claim_type));
    out.insert("valueType".into(), json!(c.value_type));
    // SYSTEM claims carry no value in Okta's answers.
    if c.value_type != "SYSTEM" {
        out.insert("value".into(), json!(c.value));
    }
    out.insert("conditions".into(), json!({"scopes": c.scopes}));
    out.insert("system".into(), json!(c.system));
    out.insert(
        "alwaysIncludeInToken".into(),
        json!(c.always_include_in_token),
    );
    out.insert("apiResourceId".into(), Value::Null);
    if let Some(f) = &c.group_filter_type {
        out.insert("group_filter_type".into(), json!(f));
    }
    out.insert(
        "_links".into(),
        json!({"self": link(format!("{}/claims/{}", server_href(base, as_key), c.id), &["GET", "PUT", "DELETE"])}),
    );
    Value::Object(out)
}

fn lifecycle_link(href: &str, status: Status) -> (&'static str, Value) {
    match status {
        Status::Active => (
            "deactivate",
            link(format!("{href}/lifecycle/deactivate"), &["POST"]),
        ),
        Status::Inactive => (
            "activate",
            link(format!("{href}/lifecycle/activate"), &["POST"]),
        ),
    }
}

pub fn policy(p: &AuthPolicy, base: &str, as_key: &str) -> Value {
    let href = format!("{}/policies/{}", server_href(base, as_key), p.id);
    let (rel, lc) = lifecycle_link(&href, p.status);
    let mut links = Map::new();
    links.insert("self".into(), link(href.clone(), &["GET", "PUT", "DELETE"]));
    links.insert("rules".into(), link(format!("{href}/rules"), &["GET"]));
    links.insert(rel.into(), lc);
    json!({
        "id": p.id,
        "status": p.status.as_str(),
        "name": p.name,
        "description": p.description,
        "priority": p.priority,
        "system": p.system,
        "conditions": {"clients": {"include": p.clients}},
        "created": clock::okta_ts(p.created),
        "lastUpdated": clock::okta_ts(p.last_updated),
        "_links": links,
        "type": "OAUTH_AUTHORIZATION_POLICY",
    })
}

pub fn rule(r: &PolicyRule, base: &str, as_key: &str, policy_id: &str) -> Value {
    let href = format!(
        "{}/policies/{policy_id}/rules/{}",
        server_href(base, as_key),
        r.id
    );
    let (rel, lc) = lifecycle_link(&href, r.status);
    let mut users = Map::new();
    if !r.users_include.is_empty() {
        users.insert("include".into(), json!(r.users_include));
    }
    users.insert("exclude".into(), json!(r.users_exclude));
    let mut people = Map::new();
    people.insert("users".into(), Value::Object(users));
    if !r.groups_include.is_empty() {
        people.insert("groups".into(), json!({"include": r.groups_include}));
    }
    let mut links = Map::new();
    links.insert("self".into(), link(href, &["GET", "PUT", "DELETE"]));
    links.insert(rel.into(), lc);
    json!({
        "id": r.id,
        "status": r.status.as_str(),
        "name": r.name,
        "priority": r.priority,
        "created": clock::okta_ts(r.created),
        "lastUpdated": clock::okta_ts(r.last_updated),
        "system": r.system,
        "conditions": {
            "people": people,
            "grantTypes": {"include": r.grant_types},
            "scopes": {"include": r.scopes},
        },
        "actions": {"token": {
            "accessTokenLifetimeMinutes": r.access_token_lifetime_minutes,
            "refreshTokenLifetimeMinutes": r.refresh_token_lifetime_minutes,
            "refreshTokenWindowMinutes": r.refresh_token_window_minutes,
        }},
        "_links": links,
        "type": "RESOURCE_ACCESS",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seed;

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    #[test]
    fn server_shape_follows_recordings() {
        let s = seed::new_server(
            1,
            "n".into(),
            "d".into(),
            vec!["a".into()],
            "ORG_URL".into(),
            "AUTO".into(),
        );
        let v = server(&s, "http://h");
        assert_eq!(
            keys(&v),
            [
                "id",
                "name",
                "description",
                "audiences",
                "issuer",
                "issuerMode",
                "status",
                "created",
                "lastUpdated",
                "credentials",
                "default",
                "_links"
            ]
        );
        assert_eq!(v["issuer"], format!("http://h/oauth2/{}", s.id));
        assert_eq!(
            keys(&v["credentials"]["signing"]),
            ["rotationMode", "lastRotated", "nextRotation"]
        );
        assert_eq!(
            keys(&v["_links"]),
            [
                "rotateKey",
                "metadata",
                "keys",
                "claims",
                "policies",
                "self",
                "scopes",
                "deactivate"
            ]
        );
        let d = seed::default_server(2);
        let v = server(&d, "http://h");
        assert_eq!(v["issuer"], "http://h/oauth2/default");
        assert!(v["credentials"]["signing"].get("nextRotation").is_none());
    }

    #[test]
    fn claims_render_value_and_snake_case_filter() {
        let s = seed::new_server(
            1,
            "n".into(),
            "d".into(),
            vec![],
            "ORG_URL".into(),
            "AUTO".into(),
        );
        let sys = claim(&s.claims[0], "http://h", "aus1");
        assert!(sys.get("value").is_none());
        let mut g = s.claims[0].clone();
        g.value_type = "GROUPS".into();
        g.value = ".*".into();
        g.group_filter_type = Some("REGEX".into());
        let v = claim(&g, "http://h", "aus1");
        assert_eq!(v["group_filter_type"], "REGEX");
        assert_eq!(v["value"], ".*");
    }
}
