//! okta-emulator as an OpenID Connect provider, driven by a real relying party (the
//! `openidconnect` crate, see `support/rp.rs`): discovery, code + PKCE sign-in with a
//! `sessionToken`, verified ID tokens with `groups`, `/userinfo`, refresh rotation, both the
//! org authorization server and `default`; and each `/authorize` and `/token` check with
//! Okta's error texts.

#[path = "support/rp.rs"]
mod rp;

use okta_emulator::{spawn, EmulatorConfig, RunningEmulator};
use rp::Rp;
use serde_json::{json, Value};

const TOKEN: &str = "oidc-test-token";
const PASSWORD: &str = "tlpWENT2m-Secret";
const LOGIN: &str = "jane.doe@example.com";
const REDIRECT: &str = "https://app.example.com/oauth2/callback";

struct Ctx {
    emu: RunningEmulator,
    http: reqwest::Client,
    user_id: String,
}

struct App {
    id: String,
    secret: String,
}

impl Ctx {
    async fn new() -> Ctx {
        Self::with(EmulatorConfig::ephemeral().with_api_token(TOKEN)).await
    }

    async fn with(cfg: EmulatorConfig) -> Ctx {
        let emu = spawn(cfg).await.unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut c = Ctx {
            emu,
            http,
            user_id: String::new(),
        };
        c.user_id = c.user(LOGIN, "Jane", "Doe").await;
        c
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self
            .http
            .request(method, self.url(path))
            .header("Authorization", format!("SSWS {TOKEN}"));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn user(&self, login: &str, first: &str, last: &str) -> String {
        let (st, u) = self
            .api(
                reqwest::Method::POST,
                "/api/v1/users?activate=true",
                Some(json!({
                    "profile": {"firstName": first, "lastName": last, "email": login, "login": login},
                    "credentials": {"password": {"value": PASSWORD}}
                })),
            )
            .await;
        assert_eq!(st, 200, "{u}");
        u["id"].as_str().unwrap().to_string()
    }

    async fn group(&self, name: &str, members: &[&str]) -> String {
        let (st, g) = self
            .api(
                reqwest::Method::POST,
                "/api/v1/groups",
                Some(json!({"profile": {"name": name}})),
            )
            .await;
        assert_eq!(st, 200);
        let gid = g["id"].as_str().unwrap().to_string();
        for m in members {
            let (st, _) = self
                .api(
                    reqwest::Method::PUT,
                    &format!("/api/v1/groups/{gid}/users/{m}"),
                    None,
                )
                .await;
            assert_eq!(st, 204);
        }
        gid
    }

    /// An OIDC web app; `edit` adjusts `settings.oauthClient` / `credentials.oauthClient`.
    async fn app(&self, edit: impl FnOnce(&mut Value)) -> App {
        let mut body = json!({
            "name": "oidc_client",
            "label": "rp",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic", "pkce_required": false}},
            "settings": {"oauthClient": {
                "application_type": "web",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "redirect_uris": [REDIRECT],
                "post_logout_redirect_uris": ["https://app.example.com/signed-out"],
                "refresh_token": {"rotation_type": "STATIC", "leeway": 0}
            }}
        });
        edit(&mut body);
        let (st, a) = self
            .api(reqwest::Method::POST, "/api/v1/apps", Some(body))
            .await;
        assert_eq!(st, 200, "{a}");
        App {
            id: a["id"].as_str().unwrap().to_string(),
            secret: a["credentials"]["oauthClient"]["client_secret"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        }
    }

    async fn assign(&self, app: &App, user_id: &str) {
        let (st, body) = self
            .api(
                reqwest::Method::POST,
                &format!("/api/v1/apps/{}/users", app.id),
                Some(json!({"id": user_id, "scope": "USER", "credentials": {"userName": LOGIN}})),
            )
            .await;
        assert_eq!(st, 200, "{body}");
    }

    /// The org server's groups claim of an app (what Okta's internal idToken endpoint sets).
    fn org_groups_claim(&self, app: &App, filter: &str, value: &str) {
        let claim = json!({"appId": app.id, "name": "groups", "valueType": "GROUPS",
            "groupFilterType": filter, "value": value, "issuerMode": "ORG_URL"});
        self.emu
            .update_org_json(|org| {
                org["appIdTokenClaims"].as_array_mut().unwrap().push(claim);
            })
            .unwrap();
    }

    async fn rp(&self, issuer: &str, app: &App) -> Rp {
        Rp::discover(
            self.emu.base_url(),
            issuer,
            &app.id,
            Some(&app.secret),
            REDIRECT,
        )
        .await
        .unwrap()
    }

    fn org(&self) -> String {
        self.emu.base_url().to_string()
    }

    fn default_issuer(&self) -> String {
        format!("{}/oauth2/default", self.emu.base_url())
    }

    /// A fresh `sessionToken` for the test user.
    async fn session_token(&self) -> String {
        let resp = self
            .http
            .post(self.url("/api/v1/authn"))
            .json(&json!({"username": LOGIN, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let body: Value = resp.json().await.unwrap();
        body["sessionToken"].as_str().unwrap().to_string()
    }

    /// GET `/oauth2/v1/authorize` with these parameters; returns (status, redirect params or
    /// page text).
    async fn authorize_raw(
        &self,
        base: &str,
        params: &[(&str, &str)],
    ) -> (u16, Vec<(String, String)>, String) {
        let url = reqwest::Url::parse_with_params(&self.url(&format!("{base}/authorize")), params)
            .unwrap();
        let resp = self.http.get(url).send().await.unwrap();
        let status = resp.status().as_u16();
        let loc = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let text = resp.text().await.unwrap();
        let pairs = loc
            .map(|l| {
                let u = url::Url::parse(&l).unwrap();
                let mut p: Vec<(String, String)> = u.query_pairs().into_owned().collect();
                if let Some(f) = u.fragment() {
                    p.extend(url::form_urlencoded::parse(f.as_bytes()).into_owned());
                }
                p
            })
            .unwrap_or_default();
        (status, pairs, text)
    }
}

/// A single-page app allowed only the implicit grant.
fn spa_implicit(b: &mut Value, response_types: Value) {
    b["settings"]["oauthClient"]["application_type"] = json!("browser");
    b["settings"]["oauthClient"]["grant_types"] = json!(["implicit"]);
    b["settings"]["oauthClient"]["response_types"] = response_types;
    b["settings"]["oauthClient"]
        .as_object_mut()
        .unwrap()
        .remove("refresh_token");
    b["credentials"]["oauthClient"] =
        json!({"token_endpoint_auth_method": "none", "pkce_required": true});
}

fn get<'a>(p: &'a [(String, String)], k: &str) -> Option<&'a str> {
    p.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str())
}

fn base_params<'a>(app: &'a App, st: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", app.id.as_str()),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid profile"),
        ("state", "st-1"),
        ("sessionToken", st),
    ]
}

fn with<'a>(
    mut p: Vec<(&'a str, &'a str)>,
    k: &'a str,
    v: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    p.retain(|(x, _)| *x != k);
    if let Some(v) = v {
        p.push((k, v));
    }
    p
}

#[tokio::test]
async fn org_server_code_flow_with_groups_userinfo_and_static_refresh() {
    let c = Ctx::new().await;
    c.group("eng-backend", &[&c.user_id]).await;
    c.group("sales", &[&c.user_id]).await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    c.org_groups_claim(&app, "STARTS_WITH", "ENG");
    let rp = c.rp(&c.org(), &app).await;
    assert_eq!(rp.metadata.issuer().as_str(), c.org());

    let t = rp
        .sign_in(
            LOGIN,
            PASSWORD,
            &["openid", "profile", "email", "groups", "offline_access"],
        )
        .await
        .unwrap();
    assert_eq!(t.subject(), c.user_id);
    assert_eq!(t.groups(), Some(vec!["eng-backend".to_string()]));
    assert_eq!(t.claims.preferred_username().unwrap().as_str(), LOGIN);
    assert_eq!(t.claims.email().unwrap().as_str(), LOGIN);
    assert_eq!(t.claims.issuer().as_str(), c.org());
    let rt = t
        .refresh_token
        .clone()
        .expect("offline_access gives a refresh token");

    let info = rp.userinfo(&t.access_token, &t.subject()).await.unwrap();
    assert_eq!(info.email().unwrap().as_str(), LOGIN);
    assert_eq!(
        info.additional_claims().groups,
        Some(vec!["eng-backend".to_string()])
    );

    // Membership is read at refresh: a new matching group shows up.
    c.group("Engineering", &[&c.user_id]).await;
    let r = rp.refresh(&rt).await.unwrap();
    assert_eq!(
        r.refresh_token.as_deref(),
        Some(rt.as_str()),
        "STATIC returns the same token"
    );
    let mut groups = r.groups().unwrap();
    groups.sort();
    assert_eq!(groups, ["Engineering", "eng-backend"]);
    // And again: STATIC tokens stay valid.
    assert!(rp.refresh(&rt).await.is_ok());

    // Without the groups scope the org server leaves the claim out.
    let t = rp
        .sign_in(LOGIN, PASSWORD, &["openid", "profile"])
        .await
        .unwrap();
    assert_eq!(t.groups(), None);
    assert!(t.refresh_token.is_none());
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn default_server_code_flow_with_groups_claim_and_rotating_refresh() {
    let c = Ctx::new().await;
    let gid = c.group("eng", &[&c.user_id]).await;
    let app = c
        .app(|b| {
            b["settings"]["oauthClient"]["refresh_token"] =
                json!({"rotation_type": "ROTATE", "leeway": 30});
        })
        .await;
    // Assigned through a group this time.
    let (st, _) = c
        .api(
            reqwest::Method::PUT,
            &format!("/api/v1/apps/{}/groups/{gid}", app.id),
            None,
        )
        .await;
    assert_eq!(st, 200);
    let rp = c.rp(&c.default_issuer(), &app).await;
    // An IDENTITY groups claim on `default`, REGEX, always included.
    c.emu
        .update_org_json(|org| {
            let server = org["authServers"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|s| s["isDefault"] == json!(true))
                .unwrap();
            server["claims"].as_array_mut().unwrap().push(json!({
                "id": "oclGroups00000000000", "name": "groups", "status": "ACTIVE",
                "claimType": "IDENTITY", "valueType": "GROUPS", "value": "e.*",
                "groupFilterType": "REGEX", "alwaysIncludeInToken": true, "scopes": [], "system": false
            }));
        })
        .unwrap();
    let t = rp
        .sign_in(
            LOGIN,
            PASSWORD,
            &["openid", "profile", "email", "offline_access"],
        )
        .await
        .unwrap();
    assert_eq!(t.claims.issuer().as_str(), c.default_issuer());
    // REGEX is a case-sensitive full match: "eng" and not "Everyone".
    assert_eq!(t.groups(), Some(vec!["eng".to_string()]));
    let info = rp.userinfo(&t.access_token, &t.subject()).await.unwrap();
    assert_eq!(
        info.additional_claims().groups,
        Some(vec!["eng".to_string()])
    );

    // ROTATE: a new token; the old one works within the leeway.
    let rt1 = t.refresh_token.clone().unwrap();
    let r2 = rp.refresh(&rt1).await.unwrap();
    let rt2 = r2.refresh_token.clone().unwrap();
    assert_ne!(rt1, rt2);
    assert!(rp.refresh(&rt1).await.is_ok(), "within the 30 s leeway");
    let r3 = rp.refresh(&rt2).await.unwrap();
    assert_ne!(r3.refresh_token.as_deref(), Some(rt2.as_str()));

    // The org server does not accept the custom server's tokens.
    let org_rp = c.rp(&c.org(), &app).await;
    assert_eq!(
        org_rp.refresh(&rt2).await.unwrap_err(),
        (
            "invalid_grant".into(),
            "The refresh token is invalid or expired.".into()
        )
    );
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn rotated_refresh_token_reuse_after_leeway_revokes_the_family() {
    let c = Ctx::new().await;
    let app = c
        .app(|b| {
            b["settings"]["oauthClient"]["refresh_token"] =
                json!({"rotation_type": "ROTATE", "leeway": 0});
        })
        .await;
    c.assign(&app, &c.user_id).await;
    let rp = c.rp(&c.org(), &app).await;
    let t = rp
        .sign_in(LOGIN, PASSWORD, &["openid", "offline_access"])
        .await
        .unwrap();
    let rt1 = t.refresh_token.unwrap();
    let rt2 = rp.refresh(&rt1).await.unwrap().refresh_token.unwrap();
    let reuse = rp.refresh(&rt1).await.unwrap_err();
    assert_eq!(reuse.0, "invalid_grant");
    // The whole family is gone, the newest token included.
    assert_eq!(rp.refresh(&rt2).await.unwrap_err().0, "invalid_grant");
    // And so are the access tokens minted from it.
    assert!(rp.userinfo(&t.access_token, &c.user_id).await.is_err());
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn code_survives_failed_basic_auth_then_works_with_body_credentials() {
    let c = Ctx::new().await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    let rp = c.rp(&c.org(), &app).await;
    let st = rp.session_token(LOGIN, PASSWORD).await.unwrap();
    let a = rp.authorize(&st, &["openid"], &[]).await.unwrap();
    // A wrong Basic secret first (what Pomerium's auth-style probing can produce).
    let wrong = Rp::discover(
        &c.org(),
        &c.org(),
        &app.id,
        Some("not-the-secret"),
        REDIRECT,
    )
    .await
    .unwrap();
    assert_eq!(
        wrong.exchange(&a).await.unwrap_err(),
        (
            "invalid_client".into(),
            "The client secret supplied for a confidential client is invalid.".into()
        )
    );
    let body = rp.with_body_credentials();
    let t = body.exchange(&a).await.unwrap();
    assert_eq!(t.subject(), c.user_id);
    // Single use.
    assert_eq!(
        body.exchange(&a).await.unwrap_err(),
        (
            "invalid_grant".into(),
            "The authorization code is invalid or has expired.".into()
        )
    );
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let cfg = || {
        EmulatorConfig::ephemeral()
            .with_api_token(TOKEN)
            .with_state_file(&path)
    };
    let c = Ctx::with(cfg()).await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    let rp = c.rp(&c.org(), &app).await;
    let t = rp
        .sign_in(LOGIN, PASSWORD, &["openid", "offline_access"])
        .await
        .unwrap();
    let jwks_before: Value = c
        .http
        .get(c.url("/oauth2/v1/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    c.emu.shutdown().await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&t.access_token) && !text.contains(t.refresh_token.as_deref().unwrap()));

    // Same port is not guaranteed, so the issuer changes; keys and grants must not.
    let emu = spawn(cfg()).await.unwrap();
    let http = reqwest::Client::new();
    let jwks_after: Value = http
        .get(format!("{}/oauth2/v1/keys", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks_before, jwks_after);
    let rp2 = Rp::discover(
        emu.base_url(),
        emu.base_url(),
        &app.id,
        Some(&app.secret),
        REDIRECT,
    )
    .await
    .unwrap();
    let r = rp2
        .refresh(t.refresh_token.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(r.subject(), t.subject());
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn discovery_documents_and_keys() {
    let c = Ctx::new().await;
    let d: Value = c
        .http
        .get(c.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["issuer"], c.org());
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
    let m: Value = c
        .http
        .get(c.url("/oauth2/default/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(m["issuer"], c.default_issuer());
    assert_eq!(
        m["registration_endpoint"],
        format!("{}/oauth2/v1/clients", c.org())
    );
    let m2: Value = c
        .http
        .get(c.url("/.well-known/oauth-authorization-server/oauth2/default"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(m, m2);
    let keys = c
        .http
        .get(c.url("/oauth2/default/v1/keys"))
        .send()
        .await
        .unwrap();
    assert!(keys.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("must-revalidate"));
    let keys: Value = keys.json().await.unwrap();
    assert_eq!(keys["keys"].as_array().unwrap().len(), 2);
    let org_keys: Value = c
        .http
        .get(c.url("/oauth2/v1/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(
        keys["keys"][0]["kid"], org_keys["keys"][0]["kid"],
        "separate key sets per issuer"
    );
    // No API token needed, and unknown servers are Okta's 404.
    let r = c
        .http
        .get(c.url("/oauth2/ausNope/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "E0000007");
    assert_eq!(
        body["errorSummary"],
        "Not found: Resource not found: ausNope (AuthorizationServer)"
    );
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn app_user_assignments_api() {
    let c = Ctx::new().await;
    let app = c.app(|_| {}).await;
    let (st, e) = c
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/apps/{}/users", app.id),
            Some(json!({"scope": "USER"})),
        )
        .await;
    assert_eq!((st, e["errorCode"].as_str()), (400, Some("E0000001")));
    let (st, e) = c
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/apps/{}/users", app.id),
            Some(json!({"id": "00uNope"})),
        )
        .await;
    assert_eq!(
        (st, e["errorSummary"].as_str()),
        (404, Some("Not found: Resource not found: 00uNope (User)"))
    );
    c.assign(&app, &c.user_id).await;
    let (st, one) = c
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/apps/{}/users/{}", app.id, c.user_id),
            None,
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(one["scope"], "USER");
    assert_eq!(one["credentials"]["userName"], LOGIN);
    let (st, list) = c
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/apps/{}/users?expand=user", app.id),
            None,
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["_embedded"]["user"]["id"], c.user_id.as_str());
    let (st, _) = c
        .api(
            reqwest::Method::DELETE,
            &format!("/api/v1/apps/{}/users/{}", app.id, c.user_id),
            None,
        )
        .await;
    assert_eq!(st, 204);
    let (st, e) = c
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/apps/{}/users/{}", app.id, c.user_id),
            None,
        )
        .await;
    assert_eq!((st, e["errorCode"].as_str()), (404, Some("E0000007")));
    c.emu.shutdown().await.unwrap();
}

// ---- /authorize checks -------------------------------------------------------------------

#[tokio::test]
async fn authorize_pages_for_untrusted_client_or_redirect() {
    let c = Ctx::new().await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    let st = "unused";
    let base = base_params(&app, st);
    let page = |text: &str, code: &str, desc: &str| {
        assert!(
            text.contains(&format!("<span id=\"error-code\">{code}</span>")),
            "{text}"
        );
        assert!(text.contains(desc), "{text}");
    };
    let (s, _, t) = c
        .authorize_raw(
            "/oauth2/v1",
            &with(base.clone(), "client_id", Some("0oaUnknown")),
        )
        .await;
    assert_eq!(s, 400);
    page(
        &t,
        "invalid_client",
        "Invalid value for &#39;client_id&#39; parameter.",
    );
    let (s, _, t) = c
        .authorize_raw("/oauth2/v1", &with(base.clone(), "redirect_uri", None))
        .await;
    assert_eq!(s, 400);
    page(&t, "missing_redirect_uri", "redirect_uri is missing.");
    let (s, _, t) = c
        .authorize_raw(
            "/oauth2/v1",
            &with(
                base.clone(),
                "redirect_uri",
                Some("https://evil.example.com/cb"),
            ),
        )
        .await;
    assert_eq!(s, 400);
    page(
        &t,
        "invalid_request",
        "must be a Login redirect URI in the client app settings",
    );
    // An inactive app is unknown too.
    let (st_code, _) = c
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/apps/{}/lifecycle/deactivate", app.id),
            None,
        )
        .await;
    assert_eq!(st_code, 200);
    let (s, _, t) = c.authorize_raw("/oauth2/v1", &base).await;
    assert_eq!(s, 400);
    page(&t, "invalid_client", "client_id");
    c.emu.shutdown().await.unwrap();
}

/// Runs one /authorize with `params` and expects a redirect with `error`/`error_description`.
async fn expect_redirect_error(
    c: &Ctx,
    base: &str,
    params: &[(&str, &str)],
    error: &str,
    desc: &str,
) {
    let (s, p, text) = c.authorize_raw(base, params).await;
    assert_eq!(s, 302, "{text}");
    assert_eq!(get(&p, "error"), Some(error), "{p:?}");
    assert_eq!(get(&p, "error_description"), Some(desc), "{p:?}");
}

#[tokio::test]
async fn authorize_parameter_checks_redirect_with_okta_errors() {
    let c = Ctx::new().await;
    let app = c
        .app(|b| {
            b["credentials"]["oauthClient"]["pkce_required"] = json!(false);
        })
        .await;
    c.assign(&app, &c.user_id).await;
    let o = "/oauth2/v1";
    let b = base_params(&app, "x");
    expect_redirect_error(&c, o, &with(b.clone(), "response_type", Some("token")), "unsupported_response_type",
        "The response type is not supported by the authorization server. Configured response types: [code].").await;
    expect_redirect_error(
        &c,
        o,
        &with(b.clone(), "scope", Some("profile")),
        "invalid_scope",
        "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.",
    )
    .await;
    expect_redirect_error(&c, o, &with(b.clone(), "scope", Some("openid bogus")), "invalid_scope",
        "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.").await;
    let (s, p, _) = c.authorize_raw(o, &with(b.clone(), "state", None)).await;
    assert_eq!((s, get(&p, "error")), (302, Some("invalid_request")));
    assert_eq!(
        get(&p, "error_description"),
        Some("The authentication request has an invalid 'state' parameter.")
    );
    assert_eq!(get(&p, "state"), None);
    expect_redirect_error(
        &c,
        o,
        &with(b.clone(), "prompt", Some("sometimes")),
        "invalid_request",
        "Invalid value for 'prompt' parameter. Supported values: [none, consent, login]",
    )
    .await;
    expect_redirect_error(&c, o, &with(b.clone(), "response_mode", Some("web_message")), "unsupported_response_mode",
        "The response mode is not supported by the authorization server. Valid response modes: [query, fragment, form_post, okta_post_message].").await;
    let mut dup = b.clone();
    dup.push(("scope", "openid"));
    expect_redirect_error(
        &c,
        o,
        &dup,
        "invalid_request",
        "The request contained multiple parameters with the same name.",
    )
    .await;
    expect_redirect_error(
        &c,
        o,
        &[
            b.clone(),
            vec![
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                ),
                ("code_challenge_method", "plain"),
            ],
        ]
        .concat(),
        "invalid_request",
        "PKCE code challenge method is not supported. Valid values: [S256]",
    )
    .await;
    expect_redirect_error(
        &c,
        o,
        &[
            b.clone(),
            vec![
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
                ),
                ("code_challenge_method", "S256"),
            ],
        ]
        .concat(),
        "invalid_request",
        "PKCE code challenge contains illegal characters.",
    )
    .await;
    // No session and prompt=none.
    let no_session = with(b.clone(), "sessionToken", None);
    expect_redirect_error(
        &c,
        o,
        &with(no_session.clone(), "prompt", Some("none")),
        "login_required",
        "The client specified not to prompt, but the user is not logged in.",
    )
    .await;
    // No session otherwise: the sign-in form.
    let (s, _, text) = c.authorize_raw(o, &no_session).await;
    assert_eq!(s, 200);
    assert!(text.contains("name=\"password\""));
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn authorize_grant_pkce_nonce_and_assignment_checks() {
    let c = Ctx::new().await;
    let o = "/oauth2/v1";
    // An app without the authorization_code grant.
    let implicit = c
        .app(|b| {
            spa_implicit(b, json!(["code", "id_token", "token"]));
        })
        .await;
    c.assign(&implicit, &c.user_id).await;
    let b = base_params(&implicit, "x");
    expect_redirect_error(&c, o, &b, "unauthorized_client",
        "The client is not authorized to use the provided grant type. Configured grant types: [implicit].").await;
    // Implicit needs a nonce (fragment delivery).
    let (s, _, _) = c
        .authorize_raw(o, &with(b.clone(), "response_type", Some("id_token")))
        .await;
    assert_eq!(s, 302);
    // PKCE required by the app.
    let pkce = c
        .app(|b| {
            b["credentials"]["oauthClient"]["pkce_required"] = json!(true);
        })
        .await;
    c.assign(&pkce, &c.user_id).await;
    let st = c.session_token().await;
    expect_redirect_error(
        &c,
        o,
        &base_params(&pkce, &st),
        "invalid_request",
        "PKCE code challenge is required by the application.",
    )
    .await;
    // Not assigned.
    let lonely = c.app(|_| {}).await;
    let st = c.session_token().await;
    let (s, p, _) = c.authorize_raw(o, &base_params(&lonely, &st)).await;
    assert_eq!(s, 302);
    assert_eq!(get(&p, "error"), Some("access_denied"));
    assert_eq!(
        get(&p, "error_description"),
        Some("User is not assigned to the client application.")
    );
    assert_eq!(get(&p, "state"), Some("st-1"));
    // Success: code + state, no-referrer.
    let ok = c.app(|_| {}).await;
    c.assign(&ok, &c.user_id).await;
    let st = c.session_token().await;
    let url =
        reqwest::Url::parse_with_params(&c.url("/oauth2/v1/authorize"), base_params(&ok, &st))
            .unwrap();
    let resp = c.http.get(url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    assert_eq!(resp.headers()["referrer-policy"], "no-referrer");
    assert!(resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("sid="));
    let loc = resp.headers()["location"].to_str().unwrap();
    assert!(
        loc.starts_with(REDIRECT) && loc.contains("code=") && loc.ends_with("state=st-1"),
        "{loc}"
    );
    // The session token was one-time; the cookie is not sent here, so prompt=none fails.
    let (s, p, _) = c
        .authorize_raw(o, &with(base_params(&ok, &st), "prompt", Some("none")))
        .await;
    assert_eq!((s, get(&p, "error")), (302, Some("login_required")));
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn implicit_flow_needs_nonce_and_returns_tokens_in_the_fragment() {
    let c = Ctx::new().await;
    let app = c
        .app(|b| {
            spa_implicit(b, json!(["id_token", "token"]));
        })
        .await;
    c.assign(&app, &c.user_id).await;
    let st = c.session_token().await;
    let p = with(
        base_params(&app, &st),
        "response_type",
        Some("id_token token"),
    );
    let url = reqwest::Url::parse_with_params(&c.url("/oauth2/v1/authorize"), &p).unwrap();
    let resp = c.http.get(url).send().await.unwrap();
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    let frag = url::Url::parse(&loc)
        .unwrap()
        .fragment()
        .unwrap()
        .to_string();
    assert!(frag.contains("error=invalid_request"), "{frag}");
    let st = c.session_token().await;
    let p = [
        with(
            base_params(&app, &st),
            "response_type",
            Some("id_token token"),
        ),
        vec![("nonce", "n-123")],
    ]
    .concat();
    let url = reqwest::Url::parse_with_params(&c.url("/oauth2/v1/authorize"), &p).unwrap();
    let resp = c.http.get(url).send().await.unwrap();
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    let frag: Vec<(String, String)> = url::form_urlencoded::parse(
        url::Url::parse(&loc)
            .unwrap()
            .fragment()
            .unwrap()
            .as_bytes(),
    )
    .into_owned()
    .collect();
    assert!(
        get(&frag, "id_token").is_some() && get(&frag, "access_token").is_some(),
        "{frag:?}"
    );
    assert_eq!(get(&frag, "token_type"), Some("Bearer"));
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn browser_sign_in_form_sets_a_session_then_continues() {
    let c = Ctx::new().await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    let params = with(base_params(&app, ""), "sessionToken", None);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    // Wrong password: the form again, 401.
    let resp = c
        .http
        .post(c.url("/oauth2/v1/authorize"))
        .form(&[
            ("authorize_query", query.as_str()),
            ("username", LOGIN),
            ("password", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let resp = c
        .http
        .post(c.url("/oauth2/v1/authorize"))
        .form(&[
            ("authorize_query", query.as_str()),
            ("username", LOGIN),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let cookie = resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let next = resp.headers()["location"].to_str().unwrap().to_string();
    let resp = c
        .http
        .get(&next)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with(REDIRECT) && loc.contains("code="), "{loc}");
    // prompt=none works with the cookie.
    let url = reqwest::Url::parse_with_params(
        &c.url("/oauth2/v1/authorize"),
        with(params.clone(), "prompt", Some("none")),
    )
    .unwrap();
    let resp = c
        .http
        .get(url.clone())
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .contains("code="));
    // Logout ends it.
    let rp = c.rp(&c.org(), &app).await;
    let t = rp.sign_in(LOGIN, PASSWORD, &["openid"]).await.unwrap();
    let logout = reqwest::Url::parse_with_params(
        &c.url("/oauth2/v1/logout"),
        &[
            ("id_token_hint", t.id_token.as_str()),
            (
                "post_logout_redirect_uri",
                "https://app.example.com/signed-out",
            ),
            ("state", "bye"),
        ],
    )
    .unwrap();
    let resp = c
        .http
        .get(logout)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    assert_eq!(
        resp.headers()["location"],
        "https://app.example.com/signed-out?state=bye"
    );
    let resp = c
        .http
        .get(url)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .contains("error=login_required"));
    let bad = reqwest::Url::parse_with_params(
        &c.url("/oauth2/v1/logout"),
        &[
            ("id_token_hint", t.id_token.as_str()),
            ("post_logout_redirect_uri", "https://evil.example.com/"),
        ],
    )
    .unwrap();
    let resp = c.http.get(bad).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn default_server_policy_and_scope_checks() {
    let c = Ctx::new().await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    let d = "/oauth2/default/v1";
    let st = c.session_token().await;
    // `groups` is not a scope of a custom server.
    expect_redirect_error(
        &c,
        d,
        &with(base_params(&app, &st), "scope", Some("openid groups")),
        "invalid_scope",
        "One or more scopes are not configured for the authorization server resource.",
    )
    .await;
    // No policy: Okta's policy failure.
    c.emu
        .update_org_json(|org| {
            for s in org["authServers"].as_array_mut().unwrap() {
                s["policies"] = json!([]);
            }
        })
        .unwrap();
    let st = c.session_token().await;
    expect_redirect_error(
        &c,
        d,
        &base_params(&app, &st),
        "access_denied",
        "Policy evaluation failed for this request, please check the policy configurations.",
    )
    .await;
    c.emu.shutdown().await.unwrap();
}

// ---- /token checks -----------------------------------------------------------------------

async fn token_call(
    c: &Ctx,
    auth: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, Value, String) {
    let mut r = c.http.post(c.url("/oauth2/v1/token")).form(form);
    if let Some((id, secret)) = auth {
        r = r.basic_auth(id, Some(secret));
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, resp.json().await.unwrap_or(Value::Null), ct)
}

#[tokio::test]
async fn token_endpoint_checks() {
    let c = Ctx::new().await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    let rp = c.rp(&c.org(), &app).await;
    let auth = Some((app.id.as_str(), app.secret.as_str()));
    let err = |v: &Value| {
        (
            v["error"].as_str().unwrap_or("").to_string(),
            v["error_description"].as_str().unwrap_or("").to_string(),
        )
    };

    let (s, v, ct) = token_call(
        &c,
        None,
        &[("grant_type", "authorization_code"), ("code", "x")],
    )
    .await;
    assert_eq!(
        (s, err(&v).1.as_str(), ct.as_str()),
        (
            401,
            "No client credentials found.",
            "application/json;charset=UTF-8"
        )
    );
    let (s, v, _) = token_call(
        &c,
        Some(("0oaNope", "x")),
        &[("grant_type", "authorization_code")],
    )
    .await;
    assert_eq!((s, err(&v).1.as_str()), (401, "Client authentication failed. Either the client or the client credentials are invalid."));
    let (s, v, _) = token_call(
        &c,
        auth,
        &[
            ("grant_type", "authorization_code"),
            ("client_secret", app.secret.as_str()),
        ],
    )
    .await;
    assert_eq!((s, err(&v).0.as_str()), (401, "invalid_request"));
    assert!(err(&v)
        .1
        .starts_with("Cannot supply multiple client credentials."));
    let (s, v, _) = token_call(&c, auth, &[]).await;
    assert_eq!((s, err(&v).0.as_str()), (400, "invalid_request"));
    assert!(err(&v)
        .1
        .starts_with("The token request must specify a 'grant_type'."));
    let (s, v, _) = token_call(&c, auth, &[("grant_type", "client_credentials")]).await;
    assert_eq!((s, err(&v)), (400, ("unauthorized_client".into(), "The client is not authorized to use the provided grant type. Configured grant types: [authorization_code, refresh_token].".into())));
    let (s, v, _) = token_call(&c, auth, &[("grant_type", "urn:example:unknown")]).await;
    assert_eq!((s, err(&v).0.as_str()), (400, "unsupported_grant_type"));
    let (s, v, _) = token_call(
        &c,
        auth,
        &[
            ("grant_type", "authorization_code"),
            ("code", "bogus"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(
        (s, err(&v)),
        (
            400,
            (
                "invalid_grant".into(),
                "The authorization code is invalid or has expired.".into()
            )
        )
    );
    let (s, v, _) = token_call(
        &c,
        auth,
        &[("grant_type", "refresh_token"), ("refresh_token", "bogus")],
    )
    .await;
    assert_eq!(
        (s, err(&v)),
        (
            400,
            (
                "invalid_grant".into(),
                "The refresh token is invalid or expired.".into()
            )
        )
    );

    // Code bound to its redirect_uri and PKCE verifier.
    let st = rp.session_token(LOGIN, PASSWORD).await.unwrap();
    let a = rp
        .authorize(&st, &["openid", "offline_access"], &[])
        .await
        .unwrap();
    let (s, v, _) = token_call(
        &c,
        auth,
        &[
            ("grant_type", "authorization_code"),
            ("code", a.code.as_str()),
            ("redirect_uri", "https://app.example.com/other"),
            ("code_verifier", a.verifier.as_str()),
        ],
    )
    .await;
    assert_eq!((s, err(&v)), (400, ("invalid_grant".into(), "The 'redirect_uri' does not match the redirection URI used in the authorization request.".into())));
    let st = rp.session_token(LOGIN, PASSWORD).await.unwrap();
    let a = rp.authorize(&st, &["openid"], &[]).await.unwrap();
    let (s, v, _) = token_call(
        &c,
        auth,
        &[
            ("grant_type", "authorization_code"),
            ("code", a.code.as_str()),
            ("redirect_uri", REDIRECT),
            (
                "code_verifier",
                "wrong-verifier-wrong-verifier-wrong-verifier-x",
            ),
        ],
    )
    .await;
    assert_eq!(
        (s, err(&v)),
        (
            400,
            ("invalid_grant".into(), "PKCE verification failed.".into())
        )
    );
    let st = rp.session_token(LOGIN, PASSWORD).await.unwrap();
    let a = rp.authorize(&st, &["openid"], &[]).await.unwrap();
    let (s, v, _) = token_call(
        &c,
        auth,
        &[
            ("grant_type", "authorization_code"),
            ("code", a.code.as_str()),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(
        (s, err(&v)),
        (
            400,
            (
                "invalid_request".into(),
                "PKCE code verifier is required by the application.".into()
            )
        )
    );

    // A code of another client.
    let other = c.app(|_| {}).await;
    let st = rp.session_token(LOGIN, PASSWORD).await.unwrap();
    let a = rp.authorize(&st, &["openid"], &[]).await.unwrap();
    let (s, v, _) = token_call(
        &c,
        Some((other.id.as_str(), other.secret.as_str())),
        &[
            ("grant_type", "authorization_code"),
            ("code", a.code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", a.verifier.as_str()),
        ],
    )
    .await;
    assert_eq!((s, err(&v).1.as_str()), (400, "The grant was issued to another client. Please make sure the 'client_id' matches the one used at the authorize request."));
    // A code of another server.
    let (s, v, _) = {
        let mut r = c.http.post(c.url("/oauth2/default/v1/token")).form(&[
            ("grant_type", "authorization_code"),
            ("code", a.code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", a.verifier.as_str()),
        ]);
        r = r.basic_auth(&app.id, Some(&app.secret));
        let resp = r.send().await.unwrap();
        (
            resp.status().as_u16(),
            resp.json::<Value>().await.unwrap(),
            (),
        )
    };
    assert_eq!(
        (s, err(&v)),
        (
            400,
            (
                "invalid_request".into(),
                "The grant was issued for another authorization server.".into()
            )
        )
    );
    // Still valid for its own client and server after those failures.
    assert!(rp.exchange(&a).await.is_ok());

    // Refresh scope must be a subset; INACTIVE secrets never work.
    let t = rp
        .sign_in(LOGIN, PASSWORD, &["openid", "offline_access"])
        .await
        .unwrap();
    let rt = t.refresh_token.unwrap();
    let (s, v, _) = token_call(
        &c,
        auth,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
            ("scope", "openid email"),
        ],
    )
    .await;
    assert_eq!((s, err(&v)), (400, ("access_denied".into(), "Some of the scopes requested for the refresh request were not granted in the original authorize request. Denied scopes: email.".into())));
    let (s, v, _) = token_call(
        &c,
        auth,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
            ("scope", "openid"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["scope"], "openid");
    assert!(v["id_token"].is_string());
    // A second secret: both work while ACTIVE; a deactivated one never does.
    let (_, secrets) = c
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/apps/{}/credentials/secrets", app.id),
            None,
        )
        .await;
    let old_id = secrets[0]["id"].as_str().unwrap().to_string();
    let (st_code, new) = c
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/apps/{}/credentials/secrets", app.id),
            Some(json!({})),
        )
        .await;
    assert!(st_code == 200 || st_code == 201, "{new}");
    let new_secret = new["client_secret"].as_str().unwrap().to_string();
    let (s, _, _) = token_call(
        &c,
        Some((app.id.as_str(), new_secret.as_str())),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
        ],
    )
    .await;
    assert_eq!(s, 200);
    let (st_code, body) = c
        .api(
            reqwest::Method::POST,
            &format!(
                "/api/v1/apps/{}/credentials/secrets/{old_id}/lifecycle/deactivate",
                app.id
            ),
            None,
        )
        .await;
    assert_eq!(st_code, 200, "{body}");
    let (s, v, _) = token_call(
        &c,
        auth,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
        ],
    )
    .await;
    assert_eq!(
        (s, err(&v).1.as_str()),
        (
            401,
            "The client secret supplied for a confidential client is invalid."
        )
    );
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn userinfo_revoke_and_introspect() {
    let c = Ctx::new().await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    let rp = c.rp(&c.org(), &app).await;
    let t = rp
        .sign_in(LOGIN, PASSWORD, &["openid", "profile", "offline_access"])
        .await
        .unwrap();
    let resp = c
        .http
        .get(c.url("/oauth2/v1/userinfo"))
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(
        resp.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\", error_description=\"The access token is invalid\""
    );
    // A token of the org server is not valid at `default`.
    let resp = c
        .http
        .get(c.url("/oauth2/default/v1/userinfo"))
        .bearer_auth(&t.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let form = |tok: &str| {
        vec![
            ("token".to_string(), tok.to_string()),
            ("client_id".to_string(), app.id.clone()),
            ("client_secret".to_string(), app.secret.clone()),
        ]
    };
    let intro: Value = c
        .http
        .post(c.url("/oauth2/v1/introspect"))
        .form(&form(&t.access_token))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(intro["active"], true);
    assert_eq!(intro["username"], LOGIN);
    let rt = t.refresh_token.clone().unwrap();
    let intro: Value = c
        .http
        .post(c.url("/oauth2/v1/introspect"))
        .form(&form(&rt))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(intro["active"], true);
    // Revoke the refresh token: its family and access tokens end.
    let resp = c
        .http
        .post(c.url("/oauth2/v1/revoke"))
        .form(&form(&rt))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.text().await.unwrap().is_empty());
    assert_eq!(rp.refresh(&rt).await.unwrap_err().0, "invalid_grant");
    assert!(rp.userinfo(&t.access_token, &t.subject()).await.is_err());
    let intro: Value = c
        .http
        .post(c.url("/oauth2/v1/introspect"))
        .form(&form(&rt))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(intro, json!({"active": false}));
    // Unknown tokens: still 200.
    let resp = c
        .http
        .post(c.url("/oauth2/v1/revoke"))
        .form(&form("unknown"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn deactivating_the_user_or_unassigning_ends_the_grants() {
    let c = Ctx::new().await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    let rp = c.rp(&c.org(), &app).await;
    let t = rp
        .sign_in(LOGIN, PASSWORD, &["openid", "offline_access"])
        .await
        .unwrap();
    let (st, _) = c
        .api(
            reqwest::Method::DELETE,
            &format!("/api/v1/apps/{}/users/{}", app.id, c.user_id),
            None,
        )
        .await;
    assert_eq!(st, 204);
    assert_eq!(
        rp.refresh(t.refresh_token.as_deref().unwrap())
            .await
            .unwrap_err()
            .0,
        "invalid_grant"
    );
    c.assign(&app, &c.user_id).await;
    let t = rp
        .sign_in(LOGIN, PASSWORD, &["openid", "offline_access"])
        .await
        .unwrap();
    let (st, _) = c
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/users/{}/lifecycle/deactivate", c.user_id),
            None,
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(
        rp.refresh(t.refresh_token.as_deref().unwrap())
            .await
            .unwrap_err()
            .0,
        "invalid_grant"
    );
    c.emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_public_url_is_the_issuer_whatever_address_was_used() {
    let public = "http://okta.localhost:18089";
    let emu = spawn(EmulatorConfig::ephemeral().with_public_url(public))
        .await
        .unwrap();
    assert_eq!(emu.base_url(), public);
    let bound = format!("http://{}", emu.addr());
    for (path, issuer) in [
        ("/.well-known/openid-configuration", public.to_string()),
        (
            "/oauth2/default/.well-known/openid-configuration",
            format!("{public}/oauth2/default"),
        ),
    ] {
        let doc: serde_json::Value = reqwest::get(format!("{bound}{path}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["issuer"], issuer.as_str(), "{path}");
        let token = doc["token_endpoint"].as_str().unwrap_or_default();
        assert!(token.starts_with(public), "{token}");
    }
    let refused = spawn(EmulatorConfig::ephemeral().with_public_url("http://x.example/path")).await;
    assert!(refused.is_err());
}

/// The payload of a JWT, unverified (the relying party verified it already).
fn jwt_payload(jwt: &str) -> Value {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn lifetime(jwt: &str) -> i64 {
    let p = jwt_payload(jwt);
    p["exp"].as_i64().unwrap() - p["iat"].as_i64().unwrap()
}

/// `--user-token-lifetime-secs` (here 2 s): users' ID and access tokens from `/token` expire
/// fast on the org server and on `default`, for code and refresh grants alike, while the
/// refresh token keeps working, so a relying party (Pomerium) can be seen renewing a session.
#[tokio::test]
async fn short_user_tokens_renew_through_the_refresh_grant() {
    let c = Ctx::with(
        EmulatorConfig::ephemeral()
            .with_api_token(TOKEN)
            .with_user_token_lifetime(std::time::Duration::from_secs(2)),
    )
    .await;
    c.group("eng", &[&c.user_id]).await;
    let basic = c.app(|_| {}).await;
    let post = c
        .app(|b| {
            b["credentials"]["oauthClient"]["token_endpoint_auth_method"] =
                json!("client_secret_post");
        })
        .await;
    for app in [&basic, &post] {
        c.assign(app, &c.user_id).await;
        c.org_groups_claim(app, "STARTS_WITH", "eng");
    }
    let scopes = ["openid", "profile", "email", "groups", "offline_access"];
    let org_basic = c.rp(&c.org(), &basic).await;
    let org_post = c.rp(&c.org(), &post).await.with_body_credentials();
    for rp in [&org_basic, &org_post] {
        let t = rp.sign_in(LOGIN, PASSWORD, &scopes).await.unwrap();
        assert_eq!(lifetime(&t.id_token), 2);
        assert_eq!(lifetime(&t.access_token), 2);
        assert_eq!(t.groups(), Some(vec!["eng".to_string()]));
        let rt = t.refresh_token.clone().expect("a refresh token");
        let info = rp.userinfo(&t.access_token, &t.subject()).await.unwrap();
        assert_eq!(info.additional_claims().groups, Some(vec!["eng".into()]));
        tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
        // The access token has expired; /userinfo says so.
        assert!(rp.userinfo(&t.access_token, &t.subject()).await.is_err());
        // The refresh grant renews the session: fresh tokens the RP verifies (exp in the
        // future), short again, with the groups claim.
        let r = rp.refresh(&rt).await.unwrap();
        assert_eq!(lifetime(&r.id_token), 2);
        assert_eq!(lifetime(&r.access_token), 2);
        assert_eq!(r.groups(), Some(vec!["eng".to_string()]));
        let info = rp.userinfo(&r.access_token, &r.subject()).await.unwrap();
        assert_eq!(info.additional_claims().groups, Some(vec!["eng".into()]));
    }
    // The raw token answer's `expires_in` follows, on a custom server too.
    let def = c.rp(&c.default_issuer(), &basic).await;
    let t = def
        .sign_in(LOGIN, PASSWORD, &["openid", "offline_access"])
        .await
        .unwrap();
    assert_eq!(lifetime(&t.id_token), 2);
    assert_eq!(lifetime(&t.access_token), 2);
    let resp = c
        .http
        .post(c.url("/oauth2/default/v1/token"))
        .basic_auth(&basic.id, Some(&basic.secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", t.refresh_token.as_deref().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["expires_in"], 2);
    assert_eq!(lifetime(body["id_token"].as_str().unwrap()), 2);
    c.emu.shutdown().await.unwrap();
}

/// Without the flag, Okta's lifetimes: 1 h ID tokens, 1 h org-server access tokens.
#[tokio::test]
async fn user_tokens_keep_okta_lifetimes_by_default() {
    let c = Ctx::new().await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    let t = c
        .rp(&c.org(), &app)
        .await
        .sign_in(LOGIN, PASSWORD, &["openid"])
        .await
        .unwrap();
    assert_eq!(lifetime(&t.id_token), 3600);
    assert_eq!(lifetime(&t.access_token), 3600);
    c.emu.shutdown().await.unwrap();
}

/// Sign-out as Pomerium does it on a custom server: `/oauth2/default/v1/logout` with the
/// server's ID token, a registered post-logout URI and `state`; an unregistered URI or another
/// server's ID token is Okta's 400 page.
#[tokio::test]
async fn custom_server_logout_redirects_only_to_registered_uris() {
    let c = Ctx::new().await;
    let app = c.app(|_| {}).await;
    c.assign(&app, &c.user_id).await;
    let t = c
        .rp(&c.default_issuer(), &app)
        .await
        .sign_in(LOGIN, PASSWORD, &["openid"])
        .await
        .unwrap();
    let org_t = c
        .rp(&c.org(), &app)
        .await
        .sign_in(LOGIN, PASSWORD, &["openid"])
        .await
        .unwrap();
    let logout = |hint: &str, uri: &str| {
        reqwest::Url::parse_with_params(
            &c.url("/oauth2/default/v1/logout"),
            &[
                ("id_token_hint", hint),
                ("client_id", app.id.as_str()),
                ("post_logout_redirect_uri", uri),
                ("state", "st-9"),
            ],
        )
        .unwrap()
    };
    let resp = c
        .http
        .get(logout(&t.id_token, "https://app.example.com/signed-out"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    assert_eq!(
        resp.headers()["location"],
        "https://app.example.com/signed-out?state=st-9"
    );
    for (hint, uri, text) in [
        (
            t.id_token.as_str(),
            "https://app.example.com/elsewhere",
            "The &#39;post_logout_redirect_uri&#39; parameter must be a Logout redirect URI in the client app settings.",
        ),
        (
            org_t.id_token.as_str(),
            "https://app.example.com/signed-out",
            "The &#39;id_token_hint&#39; parameter is invalid.",
        ),
    ] {
        let resp = c.http.get(logout(hint, uri)).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 400);
        assert!(resp.headers().get("location").is_none());
        let page = resp.text().await.unwrap();
        assert!(page.contains(text) || page.contains(&text.replace("&#39;", "'")), "{page}");
    }
    c.emu.shutdown().await.unwrap();
}
