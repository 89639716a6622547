//! okta-emulator `--state FILE`: the org survives restarts, every acknowledged write is already
//! on disk, and saves are atomic (no temporary files left behind).

use okta_emulator::{spawn, EmulatorConfig, EmulatorError, MintRequest};
use serde_json::{json, Value};

const TOKEN: &str = "persist-test-token";

fn app(label: &str) -> Value {
    json!({
        "name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
        "settings": {"oauthClient": {"application_type": "web", "grant_types": ["authorization_code"],
                     "response_types": ["code"], "redirect_uris": ["https://a.example.com/cb"]}}
    })
}

async fn send(
    http: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = http
        .request(method, url)
        .header("Authorization", format!("SSWS {token}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn org_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.json");
    let config = || {
        EmulatorConfig::ephemeral()
            .with_api_token(TOKEN)
            .with_state_file(&path)
    };
    let http = reqwest::Client::builder().no_proxy().build().unwrap();

    let emu = spawn(config()).await.unwrap();
    let base = emu.base_url().to_string();
    let (status, created) = send(
        &http,
        TOKEN,
        reqwest::Method::POST,
        format!("{base}/api/v1/apps"),
        Some(app("durable")),
    )
    .await;
    assert_eq!(status, 200);
    let app_id = created["id"].as_str().unwrap().to_string();
    let secret = created["credentials"]["oauthClient"]["client_secret"]
        .as_str()
        .unwrap()
        .to_string();

    // Acknowledged means saved: the file already has the app, before any shutdown.
    let on_disk: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(on_disk.to_string().contains(&app_id));

    let (_, group) = send(
        &http,
        TOKEN,
        reqwest::Method::POST,
        format!("{base}/api/v1/groups"),
        Some(json!({"profile": {"name": "durable"}})),
    )
    .await;
    let group_id = group["id"].as_str().unwrap().to_string();
    let (status, _) = send(
        &http,
        TOKEN,
        reqwest::Method::PUT,
        format!("{base}/api/v1/apps/{app_id}/groups/{group_id}"),
        Some(json!({"priority": 2})),
    )
    .await;
    assert_eq!(status, 200);
    let minted = emu
        .mint_token(MintRequest {
            login: Some("ops@example.com".into()),
            ..Default::default()
        })
        .unwrap();
    emu.shutdown().await.unwrap();

    let emu = spawn(config()).await.unwrap();
    let base = emu.base_url().to_string();
    let (status, got) = send(
        &http,
        TOKEN,
        reqwest::Method::GET,
        format!("{base}/api/v1/apps/{app_id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(got["label"], "durable");
    let (_, secrets) = send(
        &http,
        TOKEN,
        reqwest::Method::GET,
        format!("{base}/api/v1/apps/{app_id}/credentials/secrets"),
        None,
    )
    .await;
    assert_eq!(secrets[0]["client_secret"], secret.as_str());
    let (_, assignment) = send(
        &http,
        TOKEN,
        reqwest::Method::GET,
        format!("{base}/api/v1/apps/{app_id}/groups/{group_id}"),
        None,
    )
    .await;
    assert_eq!(assignment["priority"], 2);
    // Minted tokens survive too, and still identify their owner.
    let (status, me) = send(
        &http,
        &minted.token,
        reqwest::Method::GET,
        format!("{base}/api/v1/users/me"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(me["profile"]["login"], "ops@example.com");
    // --api-token is not registered twice.
    let (_, tokens) = send(
        &http,
        TOKEN,
        reqwest::Method::GET,
        format!("{base}/api/v1/api-tokens"),
        None,
    )
    .await;
    assert_eq!(tokens.as_array().unwrap().len(), 2);
    // Reset is persisted as well.
    let status = http
        .post(format!("{base}/__emulator/reset"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 204);
    emu.shutdown().await.unwrap();

    let emu = spawn(config()).await.unwrap();
    let base = emu.base_url().to_string();
    let (status, _) = send(
        &http,
        TOKEN,
        reqwest::Method::GET,
        format!("{base}/api/v1/apps/{app_id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    emu.shutdown().await.unwrap();

    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["org.json".to_string()],
        "temporary files left behind"
    );
}

#[tokio::test]
async fn failed_writes_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.json");
    let emu = spawn(
        EmulatorConfig::ephemeral()
            .with_api_token(TOKEN)
            .with_state_file(&path),
    )
    .await
    .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let before = std::fs::read_to_string(&path).unwrap();
    let mut bad = app("bad");
    bad["settings"]["oauthClient"]["redirect_uris"] = json!(["not a uri"]);
    let (status, _) = send(
        &http,
        TOKEN,
        reqwest::Method::POST,
        format!("{}/api/v1/apps", emu.base_url()),
        Some(bad),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn corrupt_state_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.json");
    std::fs::write(&path, "{\"version\": 1, \"org\": 42}").unwrap();
    let err = spawn(EmulatorConfig::ephemeral().with_state_file(&path))
        .await
        .unwrap_err();
    assert!(matches!(err, EmulatorError::State(_)), "{err}");
    assert!(err.to_string().contains("org.json"));
}
