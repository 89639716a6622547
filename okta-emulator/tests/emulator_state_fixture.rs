//! A `--state` file written before the emulator was split into layers (issue #18) must still
//! load: `fixtures/state-before-layers.json` holds a representative org (users with passwords,
//! groups with members, an OIDC app with two secrets, group and user assignments, scope grants,
//! a client role, a minted API token, a custom authorization server with a scope, a claim, a
//! policy and a rule, the internal ID-token claim, an OIDC session with a refresh token), and
//! this test reads those objects back through the API, refreshes the saved refresh token, and
//! checks that a save keeps everything the file held.
//!
//! `cargo test -p okta-emulator --test emulator_state_fixture -- --ignored write_fixture`
//! regenerates the fixture (only do that on purpose: its point is to be old).

#[path = "support/rp.rs"]
mod rp;

use std::path::PathBuf;

use okta_emulator::{spawn, EmulatorConfig, MintRequest, RunningEmulator};
use serde_json::{json, Value};

const TOKEN: &str = "fixture-admin-token";
const PASSWORD: &str = "tlpWENT2m-Secret9";
const LOGIN: &str = "fixture.user@example.com";
const REDIRECT: &str = "https://app.example.com/oauth2/callback";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

struct Api {
    emu: RunningEmulator,
    http: reqwest::Client,
}

impl Api {
    async fn start(state: &std::path::Path) -> Api {
        let emu = spawn(
            EmulatorConfig::ephemeral()
                .with_api_token(TOKEN)
                .with_state_file(state),
        )
        .await
        .unwrap();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        Api { emu, http }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.emu.base_url()))
            .header("Authorization", format!("SSWS {TOKEN}"));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method, path, body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {v}"
        );
        v
    }

    async fn one(&self, path: &str) -> Value {
        let list = self.ok("GET", path, None).await;
        let items = list.as_array().unwrap_or_else(|| panic!("{path}: {list}"));
        assert_eq!(items.len(), 1, "{path}: {list}");
        items[0].clone()
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// Builds the org through the API and copies its state file into `tests/fixtures`, with the
/// refresh token (stored hashed, so not recoverable from the file) next to it.
#[tokio::test]
#[ignore = "regenerates the fixture"]
async fn write_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("org.json");
    let c = Api::start(&state).await;

    let mut users = Vec::new();
    for (login, first) in [(LOGIN, "Fixture"), ("second.user@example.com", "Second")] {
        let u = c
            .ok(
                "POST",
                "/api/v1/users?activate=true",
                Some(json!({
                    "profile": {"firstName": first, "lastName": "User", "email": login, "login": login},
                    "credentials": {"password": {"value": PASSWORD}}
                })),
            )
            .await;
        users.push(id(&u));
    }
    let group = id(&c
        .ok(
            "POST",
            "/api/v1/groups",
            Some(json!({"profile": {"name": "fixture-engineering", "description": "eng"}})),
        )
        .await);
    for u in &users {
        c.ok("PUT", &format!("/api/v1/groups/{group}/users/{u}"), None)
            .await;
    }

    let app = c
        .ok(
            "POST",
            "/api/v1/apps",
            Some(json!({
                "name": "oidc_client", "label": "fixture-web", "signOnMode": "OPENID_CONNECT",
                "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
                "settings": {"oauthClient": {
                    "application_type": "web",
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"],
                    "redirect_uris": [REDIRECT],
                    "refresh_token": {"rotation_type": "STATIC", "leeway": 0}
                }}
            })),
        )
        .await;
    let app_id = id(&app);
    let client_id = app["credentials"]["oauthClient"]["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = app["credentials"]["oauthClient"]["client_secret"]
        .as_str()
        .unwrap()
        .to_string();
    c.ok(
        "POST",
        &format!("/api/v1/apps/{app_id}/credentials/secrets"),
        Some(json!({})),
    )
    .await;
    c.ok(
        "PUT",
        &format!("/api/v1/apps/{app_id}/groups/{group}"),
        Some(json!({"priority": 0})),
    )
    .await;
    c.ok(
        "POST",
        &format!("/api/v1/apps/{app_id}/users"),
        Some(json!({"id": users[1]})),
    )
    .await;
    c.ok(
        "POST",
        &format!("/api/v1/apps/{app_id}/grants"),
        Some(json!({"issuer": c.emu.base_url(), "scopeId": "okta.apps.read"})),
    )
    .await;
    c.ok(
        "POST",
        &format!("/oauth2/v1/clients/{client_id}/roles"),
        Some(json!({"type": "READ_ONLY_ADMIN"})),
    )
    .await;
    c.ok(
        "POST",
        &format!("/api/v1/internal/apps/{app_id}/settings/oauth/idToken"),
        Some(json!({"valueType": "GROUPS", "groupFilterType": "STARTS_WITH", "name": "groups", "value": "fixture"})),
    )
    .await;
    c.emu
        .mint_token(MintRequest {
            name: Some("fixture-minted".into()),
            login: Some("token.owner@example.com".into()),
            token: Some("fixture-minted-token".into()),
            ..MintRequest::default()
        })
        .unwrap();

    const AS: &str = "/api/v1/authorizationServers";
    let srv = id(&c
        .ok(
            "POST",
            AS,
            Some(json!({"audiences": ["api://fixture"], "credentials": {"signing": {"rotationMode": "AUTO"}},
                        "description": "fixture", "issuerMode": "ORG_URL", "name": "fixture-server"})),
        )
        .await);
    c.ok(
        "POST",
        &format!("{AS}/{srv}/scopes"),
        Some(json!({"name": "fixture.read", "description": "read", "consent": "IMPLICIT"})),
    )
    .await;
    c.ok(
        "POST",
        &format!("{AS}/{srv}/claims"),
        Some(json!({"name": "groups", "claimType": "IDENTITY", "valueType": "GROUPS",
                    "group_filter_type": "STARTS_WITH", "value": "fixture", "alwaysIncludeInToken": true})),
    )
    .await;
    let pol = id(&c
        .ok(
            "POST",
            &format!("{AS}/{srv}/policies"),
            Some(json!({"conditions": {"clients": {"include": ["ALL_CLIENTS"]}}, "description": "fixture",
                        "name": "fixture-policy", "priority": 1, "status": "ACTIVE", "type": "OAUTH_AUTHORIZATION_POLICY"})),
        )
        .await);
    c.ok(
        "POST",
        &format!("{AS}/{srv}/policies/{pol}/rules"),
        Some(json!({"actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                                           "refreshTokenWindowMinutes": 10080}},
                    "conditions": {"grantTypes": {"include": ["authorization_code"]},
                                   "people": {"groups": {"include": ["EVERYONE"]}, "users": {}},
                                   "scopes": {"include": ["*"]}},
                    "name": "fixture-rule", "priority": 1, "status": "ACTIVE", "type": "RESOURCE_ACCESS"})),
    )
    .await;

    // An OIDC sign-in on the org server leaves a session and a refresh token behind.
    let base = c.emu.base_url().to_string();
    let rp = rp::Rp::discover(&base, &base, &client_id, Some(&secret), REDIRECT)
        .await
        .unwrap();
    let tokens = rp
        .sign_in(LOGIN, PASSWORD, &["openid", "offline_access"])
        .await
        .unwrap();
    let refresh = tokens.refresh_token.clone().unwrap();
    c.emu.shutdown().await.unwrap();

    std::fs::create_dir_all(fixture("")).unwrap();
    let mut org: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    // The org server gives refresh tokens 90 days; the fixture must outlive that.
    for rt in org["org"]["oidc"]["refreshTokens"].as_array_mut().unwrap() {
        rt["expiresAt"] = Value::Null;
    }
    std::fs::write(
        fixture("state-before-layers.json"),
        serde_json::to_string_pretty(&org).unwrap() + "\n",
    )
    .unwrap();
    std::fs::write(
        fixture("state-before-layers.tokens.json"),
        serde_json::to_string_pretty(&json!({"refreshToken": refresh, "clientSecret": secret}))
            .unwrap()
            + "\n",
    )
    .unwrap();
}

#[tokio::test]
async fn state_written_before_the_layers_still_loads() {
    let old: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("state-before-layers.json")).unwrap(),
    )
    .unwrap();
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("state-before-layers.tokens.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("org.json");
    // API tokens lapse 30 days after their last use: only that timestamp is brought forward.
    let mut copy = old.clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for t in copy["org"]["tokens"].as_array_mut().unwrap() {
        t["lastUsed"] = json!(now);
    }
    std::fs::write(&state, serde_json::to_string(&copy).unwrap()).unwrap();
    let c = Api::start(&state).await;

    // Users with their passwords and their group.
    let user = c
        .one(&format!(
            "/api/v1/users?search=profile.login+eq+%22{LOGIN}%22"
        ))
        .await;
    assert_eq!(user["status"], "ACTIVE");
    let uid = id(&user);
    let group = c.one("/api/v1/groups?q=fixture-engineering").await;
    let gid = id(&group);
    let members = c
        .ok("GET", &format!("/api/v1/groups/{gid}/users"), None)
        .await;
    assert_eq!(members.as_array().unwrap().len(), 2, "{members}");
    let groups = c
        .ok("GET", &format!("/api/v1/users/{uid}/groups"), None)
        .await;
    assert!(groups.as_array().unwrap().iter().any(|g| g["id"] == gid));
    let (status, authn) = c
        .call(
            "POST",
            "/api/v1/authn",
            Some(json!({"username": LOGIN, "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 200, "{authn}");
    assert_eq!(authn["status"], "SUCCESS");

    // The app, its secrets, assignments, grants, client role and ID-token claim.
    let app = c.one("/api/v1/apps?q=fixture-web").await;
    let app_id = id(&app);
    let client_id = app["credentials"]["oauthClient"]["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let secrets = c
        .ok(
            "GET",
            &format!("/api/v1/apps/{app_id}/credentials/secrets"),
            None,
        )
        .await;
    assert_eq!(secrets.as_array().unwrap().len(), 2, "{secrets}");
    assert!(secrets
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["client_secret"] == saved["clientSecret"]));
    let assigned = c.one(&format!("/api/v1/apps/{app_id}/groups")).await;
    assert_eq!(assigned["id"], gid);
    let app_users = c
        .ok("GET", &format!("/api/v1/apps/{app_id}/users"), None)
        .await;
    assert!(!app_users.as_array().unwrap().is_empty(), "{app_users}");
    let grant = c.one(&format!("/api/v1/apps/{app_id}/grants")).await;
    assert_eq!(grant["scopeId"], "okta.apps.read");
    let role = c
        .one(&format!("/oauth2/v1/clients/{client_id}/roles"))
        .await;
    assert_eq!(role["type"], "READ_ONLY_ADMIN");
    let id_token = c
        .ok(
            "GET",
            &format!("/api/v1/internal/apps/{app_id}/settings/oauth/idToken"),
            None,
        )
        .await;
    assert_eq!(id_token["value"], "fixture", "{id_token}");

    // The minted API token still authenticates, and is listed.
    let tokens = c.ok("GET", "/api/v1/api-tokens", None).await;
    assert!(tokens
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "fixture-minted"));
    let me = c
        .http
        .get(format!("{}/api/v1/users/me", c.emu.base_url()))
        .header("Authorization", "SSWS fixture-minted-token")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);

    // The custom authorization server with its scope, claim, policy and rule.
    const AS: &str = "/api/v1/authorizationServers";
    let servers = c.ok("GET", AS, None).await;
    let srv = servers
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "fixture-server")
        .unwrap_or_else(|| panic!("{servers}"))
        .clone();
    let sid = id(&srv);
    let scopes = c.ok("GET", &format!("{AS}/{sid}/scopes"), None).await;
    assert!(scopes
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"] == "fixture.read"));
    let claims = c.ok("GET", &format!("{AS}/{sid}/claims"), None).await;
    assert!(claims
        .as_array()
        .unwrap()
        .iter()
        .any(|cl| cl["name"] == "groups" && cl["value"] == "fixture"));
    let policy = c.one(&format!("{AS}/{sid}/policies")).await;
    assert_eq!(policy["name"], "fixture-policy");
    let rule = c
        .one(&format!("{AS}/{sid}/policies/{}/rules", id(&policy)))
        .await;
    assert_eq!(rule["name"], "fixture-rule");

    // The OIDC refresh token from the old file still refreshes (the session's grant).
    let base = c.emu.base_url().to_string();
    let rp = rp::Rp::discover(
        &base,
        &base,
        &client_id,
        saved["clientSecret"].as_str(),
        REDIRECT,
    )
    .await
    .unwrap();
    let refreshed = rp
        .refresh(saved["refreshToken"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.subject(), uid);

    // A save keeps every collection the old file had (nothing is dropped on rewrite).
    c.ok(
        "POST",
        "/api/v1/groups",
        Some(json!({"profile": {"name": "after-load"}})),
    )
    .await;
    c.emu.shutdown().await.unwrap();
    let new: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    for (key, value) in old["org"].as_object().unwrap() {
        let now = &new["org"][key];
        assert!(!now.is_null(), "{key} dropped");
        if let (Some(a), Some(b)) = (value.as_array(), now.as_array()) {
            assert!(b.len() >= a.len(), "{key}: {} → {}", a.len(), b.len());
        } else if !["oidc", "nextSeq"].contains(&key.as_str()) {
            assert_eq!(now, value, "{key}");
        }
    }
    // Sessions, codes and access tokens expire and are pruned on save; the refresh token stays
    // (its `lastUsed` moved with the refresh above).
    let family = |org: &Value| org["org"]["oidc"]["refreshTokens"][0]["family"].clone();
    assert_eq!(family(&new), family(&old));
}
