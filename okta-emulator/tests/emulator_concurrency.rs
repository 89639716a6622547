//! okta-emulator under many parallel clients: no lost updates, every request logged.

use std::sync::Arc;

use okta_emulator::{spawn, EmulatorConfig};
use serde_json::{json, Value};

const TOKEN: &str = "concurrency-test-token";
const N: usize = 50;

fn app(label: &str) -> Value {
    json!({
        "name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
        "settings": {"oauthClient": {"application_type": "web", "grant_types": ["authorization_code"],
                     "response_types": ["code"], "redirect_uris": ["https://a.example.com/cb"]}}
    })
}

async fn run(config: EmulatorConfig) {
    let emu = spawn(config.with_api_token(TOKEN)).await.unwrap();
    let base = Arc::new(emu.base_url().to_string());
    let http = reqwest::Client::builder().no_proxy().build().unwrap();

    // 50 concurrent creates.
    let mut tasks = Vec::new();
    for i in 0..N {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{base}/api/v1/apps"))
                .header("Authorization", format!("SSWS {TOKEN}"))
                .json(&app(&format!("parallel-{i}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            v["id"].as_str().unwrap().to_string()
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), N);

    // 50 concurrent full-replace PUTs, one per app.
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let (http, base, id) = (http.clone(), base.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .put(format!("{base}/api/v1/apps/{id}"))
                .header("Authorization", format!("SSWS {TOKEN}"))
                .json(&app(&format!("renamed-{i}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }

    // 50 concurrent group assignments on the same app: read-modify-write on one object.
    let mut groups = Vec::new();
    for i in 0..N {
        let r: Value = http
            .post(format!("{base}/api/v1/groups"))
            .header("Authorization", format!("SSWS {TOKEN}"))
            .json(&json!({"profile": {"name": format!("g-{i}")}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        groups.push(r["id"].as_str().unwrap().to_string());
    }
    let target = ids[0].clone();
    let mut tasks = Vec::new();
    for g in &groups {
        let (http, base, g, target) = (http.clone(), base.clone(), g.clone(), target.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .put(format!("{base}/api/v1/apps/{target}/groups/{g}"))
                .header("Authorization", format!("SSWS {TOKEN}"))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }

    let list: Value = http
        .get(format!("{base}/api/v1/apps?limit=200&q=renamed-"))
        .header("Authorization", format!("SSWS {TOKEN}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), N, "every PUT landed");
    let assigned: Value = http
        .get(format!("{base}/api/v1/apps/{target}/groups?limit=200"))
        .header("Authorization", format!("SSWS {TOKEN}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let assigned = assigned.as_array().unwrap();
    assert_eq!(assigned.len(), N, "no lost assignment");
    let mut priorities: Vec<i64> = assigned
        .iter()
        .map(|a| a["priority"].as_i64().unwrap())
        .collect();
    priorities.dedup();
    assert_eq!(
        priorities.len(),
        N,
        "serialised writes give distinct next priorities"
    );

    let log: Value = http
        .get(format!("{base}/__emulator/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let log = log.as_array().unwrap();
    let count = |method: &str, prefix: &str| {
        log.iter()
            .filter(|e| e["method"] == method && e["path"].as_str().unwrap().starts_with(prefix))
            .count()
    };
    assert_eq!(count("POST", "/api/v1/apps"), N);
    assert_eq!(count("PUT", "/api/v1/apps/"), 2 * N);
    assert_eq!(count("POST", "/api/v1/groups"), N);
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_writers_in_memory() {
    run(EmulatorConfig::ephemeral()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_writers_with_state_file() {
    let dir = tempfile::tempdir().unwrap();
    run(EmulatorConfig::ephemeral().with_state_file(dir.path().join("org.json"))).await;
    // What was acknowledged is on disk.
    let text = std::fs::read_to_string(dir.path().join("org.json")).unwrap();
    assert_eq!(text.matches("\"renamed-").count(), N);
}
