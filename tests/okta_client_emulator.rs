//! Contract check of the Okta client against the in-process Okta emulator: every operation the
//! resources need, end to end over HTTP.

use std::time::Duration;

use okta_emulator::{EmulatorConfig, MintRequest};
use oktaidp::okta::{
    ApiTokenUpdate, AppListQuery, ClientConfig, GroupAssignmentRequest, NewClientSecret, NewGroup,
    OidcApp, OktaClient, Previous, RefreshTokenSettings, Secret,
};
use url::Url;

const TOKEN: &str = "00emulatorTokenForTheOktaClientTests";

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

async fn start(rate_limit: u32) -> (okta_emulator::RunningEmulator, OktaClient) {
    let emu = okta_emulator::spawn(
        EmulatorConfig::ephemeral()
            .with_api_token(TOKEN)
            .with_rate_limit(rate_limit),
    )
    .await
    .expect("emulator starts");
    let client = OktaClient::new(
        Url::parse(emu.base_url()).unwrap(),
        TOKEN,
        ClientConfig::default(),
    )
    .unwrap();
    (emu, client)
}

#[tokio::test]
async fn full_lifecycle_against_the_emulator() {
    let (emu, c) = start(600).await;

    let me = c.users().me(None).await.unwrap();
    assert!(me.id.is_some() && me.login().is_some(), "{me:?}");

    // Group.
    let group = c
        .groups()
        .create(&NewGroup::new("pomerium-users", Some("may sign in")))
        .await
        .unwrap();
    let group_id = group.id.clone().unwrap();
    assert_eq!(
        c.groups().get(&group_id).await.unwrap().unwrap().name(),
        Some("pomerium-users")
    );
    assert!(c
        .groups()
        .list(Some("pomerium"))
        .await
        .unwrap()
        .iter()
        .any(|g| g.id.as_deref() == Some(&group_id)));

    // App.
    let mut body = OidcApp::new("pomerium", "web");
    body.set_redirect_uris(&strings(&[
        "https://authenticate.example.com/oauth2/callback",
    ]));
    body.set_grant_types(&strings(&["authorization_code", "refresh_token"]));
    body.set_response_types(&strings(&["code"]));
    body.set_refresh_token(Some(&RefreshTokenSettings {
        rotation_type: "STATIC".into(),
        leeway: Some(0),
    }));
    body.set_token_endpoint_auth_method("client_secret_basic");
    let created = c.apps().create(&body, true).await.unwrap();
    let app_id = created.id().unwrap().to_owned();
    assert!(created.is_active());
    let secret = created.client_secret().expect("create returns the secret");
    assert!(!secret.is_empty());
    assert!(created.client_id().is_some());

    let fetched = c.apps().get(&app_id).await.unwrap().unwrap();
    assert!(
        fetched.client_secret().is_none(),
        "GET never returns the secret"
    );
    assert!(c
        .apps()
        .list(&AppListQuery {
            q: Some("pomer".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .any(|a| a.id() == Some(app_id.as_str())));

    let updated = c
        .update_app_with(&app_id, |app| {
            app.set_post_logout_redirect_uris(&strings(&["https://example.com/"]))
        })
        .await
        .unwrap();
    assert_eq!(
        updated.post_logout_redirect_uris(),
        Some(strings(&["https://example.com/"]))
    );
    assert_eq!(updated.label(), Some("pomerium"));

    let err = c
        .update_app_with(&app_id, |app| {
            app.set_redirect_uris(&strings(&["https://a.example.com/cb#frag"]))
        })
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some("E0000001"), "{err}");
    assert!(
        err.to_string().starts_with("Okta rejected redirect_uris"),
        "{err}"
    );

    // Client secrets: rotate.
    let secrets = c.app_secrets().list(&app_id).await.unwrap();
    assert_eq!(secrets.len(), 1);
    let old_id = secrets[0].id.clone().unwrap();
    let new = c
        .app_secrets()
        .create(&app_id, &NewClientSecret::default())
        .await
        .unwrap();
    assert!(new.is_active());
    let new_id = new.id.clone().unwrap();
    assert!(c
        .app_secrets()
        .get(&app_id, &new_id)
        .await
        .unwrap()
        .is_some());
    assert!(!c
        .app_secrets()
        .deactivate(&app_id, &old_id)
        .await
        .unwrap()
        .is_active());
    assert!(c
        .app_secrets()
        .activate(&app_id, &old_id)
        .await
        .unwrap()
        .is_active());
    c.app_secrets().deactivate(&app_id, &old_id).await.unwrap();
    assert!(c.app_secrets().delete(&app_id, &old_id).await.unwrap());
    assert_eq!(c.app_secrets().list(&app_id).await.unwrap().len(), 1);

    // Group assignment.
    let req = GroupAssignmentRequest {
        priority: Some(0.into()),
        ..Default::default()
    };
    let assigned = c.app_groups().put(&app_id, &group_id, &req).await.unwrap();
    assert_eq!(assigned.id.as_deref(), Some(group_id.as_str()));
    assert_eq!(c.app_groups().list(&app_id).await.unwrap().len(), 1);
    assert!(c
        .app_groups()
        .get(&app_id, &group_id)
        .await
        .unwrap()
        .is_some());
    assert!(c.app_groups().delete(&app_id, &group_id).await.unwrap());
    assert!(c
        .app_groups()
        .get(&app_id, &group_id)
        .await
        .unwrap()
        .is_none());

    // Lifecycle and delete.
    c.apps().deactivate(&app_id).await.unwrap();
    assert_eq!(
        c.apps().get(&app_id).await.unwrap().unwrap().status(),
        Some("INACTIVE")
    );
    c.apps().activate(&app_id).await.unwrap();
    let err = c.apps().delete(&app_id).await.unwrap_err();
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(403),
        "an active app cannot be deleted: {err}"
    );
    c.apps().deactivate(&app_id).await.unwrap();
    assert!(c.apps().delete(&app_id).await.unwrap());
    assert!(c.apps().get(&app_id).await.unwrap().is_none());
    assert!(!c.apps().delete(&app_id).await.unwrap());
    assert!(c.groups().delete(&group_id).await.unwrap());

    // API tokens: adopt a second token, check it, rename it, revoke it with itself.
    let minted = emu
        .mint_token(MintRequest {
            name: Some("pomerium-sync".into()),
            ..Default::default()
        })
        .unwrap();
    let other = Secret::new(minted.token.clone());
    assert!(c.users().me(Some(&other)).await.unwrap().id.is_some());
    let tokens = c.api_tokens().list().await.unwrap();
    assert!(tokens
        .iter()
        .any(|t| t.id.as_deref() == Some(minted.id.as_str())));
    let token = c.api_tokens().get(&minted.id).await.unwrap().unwrap();
    let mut update: ApiTokenUpdate = token.to_update();
    update.name = Some("pomerium-sync-renamed".into());
    assert_eq!(
        c.api_tokens()
            .update(&minted.id, &update)
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("pomerium-sync-renamed")
    );
    c.api_tokens().revoke_current(Some(&other)).await.unwrap();
    let err = c.users().me(Some(&other)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");
    assert!(!err.to_string().contains(&minted.token));
    assert!(c.api_tokens().get(&minted.id).await.unwrap().is_none());
    assert!(!c.api_tokens().revoke(&minted.id).await.unwrap());

    emu.shutdown().await.unwrap();
}

/// The ACTIVE secrets' values, oldest first.
async fn active_secrets(c: &OktaClient, app_id: &str) -> Vec<String> {
    let mut all = c.app_secrets().list(app_id).await.unwrap();
    all.sort_by(|a, b| a.created.cmp(&b.created));
    all.iter()
        .filter(|s| s.is_active())
        .filter_map(|s| s.client_secret.as_ref().map(|v| v.expose().to_string()))
        .collect()
}

#[tokio::test]
async fn rotation_keeps_at_most_the_previous_secret_and_retires_it_later() {
    let (_emu, c) = start(600).await;
    let mut body = OidcApp::new("rotation", "web");
    body.set_redirect_uris(&strings(&["https://auth.example.com/oauth2/callback"]));
    body.set_grant_types(&strings(&["authorization_code"]));
    body.set_response_types(&strings(&["code"]));
    let app = c.apps().create(&body, true).await.unwrap();
    let app_id = app.id().unwrap().to_owned();
    let first = active_secrets(&c, &app_id).await;
    assert_eq!(first.len(), 1);

    // Keep: the previous secret stays active next to the new one.
    let second = c
        .app_secrets()
        .rotate(&app_id, Previous::Keep)
        .await
        .unwrap();
    assert!(second.leftovers.is_empty());
    assert_eq!(
        active_secrets(&c, &app_id).await,
        vec![first[0].clone(), second.secret.clone()]
    );
    // Keep again: still two, the oldest gone.
    let third = c
        .app_secrets()
        .rotate(&app_id, Previous::Keep)
        .await
        .unwrap();
    assert_eq!(
        active_secrets(&c, &app_id).await,
        vec![second.secret.clone(), third.secret.clone()]
    );
    assert_eq!(c.app_secrets().list(&app_id).await.unwrap().len(), 2);
    // Ending the overlap keeps the newest only.
    let left = c.app_secrets().retire_previous(&app_id).await.unwrap();
    assert!(left.is_empty());
    assert_eq!(
        active_secrets(&c, &app_id).await,
        vec![third.secret.clone()]
    );
    // Retire: from two secrets to exactly the new one.
    c.app_secrets()
        .rotate(&app_id, Previous::Keep)
        .await
        .unwrap();
    let fifth = c
        .app_secrets()
        .rotate(&app_id, Previous::Retire)
        .await
        .unwrap();
    assert_eq!(active_secrets(&c, &app_id).await, vec![fifth.secret]);
    assert_eq!(c.app_secrets().list(&app_id).await.unwrap().len(), 1);
}

/// Real-time pacing against the emulator's per-minute buckets (takes about a minute, so it
/// is ignored by default): `cargo test --test okta_client_emulator -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "waits for a real 60 s rate-limit window"]
async fn parallel_requests_are_paced_under_the_emulator_limit() {
    let (emu, c) = start(8).await;
    let app = c
        .apps()
        .create(
            &{
                let mut a = OidcApp::new("paced", "web");
                a.set_redirect_uris(&strings(&["https://x.example.com/cb"]));
                a.set_grant_types(&strings(&["authorization_code"]));
                a.set_response_types(&strings(&["code"]));
                a
            },
            true,
        )
        .await
        .unwrap();
    let id = app.id().unwrap().to_owned();
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let (c, id) = (c.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..2 {
                // Any 429 would surface here only after retries; the limiter must avoid it.
                c.apps().get(&id).await.unwrap().unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // 11 requests at 8/min: at least one wait for the window to reset.
    assert!(
        started.elapsed() >= Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let log: serde_json::Value =
        reqwest_get(&format!("{}/__emulator/requests", emu.base_url())).await;
    let statuses: Vec<u64> = log
        .as_array()
        .or_else(|| log["requests"].as_array())
        .expect("request log")
        .iter()
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert!(!statuses.contains(&429), "{statuses:?}");
    emu.shutdown().await.unwrap();
}

async fn reqwest_get(url: &str) -> serde_json::Value {
    let resp = reqwest::Client::new()
        .get(url)
        .header("authorization", format!("SSWS {TOKEN}"))
        .send()
        .await
        .unwrap();
    resp.json().await.unwrap()
}
