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

/// The calls `okta_app_signon_policy` and `okta_app_signon_policy_rule` make, with the bodies
/// and answers recorded from Okta.
#[tokio::test]
async fn access_policy_and_rules_crud_and_lifecycle() {
    let c = Ctx::new().await;
    let created = c
        .ok(
            "POST",
            POLICIES,
            Some(
                json!({"description": "The app signon policy used by our test app",
                        "name": "testAcc_policy", "priority": 1, "type": "ACCESS_POLICY"}),
            ),
            200,
        )
        .await;
    let pid = created["id"].as_str().unwrap().to_string();
    assert!(pid.starts_with("rst") && pid.len() == 20);
    assert_eq!(created["status"], "ACTIVE");
    assert_eq!(created["system"], false);
    assert!(created["conditions"].is_null());
    assert!(created.get("_embedded").is_none());
    let link_names: Vec<&str> = keys(&created["_links"]);
    assert_eq!(link_names, ["mappings", "self", "rules", "deactivate"]);
    assert_eq!(
        created["_links"]["self"]["hints"]["allow"],
        json!(["GET", "PUT", "DELETE"])
    );
    // Listed with the org's, after them.
    let listed = c.list("ACCESS_POLICY").await;
    assert_eq!(listed.last().unwrap()["id"], pid.as_str());
    assert_eq!(listed.iter().filter(|p| p["system"] == true).count(), 1);

    // A new access policy has its catch-all rule.
    let rules = c
        .ok("GET", &format!("{POLICIES}/{pid}/rules"), None, 200)
        .await;
    assert_eq!(rules.as_array().unwrap().len(), 1);
    let catch_all = rules[0].clone();
    assert_eq!(catch_all["name"], "Catch-all Rule");
    assert_eq!(catch_all["priority"], 99);
    assert_eq!(catch_all["system"], true);
    assert_eq!(
        catch_all["actions"]["appSignOn"]["verificationMethod"]["reauthenticateIn"],
        "PT12H"
    );
    let catch_all_id = catch_all["id"].as_str().unwrap().to_string();

    let rule = c
        .ok(
            "POST",
            &format!("{POLICIES}/{pid}/rules"),
            Some(json!({
                "actions": {"appSignOn": {"access": "ALLOW", "verificationMethod":
                    {"factorMode": "2FA", "reauthenticateIn": "PT2H", "type": "ASSURANCE"}}},
                "conditions": {"network": {"connection": "ANYWHERE"},
                    "platform": {"include": [{"os": {"expression": "", "type": "OTHER"}, "type": "DESKTOP"}]}},
                "name": "testAcc_rule", "priority": 0, "type": "ACCESS_POLICY"
            })),
            200,
        )
        .await;
    let rid = rule["id"].as_str().unwrap().to_string();
    assert!(rid.starts_with("rul"));
    assert_eq!(
        keys(&rule),
        [
            "id",
            "status",
            "name",
            "priority",
            "created",
            "lastUpdated",
            "system",
            "conditions",
            "actions",
            "_links",
            "type"
        ]
    );
    assert_eq!(
        rule["conditions"],
        json!({"people": {"users": {"exclude": []}}, "network": {"connection": "ANYWHERE"},
               "platform": {"include": [{"type": "DESKTOP", "os": {"type": "OTHER", "expression": ""}}], "exclude": []},
               "userType": {"include": [], "exclude": []}})
    );
    assert_eq!(
        rule["actions"]["appSignOn"]["keepMeSignedIn"],
        json!({"postAuth": "NOT_ALLOWED"})
    );
    assert_eq!(keys(&rule["_links"]), ["self", "deactivate"]);
    let names: Vec<Value> = c
        .ok("GET", &format!("{POLICIES}/{pid}/rules"), None, 200)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].clone())
        .collect();
    assert_eq!(names, [json!("testAcc_rule"), json!("Catch-all Rule")]);

    // Rule PUT, lifecycle, delete.
    let updated = c
        .ok(
            "PUT",
            &format!("{POLICIES}/{pid}/rules/{rid}"),
            Some(
                json!({"name": "testAcc_rule_updated", "priority": 98, "type": "ACCESS_POLICY",
                        "actions": {"appSignOn": {"access": "DENY"}}}),
            ),
            200,
        )
        .await;
    assert_eq!(updated["name"], "testAcc_rule_updated");
    assert_eq!(updated["priority"], 98);
    assert_eq!(updated["created"], rule["created"]);
    c.ok(
        "POST",
        &format!("{POLICIES}/{pid}/rules/{rid}/lifecycle/deactivate"),
        None,
        204,
    )
    .await;
    let got = c
        .ok("GET", &format!("{POLICIES}/{pid}/rules/{rid}"), None, 200)
        .await;
    assert_eq!(got["status"], "INACTIVE");
    assert!(got["_links"].get("activate").is_some());
    c.ok(
        "POST",
        &format!("{POLICIES}/{pid}/rules/{rid}/lifecycle/activate"),
        None,
        204,
    )
    .await;
    // The catch-all rule: its access can change (what `okta_app_signon_policy` with
    // `catch_all = false` does), it cannot go away.
    let deny = c
        .ok(
            "PUT",
            &format!("{POLICIES}/{pid}/rules/{catch_all_id}"),
            Some(json!({"name": "Catch-all Rule", "type": "ACCESS_POLICY",
                        "actions": {"appSignOn": {"access": "DENY"}}})),
            200,
        )
        .await;
    assert_eq!(deny["actions"]["appSignOn"]["access"], "DENY");
    assert_eq!(deny["system"], true);
    let r = c
        .call(
            "DELETE",
            &format!("{POLICIES}/{pid}/rules/{catch_all_id}"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "E0000006"));
    let r = c
        .call(
            "POST",
            &format!("{POLICIES}/{pid}/rules/{catch_all_id}/lifecycle/deactivate"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "E0000006"));
    c.ok(
        "DELETE",
        &format!("{POLICIES}/{pid}/rules/{rid}"),
        None,
        204,
    )
    .await;
    let r = c
        .call("GET", &format!("{POLICIES}/{pid}/rules/{rid}"), None)
        .await;
    assert_eq!((r.status, r.code()), (404, "E0000007"));
    assert_eq!(
        r.summary(),
        format!("Not found: Resource not found: {rid} (PolicyRule)")
    );

    // Policy PUT and lifecycle.
    let put = c
        .ok(
            "PUT",
            &format!("{POLICIES}/{pid}"),
            Some(json!({"name": "renamed", "type": "ACCESS_POLICY", "priority": 1})),
            200,
        )
        .await;
    assert_eq!(put["name"], "renamed");
    assert!(put.get("description").is_none());
    c.ok(
        "POST",
        &format!("{POLICIES}/{pid}/lifecycle/deactivate"),
        None,
        204,
    )
    .await;
    let got = c.ok("GET", &format!("{POLICIES}/{pid}"), None, 200).await;
    assert_eq!(got["status"], "INACTIVE");
    assert_eq!(
        keys(&got["_links"]),
        ["mappings", "self", "rules", "activate"]
    );
    let inactive = c
        .list("ACCESS_POLICY&status=INACTIVE")
        .await
        .into_iter()
        .map(|p| p["id"].clone())
        .collect::<Vec<_>>();
    assert_eq!(inactive, [json!(pid)]);
    c.ok(
        "POST",
        &format!("{POLICIES}/{pid}/lifecycle/activate"),
        None,
        204,
    )
    .await;

    // An app mapped to it keeps it from being deleted until it moves.
    let app_id = c.create_app("on-policy").await;
    c.ok(
        "PUT",
        &format!("/api/v1/apps/{app_id}/policies/{pid}"),
        None,
        204,
    )
    .await;
    let r = c.call("DELETE", &format!("{POLICIES}/{pid}"), None).await;
    assert_eq!((r.status, r.code()), (400, "E0000001"));
    let default_id = c.default_access_policy().await["id"]
        .as_str()
        .unwrap()
        .to_string();
    c.ok(
        "PUT",
        &format!("/api/v1/apps/{app_id}/policies/{default_id}"),
        None,
        204,
    )
    .await;
    c.ok("DELETE", &format!("{POLICIES}/{pid}"), None, 204)
        .await;
    let r = c.call("GET", &format!("{POLICIES}/{pid}"), None).await;
    assert_eq!((r.status, r.code()), (404, "E0000007"));
    let r = c
        .call("GET", &format!("{POLICIES}/{pid}/rules"), None)
        .await;
    assert_eq!((r.status, r.code()), (404, "E0000007"));
}

#[tokio::test]
async fn policy_errors_are_okta_s() {
    let c = Ctx::new().await;
    let default_id = c.default_access_policy().await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Okta's own policies stay.
    let r = c
        .call("DELETE", &format!("{POLICIES}/{default_id}"), None)
        .await;
    assert_eq!((r.status, r.code()), (403, "E0000006"));
    let r = c
        .call(
            "POST",
            &format!("{POLICIES}/{default_id}/lifecycle/deactivate"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "E0000006"));
    let account = c
        .list("ACCESS_POLICY")
        .await
        .into_iter()
        .find(|p| p["_embedded"]["resourceType"] == "END_USER_ACCOUNT_MANAGEMENT")
        .unwrap();
    assert_eq!(account["_links"]["self"]["hints"]["allow"], json!(["GET"]));
    let r = c
        .call(
            "PUT",
            &format!("{POLICIES}/{}", account["id"].as_str().unwrap()),
            Some(json!({"name": "x", "type": "ACCESS_POLICY"})),
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "E0000006"));

    // Bodies.
    let r = c
        .call("POST", POLICIES, Some(json!({"type": "ACCESS_POLICY"})))
        .await;
    assert_eq!((r.status, r.code()), (400, "E0000001"));
    assert_eq!(r.summary(), "Api validation failed: name");
    assert_eq!(
        r.body["errorCauses"],
        json!([{"errorSummary": "name: The field cannot be left blank."}])
    );
    let r = c
        .call("POST", POLICIES, Some(json!({"type": "NOPE", "name": "x"})))
        .await;
    assert_eq!((r.status, r.code()), (400, "E0000002"));
    let r = c
        .call(
            "PUT",
            &format!("{POLICIES}/{default_id}"),
            Some(json!({"type": "PASSWORD", "name": "Any two factors"})),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "E0000002"));
    let r = c
        .call(
            "POST",
            &format!("{POLICIES}?activate=maybe"),
            Some(json!({})),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "E0000001"));
    let r = c
        .call("PUT", &format!("{POLICIES}/rstNOPE"), Some(json!({})))
        .await;
    assert_eq!((r.status, r.code()), (404, "E0000007"));
    let r = c
        .call(
            "POST",
            &format!("{POLICIES}/rstNOPE/lifecycle/activate"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "E0000007"));
    let r = c
        .call(
            "POST",
            &format!("{POLICIES}/{default_id}/rules"),
            Some(json!({"name": "r", "actions": {"appSignOn": {"access": "SOMETIMES"}}})),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "E0000001"));
    assert_eq!(r.summary(), "Api validation failed: access");
    let r = c
        .call(
            "POST",
            &format!("{POLICIES}/{default_id}/rules"),
            Some(json!({"name": "r", "type": "PASSWORD",
                        "actions": {"appSignOn": {"access": "ALLOW"}}})),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "E0000001"));
    let r = c
        .call(
            "POST",
            &format!("{POLICIES}/{default_id}/rules"),
            Some(json!([])),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "E0000003"));

    // Created inactive with `activate=false`; a password policy without the default rule
    // Okta adds only to its own.
    let p = c
        .ok(
            "POST",
            &format!("{POLICIES}?activate=false"),
            Some(json!({"type": "PASSWORD", "name": "Strict",
                        "conditions": {"people": {"groups": {"include": []}}}})),
            200,
        )
        .await;
    assert_eq!(p["status"], "INACTIVE");
    assert!(p["id"].as_str().unwrap().starts_with("00p"));
    let listed: Vec<Value> = c.list("PASSWORD").await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["name"], "Default Policy");
}

#[tokio::test]
async fn the_list_pages_when_asked() {
    let c = Ctx::new().await;
    let r = c
        .call(
            "GET",
            &format!("{POLICIES}?type=ACCESS_POLICY&limit=2"),
            None,
        )
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    let links = r.links();
    assert_eq!(links.len(), 2);
    let next = links[1]
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_string();
    assert!(links[1].ends_with("rel=\"next\""));
    let path = next.strip_prefix(&c.base()).unwrap().to_string();
    let page2 = c.ok("GET", &path, None, 200).await;
    assert_eq!(page2.as_array().unwrap().len(), 2);
    assert_ne!(page2[0]["id"], r.body[0]["id"]);
    let names = c
        .ok(
            "GET",
            &format!("{POLICIES}?type=ACCESS_POLICY&q=okta%20d"),
            None,
            200,
        )
        .await;
    assert_eq!(names.as_array().unwrap().len(), 1);
    assert_eq!(names[0]["name"], "Okta Dashboard");
}

/// Policies and rules a client made are in the `--state` file.
#[tokio::test]
async fn policies_and_rules_survive_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.json");
    let config = || EmulatorConfig::ephemeral().with_state_file(&path);
    let (pid, rid) = {
        let c = Ctx::start(config()).await;
        let p = c
            .ok(
                "POST",
                POLICIES,
                Some(json!({"name": "kept", "type": "ACCESS_POLICY"})),
                200,
            )
            .await;
        let pid = p["id"].as_str().unwrap().to_string();
        let r = c
            .ok(
                "POST",
                &format!("{POLICIES}/{pid}/rules"),
                Some(json!({"name": "kept-rule", "actions": {"appSignOn": {"access": "ALLOW"}}})),
                200,
            )
            .await;
        (pid, r["id"].as_str().unwrap().to_string())
    };
    let c = Ctx::start(config()).await;
    let p = c.ok("GET", &format!("{POLICIES}/{pid}"), None, 200).await;
    assert_eq!(p["name"], "kept");
    let r = c
        .ok("GET", &format!("{POLICIES}/{pid}/rules/{rid}"), None, 200)
        .await;
    assert_eq!(r["name"], "kept-rule");
}
