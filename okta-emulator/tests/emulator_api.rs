//! okta-emulator's Okta API behaviour: apps, validations, pagination, client secrets, groups,
//! group assignments, API tokens, `/users/me` and authentication.

use okta_emulator::{spawn, EmulatorConfig, MintRequest, RunningEmulator};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

const TOKEN: &str = "api-test-token";

struct Ctx {
    emu: RunningEmulator,
    http: reqwest::Client,
}

struct Resp {
    status: u16,
    body: Value,
    headers: HeaderMap,
}

impl Resp {
    fn links(&self) -> Vec<String> {
        self.headers
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    fn next_link(&self) -> Option<String> {
        self.links().into_iter().find_map(|l| {
            l.ends_with("rel=\"next\"").then(|| {
                l.trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
        })
    }

    fn error_code(&self) -> &str {
        self.body["errorCode"].as_str().unwrap_or("")
    }
}

impl Ctx {
    async fn new() -> Self {
        let emu = spawn(EmulatorConfig::ephemeral().with_api_token(TOKEN))
            .await
            .expect("emulator starts");
        Ctx {
            emu,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.emu.base_url())
        }
    }

    async fn call_raw(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Resp {
        let mut req = self
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                self.url(path),
            )
            .header("Accept", "application/json");
        if let Some(t) = token {
            req = req.header("Authorization", format!("SSWS {t}"));
        }
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Resp {
            status,
            body,
            headers,
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.call_raw(Some(TOKEN), method, path, body.map(|b| b.to_string()))
            .await
    }

    async fn create_app(&self, body: Value) -> Value {
        let r = self.call("POST", "/api/v1/apps", Some(body)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    }

    async fn create_group(&self, name: &str) -> String {
        let r = self
            .call(
                "POST",
                "/api/v1/groups",
                Some(json!({"profile": {"name": name, "description": ""}})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }
}

/// A web app body as the Terraform provider sends it.
fn web_app(label: &str) -> Value {
    json!({
        "name": "oidc_client",
        "label": label,
        "signOnMode": "OPENID_CONNECT",
        "accessibility": {},
        "visibility": {"hide": {"iOS": true, "web": true}},
        "credentials": {
            "userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"},
            "oauthClient": {"autoKeyRotation": true, "pkce_required": false,
                            "token_endpoint_auth_method": "client_secret_basic"}
        },
        "settings": {
            "notes": {},
            "oauthClient": {
                "application_type": "web",
                "redirect_uris": ["https://pomerium.example.com/oauth2/callback"],
                "response_types": ["code"],
                "grant_types": ["authorization_code", "refresh_token"],
                "refresh_token": {"rotation_type": "STATIC", "leeway": 0},
                "consent_method": "TRUSTED",
                "issuer_mode": "ORG_URL",
                "wildcard_redirect": "DISABLED",
                "idp_initiated_login": {"mode": "DISABLED", "default_scope": []},
                "dpop_bound_access_tokens": false
            }
        }
    })
}

#[tokio::test]
async fn app_crud_lifecycle_and_secret_handling() {
    let c = Ctx::new().await;
    let app = c.create_app(web_app("pomerium")).await;
    let id = app["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("0oa") && id.len() == 20, "{id}");
    assert_eq!(app["status"], "ACTIVE");
    let oc = &app["credentials"]["oauthClient"];
    assert_eq!(oc["client_id"], id.as_str());
    let secret = oc["client_secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 64);
    assert!(secret
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(
        app["settings"]["oauthClient"]["refresh_token"],
        json!({"rotation_type": "STATIC"})
    );
    assert_eq!(app["accessibility"]["selfService"], false);
    assert!(app["_links"]["deactivate"]["href"]
        .as_str()
        .unwrap()
        .ends_with("/lifecycle/deactivate"));
    assert!(app["_links"].get("activate").is_none());

    // GET never returns the secret.
    let got = c.call("GET", &format!("/api/v1/apps/{id}"), None).await;
    assert_eq!(got.status, 200);
    assert!(got.body["credentials"]["oauthClient"]
        .get("client_secret")
        .is_none());
    assert_eq!(
        got.body["credentials"]["oauthClient"]["client_id"],
        id.as_str()
    );

    // PUT is a full replace; "client_secret": "" keeps the secret and returns it.
    let mut put = web_app("pomerium-renamed");
    put["credentials"]["oauthClient"]["client_id"] = json!(id);
    put["credentials"]["oauthClient"]["client_secret"] = json!("");
    put["profile"] = json!({"team": "platform"});
    let r = c
        .call("PUT", &format!("/api/v1/apps/{id}"), Some(put))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["label"], "pomerium-renamed");
    assert_eq!(
        r.body["credentials"]["oauthClient"]["client_secret"],
        secret.as_str()
    );
    assert_eq!(r.body["status"], "ACTIVE");
    assert_eq!(r.body["profile"], json!({"team": "platform"}));

    // Delete while ACTIVE is forbidden.
    let r = c.call("DELETE", &format!("/api/v1/apps/{id}"), None).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.error_code(), "E0000056");
    assert_eq!(r.body["errorSummary"], "Delete application forbidden.");
    assert_eq!(r.body["errorLink"], "E0000056");
    assert!(r.body["errorId"].as_str().unwrap().starts_with("oae"));
    assert_eq!(
        r.body["errorCauses"][0]["errorSummary"],
        "The application must be deactivated before deletion."
    );

    let r = c
        .call(
            "POST",
            &format!("/api/v1/apps/{id}/lifecycle/deactivate"),
            None,
        )
        .await;
    assert_eq!((r.status, r.body.clone()), (200, json!({})));
    let got = c.call("GET", &format!("/api/v1/apps/{id}"), None).await;
    assert_eq!(got.body["status"], "INACTIVE");
    assert!(got.body["_links"].get("deactivate").is_none());
    assert!(got.body["_links"]["activate"]["href"]
        .as_str()
        .unwrap()
        .ends_with("/lifecycle/activate"));

    // PUT on an INACTIVE app leaves it INACTIVE; a new caller-chosen secret replaces the old.
    let mut put = web_app("pomerium");
    put["credentials"]["oauthClient"]["client_secret"] = json!("a-brand-new-secret-value");
    let r = c
        .call("PUT", &format!("/api/v1/apps/{id}"), Some(put))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "INACTIVE");
    assert_eq!(
        r.body["credentials"]["oauthClient"]["client_secret"],
        "a-brand-new-secret-value"
    );

    let r = c
        .call(
            "POST",
            &format!("/api/v1/apps/{id}/lifecycle/activate"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    c.call(
        "POST",
        &format!("/api/v1/apps/{id}/lifecycle/deactivate"),
        None,
    )
    .await;
    let r = c.call("DELETE", &format!("/api/v1/apps/{id}"), None).await;
    assert_eq!(r.status, 204);
    let r = c.call("GET", &format!("/api/v1/apps/{id}"), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.error_code(), "E0000007");
    assert_eq!(
        r.body["errorSummary"],
        format!("Not found: Resource not found: {id} (AppInstance)")
    );
    assert_eq!(r.body["errorCauses"], json!([]));
}

#[tokio::test]
async fn create_inactive_custom_credentials_and_refresh_tokens() {
    let c = Ctx::new().await;
    let r = c
        .call("POST", "/api/v1/apps?activate=false", Some(web_app("off")))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "INACTIVE");
    assert!(r.body["_links"].get("activate").is_some());

    let mut body = web_app("custom");
    body["credentials"]["oauthClient"]["client_id"] = json!("something_from_somewhere");
    body["credentials"]["oauthClient"]["client_secret"] = json!("secret_from_writeonly_attr");
    body["settings"]["oauthClient"]["refresh_token"] =
        json!({"rotation_type": "ROTATE", "leeway": 45});
    let app = c.create_app(body.clone()).await;
    assert_eq!(
        app["credentials"]["oauthClient"]["client_id"],
        "something_from_somewhere"
    );
    assert_eq!(
        app["credentials"]["oauthClient"]["client_secret"],
        "secret_from_writeonly_attr"
    );
    assert_eq!(
        app["settings"]["oauthClient"]["refresh_token"],
        json!({"rotation_type": "ROTATE", "leeway": 45})
    );
    // client_id is unique in the org.
    let r = c.call("POST", "/api/v1/apps", Some(body)).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorSummary"], "Api validation failed: client_id");

    // Omitting refresh_token on PUT keeps the previous settings.
    let id = app["id"].as_str().unwrap();
    let mut put = web_app("custom");
    put["settings"]["oauthClient"]
        .as_object_mut()
        .unwrap()
        .remove("refresh_token");
    let r = c
        .call("PUT", &format!("/api/v1/apps/{id}"), Some(put))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["settings"]["oauthClient"]["refresh_token"],
        json!({"rotation_type": "ROTATE", "leeway": 45})
    );
    // The secret is kept when the PUT omits it (GET → modify → PUT clients).
    assert_eq!(
        r.body["credentials"]["oauthClient"]["client_secret"],
        "secret_from_writeonly_attr"
    );
    // client_id can't change.
    let mut put = web_app("custom");
    put["credentials"]["oauthClient"]["client_id"] = json!("another_client_id");
    let r = c
        .call("PUT", &format!("/api/v1/apps/{id}"), Some(put))
        .await;
    assert_eq!(r.status, 400);
    // PUT of an unknown app.
    let r = c
        .call(
            "PUT",
            "/api/v1/apps/0oaNOPE0000000000000",
            Some(web_app("x")),
        )
        .await;
    assert_eq!(r.status, 404);
}

fn with(mut body: Value, path: &[&str], value: Value) -> Value {
    let mut cur = &mut body;
    for p in &path[..path.len() - 1] {
        cur = &mut cur[*p];
    }
    cur[path[path.len() - 1]] = value;
    body
}

#[tokio::test]
async fn okta_validations() {
    let c = Ctx::new().await;
    let oc = |k: &str, v: Value| with(web_app("v"), &["settings", "oauthClient", k], v);
    let cred = |k: &str, v: Value| with(web_app("v"), &["credentials", "oauthClient", k], v);
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "web needs authorization_code",
            oc("grant_types", json!(["implicit"])),
            "grant_types",
        ),
        (
            "browser can't use client_credentials",
            with(
                oc("application_type", json!("browser")),
                &["settings", "oauthClient", "grant_types"],
                json!(["client_credentials"]),
            ),
            "grant_types",
        ),
        (
            "service can't use authorization_code",
            with(
                oc("application_type", json!("service")),
                &["settings", "oauthClient", "grant_types"],
                json!(["authorization_code"]),
            ),
            "grant_types",
        ),
        (
            "no grant types",
            oc("grant_types", json!([])),
            "grant_types",
        ),
        (
            "rotation_type enum",
            oc("refresh_token", json!({"rotation_type": "rotate"})),
            "rotationType",
        ),
        (
            "leeway range",
            oc(
                "refresh_token",
                json!({"rotation_type": "ROTATE", "leeway": 61}),
            ),
            "leeway",
        ),
        (
            "relative redirect",
            oc("redirect_uris", json!(["/callback"])),
            "redirect_uris",
        ),
        (
            "fragment",
            oc("redirect_uris", json!(["https://a.example.com/cb#x"])),
            "redirect_uris",
        ),
        (
            "wildcard while DISABLED",
            oc("redirect_uris", json!(["https://*.example.com/cb"])),
            "redirect_uris",
        ),
        (
            "wildcard on a TLD",
            with(
                oc("wildcard_redirect", json!("SUBDOMAIN")),
                &["settings", "oauthClient", "redirect_uris"],
                json!(["https://*.com/cb"]),
            ),
            "redirect_uris",
        ),
        (
            "authorization code needs a redirect",
            oc("redirect_uris", json!([])),
            "redirect_uris",
        ),
        (
            "bad post-logout URI",
            oc("post_logout_redirect_uris", json!(["nope"])),
            "post_logout_redirect_uris",
        ),
        (
            "web can't be public",
            cred("token_endpoint_auth_method", json!("none")),
            "token_endpoint_auth_method",
        ),
        (
            "unknown auth method",
            cred("token_endpoint_auth_method", json!("magic")),
            "token_endpoint_auth_method",
        ),
        (
            "private_key_jwt needs keys",
            cred("token_endpoint_auth_method", json!("private_key_jwt")),
            "jwks",
        ),
        (
            "client_id too short",
            cred("client_id", json!("abc")),
            "client_id",
        ),
        (
            "client_id charset",
            cred("client_id", json!("has spaces in it")),
            "client_id",
        ),
        (
            "client_secret too short",
            cred("client_secret", json!("short")),
            "client_secret",
        ),
        (
            "client_secret too long",
            cred("client_secret", json!("x".repeat(101))),
            "client_secret",
        ),
        (
            "label required",
            with(web_app("v"), &["label"], json!("")),
            "label",
        ),
        (
            "application_type enum",
            oc("application_type", json!("desktop")),
            "application_type",
        ),
        (
            "implicit needs a token response type",
            with(
                oc("grant_types", json!(["authorization_code", "implicit"])),
                &["settings", "oauthClient", "response_types"],
                json!(["code"]),
            ),
            "response_types",
        ),
        (
            "idp-initiated login needs a login URI",
            oc(
                "idp_initiated_login",
                json!({"mode": "SPEC", "default_scope": []}),
            ),
            "initiate_login_uri",
        ),
    ];
    for (what, body, field) in cases {
        let r = c.call("POST", "/api/v1/apps", Some(body)).await;
        assert_eq!(r.status, 400, "{what}: {}", r.body);
        assert_eq!(r.error_code(), "E0000001", "{what}");
        assert_eq!(
            r.body["errorSummary"],
            format!("Api validation failed: {field}"),
            "{what}: {}",
            r.body
        );
        let cause = r.body["errorCauses"][0]["errorSummary"]
            .as_str()
            .unwrap_or("");
        assert!(cause.starts_with(&format!("{field}: ")), "{what}: {cause}");
    }
    // The fragment message is Okta's own wording.
    let r = c
        .call(
            "POST",
            "/api/v1/apps",
            Some(oc("redirect_uris", json!(["https://a.example.com/#f"]))),
        )
        .await;
    assert_eq!(
        r.body["errorCauses"][0]["errorSummary"],
        "redirect_uris: 'redirect_uris' must not contain a fragment identifier."
    );

    // Valid variations are accepted.
    let ok: Vec<Value> = vec![
        with(
            oc("wildcard_redirect", json!("SUBDOMAIN")),
            &["settings", "oauthClient", "redirect_uris"],
            json!(["https://one.example.com/", "https://*.example.com/"]),
        ),
        with(
            with(
                oc("application_type", json!("browser")),
                &["settings", "oauthClient", "grant_types"],
                json!(["authorization_code"]),
            ),
            &["credentials", "oauthClient"],
            json!({"token_endpoint_auth_method": "none", "pkce_required": true}),
        ),
        with(
            with(
                oc("application_type", json!("service")),
                &["settings", "oauthClient", "grant_types"],
                json!(["client_credentials"]),
            ),
            &["settings", "oauthClient", "redirect_uris"],
            json!([]),
        ),
        oc(
            "refresh_token",
            json!({"rotation_type": "ROTATE", "leeway": 60}),
        ),
    ];
    for body in ok {
        let r = c.call("POST", "/api/v1/apps", Some(body.clone())).await;
        assert_eq!(r.status, 200, "{body}: {}", r.body);
    }
    // A public browser client gets no secret and PKCE by default.
    let spa = with(
        with(
            with(
                oc("application_type", json!("browser")),
                &["settings", "oauthClient", "grant_types"],
                json!(["authorization_code"]),
            ),
            &["credentials", "oauthClient", "token_endpoint_auth_method"],
            json!("none"),
        ),
        &["credentials", "oauthClient"],
        json!({"token_endpoint_auth_method": "none"}),
    );
    let r = c.call("POST", "/api/v1/apps", Some(spa)).await;
    assert_eq!(r.status, 200);
    assert!(r.body["credentials"]["oauthClient"]
        .get("client_secret")
        .is_none());
    assert_eq!(r.body["credentials"]["oauthClient"]["pkce_required"], true);

    let r = c
        .call_raw(
            Some(TOKEN),
            "POST",
            "/api/v1/apps",
            Some("{not json".into()),
        )
        .await;
    assert_eq!((r.status, r.error_code()), (400, "E0000003"));
    let r = c
        .call(
            "POST",
            "/api/v1/apps",
            Some(with(web_app("x"), &["name"], json!("bookmark"))),
        )
        .await;
    assert_eq!((r.status, r.error_code()), (501, "E0000060"));
}

#[tokio::test]
async fn app_list_search_filter_and_pagination() {
    let c = Ctx::new().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let app = c.create_app(web_app(&format!("page-{i}"))).await;
        ids.push(app["id"].as_str().unwrap().to_string());
    }
    c.create_app(web_app("other")).await;
    c.call(
        "POST",
        &format!("/api/v1/apps/{}/lifecycle/deactivate", ids[4]),
        None,
    )
    .await;

    let mut seen = Vec::new();
    let mut url = "/api/v1/apps?limit=2&q=page-".to_string();
    let mut pages = 0;
    loop {
        let r = c.call("GET", &url, None).await;
        assert_eq!(r.status, 200);
        pages += 1;
        let links = r.links();
        assert!(links[0].ends_with("rel=\"self\""), "{links:?}");
        for a in r.body.as_array().unwrap() {
            assert!(a["credentials"]["oauthClient"]
                .get("client_secret")
                .is_none());
            seen.push(a["id"].as_str().unwrap().to_string());
        }
        match r.next_link() {
            Some(next) => {
                assert!(next.contains("after="), "{next}");
                assert_eq!(links.len(), 2);
                url = next;
            }
            None => {
                assert_eq!(links.len(), 1);
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);

    let r = c
        .call("GET", "/api/v1/apps?filter=status+eq+%22INACTIVE%22", None)
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(r.body[0]["id"], ids[4].as_str());
    let r = c
        .call(
            "GET",
            &format!("/api/v1/apps?filter=id+eq+%22{}%22", ids[2]),
            None,
        )
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    let r = c
        .call(
            "GET",
            "/api/v1/apps?q=PAGE-&filter=name+eq+%22oidc_client%22&limit=200",
            None,
        )
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 5);
    let r = c
        .call("GET", "/api/v1/apps?filter=status%3DACTIVE", None)
        .await;
    assert_eq!((r.status, r.error_code()), (400, "E0000031"));
    let r = c
        .call("GET", "/api/v1/apps?filter=user.id+eq+%2200u1%22", None)
        .await;
    assert_eq!((r.status, r.error_code()), (400, "E0000094"));
    // Default page size is 20.
    for i in 0..20 {
        c.create_app(web_app(&format!("bulk-{i}"))).await;
    }
    let r = c.call("GET", "/api/v1/apps", None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 20);
    assert!(r.next_link().is_some());
}

#[tokio::test]
async fn client_secret_rotation() {
    let c = Ctx::new().await;
    let app = c.create_app(web_app("rotate")).await;
    let id = app["id"].as_str().unwrap();
    let first_secret = app["credentials"]["oauthClient"]["client_secret"]
        .as_str()
        .unwrap();
    let base = format!("/api/v1/apps/{id}/credentials/secrets");

    let r = c.call("GET", &base, None).await;
    assert_eq!(r.status, 200);
    let list = r.body.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["client_secret"], first_secret);
    assert_eq!(list[0]["status"], "ACTIVE");
    assert!(list[0]["id"].as_str().unwrap().starts_with("ocs"));
    assert_eq!(list[0]["secret_hash"].as_str().unwrap().len(), 22);
    let first_id = list[0]["id"].as_str().unwrap().to_string();

    let r = c.call("POST", &base, Some(json!({}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let second_id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["status"], "ACTIVE");
    // The app now reports the newest secret.
    let put = c
        .call(
            "PUT",
            &format!("/api/v1/apps/{id}"),
            Some(web_app("rotate")),
        )
        .await;
    assert_eq!(
        put.body["credentials"]["oauthClient"]["client_secret"],
        r.body["client_secret"]
    );

    let r = c
        .call(
            "POST",
            &base,
            Some(json!({"client_secret": "x".repeat(40)})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["errorSummary"],
        "Api validation failed: OAuth2ClientSecretMediated"
    );
    assert_eq!(
        r.body["errorCauses"][0]["errorSummary"],
        "You've reached the maximum number of client secrets per client."
    );

    let r = c.call("DELETE", &format!("{base}/{first_id}"), None).await;
    assert_eq!(r.status, 400);
    let r = c
        .call(
            "POST",
            &format!("{base}/{first_id}/lifecycle/deactivate"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "INACTIVE");
    assert!(r.body["_links"]["delete"]["href"].is_string());
    assert!(r.body["_links"]["activate"]["href"].is_string());
    let r = c
        .call(
            "POST",
            &format!("{base}/{second_id}/lifecycle/deactivate"),
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["errorCauses"][0]["errorSummary"],
        "You can't deactivate the only active client secret."
    );
    let r = c.call("GET", &format!("{base}/{first_id}"), None).await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("INACTIVE"))
    );
    let r = c.call("DELETE", &format!("{base}/{first_id}"), None).await;
    assert_eq!(r.status, 204);
    let r = c.call("GET", &format!("{base}/{first_id}"), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body["errorSummary"],
        format!("Not found: Resource not found: {first_id} (OAuth2ClientSecretMediated)")
    );
    // Bring-your-own secret, created inactive, then activated.
    let r = c
        .call(
            "POST",
            &base,
            Some(json!({"client_secret": "my-own-secret-value-123", "status": "INACTIVE"})),
        )
        .await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (201, Some("INACTIVE"))
    );
    let own = r.body["id"].as_str().unwrap().to_string();
    let r = c
        .call("POST", &format!("{base}/{own}/lifecycle/activate"), None)
        .await;
    assert_eq!((r.status, r.body["status"].as_str()), (200, Some("ACTIVE")));
    let r = c
        .call(
            "GET",
            "/api/v1/apps/0oaNOPE0000000000000/credentials/secrets",
            None,
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn groups_and_app_group_assignments() {
    let c = Ctx::new().await;
    let app = c.create_app(web_app("assign")).await;
    let id = app["id"].as_str().unwrap().to_string();
    let g1 = c.create_group("engineering").await;
    let g2 = c.create_group("engineering-admins").await;
    let g3 = c.create_group("sales").await;
    assert!(g1.starts_with("00g") && g1.len() == 20);

    let r = c
        .call(
            "POST",
            "/api/v1/groups",
            Some(json!({"profile": {"name": "sales"}})),
        )
        .await;
    assert_eq!(
        (r.status, r.body["errorSummary"].as_str()),
        (400, Some("Api validation failed: name"))
    );
    let r = c.call("GET", "/api/v1/groups?q=engineering", None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    // `search` works (never silently ignored) or is Okta's 400.
    let search = |expr: &str| {
        let encoded: String = url::form_urlencoded::byte_serialize(expr.as_bytes()).collect();
        format!("/api/v1/groups?search={encoded}")
    };
    let ids = |body: &Value| -> Vec<String> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_string())
            .collect()
    };
    let r = c
        .call("GET", &search(r#"profile.name eq "engineering""#), None)
        .await;
    assert_eq!(ids(&r.body), vec![g1.clone()]);
    let r = c
        .call(
            "GET",
            &search(r#"profile.name sw "engineering" and type eq "OKTA_GROUP""#),
            None,
        )
        .await;
    assert_eq!(ids(&r.body), vec![g1.clone(), g2.clone()]);
    let r = c
        .call(
            "GET",
            &search(r#"profile.name eq "sales" or id eq "nope""#),
            None,
        )
        .await;
    assert_eq!(ids(&r.body), vec![g3.clone()]);
    // The next page keeps the search: engineering-admins (created in between) stays out.
    let r = c
        .call(
            "GET",
            &format!(
                "{}&limit=1",
                search(r#"profile.name eq "engineering" or profile.name eq "sales""#)
            ),
            None,
        )
        .await;
    assert_eq!(ids(&r.body), vec![g1.clone()]);
    let next = r.next_link().expect("next page");
    assert!(next.contains("search=profile.name"), "{next}");
    let r = c.call("GET", &next, None).await;
    assert_eq!(ids(&r.body), vec![g3.clone()]);
    assert!(r.next_link().is_none());
    // sortBy / sortOrder order a search, page by page.
    let sorted = |order: &str| {
        format!(
            "{}&sortBy=profile.name&sortOrder={order}&limit=2",
            search(r#"type eq "OKTA_GROUP""#)
        )
    };
    let r = c.call("GET", &sorted("desc"), None).await;
    assert_eq!(ids(&r.body), vec![g3.clone(), g2.clone()]);
    let next = r.next_link().expect("next page");
    assert!(
        next.contains("sortBy=profile.name&sortOrder=desc"),
        "{next}"
    );
    let r = c.call("GET", &next, None).await;
    assert_eq!(ids(&r.body), vec![g1.clone()]);
    assert!(r.next_link().is_none());
    let r = c.call("GET", &sorted("asc"), None).await;
    assert_eq!(ids(&r.body), vec![g1.clone(), g2.clone()]);
    let r = c
        .call(
            "GET",
            &format!("{}&sortBy=nope", search(r#"type eq "OKTA_GROUP""#)),
            None,
        )
        .await;
    assert_eq!((r.status, r.error_code()), (400, "E0000031"));
    let r = c
        .call("GET", &search(r#"profile.name like "sales""#), None)
        .await;
    assert_eq!((r.status, r.error_code()), (400, "E0000031"));
    let r = c.call("GET", &format!("/api/v1/groups/{g3}"), None).await;
    assert_eq!(r.body["profile"]["name"], "sales");
    assert_eq!(r.body["type"], "OKTA_GROUP");
    let everyone = c.call("GET", "/api/v1/groups?q=Everyone", None).await;
    let everyone_id = everyone.body[0]["id"].as_str().unwrap().to_string();
    let r = c
        .call("DELETE", &format!("/api/v1/groups/{everyone_id}"), None)
        .await;
    assert_eq!(r.status, 403);

    let path = |g: &str| format!("/api/v1/apps/{id}/groups/{g}");
    // Empty body: next priority.
    let r = c.call_raw(Some(TOKEN), "PUT", &path(&g1), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["id"], g1.as_str());
    assert_eq!(r.body["priority"], 0);
    assert_eq!(r.body["profile"], json!({}));
    assert!(r.body["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .ends_with(&path(&g1)));
    let r = c
        .call(
            "PUT",
            &path(&g2),
            Some(json!({"priority": 5, "profile": {"role": "admin"}})),
        )
        .await;
    assert_eq!(
        (
            r.body["priority"].as_i64(),
            r.body["profile"]["role"].as_str()
        ),
        (Some(5), Some("admin"))
    );
    let r = c.call("PUT", &path(&g3), Some(json!({}))).await;
    assert_eq!(r.body["priority"], 6);
    // Upsert keeps what is not sent.
    let r = c
        .call("PUT", &path(&g2), Some(json!({"priority": 1})))
        .await;
    assert_eq!(r.body["profile"]["role"], "admin");
    let r = c.call("GET", &path(&g2), None).await;
    assert_eq!(r.body["priority"], 1);
    let r = c
        .call("GET", &format!("{}?expand=group", path(&g2)), None)
        .await;
    assert_eq!(
        r.body["_embedded"]["group"]["profile"]["name"],
        "engineering-admins"
    );

    let r = c
        .call("GET", &format!("/api/v1/apps/{id}/groups"), None)
        .await;
    let order: Vec<&str> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, vec![g1.as_str(), g2.as_str(), g3.as_str()]);
    assert_eq!(
        r.links(),
        vec![format!(
            "<{}/api/v1/apps/{id}/groups?limit=20>; rel=\"self\"",
            c.emu.base_url()
        )]
    );
    let r = c
        .call("GET", &format!("/api/v1/apps/{id}/groups?limit=2"), None)
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    let next = r.next_link().expect("next page");
    let r = c.call("GET", &next, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(r.body[0]["id"], g3.as_str());
    assert!(r.next_link().is_none());

    let r = c
        .call(
            "GET",
            &format!("/api/v1/apps?filter=group.id+eq+%22{g2}%22"),
            None,
        )
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);

    let r = c
        .call("PUT", &path("00gNOPE0000000000000"), Some(json!({})))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body["errorSummary"],
        "Not found: Resource not found: 00gNOPE0000000000000 (UserGroup)"
    );
    let r = c
        .call("PUT", &path(&g1), Some(json!({"priority": "high"})))
        .await;
    assert_eq!(r.status, 400);

    let r = c.call("DELETE", &path(&g1), None).await;
    assert_eq!(r.status, 204);
    let r = c.call("GET", &path(&g1), None).await;
    assert_eq!((r.status, r.error_code()), (404, "E0000007"));
    let r = c.call("DELETE", &path(&g1), None).await;
    assert_eq!(r.status, 404);
    // Deleting a group drops its assignments.
    let r = c
        .call("DELETE", &format!("/api/v1/groups/{g3}"), None)
        .await;
    assert_eq!(r.status, 204);
    let r = c
        .call("GET", &format!("/api/v1/apps/{id}/groups"), None)
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    let r = c.call("GET", &format!("/api/v1/groups/{g3}"), None).await;
    assert_eq!(r.status, 404);
}

/// Directory sync's incremental pass (Pomerium 0.19, okta-sdk-golang clients): groups whose
/// profile or membership changed after the last pass, by `filter` on `lastUpdated` /
/// `lastMembershipUpdated`, compared as instants whatever the timestamp's form.
#[tokio::test]
async fn groups_filter_on_timestamps_sees_every_membership_change() {
    let owned = Ctx::new().await;
    // A reference, so the async helpers below can each hold a copy.
    let c = &owned;
    let a = c.create_group("sync-a").await;
    let b = c.create_group("sync-b").await;
    let g_c = c.create_group("sync-c").await;
    let u = c
        .call(
            "POST",
            "/api/v1/users?activate=false",
            Some(json!({"profile": {"firstName": "S", "lastName": "Y",
                "email": "sync@example.com", "login": "sync@example.com"}})),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    let uid = u.body["id"].as_str().unwrap().to_string();
    let group = |id: &str| {
        let path = format!("/api/v1/groups/{id}");
        async move { c.call("GET", &path, None).await.body }
    };
    // The newest timestamp seen, as a directory sync keeps it.
    let newest = |groups: &Value| -> String {
        groups
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| [&g["lastUpdated"], &g["lastMembershipUpdated"]])
            .map(|v| v.as_str().unwrap().to_string())
            .max()
            .unwrap()
    };
    let changed = |since: String, extra: &'static str| {
        let f = format!(
            r#"{extra}lastUpdated gt "{since}" or lastMembershipUpdated gt "{since}"{}"#,
            if extra.is_empty() { "" } else { ")" }
        );
        let path = format!(
            "/api/v1/groups?limit=100&filter={}",
            url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>()
        );
        async move {
            let r = c.call("GET", &path, None).await;
            assert_eq!(r.status, 200, "{f}: {}", r.body);
            r.body
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["profile"]["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // Okta's timestamps have whole seconds: a change must land in a later second to be "after".
    let next_second = || tokio::time::sleep(std::time::Duration::from_millis(1100));

    let all = c.call("GET", "/api/v1/groups", None).await.body;
    let t0 = newest(&all);
    next_second().await;
    assert!(changed(t0.clone(), "").await.is_empty());
    // Go's `.999Z` layout drops a zero fraction; same instant, same answer.
    let go_form = t0.replace(".000Z", "Z");
    assert!(changed(go_form, "").await.is_empty());

    // Membership: added.
    let r = c
        .call("PUT", &format!("/api/v1/groups/{a}/users/{uid}"), None)
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(changed(t0.clone(), "").await, ["sync-a"]);
    let ga = group(&a).await;
    assert!(ga["lastMembershipUpdated"].as_str().unwrap() > t0.as_str());
    assert!(ga["lastUpdated"].as_str().unwrap() <= t0.as_str());
    let t1 = ga["lastMembershipUpdated"].as_str().unwrap().to_string();

    // Profile: lastUpdated only.
    next_second().await;
    let r = c
        .call(
            "PUT",
            &format!("/api/v1/groups/{b}"),
            Some(json!({"profile": {"name": "sync-b2"}})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(changed(t1.clone(), "").await, ["sync-b2"]);
    let gb = group(&b).await;
    assert!(gb["lastUpdated"].as_str().unwrap() > t1.as_str());
    assert!(gb["lastMembershipUpdated"].as_str().unwrap() <= t1.as_str());
    let t2 = gb["lastUpdated"].as_str().unwrap().to_string();

    // Membership: removed; then added elsewhere.
    next_second().await;
    let r = c
        .call("DELETE", &format!("/api/v1/groups/{a}/users/{uid}"), None)
        .await;
    assert_eq!(r.status, 204);
    let r = c
        .call("PUT", &format!("/api/v1/groups/{g_c}/users/{uid}"), None)
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(changed(t2.clone(), "").await, ["sync-a", "sync-c"]);
    let t3 = newest(&c.call("GET", "/api/v1/groups", None).await.body);

    // Membership: the user is deleted (deactivate, then delete); Everyone changes too.
    next_second().await;
    for _ in 0..2 {
        let r = c
            .call("DELETE", &format!("/api/v1/users/{uid}"), None)
            .await;
        assert!(matches!(r.status, 200 | 204), "{}", r.body);
    }
    assert_eq!(changed(t3.clone(), "").await, ["Everyone", "sync-c"]);
    assert_eq!(
        changed(t3.clone(), r#"type eq "OKTA_GROUP" and ("#).await,
        ["sync-c"]
    );

    // The other operators, and timestamps in other forms of the same instant.
    let cm = group(&g_c).await["lastMembershipUpdated"]
        .as_str()
        .unwrap()
        .to_string();
    let ids_for = |f: String| {
        let path = format!(
            "/api/v1/groups?filter={}",
            url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>()
        );
        async move {
            let r = c.call("GET", &path, None).await;
            assert_eq!(r.status, 200, "{f}: {}", r.body);
            r.body
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let plain = cm.replace(".000Z", "Z");
    assert_eq!(
        ids_for(format!(
            r#"type eq "OKTA_GROUP" and lastMembershipUpdated eq "{plain}""#
        ))
        .await,
        vec![g_c.clone()]
    );
    assert_eq!(
        ids_for(format!(
            r#"type eq "OKTA_GROUP" and lastMembershipUpdated ge "{cm}""#
        ))
        .await,
        vec![g_c.clone()]
    );
    let mut older = ids_for(format!(
        r#"type eq "OKTA_GROUP" and lastMembershipUpdated lt "{cm}""#
    ))
    .await;
    older.sort();
    let mut expect = vec![a.clone(), b.clone()];
    expect.sort();
    assert_eq!(older, expect);
    assert_eq!(
        ids_for(format!(
            r#"type eq "OKTA_GROUP" and lastMembershipUpdated le "{cm}" and id eq "{b}""#
        ))
        .await,
        vec![b.clone()]
    );

    // A filtered list pages like any other and keeps its filter in the next link.
    let f = format!(r#"lastMembershipUpdated gt "{t0}""#);
    let path = format!(
        "/api/v1/groups?limit=1&filter={}",
        url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>()
    );
    let first = c.call("GET", &path, None).await;
    assert_eq!(first.body.as_array().unwrap().len(), 1);
    let next = first.next_link().expect("a next page");
    assert!(next.contains("filter=lastMembershipUpdated+gt"), "{next}");
    let second = c.call("GET", &next, None).await;
    assert_eq!(second.body.as_array().unwrap().len(), 1);
    assert_ne!(first.body[0]["id"], second.body[0]["id"]);

    // Anything else stays Okta's 400.
    for (f, code, summary) in [
        (
            r#"lastUpdated gt "yesterday""#,
            "E0000031",
            "Invalid search criteria.",
        ),
        (
            r#"lastUpdated sw "2026""#,
            "E0000031",
            "Invalid search criteria.",
        ),
        (
            r#"lastUpdated gt "2026-01-02T00:00:00Z" or"#,
            "E0000031",
            "Invalid search criteria.",
        ),
        (
            r#"profile.name eq "sync-a""#,
            "E0000094",
            "The provided filter is unsupported.",
        ),
    ] {
        let path = format!(
            "/api/v1/groups?filter={}",
            url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>()
        );
        let r = c.call("GET", &path, None).await;
        assert_eq!(
            (r.status, r.error_code(), r.body["errorSummary"].as_str()),
            (400, code, Some(summary)),
            "{f}"
        );
    }
    owned.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn api_tokens_users_me_and_revocation() {
    let c = Ctx::new().await;
    let me = c.call("GET", "/api/v1/users/me", None).await;
    assert_eq!(me.status, 200);
    let admin_id = me.body["id"].as_str().unwrap().to_string();
    assert!(admin_id.starts_with("00u"));
    assert_eq!(me.body["status"], "ACTIVE");

    let alice = c
        .emu
        .mint_token(MintRequest {
            name: Some("alice-ci".into()),
            login: Some("alice@example.com".into()),
            ..Default::default()
        })
        .unwrap();
    let r = c
        .call_raw(Some(&alice.token), "GET", "/api/v1/users/me", None)
        .await;
    assert_eq!(r.body["profile"]["login"], "alice@example.com");
    assert_eq!(r.body["id"], alice.user_id.as_str());
    let r = c
        .call("GET", &format!("/api/v1/users/{}", alice.user_id), None)
        .await;
    assert_eq!(r.status, 200);

    let r = c.call("GET", "/api/v1/api-tokens", None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    let body = r.body.to_string();
    assert!(
        !body.contains(TOKEN) && !body.contains(&alice.token),
        "token values leak"
    );

    let path = format!("/api/v1/api-tokens/{}", alice.id);
    let r = c.call("GET", &path, None).await;
    assert_eq!(r.body["name"], "alice-ci");
    assert_eq!(r.body["clientName"], "Okta API");
    assert_eq!(r.body["tokenWindow"], "P30D");
    assert_eq!(r.body["network"], json!({"connection": "ANYWHERE"}));
    assert_eq!(
        r.body["_links"]["self"]["hints"]["allow"],
        json!(["GET", "DELETE"])
    );
    let r = c
        .call(
            "PUT",
            &path,
            Some(
                json!({"name": "alice-ci", "clientName": "ignored", "userId": admin_id,
                        "network": {"connection": "ZONE", "include": ["nzo1234567890abcdefg"]}}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["network"],
        json!({"connection": "ZONE", "include": ["nzo1234567890abcdefg"]})
    );
    assert_eq!(r.body["userId"], alice.user_id.as_str());
    let r = c
        .call(
            "PUT",
            &path,
            Some(json!({"network": {"connection": "ZONE"}})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = c
        .call("GET", "/api/v1/api-tokens/00TNOPE0000000000000", None)
        .await;
    assert_eq!(
        r.body["errorSummary"],
        "Not found: Resource not found: 00TNOPE0000000000000 (ApiToken)"
    );

    // Revoke by id: the token stops working.
    let r = c.call("DELETE", &path, None).await;
    assert_eq!(r.status, 204);
    let r = c
        .call_raw(Some(&alice.token), "GET", "/api/v1/users/me", None)
        .await;
    assert_eq!((r.status, r.error_code()), (401, "E0000011"));
    assert_eq!(r.body["errorSummary"], "Invalid token provided");

    // Revoke the calling token.
    let bob = c.emu.mint_token(MintRequest::default()).unwrap();
    let r = c
        .call_raw(
            Some(&bob.token),
            "DELETE",
            "/api/v1/api-tokens/current",
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = c
        .call_raw(Some(&bob.token), "GET", "/api/v1/apps", None)
        .await;
    assert_eq!(r.status, 401);
    let r = c.call("GET", "/api/v1/apps", None).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn authentication_headers_and_unknown_routes() {
    let c = Ctx::new().await;
    let r = c.call_raw(None, "GET", "/api/v1/apps", None).await;
    assert_eq!((r.status, r.error_code()), (403, "E0000005"));
    let r = c
        .call_raw(Some("not-a-token"), "GET", "/api/v1/apps", None)
        .await;
    assert_eq!((r.status, r.error_code()), (401, "E0000011"));
    assert_eq!(r.headers["content-type"], "application/json");

    let r = c.call("GET", "/api/v1/apps", None).await;
    for h in [
        "date",
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
        "x-okta-request-id",
    ] {
        assert!(r.headers.contains_key(h), "missing {h}");
    }
    assert_eq!(r.headers["x-rate-limit-limit"], "600");
    let reset: i64 = r.headers["x-rate-limit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(reset > now && reset <= now + 61, "{reset} vs {now}");

    // Org metadata is public.
    let r = c
        .call_raw(None, "GET", "/.well-known/okta-organization", None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["pipeline"], "idx");
    assert_eq!(r.body["_links"]["organization"]["href"], c.emu.base_url());

    let r = c.call("GET", "/api/v1/zones", None).await;
    assert_eq!((r.status, r.error_code()), (501, "E0000060"));
    let r = c.call("PATCH", "/api/v1/apps", None).await;
    assert_eq!((r.status, r.error_code()), (405, "E0000022"));
}
