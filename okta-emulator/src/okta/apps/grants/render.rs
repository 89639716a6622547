//! A scope grant as Okta returns it.

use serde_json::{json, Value};

use crate::{
    base::clock,
    store::{App, AppGrant},
};

/// `expand_scope` adds `_embedded.scope` (`?expand=scope`).
pub fn grant(g: &AppGrant, app: &App, base: &str, expand_scope: bool) -> Value {
    let app_href = format!("{base}/api/v1/apps/{}", app.id);
    let label = app.body.get("label").cloned().unwrap_or(Value::Null);
    let mut out = json!({
        "id": g.id,
        "status": "ACTIVE",
        "created": clock::okta_ts(g.created),
        "createdBy": {"id": g.created_by, "type": g.created_by_type},
        "lastUpdated": clock::okta_ts(g.last_updated),
        "issuer": g.issuer,
        "clientId": app.client_id(),
        "scopeId": g.scope_id,
        "source": "ADMIN",
        "_links": {
            "app": {"href": app_href, "title": label},
            "self": {"href": format!("{app_href}/grants/{}", g.id), "hints": {"allow": ["GET", "DELETE"]}},
            "client": {"href": format!("{base}/oauth2/v1/clients/{}", app.client_id()), "title": label},
        },
    });
    if expand_scope {
        out["_embedded"] = json!({"scope": {"id": g.scope_id}});
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Org;

    #[test]
    fn grants_render_like_okta() {
        let mut org = Org::seed(None);
        let mut app = App {
            id: "0oa1".into(),
            seq: 1,
            status: crate::store::Status::Active,
            created: 0,
            last_updated: 0,
            body: serde_json::Map::new(),
            secrets: vec![],
            groups: vec![],
            access_policy: None,
        };
        app.body.insert("label".into(), json!("svc"));
        let g = AppGrant {
            id: "oag1".into(),
            app_id: "0oa1".into(),
            scope_id: "okta.apps.read".into(),
            issuer: "http://h".into(),
            created: 0,
            last_updated: 0,
            created_by: "00u1".into(),
            created_by_type: "User".into(),
        };
        let v = grant(&g, &app, "http://h", true);
        assert_eq!(v["clientId"], "0oa1");
        assert_eq!(v["source"], "ADMIN");
        assert_eq!(v["status"], "ACTIVE");
        assert_eq!(v["_embedded"]["scope"]["id"], "okta.apps.read");
        assert_eq!(
            v["_links"]["self"]["href"],
            "http://h/api/v1/apps/0oa1/grants/oag1"
        );
        org.app_grants.push(g);
        assert_eq!(org.granted_scopes("0oa1"), vec!["okta.apps.read"]);
        assert!(org.granted_scopes("0oa2").is_empty());
    }
}
