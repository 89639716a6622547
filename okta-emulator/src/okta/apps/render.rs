//! An app as Okta returns it: the stored document with the server-side fields first, the
//! client secret where Okta shows it, and `_links` that follow status.

use serde_json::{json, Map, Value};

use crate::{
    base::clock,
    okta::apps::{model::OIDC_NAME, validate},
    store::{App, Org, Status},
};

const APP_LINK_ID: &str = "aln177a159h7Zf52X0g8";
const DEFAULT_LOGO: &str =
    "https://op3static2.oktacdn.com/assets/img/logos/default.6770228fb0dab49a1695ef440a5279bb.png";

/// The app as Okta returns it. `with_secret` adds the current client secret (create and PUT
/// responses only; GET and list never carry it).
pub fn app(app: &App, org: &Org, base: &str, with_secret: bool) -> Value {
    let name = app
        .body
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(OIDC_NAME);
    let mut out = Map::new();
    out.insert("id".into(), Value::from(app.id.clone()));
    out.insert(
        "orn".into(),
        Value::from(format!(
            "orn:okta:idp:{}:apps:{name}:{}",
            org.org_id, app.id
        )),
    );
    out.insert("name".into(), Value::from(name));
    out.insert(
        "label".into(),
        app.body.get("label").cloned().unwrap_or(Value::Null),
    );
    out.insert("status".into(), Value::from(app.status.as_str()));
    out.insert(
        "lastUpdated".into(),
        Value::from(clock::okta_ts(app.last_updated)),
    );
    out.insert("created".into(), Value::from(clock::okta_ts(app.created)));
    for (k, val) in &app.body {
        match k.as_str() {
            "name" | "label" => {}
            "credentials" => {
                out.insert(k.clone(), render_credentials(val, app, with_secret));
            }
            "settings" => {
                out.insert(k.clone(), render_settings(val));
            }
            _ => {
                out.insert(k.clone(), val.clone());
            }
        }
    }
    out.insert("_links".into(), links(app, org, base));
    Value::Object(out)
}

fn render_credentials(cred: &Value, app: &App, with_secret: bool) -> Value {
    let mut cred = cred.clone();
    let secret = if with_secret && validate::uses_secret(app.auth_method()) {
        app.current_secret().map(|s| s.secret.clone())
    } else {
        None
    };
    if let (Some(secret), Some(Value::Object(coc))) = (secret, cred.get_mut("oauthClient")) {
        let mut out = Map::new();
        for (k, val) in std::mem::take(coc) {
            let after_id = k == "client_id";
            out.insert(k, val);
            if after_id {
                out.insert("client_secret".into(), Value::from(secret.clone()));
            }
        }
        *coc = out;
    }
    cred
}

fn render_settings(settings: &Value) -> Value {
    let mut settings = settings.clone();
    // Okta does not report a leeway for STATIC rotation.
    if let Some(rt) = settings
        .get_mut("oauthClient")
        .and_then(|o| o.get_mut("refresh_token"))
        .and_then(Value::as_object_mut)
    {
        if rt.get("rotation_type").and_then(Value::as_str) == Some("STATIC") {
            rt.remove("leeway");
        }
    }
    settings
}

/// The access policy the app is mapped to (the app may not be in `org` yet while it is built).
fn access_policy<'a>(app: &'a App, org: &'a Org) -> &'a str {
    app.access_policy
        .as_deref()
        .unwrap_or(&org.access_policy_id)
}

fn links(app: &App, org: &Org, base: &str) -> Value {
    let id = &app.id;
    let app_url = format!("{base}/api/v1/apps/{id}");
    let mut l = Map::new();
    l.insert(
        "uploadLogo".into(),
        json!({"href": format!("{app_url}/logo"), "hints": {"allow": ["POST"]}}),
    );
    l.insert(
        "appLinks".into(),
        json!([{
            "name": "oidc_client_link",
            "href": format!("{base}/home/oidc_client/{id}/{APP_LINK_ID}"),
            "type": "text/html"
        }]),
    );
    l.insert(
        "profileEnrollment".into(),
        json!({"href": format!("{base}/api/v1/policies/{}", org.enrollment_policy_id)}),
    );
    if app.status == Status::Inactive {
        l.insert(
            "activate".into(),
            json!({"href": format!("{app_url}/lifecycle/activate")}),
        );
    }
    l.insert(
        "policies".into(),
        json!({"href": format!("{app_url}/policies"), "hints": {"allow": ["PUT"]}}),
    );
    l.insert(
        "groups".into(),
        json!({"href": format!("{app_url}/groups")}),
    );
    l.insert(
        "logo".into(),
        json!([{"name": "medium", "href": DEFAULT_LOGO, "type": "image/png"}]),
    );
    l.insert(
        "clientCredentials".into(),
        json!([{"name": "secrets", "href": format!("{app_url}/credentials/secrets")}]),
    );
    l.insert(
        "accessPolicy".into(),
        json!({"href": format!("{base}/api/v1/policies/{}", access_policy(app, org))}),
    );
    l.insert("users".into(), json!({"href": format!("{app_url}/users")}));
    if app.status == Status::Active {
        l.insert(
            "deactivate".into(),
            json!({"href": format!("{app_url}/lifecycle/deactivate")}),
        );
    }
    Value::Object(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::apps::model::{
        build,
        tests::{app_from, web_request},
        SecretPlan,
    };

    #[test]
    fn fills_okta_defaults() {
        let org = Org::seed(None);
        let built = build(web_request(), None, &org, "0oaTEST").unwrap();
        assert_eq!(built.secret, SecretPlan::Generate);
        let app = app_from(built);
        let r = super::app(&app, &org, "http://h", true);
        assert_eq!(
            r["accessibility"],
            json!({"selfService": false, "errorRedirectUrl": null, "loginRedirectUrl": null})
        );
        assert_eq!(
            r["visibility"]["appLinks"],
            json!({"oidc_client_link": true})
        );
        assert_eq!(r["settings"]["emOptInStatus"], "NONE");
        assert_eq!(
            r["settings"]["notes"],
            json!({"admin": null, "enduser": null})
        );
        let oc = &r["settings"]["oauthClient"];
        assert_eq!(oc["client_uri"], Value::Null);
        assert_eq!(oc["consent_method"], "TRUSTED");
        assert_eq!(oc["refresh_token"], json!({"rotation_type": "STATIC"}));
        assert!(oc.get("post_logout_redirect_uris").is_none());
        assert_eq!(oc["participate_slo"], false);
        let coc = &r["credentials"]["oauthClient"];
        assert_eq!(coc["client_id"], "0oaTEST");
        assert_eq!(coc["client_secret"], "s3cret-s3cret-s3cret");
        assert_eq!(r["profile"], json!({"custom": 1}));
        assert!(r["_links"].get("deactivate").is_some());
        assert!(r["_links"].get("activate").is_none());
        let keys: Vec<&String> = coc.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "autoKeyRotation",
                "client_id",
                "client_secret",
                "token_endpoint_auth_method",
                "pkce_required"
            ]
        );
        let no_secret = super::app(&app, &org, "http://h", false);
        assert!(no_secret["credentials"]["oauthClient"]
            .get("client_secret")
            .is_none());
    }

    #[test]
    fn inactive_apps_link_activate() {
        let org = Org::seed(None);
        let mut app = app_from(build(web_request(), None, &org, "0oaTEST").unwrap());
        app.status = Status::Inactive;
        let r = super::app(&app, &org, "http://h", false);
        assert_eq!(
            r["_links"]["activate"]["href"],
            "http://h/api/v1/apps/0oaTEST/lifecycle/activate"
        );
        assert!(r["_links"].get("deactivate").is_none());
    }
}
