//! The Okta client's models against real recorded Okta traffic (go-vcr cassettes in
//! `shared/okta-recordings`, read in place, never copied): every in-scope body decodes and
//! re-encodes without loss, and changing one managed field of a recorded app changes nothing
//! else in the PUT body.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use oktaidp::okta::{
    ApiError, ApiToken, ApiTokenUpdate, AppGroupAssignment, ClientSecret, ErrorBody, FakeClock,
    Group, GroupAssignmentRequest, OidcApp, OktaClient, RefreshTokenSettings, Secret, User,
};
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

struct Exchange {
    file: String,
    method: String,
    path: String,
    request_body: String,
    status: u16,
    response_body: String,
}

fn recordings_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("OKTA_RECORDINGS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/okta-recordings")
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: Okta recordings not found at {} (set OKTA_RECORDINGS_DIR to run these tests)",
            dir.display()
        );
        None
    }
}

fn load() -> Option<Vec<Exchange>> {
    let dir = recordings_dir()?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no cassettes in {}", dir.display());
    let mut out = Vec::new();
    for f in files {
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        for i in doc["interactions"].as_sequence().unwrap() {
            let url = i["request"]["url"].as_str().unwrap();
            let path = url::Url::parse(url).unwrap().path().to_owned();
            out.push(Exchange {
                file: name.clone(),
                method: i["request"]["method"].as_str().unwrap().to_owned(),
                path,
                request_body: i["request"]["body"].as_str().unwrap_or_default().to_owned(),
                status: i["response"]["code"].as_u64().unwrap() as u16,
                response_body: i["response"]["body"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
    }
    Some(out)
}

/// Decodes `body` as `T`, re-encodes it and checks the JSON is unchanged.
fn round_trip<T: DeserializeOwned + Serialize>(body: &str, what: &str) {
    let original: Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
    let typed: T =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: does not decode: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(back, original, "{what}: lossy round trip");
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_matches('/').split('/').collect()
}

#[test]
fn every_in_scope_recorded_body_round_trips_through_the_models() {
    let Some(exchanges) = load() else { return };
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for x in &exchanges {
        let what = format!("{} {} {} ({})", x.method, x.path, x.status, x.file);
        let resp = x.response_body.trim();
        if resp.contains("\"errorCode\"") {
            round_trip::<ErrorBody>(resp, &what);
            let err = ApiError::from_response(
                http::StatusCode::from_u16(x.status).unwrap(),
                &x.method,
                &x.path,
                resp.as_bytes(),
            );
            assert!(err.code.is_some() && err.error_id.is_some(), "{what}");
            assert!(
                err.to_string().contains(err.error_id.as_deref().unwrap()),
                "{what}"
            );
            *counts.entry("error").or_default() += 1;
            continue;
        }
        let seg = segments(&x.path);
        let req = x.request_body.trim();
        let ok = (200..300).contains(&x.status) && !resp.is_empty() && resp != "{}";
        match (x.method.as_str(), seg.as_slice()) {
            ("GET", ["api", "v1", "apps"]) if ok => {
                round_trip::<Vec<OidcApp>>(resp, &what);
                *counts.entry("app list").or_default() += 1;
            }
            (m, ["api", "v1", "apps"] | ["api", "v1", "apps", _]) if m != "DELETE" => {
                if ok {
                    round_trip::<OidcApp>(resp, &what);
                    *counts.entry("app").or_default() += 1;
                }
                if !req.is_empty() {
                    round_trip::<OidcApp>(req, &format!("request of {what}"));
                    *counts.entry("app request").or_default() += 1;
                }
            }
            ("GET", ["api", "v1", "apps", _, "credentials", "secrets"]) if ok => {
                round_trip::<Vec<ClientSecret>>(resp, &what);
                let secrets: Vec<ClientSecret> = serde_json::from_str(resp).unwrap();
                for s in &secrets {
                    let value = s.client_secret.as_ref().unwrap().expose().to_owned();
                    assert!(
                        !format!("{s:?}").contains(&value),
                        "{what}: secret in Debug"
                    );
                }
                *counts.entry("client secrets").or_default() += 1;
            }
            (_, ["api", "v1", "apps", _, "credentials", "secrets", _]) if ok => {
                round_trip::<ClientSecret>(resp, &what);
                *counts.entry("client secret").or_default() += 1;
            }
            ("GET", ["api", "v1", "apps", _, "groups"]) if ok => {
                round_trip::<Vec<AppGroupAssignment>>(resp, &what);
                *counts.entry("group assignments").or_default() += 1;
            }
            (m, ["api", "v1", "apps", _, "groups", _]) if m != "DELETE" => {
                if ok {
                    round_trip::<AppGroupAssignment>(resp, &what);
                    *counts.entry("group assignment").or_default() += 1;
                }
                if !req.is_empty() {
                    round_trip::<GroupAssignmentRequest>(req, &format!("request of {what}"));
                    *counts.entry("group assignment request").or_default() += 1;
                }
            }
            (m, ["api", "v1", "groups"] | ["api", "v1", "groups", _]) if m != "DELETE" && ok => {
                round_trip::<Group>(resp, &what);
                if !req.is_empty() {
                    round_trip::<Group>(req, &format!("request of {what}"));
                }
                *counts.entry("group").or_default() += 1;
            }
            ("GET", ["api", "v1", "users", _, "groups"]) if ok => {
                round_trip::<Vec<Group>>(resp, &what);
                *counts.entry("group list").or_default() += 1;
            }
            ("GET", ["api", "v1", "users"]) if ok => {
                round_trip::<Vec<User>>(resp, &what);
                *counts.entry("user list").or_default() += 1;
            }
            (_, ["api", "v1", "users", _]) if ok => {
                round_trip::<User>(resp, &what);
                *counts.entry("user").or_default() += 1;
            }
            (m, ["api", "v1", "api-tokens", _]) if m != "DELETE" && ok => {
                round_trip::<ApiToken>(resp, &what);
                if !req.is_empty() {
                    round_trip::<ApiTokenUpdate>(req, &format!("request of {what}"));
                    *counts.entry("api token update").or_default() += 1;
                }
                *counts.entry("api token").or_default() += 1;
            }
            _ => {}
        }
    }
    eprintln!("decoded from recordings: {counts:?}");
    for kind in [
        "error",
        "app list",
        "app",
        "app request",
        "client secrets",
        "group assignments",
        "group assignment",
        "group assignment request",
        "group",
        "group list",
        "user",
        "user list",
        "api token",
        "api token update",
    ] {
        assert!(
            counts.get(kind).copied().unwrap_or(0) > 0,
            "no recorded {kind} was checked"
        );
    }
}

#[test]
fn typed_fields_match_recorded_values() {
    let Some(exchanges) = load() else { return };
    let token = exchanges
        .iter()
        .find(|x| x.method == "GET" && x.path.starts_with("/api/v1/api-tokens/"))
        .unwrap();
    let t: ApiToken = serde_json::from_str(&token.response_body).unwrap();
    assert_eq!(t.id.as_deref(), Some("00T1gtr35t8ZbfBfV1d7"));
    assert_eq!(t.token_window.as_deref(), Some("P30D"));
    assert!(t
        .network
        .as_ref()
        .and_then(|n| n.connection.as_deref())
        .is_some());

    let create = exchanges
        .iter()
        .find(|x| x.method == "POST" && x.path == "/api/v1/apps" && x.status == 200)
        .unwrap();
    let app: OidcApp = serde_json::from_str(&create.response_body).unwrap();
    let secret = app
        .client_secret()
        .expect("create responses carry the secret");
    assert!(!format!("{app:?}").contains(secret.expose()));
    assert_eq!(app.sign_on_mode(), Some("OPENID_CONNECT"));
    assert!(app.client_id().is_some() && app.created().is_some() && app.last_updated().is_some());

    // GH2408: STATIC rotation echoed without leeway.
    let rt = exchanges
        .iter()
        .filter(|x| {
            x.file.contains("GH2408") && x.method == "GET" && x.path.starts_with("/api/v1/apps/")
        })
        .filter_map(|x| serde_json::from_str::<OidcApp>(&x.response_body).ok())
        .find_map(|a| a.refresh_token())
        .expect("GH2408 has a refresh_token app");
    assert_eq!(
        rt,
        RefreshTokenSettings {
            rotation_type: "STATIC".into(),
            leeway: None
        }
    );
}

/// Paths (dotted) whose values differ between `a` and `b`.
fn diff(a: &Value, b: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                // A key present on one side only: report its leaves (an object created on the
                // way to a managed field is not a change of its own).
                let empty = Value::Object(Default::default());
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => diff(va, vb, &p, out),
                    (Some(v @ Value::Object(_)), None) | (None, Some(v @ Value::Object(_))) => {
                        diff(v, &empty, &p, out)
                    }
                    _ => {
                        out.insert(p);
                    }
                }
            }
        }
        _ if a != b => {
            out.insert(prefix.to_owned());
        }
        _ => {}
    }
}

type Mutation = (&'static str, fn(&mut OidcApp), &'static str);

fn toggled(v: Option<&str>, a: &'static str, b: &'static str) -> &'static str {
    if v == Some(a) {
        b
    } else {
        a
    }
}

fn mutations() -> Vec<Mutation> {
    vec![
        ("label", |a| a.set_label("changed-label"), "label"),
        (
            "redirect_uris",
            |a| a.set_redirect_uris(&["https://changed.example.com/cb".into()]),
            "settings.oauthClient.redirect_uris",
        ),
        (
            "post_logout_redirect_uris",
            |a| a.set_post_logout_redirect_uris(&["https://changed.example.com/".into()]),
            "settings.oauthClient.post_logout_redirect_uris",
        ),
        (
            "initiate_login_uri",
            |a| a.set_initiate_login_uri(Some("https://changed.example.com/login")),
            "settings.oauthClient.initiate_login_uri",
        ),
        (
            "grant_types",
            |a| a.set_grant_types(&["authorization_code".into(), "urn:x".into()]),
            "settings.oauthClient.grant_types",
        ),
        (
            "response_types",
            |a| a.set_response_types(&["code".into(), "x".into()]),
            "settings.oauthClient.response_types",
        ),
        (
            "application_type",
            |a| {
                let v = toggled(a.application_type(), "browser", "web");
                a.set_application_type(v)
            },
            "settings.oauthClient.application_type",
        ),
        (
            "refresh_token",
            |a| {
                a.set_refresh_token(Some(&RefreshTokenSettings {
                    rotation_type: "ROTATE".into(),
                    leeway: Some(42),
                }))
            },
            "settings.oauthClient.refresh_token",
        ),
        (
            "token_endpoint_auth_method",
            |a| {
                let v = toggled(
                    a.token_endpoint_auth_method(),
                    "client_secret_post",
                    "client_secret_basic",
                );
                a.set_token_endpoint_auth_method(v)
            },
            "credentials.oauthClient.token_endpoint_auth_method",
        ),
        (
            "pkce_required",
            |a| a.set_pkce_required(!a.pkce_required().unwrap_or(false)),
            "credentials.oauthClient.pkce_required",
        ),
        (
            "consent_method",
            |a| {
                let v = toggled(a.consent_method(), "REQUIRED", "TRUSTED");
                a.set_consent_method(v)
            },
            "settings.oauthClient.consent_method",
        ),
        (
            "issuer_mode",
            |a| {
                let v = toggled(a.issuer_mode(), "DYNAMIC", "ORG_URL");
                a.set_issuer_mode(v)
            },
            "settings.oauthClient.issuer_mode",
        ),
        (
            "wildcard_redirect",
            |a| {
                let v = toggled(a.wildcard_redirect(), "SUBDOMAIN", "DISABLED");
                a.set_wildcard_redirect(v)
            },
            "settings.oauthClient.wildcard_redirect",
        ),
        (
            "client_secret",
            |a| a.set_client_secret(Some(&Secret::new("a-new-client-secret-of-some-length"))),
            "credentials.oauthClient.client_secret",
        ),
    ]
}

/// Unknown keys someone else (or a future Okta) put into the objects we edit.
fn add_foreign_keys(app: &mut OidcApp) {
    let foreign: Value = serde_json::from_str(
        r#"{"ratio":1.50,"big":123456789012345678901234567890,"list":[{"deep":null}]}"#,
    )
    .unwrap();
    app.set_path(
        &["settings", "oauthClient", "future_setting"],
        foreign.clone(),
    );
    app.set_path(
        &["credentials", "oauthClient", "future_credential"],
        foreign.clone(),
    );
    app.set_path(
        &["settings", "notes", "admin"],
        Value::from("set in the admin console"),
    );
    app.set_path(&["profile"], foreign);
}

#[test]
fn changing_one_managed_field_of_a_recorded_app_changes_nothing_else() {
    let Some(exchanges) = load() else { return };
    let mut bodies: Vec<&str> = exchanges
        .iter()
        .filter(|x| {
            x.method == "GET"
                && segments(&x.path).len() == 4
                && x.path.starts_with("/api/v1/apps/")
                && x.status == 200
        })
        .map(|x| x.response_body.as_str())
        .collect();
    bodies.sort();
    bodies.dedup();
    assert!(
        bodies.len() >= 10,
        "expected many recorded app GETs, got {}",
        bodies.len()
    );
    let mut checked = 0;
    for body in bodies {
        for with_foreign in [false, true] {
            let mut original: OidcApp = serde_json::from_str(body).unwrap();
            if with_foreign {
                add_foreign_keys(&mut original);
            }
            let before = serde_json::to_value(&original).unwrap();
            for (name, mutate, path) in mutations() {
                let mut app = original.clone();
                mutate(&mut app);
                // What update_app_with sends: the serialized app.
                let sent: Value =
                    serde_json::from_str(&serde_json::to_string(&app).unwrap()).unwrap();
                let mut changed = BTreeSet::new();
                diff(&before, &sent, "", &mut changed);
                assert!(!changed.is_empty(), "{name}: no change");
                for c in &changed {
                    assert!(
                        c == path || c.starts_with(&format!("{path}.")),
                        "{name} also changed {c}"
                    );
                }
                if with_foreign {
                    let text = serde_json::to_string(&app).unwrap();
                    assert!(
                        text.contains("1.50") && text.contains("123456789012345678901234567890"),
                        "{name}: numbers altered"
                    );
                }
                checked += 1;
            }
        }
    }
    eprintln!("checked {checked} single-field changes of recorded apps");
}

#[derive(Clone)]
struct Recorded {
    body: Arc<String>,
    put: Arc<Mutex<Option<Value>>>,
}

async fn recorded_get(State(s): State<Recorded>) -> String {
    s.body.as_str().to_owned()
}

async fn recorded_put(State(s): State<Recorded>, Json(v): Json<Value>) -> Json<Value> {
    *s.put.lock() = Some(v.clone());
    Json(v)
}

#[tokio::test]
async fn update_app_with_sends_a_recorded_app_back_untouched_but_for_the_change() {
    let Some(exchanges) = load() else { return };
    let body = exchanges
        .iter()
        .find(|x| {
            x.file.contains("2659")
                && x.method == "GET"
                && segments(&x.path).len() == 4
                && x.path.starts_with("/api/v1/apps/")
        })
        .map(|x| x.response_body.clone())
        .expect("a recorded app GET");
    let original: Value = serde_json::from_str(&body).unwrap();
    let id = original["id"].as_str().unwrap().to_owned();
    let state = Recorded {
        body: Arc::new(body),
        put: Arc::default(),
    };
    let router = Router::new()
        .route("/api/v1/apps/{id}", get(recorded_get).put(recorded_put))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let clock = FakeClock::at_fixed_time();
    let client = OktaClient::builder(url::Url::parse(&format!("http://{addr}")).unwrap(), "token")
        .clock(Arc::new(clock))
        .build()
        .unwrap();
    client
        .update_app_with(&id, |app| {
            let mut uris = app.redirect_uris().unwrap_or_default();
            uris.push("https://pomerium.example.com/oauth2/callback".into());
            app.set_redirect_uris(&uris);
        })
        .await
        .unwrap();
    let sent = state.put.lock().clone().expect("a PUT was sent");
    let mut changed = BTreeSet::new();
    diff(&original, &sent, "", &mut changed);
    assert_eq!(
        changed,
        BTreeSet::from(["settings.oauthClient.redirect_uris".to_owned()])
    );
}
