//! okta-emulator's Policies API (`/api/v1/policies`, rules, lifecycle) and the mapping of apps
//! to access policies (`PUT /api/v1/apps/{id}/policies/{policyId}`), over HTTP: the policies
//! a new Identity Engine org has, Okta's errors, and persistence with `--state`.

use std::path::{Path, PathBuf};

use okta_emulator::{spawn, EmulatorConfig, RunningEmulator};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

const TOKEN: &str = "policies-test-token";
const POLICIES: &str = "/api/v1/policies";

struct Resp {
    status: u16,
    body: Value,
    headers: HeaderMap,
}

impl Resp {
    fn code(&self) -> &str {
        self.body["errorCode"].as_str().unwrap_or("")
    }

    fn summary(&self) -> &str {
        self.body["errorSummary"].as_str().unwrap_or("")
    }

    fn links(&self) -> Vec<String> {
        self.headers
            .get_all("link")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

struct Ctx {
    emu: RunningEmulator,
    http: reqwest::Client,
}

impl Ctx {
    async fn start(config: EmulatorConfig) -> Self {
        Ctx {
            emu: spawn(config.with_api_token(TOKEN)).await.unwrap(),
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        }
    }

    async fn new() -> Self {
        Self::start(EmulatorConfig::ephemeral()).await
    }

    fn base(&self) -> String {
        self.emu.base_url().to_string()
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let mut req = self
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", self.emu.base_url()),
            )
            .header("Accept", "application/json")
            .header("Authorization", format!("SSWS {TOKEN}"));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        Resp {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
        }
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>, status: u16) -> Value {
        let r = self.call(method, path, body).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        r.body
    }

    async fn list(&self, policy_type: &str) -> Vec<Value> {
        self.ok("GET", &format!("{POLICIES}?type={policy_type}"), None, 200)
            .await
            .as_array()
            .unwrap()
            .clone()
    }

    async fn default_access_policy(&self) -> Value {
        let system: Vec<Value> = self
            .list("ACCESS_POLICY")
            .await
            .into_iter()
            .filter(|p| p["system"] == true)
            .collect();
        assert_eq!(system.len(), 1, "exactly one system ACCESS_POLICY");
        system[0].clone()
    }

    async fn create_app(&self, label: &str) -> String {
        let app = self
            .ok(
                "POST",
                "/api/v1/apps",
                Some(json!({
                    "name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
                    "settings": {"oauthClient": {"application_type": "web",
                        "grant_types": ["authorization_code"], "response_types": ["code"],
                        "redirect_uris": ["https://app.example.com/cb"]}}
                })),
                200,
            )
            .await;
        app["id"].as_str().unwrap().to_string()
    }

    async fn access_policy_of(&self, app_id: &str) -> String {
        let app = self
            .ok("GET", &format!("/api/v1/apps/{app_id}"), None, 200)
            .await;
        let href = app["_links"]["accessPolicy"]["href"].as_str().unwrap();
        let prefix = format!("{}{POLICIES}/", self.base());
        href.strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{href}"))
            .to_string()
    }
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[tokio::test]
async fn a_new_org_lists_its_policies_by_type() {
    let c = Ctx::new().await;
    let r = c
        .call("GET", &format!("{POLICIES}?type=ACCESS_POLICY"), None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.links(),
        [format!(
            "<{}{POLICIES}?type=ACCESS_POLICY>; rel=\"self\"",
            c.base()
        )]
    );
    let names: Vec<&str> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Okta Admin Console",
            "Okta Dashboard",
            "Okta Browser Plugin",
            "Any two factors",
            "Okta Account Management Policy"
        ]
    );
    let default = c.default_access_policy().await;
    assert_eq!(default["name"], "Any two factors");
    assert_eq!(
        keys(&default),
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
    assert_eq!(default["_embedded"]["resourceType"], "APP");
    assert_eq!(
        default["_links"]["self"]["hints"]["allow"],
        json!(["GET", "PUT"])
    );

    for (t, name) in [
        ("OKTA_SIGN_ON", "Default Policy"),
        ("PASSWORD", "Default Policy"),
        ("PROFILE_ENROLLMENT", "Default Policy"),
        ("MFA_ENROLL", "Default Policy"),
        ("IDP_DISCOVERY", "Idp Discovery Policy"),
    ] {
        let list = c.list(t).await;
        assert_eq!(list.len(), 1, "{t}");
        assert_eq!(list[0]["name"], name, "{t}");
        assert_eq!(list[0]["system"], true, "{t}");
        assert_eq!(list[0]["type"], t);
        assert!(list[0].get("_embedded").is_none(), "{t}");
    }
    assert!(c.list("ENTITY_RISK").await.is_empty());
    assert!(c
        .call(
            "GET",
            &format!("{POLICIES}?type=ACCESS_POLICY&status=INACTIVE"),
            None
        )
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());

    // A single GET has no `_embedded` (recorded); `expand=rules` embeds the catch-all rule.
    let id = default["id"].as_str().unwrap();
    let one = c.ok("GET", &format!("{POLICIES}/{id}"), None, 200).await;
    assert!(one.get("_embedded").is_none());
    assert_eq!(one["id"], default["id"]);
    let expanded = c
        .ok("GET", &format!("{POLICIES}/{id}?expand=rules"), None, 200)
        .await;
    assert_eq!(expanded["_embedded"]["rules"][0]["name"], "Catch-all Rule");
    assert_eq!(expanded["_embedded"]["rules"][0]["system"], true);
}

#[tokio::test]
async fn list_and_get_errors_are_okta_s() {
    let c = Ctx::new().await;
    let r = c.call("GET", POLICIES, None).await;
    assert_eq!((r.status, r.code()), (400, "E0000028"));
    let r = c
        .call(
            "GET",
            &format!("{POLICIES}?type=OAUTH_AUTHORIZATION_POLICY"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "E0000002"));
    assert_eq!(
        r.summary(),
        "The request was not valid: Invalid policy type specified."
    );
    let r = c
        .call("GET", &format!("{POLICIES}?type=PASSWORD&status=ON"), None)
        .await;
    assert_eq!((r.status, r.code()), (400, "E0000001"));
    let r = c.call("GET", &format!("{POLICIES}/rstNOPE"), None).await;
    assert_eq!((r.status, r.code()), (404, "E0000007"));
    assert_eq!(
        r.summary(),
        "Not found: Resource not found: rstNOPE (Policy)"
    );
}

#[tokio::test]
async fn apps_are_mapped_to_access_policies() {
    let c = Ctx::new().await;
    let default = c.default_access_policy().await;
    let default_id = default["id"].as_str().unwrap().to_string();
    let app_id = c.create_app("mapped").await;
    assert_eq!(c.access_policy_of(&app_id).await, default_id);

    let other = c
        .list("ACCESS_POLICY")
        .await
        .into_iter()
        .find(|p| p["name"] == "Okta Dashboard")
        .unwrap();
    let other_id = other["id"].as_str().unwrap().to_string();
    let r = c
        .call(
            "PUT",
            &format!("/api/v1/apps/{app_id}/policies/{other_id}"),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_null());
    assert_eq!(c.access_policy_of(&app_id).await, other_id);
    let mapped = c
        .ok("GET", &format!("{POLICIES}/{other_id}/app"), None, 200)
        .await;
    assert_eq!(mapped.as_array().unwrap().len(), 1);
    assert_eq!(mapped[0]["id"], app_id.as_str());

    // What the official provider does on create: back to the system policy.
    c.ok(
        "PUT",
        &format!("/api/v1/apps/{app_id}/policies/{default_id}"),
        None,
        204,
    )
    .await;
    assert_eq!(c.access_policy_of(&app_id).await, default_id);
    assert!(c
        .ok("GET", &format!("{POLICIES}/{other_id}/app"), None, 200)
        .await
        .as_array()
        .unwrap()
        .is_empty());

    let r = c
        .call(
            "PUT",
            &format!("/api/v1/apps/0oaNOPE/policies/{default_id}"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "E0000007"));
    assert_eq!(
        r.summary(),
        "Not found: Resource not found: 0oaNOPE (AppInstance)"
    );
    let r = c
        .call(
            "PUT",
            &format!("/api/v1/apps/{app_id}/policies/rstNOPE"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "E0000007"));
    assert_eq!(
        r.summary(),
        "Not found: Resource not found: rstNOPE (Policy)"
    );
    let password = c.list("PASSWORD").await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c
        .call(
            "PUT",
            &format!("/api/v1/apps/{app_id}/policies/{password}"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "E0000001"));
    let r = c
        .call("GET", &format!("{POLICIES}/rstNOPE/app"), None)
        .await;
    assert_eq!((r.status, r.code()), (404, "E0000007"));
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn copy_fixture(dir: &Path) -> PathBuf {
    let path = dir.join("org.json");
    std::fs::copy(fixture("state-before-layers.json"), &path).unwrap();
    path
}

/// A state file from before policies existed gets the seeded policies, under the ids its apps'
/// `_links` already named, and keeps them across restarts.
#[tokio::test]
async fn an_older_state_file_gets_the_policies() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let old = &file["org"];
    assert!(
        old.get("policies").is_none(),
        "the fixture predates policies"
    );
    let old_access = old["accessPolicyId"].as_str().unwrap().to_string();
    let old_enrollment = old["enrollmentPolicyId"].as_str().unwrap().to_string();
    let app_id = old["apps"][0]["id"].as_str().unwrap().to_string();

    let c = Ctx::start(EmulatorConfig::ephemeral().with_state_file(&path)).await;
    assert_eq!(c.default_access_policy().await["id"], old_access.as_str());
    assert_eq!(c.access_policy_of(&app_id).await, old_access);
    let app = c
        .ok("GET", &format!("/api/v1/apps/{app_id}"), None, 200)
        .await;
    let enrollment = app["_links"]["profileEnrollment"]["href"].as_str().unwrap();
    assert!(enrollment.ends_with(&old_enrollment));
    let p = c
        .ok("GET", &format!("{POLICIES}/{old_enrollment}"), None, 200)
        .await;
    assert_eq!(p["type"], "PROFILE_ENROLLMENT");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(saved["org"]["policies"].as_array().unwrap().len() >= 10);
}

#[tokio::test]
async fn mappings_survive_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.json");
    let config = || EmulatorConfig::ephemeral().with_state_file(&path);
    let (app_id, other_id, ids) = {
        let c = Ctx::start(config()).await;
        let app_id = c.create_app("durable").await;
        let other = c
            .list("ACCESS_POLICY")
            .await
            .into_iter()
            .find(|p| p["name"] == "Okta Browser Plugin")
            .unwrap();
        let other_id = other["id"].as_str().unwrap().to_string();
        c.ok(
            "PUT",
            &format!("/api/v1/apps/{app_id}/policies/{other_id}"),
            None,
            204,
        )
        .await;
        let ids: Vec<Value> = c
            .list("ACCESS_POLICY")
            .await
            .iter()
            .map(|p| p["id"].clone())
            .collect();
        (app_id, other_id, ids)
    };
    let c = Ctx::start(config()).await;
    assert_eq!(c.access_policy_of(&app_id).await, other_id);
    let again: Vec<Value> = c
        .list("ACCESS_POLICY")
        .await
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(again, ids);
}
