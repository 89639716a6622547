//! okta-emulator's admin endpoints (`/__emulator/…`), rate limits and latency.

use std::time::{Duration, Instant};

use okta_emulator::{spawn, EmulatorConfig, RunningEmulator};
use serde_json::{json, Value};

const TOKEN: &str = "admin-test-token";

struct Ctx {
    emu: RunningEmulator,
    http: reqwest::Client,
}

impl Ctx {
    async fn with(config: EmulatorConfig) -> Self {
        let emu = spawn(config.with_api_token(TOKEN))
            .await
            .expect("emulator starts");
        Ctx {
            emu,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        }
    }

    async fn new() -> Self {
        Self::with(EmulatorConfig::ephemeral()).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    async fn okta(&self, method: &str, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut req = self
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                self.url(path),
            )
            .header("Authorization", format!("SSWS {TOKEN}"));
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request")
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            self.url(path),
        );
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn app(label: &str) -> Value {
    json!({
        "name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
        "settings": {"oauthClient": {"application_type": "web", "grant_types": ["authorization_code"],
                     "response_types": ["code"], "redirect_uris": ["https://a.example.com/cb"]}}
    })
}

async fn json_of(resp: reqwest::Response) -> Value {
    resp.json().await.unwrap()
}

#[tokio::test]
async fn fault_rules_fail_requests_a_limited_number_of_times() {
    let c = Ctx::new().await;
    let (status, rule) = c
        .admin(
            "POST",
            "/__emulator/faults",
            Some(json!({"method": "POST", "path": "/api/v1/apps", "status": 500, "times": 2})),
        )
        .await;
    assert_eq!(status, 201, "{rule}");
    let rule_id = rule["id"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let r = c.okta("POST", "/api/v1/apps", Some(app("x"))).await;
        assert_eq!(r.status(), 500);
        assert!(r.headers().contains_key("x-rate-limit-reset"));
        assert!(r.headers().contains_key("date"));
        let b = json_of(r).await;
        assert_eq!(b["errorCode"], "E0000009");
        assert_eq!(b["errorSummary"], "Internal Server Error");
    }
    // Rule exhausted: the request goes through and creates the app.
    let r = c.okta("POST", "/api/v1/apps", Some(app("x"))).await;
    assert_eq!(r.status(), 200);
    let (_, rules) = c.admin("GET", "/__emulator/faults", None).await;
    assert_eq!(rules[0]["hits"], 2);
    let (_, log) = c.admin("GET", "/__emulator/requests", None).await;
    let faulted = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["fault"] == rule_id.as_str())
        .count();
    assert_eq!(faulted, 2);

    // Injected 429 looks like Okta's, with a usable reset time.
    c.admin(
        "POST",
        "/__emulator/faults",
        Some(json!({"path": "/api/v1/groups", "status": 429})),
    )
    .await;
    let r = c.okta("GET", "/api/v1/groups", None).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-rate-limit-remaining"], "0");
    let window_reset: i64 = r.headers()["x-rate-limit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(json_of(r).await["errorCode"], "E0000047");
    // `resetSeconds`: the 429 says the window ends that soon, not at the bucket's real reset.
    c.admin(
        "POST",
        "/__emulator/faults",
        Some(json!({"path": "/api/v1/groups", "status": 429, "resetSeconds": 1})),
    )
    .await;
    let r = c.okta("GET", "/api/v1/groups", None).await;
    assert_eq!(r.status(), 429);
    let reset: i64 = r.headers()["x-rate-limit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now..=now + 2).contains(&reset), "reset {reset}, now {now}");
    assert!(
        reset < window_reset,
        "reset {reset} not before {window_reset}"
    );

    // Custom code and summary; `**` spans segments; unlimited rule; remove by id.
    let (_, rule) = c
        .admin(
            "POST",
            "/__emulator/faults",
            Some(json!({"method": "PUT", "path": "/api/v1/apps/**", "status": 400,
                        "errorCode": "E0000039", "errorSummary": "Operation on application settings failed.",
                        "times": 0})),
        )
        .await;
    for _ in 0..3 {
        let r = c
            .okta("PUT", "/api/v1/apps/0oa1/groups/00g1", Some(json!({})))
            .await;
        assert_eq!(r.status(), 400);
        let b = json_of(r).await;
        assert_eq!(b["errorCode"], "E0000039");
        assert_eq!(
            b["errorSummary"],
            "Operation on application settings failed."
        );
    }
    let (status, _) = c
        .admin(
            "DELETE",
            &format!("/__emulator/faults/{}", rule["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let r = c
        .okta("PUT", "/api/v1/apps/0oa1/groups/00g1", Some(json!({})))
        .await;
    assert_eq!(r.status(), 404);

    let (status, err) = c
        .admin(
            "POST",
            "/__emulator/faults",
            Some(json!({"path": "/api/v1/apps"})),
        )
        .await;
    assert_eq!(status, 400, "{err}");
    let (status, _) = c.admin("DELETE", "/__emulator/faults", None).await;
    assert_eq!(status, 204);
    let (_, rules) = c.admin("GET", "/__emulator/faults", None).await;
    assert_eq!(rules, json!([]));
}

#[tokio::test]
async fn fault_rules_delay_and_reset_connections() {
    let c = Ctx::new().await;
    c.admin(
        "POST",
        "/__emulator/faults",
        Some(json!({"method": "GET", "path": "/api/v1/users/me", "delayMs": 300})),
    )
    .await;
    let t = Instant::now();
    let r = c.okta("GET", "/api/v1/users/me", None).await;
    assert_eq!(r.status(), 200, "a pure delay passes the request on");
    assert!(t.elapsed() >= Duration::from_millis(300));

    c.admin(
        "POST",
        "/__emulator/faults",
        Some(json!({"method": "GET", "path": "/api/v1/apps", "reset": true})),
    )
    .await;
    let err = c.okta_try("GET", "/api/v1/apps").await;
    assert!(err.is_err(), "connection should have been reset: {err:?}");
    // Only once: the next request (on a new connection) works.
    let r = c.okta("GET", "/api/v1/apps", None).await;
    assert_eq!(r.status(), 200);
    let (_, log) = c.admin("GET", "/__emulator/requests", None).await;
    let statuses: Vec<u64> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == "/api/v1/apps")
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![0, 200], "a reset is logged with status 0");
}

impl Ctx {
    async fn okta_try(&self, method: &str, path: &str) -> Result<u16, reqwest::Error> {
        let resp = self
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                self.url(path),
            )
            .header("Authorization", format!("SSWS {TOKEN}"))
            .send()
            .await?;
        let status = resp.status().as_u16();
        resp.bytes().await?;
        Ok(status)
    }
}

#[tokio::test]
async fn request_log_records_requests_without_credentials() {
    let c = Ctx::new().await;
    let created = json_of(c.okta("POST", "/api/v1/apps", Some(app("log-me"))).await).await;
    let secret = created["credentials"]["oauthClient"]["client_secret"]
        .as_str()
        .unwrap()
        .to_string();
    let id = created["id"].as_str().unwrap().to_string();
    c.okta("GET", "/api/v1/apps?limit=5&q=log", None).await;
    c.okta(
        "GET",
        &format!("/api/v1/apps/{id}/credentials/secrets"),
        None,
    )
    .await;
    c.http
        .get(c.url("/api/v1/apps"))
        .header("Authorization", "SSWS wrong-token-value")
        .send()
        .await
        .unwrap();

    let (status, log) = c.admin("GET", "/__emulator/requests", None).await;
    assert_eq!(status, 200);
    let entries = log.as_array().unwrap();
    let list = entries
        .iter()
        .find(|e| e["query"] == "limit=5&q=log")
        .expect("list entry");
    assert_eq!(list["method"], "GET");
    assert_eq!(list["path"], "/api/v1/apps");
    assert_eq!(list["status"], 200);
    assert_eq!(list["bucket"], "/api/v1/apps");
    assert!(list["tokenId"].as_str().unwrap().starts_with("00T"));
    assert!(list["time"].as_str().unwrap().ends_with('Z'));
    assert!(list["durationMs"].is_u64());
    assert!(entries
        .iter()
        .any(|e| e["status"] == 401 && e["tokenId"].is_null()));
    let text = log.to_string();
    assert!(!text.contains(TOKEN), "log leaks the API token");
    assert!(
        !text.contains("wrong-token-value"),
        "log leaks a presented token"
    );
    assert!(!text.contains(&secret), "log leaks the client secret");

    let last = entries.last().unwrap()["seq"].as_u64().unwrap();
    c.okta("GET", "/api/v1/groups", None).await;
    let (_, newer) = c
        .admin("GET", &format!("/__emulator/requests?since={last}"), None)
        .await;
    // The GET /__emulator/requests itself, then the groups request.
    assert!(newer
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "/api/v1/groups"));
    assert!(newer
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["seq"].as_u64().unwrap() > last));
    let admin_entry = newer
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "/__emulator/requests")
        .unwrap();
    assert!(admin_entry["bucket"].is_null());
    let (status, _) = c.admin("DELETE", "/__emulator/requests", None).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn rate_limits_per_bucket() {
    let c = Ctx::with(EmulatorConfig::ephemeral().with_rate_limit(3)).await;
    for expected_remaining in ["2", "1", "0"] {
        let r = c.okta("GET", "/api/v1/apps", None).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-rate-limit-limit"], "3");
        assert_eq!(r.headers()["x-rate-limit-remaining"], expected_remaining);
    }
    // Subresources share the /api/v1/apps bucket.
    let r = c.okta("GET", "/api/v1/apps/0oa1/groups", None).await;
    assert_eq!(r.status(), 429);
    let reset: i64 = r.headers()["x-rate-limit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let date = httpdate::parse_http_date(r.headers()["date"].to_str().unwrap()).unwrap();
    let date = date
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        reset > date && reset <= date + 60,
        "reset {reset} date {date}"
    );
    assert_eq!(r.headers()["x-rate-limit-remaining"], "0");
    let b = json_of(r).await;
    assert_eq!(b["errorCode"], "E0000047");
    assert_eq!(
        b["errorSummary"],
        "API call exceeded rate limit due to too many requests."
    );
    assert_eq!(b["errorCauses"], json!([]));
    // Other buckets are independent; admin endpoints are never limited.
    let r = c.okta("GET", "/api/v1/groups", None).await;
    assert_eq!(r.status(), 200);
    let (_, state) = c.admin("GET", "/__emulator/state", None).await;
    let apps_bucket = state["rateLimits"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bucket"] == "/api/v1/apps")
        .unwrap()
        .clone();
    assert_eq!(apps_bucket["remaining"], 0);
    // Reset clears the windows.
    let (status, _) = c.admin("POST", "/__emulator/reset", None).await;
    assert_eq!(status, 204);
    assert_eq!(c.okta("GET", "/api/v1/apps", None).await.status(), 200);
}

#[tokio::test]
async fn latency_applies_to_okta_api_only() {
    let c = Ctx::with(EmulatorConfig::ephemeral().with_latency(Duration::from_millis(200))).await;
    let t = Instant::now();
    assert_eq!(c.okta("GET", "/api/v1/users/me", None).await.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(200));
    let t = Instant::now();
    let (status, _) = c.admin("GET", "/__emulator/health", None).await;
    assert_eq!(status, 200);
    assert!(t.elapsed() < Duration::from_millis(200));
}

#[tokio::test]
async fn mint_state_dump_and_reset() {
    let c = Ctx::new().await;
    let (status, minted) = c
        .admin(
            "POST",
            "/__emulator/tokens",
            Some(json!({"name": "ci", "login": "ci@example.com", "token": "chosen-token-value"})),
        )
        .await;
    assert_eq!(status, 201, "{minted}");
    assert_eq!(minted["token"], "chosen-token-value");
    assert!(minted["id"].as_str().unwrap().starts_with("00T"));
    let me: Value = c
        .http
        .get(c.url("/api/v1/users/me"))
        .header("Authorization", "SSWS chosen-token-value")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["profile"]["login"], "ci@example.com");
    assert_eq!(me["id"], minted["userId"]);
    let (status, _) = c
        .admin(
            "POST",
            "/__emulator/tokens",
            Some(json!({"token": "chosen-token-value"})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = c
        .admin(
            "POST",
            "/__emulator/tokens",
            Some(json!({"userId": "00uNOPE0000000000000"})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, generated) = c.admin("POST", "/__emulator/tokens", None).await;
    assert_eq!(status, 201);
    assert_eq!(generated["token"].as_str().unwrap().len(), 42);

    let created = json_of(c.okta("POST", "/api/v1/apps", Some(app("dumped"))).await).await;
    let group = json_of(
        c.okta(
            "POST",
            "/api/v1/groups",
            Some(json!({"profile": {"name": "dumped"}})),
        )
        .await,
    )
    .await;
    let app_id = created["id"].as_str().unwrap();
    let group_id = group["id"].as_str().unwrap();
    c.okta(
        "PUT",
        &format!("/api/v1/apps/{app_id}/groups/{group_id}"),
        Some(json!({})),
    )
    .await;

    let (status, state) = c.admin("GET", "/__emulator/state", None).await;
    assert_eq!(status, 200);
    assert_eq!(state["apps"][0]["app"]["id"], app_id);
    assert_eq!(state["apps"][0]["secrets"].as_array().unwrap().len(), 1);
    assert_eq!(state["apps"][0]["groups"][0]["id"], group_id);
    assert_eq!(state["apiTokens"].as_array().unwrap().len(), 3);
    assert!(state["users"].as_array().unwrap().len() >= 2);
    let text = state.to_string();
    assert!(
        !text.contains("chosen-token-value") && !text.contains(TOKEN),
        "dump leaks token values"
    );

    let (status, _) = c.admin("POST", "/__emulator/reset", None).await;
    assert_eq!(status, 204);
    let (_, state) = c.admin("GET", "/__emulator/state", None).await;
    assert_eq!(state["apps"], json!([]));
    assert_eq!(
        state["apiTokens"].as_array().unwrap().len(),
        1,
        "only --api-token survives"
    );
    assert_eq!(
        state["groups"].as_array().unwrap().len(),
        1,
        "only Everyone survives"
    );
    assert_eq!(c.okta("GET", "/api/v1/users/me", None).await.status(), 200);
    let r = c
        .http
        .get(c.url("/api/v1/users/me"))
        .header("Authorization", "SSWS chosen-token-value")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let (status, index) = c.admin("GET", "/__emulator", None).await;
    assert_eq!(status, 200);
    assert!(index["endpoints"].as_array().unwrap().len() >= 8);
    let (status, _) = c.admin("GET", "/__emulator/nope", None).await;
    assert_eq!(status, 404);
}
