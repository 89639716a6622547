//! Fault injection against the Okta client: small local servers on 127.0.0.1:0 answer with 429s,
//! 5xx, dropped connections, slow responses, Okta errors and concurrent-update rejections. Waits
//! go through a `FakeClock`, so the tests assert the waits without sleeping them.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use oktaidp::okta::{
    ClientConfig, Clock, FakeClock, NewGroup, OktaClient, OktaError, Secret, SystemClock,
    TransportKind,
};
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use url::Url;

const TOKEN: &str = "00TESTtokenVALUEthatMustNeverLeak";

async fn serve(router: Router) -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Url::parse(&format!("http://{addr}/")).unwrap()
}

fn client_with(url: Url, clock: &FakeClock, config: ClientConfig) -> OktaClient {
    OktaClient::builder(url, TOKEN)
        .config(config)
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap()
}

fn client(url: Url, clock: &FakeClock) -> OktaClient {
    client_with(url, clock, ClientConfig::default())
}

fn app_json(id: &str, label: &str) -> Value {
    json!({
        "id": id, "name": "oidc_client", "label": label, "status": "ACTIVE",
        "signOnMode": "OPENID_CONNECT",
        "settings": {"notes": {"admin": "set elsewhere"}, "oauthClient": {"redirect_uris": ["https://a/cb"], "application_type": "web", "future_field": serde_json::from_str::<Value>(r#"{"n":1.50}"#).unwrap()}},
        "credentials": {"oauthClient": {"client_id": id, "token_endpoint_auth_method": "client_secret_basic"}}
    })
}

fn okta_error(status: StatusCode, code: &str, summary: &str, causes: &[&str]) -> Response {
    let causes: Vec<Value> = causes.iter().map(|c| json!({"errorSummary": c})).collect();
    let body = json!({"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oaeTEST123", "errorCauses": causes});
    (status, Json(body)).into_response()
}

fn http_date(t: SystemTime) -> HeaderValue {
    HeaderValue::from_str(&httpdate::fmt_http_date(t)).unwrap()
}

#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl Counter {
    fn bump(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

// ----- 429 ----------------------------------------------------------------------------------------

/// `(X-Okta-Retry-For, X-Okta-Retry-Count)` of each request.
type RetryHeaders = (Option<String>, Option<String>);

#[derive(Clone, Default)]
struct RateLimited {
    calls: Counter,
    retry_headers: Arc<Mutex<Vec<RetryHeaders>>>,
}

async fn rate_limited_once(
    State(s): State<RateLimited>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let n = s.calls.bump();
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    s.retry_headers
        .lock()
        .push((h("x-okta-retry-for"), h("x-okta-retry-count")));
    if n == 1 {
        // The server's clock is years away from the client's: only Reset - Date matters.
        let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800); // 2020-01-01
        let reset = 1_577_836_800u64 + 7;
        let mut resp = okta_error(
            StatusCode::TOO_MANY_REQUESTS,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
            &[],
        );
        let hm = resp.headers_mut();
        hm.insert("date", http_date(date));
        hm.insert("x-rate-limit-limit", HeaderValue::from(100));
        hm.insert("x-rate-limit-remaining", HeaderValue::from(0));
        hm.insert("x-rate-limit-reset", HeaderValue::from(reset));
        hm.insert("x-okta-request-id", HeaderValue::from_static("req-429"));
        return resp;
    }
    Json(app_json(&id, "ok")).into_response()
}

#[tokio::test]
async fn rate_limited_request_waits_until_reset_by_server_date() {
    let state = RateLimited::default();
    let url = serve(
        Router::new()
            .route("/api/v1/apps/{id}", get(rate_limited_once))
            .with_state(state.clone()),
    )
    .await;
    let clock = FakeClock::at_fixed_time();
    let c = client(url, &clock);
    let started = Instant::now();
    let app = c.apps().get("0oa1").await.unwrap().unwrap();
    assert_eq!(app.label(), Some("ok"));
    assert_eq!(state.calls.get(), 2);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 1, "{sleeps:?}");
    assert!(
        sleeps[0] >= Duration::from_secs(7) && sleeps[0] <= Duration::from_secs(8),
        "{sleeps:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the 7 s wait must not be slept for real"
    );
    let retry = state.retry_headers.lock().clone();
    assert_eq!(retry[0], (None, None));
    assert_eq!(retry[1], (Some("req-429".into()), Some("1".into())));
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let calls = Counter::default();
    let router = Router::new().route(
        "/api/v1/groups/{id}",
        get(move |Path(id): Path<String>| {
            let calls = calls.clone();
            async move {
                if calls.bump() == 1 {
                    let mut r = okta_error(
                        StatusCode::TOO_MANY_REQUESTS,
                        "E0000047",
                        "API call exceeded rate limit due to too many requests.",
                        &[],
                    );
                    r.headers_mut().insert("retry-after", HeaderValue::from(3));
                    r
                } else {
                    Json(json!({"id": id, "profile": {"name": "g"}})).into_response()
                }
            }
        }),
    );
    let clock = FakeClock::at_fixed_time();
    let g = client(serve(router).await, &clock)
        .groups()
        .get("00g1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g.name(), Some("g"));
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 1);
    assert!(
        sleeps[0] >= Duration::from_secs(3) && sleeps[0] <= Duration::from_secs(4),
        "{sleeps:?}"
    );
}

#[tokio::test]
async fn rate_limit_retries_are_bounded() {
    let calls = Counter::default();
    let c2 = calls.clone();
    let router = Router::new().route(
        "/api/v1/groups/{id}",
        get(move || {
            let calls = c2.clone();
            async move {
                calls.bump();
                okta_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "E0000047",
                    "API call exceeded rate limit due to too many requests.",
                    &[],
                )
            }
        }),
    );
    let clock = FakeClock::at_fixed_time();
    let cfg = ClientConfig {
        max_retries: 3,
        ..Default::default()
    };
    let err = client_with(serve(router).await, &clock, cfg)
        .groups()
        .get("00g1")
        .await
        .unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(calls.get(), 4);
    assert_eq!(clock.sleeps().len(), 3);
    assert!(err.to_string().contains("after 4 attempts"), "{err}");
}

// ----- 5xx ----------------------------------------------------------------------------------------

#[tokio::test]
async fn service_unavailable_then_success_is_retried_for_get_only() {
    let calls = Counter::default();
    let c2 = calls.clone();
    let posts = Counter::default();
    let p2 = posts.clone();
    let router = Router::new()
        .route(
            "/api/v1/groups/{id}",
            get(move |Path(id): Path<String>| {
                let calls = c2.clone();
                async move {
                    if calls.bump() == 1 {
                        (StatusCode::SERVICE_UNAVAILABLE, "<html>maintenance</html>")
                            .into_response()
                    } else {
                        Json(json!({"id": id})).into_response()
                    }
                }
            }),
        )
        .route(
            "/api/v1/groups",
            post(move || {
                let posts = p2.clone();
                async move {
                    posts.bump();
                    StatusCode::SERVICE_UNAVAILABLE
                }
            }),
        );
    let clock = FakeClock::at_fixed_time();
    let c = client(serve(router).await, &clock);
    let g = c.groups().get("00g1").await.unwrap().unwrap();
    assert_eq!(g.id.as_deref(), Some("00g1"));
    assert_eq!(calls.get(), 2);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 1);
    // First retry: min_wait (1 s) plus at most 25 % jitter.
    assert!(
        sleeps[0] >= Duration::from_secs(1) && sleeps[0] <= Duration::from_millis(1250),
        "{sleeps:?}"
    );

    // A create may have taken effect before the 503: not retried.
    let err = c
        .groups()
        .create(&NewGroup::new("pomerium-users", None))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(posts.get(), 1);
    assert_eq!(clock.sleeps().len(), 1);
}

#[tokio::test]
async fn exponential_backoff_until_retries_run_out() {
    let calls = Counter::default();
    let c2 = calls.clone();
    let router = Router::new().route(
        "/api/v1/apps/{id}",
        get(move || {
            let calls = c2.clone();
            async move {
                calls.bump();
                StatusCode::BAD_GATEWAY
            }
        }),
    );
    let clock = FakeClock::at_fixed_time();
    let err = client(serve(router).await, &clock)
        .apps()
        .get("0oa1")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    assert_eq!(calls.get(), 6, "1 attempt + max_retries (5)");
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 5);
    for (wait, base) in sleeps.iter().zip([1u64, 2, 4, 8, 16]) {
        let base = Duration::from_secs(base);
        assert!(*wait >= base && *wait <= base.mul_f64(1.25), "{sleeps:?}");
    }
}

// ----- transport failures --------------------------------------------------------------------------

/// A raw HTTP/1.1 server: the first `drops` connections are closed right after the request
/// was read; later ones get `body` with status 200.
async fn dropping_server(drops: usize, body: &'static str) -> (Url, Counter) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Counter::default();
    let c2 = count.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let n = c2.bump();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => buf.extend_from_slice(&chunk[..k]),
                    }
                }
                if n <= drops {
                    drop(sock); // connection closed without an answer
                    return;
                }
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (Url::parse(&format!("http://{addr}/")).unwrap(), count)
}

#[tokio::test]
async fn dropped_connection_is_retried_for_get_but_not_for_create() {
    let (url, count) = dropping_server(1, r#"{"id":"00g1","profile":{"name":"g"}}"#).await;
    let clock = FakeClock::at_fixed_time();
    let c = client(url, &clock);
    let g = c.groups().get("00g1").await.unwrap().unwrap();
    assert_eq!(g.name(), Some("g"));
    assert_eq!(count.get(), 2);
    assert_eq!(clock.sleeps().len(), 1);

    let (url, count) = dropping_server(1, "{}").await;
    let clock = FakeClock::at_fixed_time();
    let err = client(url, &clock)
        .groups()
        .create(&NewGroup::new("g", None))
        .await
        .unwrap_err();
    match &err {
        OktaError::Transport(t) => assert_eq!(t.kind, TransportKind::Other, "{err}"),
        other => panic!("expected a transport error, got {other}"),
    }
    assert_eq!(count.get(), 1);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_post() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let clock = FakeClock::at_fixed_time();
    let cfg = ClientConfig {
        max_retries: 2,
        ..Default::default()
    };
    let err = client_with(url, &clock, cfg)
        .groups()
        .create(&NewGroup::new("g", None))
        .await
        .unwrap_err();
    match &err {
        OktaError::Transport(t) => {
            assert_eq!(t.kind, TransportKind::Connect);
            assert_eq!(t.attempts, 3);
        }
        other => panic!("expected a connect error, got {other}"),
    }
    assert_eq!(clock.sleeps().len(), 2);
    assert!(!err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn slow_response_times_out_and_is_retried() {
    let calls = Counter::default();
    let c2 = calls.clone();
    let router = Router::new().route(
        "/api/v1/groups/{id}",
        get(move |Path(id): Path<String>| {
            let calls = c2.clone();
            async move {
                if calls.bump() == 1 {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
                Json(json!({"id": id}))
            }
        }),
    );
    let clock = FakeClock::at_fixed_time();
    let cfg = ClientConfig {
        request_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let started = Instant::now();
    let g = client_with(serve(router).await, &clock, cfg)
        .groups()
        .get("00g1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g.id.as_deref(), Some("00g1"));
    assert_eq!(calls.get(), 2);
    assert_eq!(clock.sleeps().len(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "timed out after {:?}",
        started.elapsed()
    );
}

// ----- Okta errors and update_app_with ---------------------------------------------------------------

#[derive(Clone, Default)]
struct AppServer {
    app: Arc<Mutex<Value>>,
    gets: Counter,
    puts: Counter,
    put_bodies: Arc<Mutex<Vec<Value>>>,
    /// PUTs that fail first with this many concurrent-update rejections.
    conflicts: Arc<AtomicUsize>,
}

async fn app_get(State(s): State<AppServer>) -> Response {
    s.gets.bump();
    Json(s.app.lock().clone()).into_response()
}

async fn app_put(State(s): State<AppServer>, Json(body): Json<Value>) -> Response {
    s.puts.bump();
    s.put_bodies.lock().push(body.clone());
    if s.conflicts.load(Ordering::SeqCst) > 0 {
        s.conflicts.fetch_sub(1, Ordering::SeqCst);
        // Someone else changed the app meanwhile.
        s.app.lock()["settings"]["notes"]["enduser"] = json!("changed concurrently");
        return okta_error(
            StatusCode::BAD_REQUEST,
            "E0000039",
            "Operation failed because the object was modified concurrently.",
            &[],
        );
    }
    if body["settings"]["oauthClient"]["redirect_uris"][0]
        .as_str()
        .is_some_and(|u| u.contains('#'))
    {
        return okta_error(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: redirect_uris",
            &["redirect_uris: 'redirect_uris' must not contain a fragment identifier."],
        );
    }
    let mut stored = body.clone();
    stored["credentials"]["oauthClient"]["client_secret"] = json!("returned-secret-on-put-XYZ");
    *s.app.lock() = stored.clone();
    Json(stored).into_response()
}

async fn app_server(state: AppServer) -> Url {
    serve(
        Router::new()
            .route("/api/v1/apps/{id}", get(app_get).put(app_put))
            .with_state(state),
    )
    .await
}

#[tokio::test]
async fn okta_validation_error_is_not_retried_and_reads_well() {
    let state = AppServer {
        app: Arc::new(Mutex::new(app_json("0oa1", "l"))),
        ..Default::default()
    };
    let clock = FakeClock::at_fixed_time();
    let c = client(app_server(state.clone()).await, &clock);
    let err = c
        .update_app_with("0oa1", |app| {
            app.set_redirect_uris(&["https://a/cb#frag".to_owned()])
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(
        err.to_string(),
        "Okta rejected redirect_uris: 'redirect_uris' must not contain a fragment identifier (E0000001, errorId oaeTEST123)"
    );
    assert_eq!(state.puts.get(), 1);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn concurrent_update_rejection_rereads_and_reapplies() {
    let state = AppServer {
        app: Arc::new(Mutex::new(app_json("0oa1", "before"))),
        ..Default::default()
    };
    state.conflicts.store(1, Ordering::SeqCst);
    let clock = FakeClock::at_fixed_time();
    let c = client(app_server(state.clone()).await, &clock);
    let updated = c
        .update_app_with("0oa1", |app| app.set_label("after"))
        .await
        .unwrap();
    assert_eq!(updated.label(), Some("after"));
    assert_eq!(
        updated.client_secret().unwrap().expose(),
        "returned-secret-on-put-XYZ"
    );
    assert_eq!((state.gets.get(), state.puts.get()), (2, 2));
    assert_eq!(clock.sleeps().len(), 1);
    // The second PUT carries the concurrent change it re-read, and everything else untouched.
    let bodies = state.put_bodies.lock().clone();
    assert_eq!(
        bodies[1]["settings"]["notes"]["enduser"],
        "changed concurrently"
    );
    assert_eq!(bodies[1]["settings"]["notes"]["admin"], "set elsewhere");
    assert_eq!(
        bodies[1]["settings"]["oauthClient"]["future_field"].to_string(),
        r#"{"n":1.50}"#
    );
    assert_eq!(c.app_locks().active(), 0);
}

#[tokio::test]
async fn unchanged_app_is_not_put() {
    let state = AppServer {
        app: Arc::new(Mutex::new(app_json("0oa1", "same"))),
        ..Default::default()
    };
    let clock = FakeClock::at_fixed_time();
    let c = client(app_server(state.clone()).await, &clock);
    c.update_app_with("0oa1", |app| app.set_label("same"))
        .await
        .unwrap();
    assert_eq!((state.gets.get(), state.puts.get()), (1, 0));
}

#[tokio::test]
async fn parallel_updates_of_one_app_are_serialized() {
    let state = AppServer {
        app: Arc::new(Mutex::new(app_json("0oa1", "l"))),
        ..Default::default()
    };
    let clock = FakeClock::at_fixed_time();
    let c = client(app_server(state.clone()).await, &clock);
    let mut tasks = Vec::new();
    for i in 0..5 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.update_app_with("0oa1", move |app| {
                let mut uris = app.redirect_uris().unwrap_or_default();
                uris.push(format!("https://host{i}/cb"));
                app.set_redirect_uris(&uris);
            })
            .await
            .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // No lost update: all five URIs made it.
    let uris = state.app.lock()["settings"]["oauthClient"]["redirect_uris"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(uris, 6);
}

// ----- rate-limit pacing ----------------------------------------------------------------------------

/// A fixed-window limiter driven by the shared fake clock, sending Okta's headers.
#[derive(Clone)]
struct Limited {
    clock: FakeClock,
    start: SystemTime,
    limit: u32,
    window: Arc<Mutex<(u64, u32)>>,
    served: Counter,
    rejected: Counter,
    max_in_window: Arc<AtomicUsize>,
}

async fn limited_get(State(s): State<Limited>, Path(id): Path<String>) -> Response {
    let now = s.clock.now();
    let elapsed = now.duration_since(s.start).unwrap().as_secs();
    let idx = elapsed / 60;
    let count = {
        let mut w = s.window.lock();
        if w.0 != idx {
            *w = (idx, 0);
        }
        w.1 += 1;
        w.1
    };
    s.max_in_window.fetch_max(count as usize, Ordering::SeqCst);
    let reset = s
        .start
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + (idx + 1) * 60;
    let mut resp = if count > s.limit {
        s.rejected.bump();
        okta_error(
            StatusCode::TOO_MANY_REQUESTS,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
            &[],
        )
    } else {
        s.served.bump();
        Json(app_json(&id, "l")).into_response()
    };
    let h = resp.headers_mut();
    h.insert("date", http_date(now));
    h.insert("x-rate-limit-limit", HeaderValue::from(s.limit));
    h.insert(
        "x-rate-limit-remaining",
        HeaderValue::from(s.limit.saturating_sub(count)),
    );
    h.insert("x-rate-limit-reset", HeaderValue::from(reset));
    resp
}

async fn run_paced(limit: u32, capacity: u8) -> (Limited, FakeClock) {
    let clock = FakeClock::at_fixed_time();
    let state = Limited {
        clock: clock.clone(),
        start: clock.now(),
        limit,
        window: Arc::default(),
        served: Counter::default(),
        rejected: Counter::default(),
        max_in_window: Arc::default(),
    };
    let url = serve(
        Router::new()
            .route("/api/v1/apps/{id}", get(limited_get))
            .with_state(state.clone()),
    )
    .await;
    let c = client_with(
        url,
        &clock,
        ClientConfig {
            max_api_capacity: capacity,
            ..Default::default()
        },
    );
    // terraform apply -parallelism=10: ten callers, thirty requests.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            for j in 0..3 {
                let id = format!("0oa{i}x{j}");
                assert!(c.apps().get(&id).await.unwrap().is_some());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (state, clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_parallel_callers_never_hit_a_429() {
    let (state, clock) = run_paced(10, 100).await;
    assert_eq!(state.rejected.get(), 0, "no request may be rejected");
    assert_eq!(state.served.get(), 30);
    assert!(state.max_in_window.load(Ordering::SeqCst) <= 10);
    let sleeps = clock.sleeps();
    assert!(
        sleeps.len() >= 2,
        "30 requests at 10/min need at least two waits for a reset: {sleeps:?}"
    );
    assert!(
        sleeps.iter().all(|s| *s <= Duration::from_secs(60)),
        "{sleeps:?}"
    );
}

#[tokio::test]
async fn max_api_capacity_leaves_a_reserve() {
    let (state, _clock) = run_paced(10, 50).await;
    assert_eq!(state.rejected.get(), 0);
    assert_eq!(state.served.get(), 30);
    assert!(
        state.max_in_window.load(Ordering::SeqCst) <= 5,
        "50 % of 10 per window"
    );
}

// ----- cancellation ---------------------------------------------------------------------------------

#[tokio::test]
async fn cancel_during_a_rate_limit_wait_returns_cancelled_at_once() {
    let calls = Counter::default();
    let c2 = calls.clone();
    let router = Router::new().route(
        "/api/v1/apps/{id}",
        get(move || {
            let calls = c2.clone();
            async move {
                calls.bump();
                let now = SystemTime::now();
                let mut r = okta_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "E0000047",
                    "API call exceeded rate limit due to too many requests.",
                    &[],
                );
                let reset = now
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap()
                    .as_secs()
                    + 45;
                r.headers_mut().insert("date", http_date(now));
                r.headers_mut()
                    .insert("x-rate-limit-reset", HeaderValue::from(reset));
                r
            }
        }),
    );
    let url = serve(router).await;
    let cancel = CancellationToken::new();
    let c = OktaClient::builder(url, TOKEN)
        .clock(Arc::new(SystemClock))
        .cancellation(cancel.clone())
        .build()
        .unwrap();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        c2.cancel();
    });
    let started = Instant::now();
    let err = c.apps().get("0oa1").await.unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(calls.get(), 1);
    // Once cancelled, nothing is sent any more.
    assert!(c.groups().get("00g1").await.unwrap_err().is_cancelled());
}

#[tokio::test]
async fn cancel_aborts_an_in_flight_request() {
    let router = Router::new().route(
        "/api/v1/groups/{id}",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(20)).await;
            Json(json!({}))
        }),
    );
    let cancel = CancellationToken::new();
    let c = OktaClient::builder(serve(router).await, TOKEN)
        .cancellation(cancel.clone())
        .build()
        .unwrap();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c2.cancel();
    });
    let started = Instant::now();
    assert!(c.groups().get("00g1").await.unwrap_err().is_cancelled());
    assert!(started.elapsed() < Duration::from_secs(3));
}

// ----- headers, tokens, pagination ------------------------------------------------------------------

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, HeaderMap)>>>);

#[tokio::test]
async fn sends_okta_headers_and_per_call_token_override() {
    let seen = Seen::default();
    let s1 = seen.clone();
    let s2 = seen.clone();
    let router = Router::new()
        .route(
            "/api/v1/users/me",
            get(move |headers: HeaderMap| {
                let seen = s1.clone();
                async move {
                    seen.0.lock().push(("me".into(), headers));
                    Json(json!({"id": "00u1", "status": "ACTIVE", "profile": {"login": "svc@example.com"}}))
                }
            }),
        )
        .route(
            "/api/v1/apps/{id}/lifecycle/deactivate",
            post(move |headers: HeaderMap| {
                let seen = s2.clone();
                async move {
                    seen.0.lock().push(("deactivate".into(), headers));
                    Json(json!({}))
                }
            }),
        );
    let clock = FakeClock::at_fixed_time();
    let c = client(serve(router).await, &clock);
    assert_eq!(
        c.users().me(None).await.unwrap().login(),
        Some("svc@example.com")
    );
    let other = Secret::new("00OTHERtokenBeingAdopted");
    c.users().me(Some(&other)).await.unwrap();
    c.apps().deactivate("0oa1").await.unwrap();

    let seen = seen.0.lock().clone();
    let h0 = &seen[0].1;
    assert_eq!(h0["authorization"], format!("SSWS {TOKEN}").as_str());
    assert_eq!(h0["accept"], "application/json");
    assert_eq!(h0["content-type"], "application/json");
    assert_eq!(
        h0["user-agent"],
        format!("terraform-provider-oktaidp/{}", env!("CARGO_PKG_VERSION")).as_str()
    );
    assert_eq!(seen[1].1["authorization"], "SSWS 00OTHERtokenBeingAdopted");
    // A body-less POST still says Content-Length: 0 (Okta answers 411 otherwise).
    assert_eq!(seen[2].0, "deactivate");
    assert_eq!(seen[2].1["content-length"], "0");
}

#[tokio::test]
async fn follows_link_pagination_within_the_org_only() {
    let router = Router::new().route(
        "/api/v1/apps/{id}/groups",
        get(
            |Path(id): Path<String>,
             axum::extract::RawQuery(q): axum::extract::RawQuery,
             headers: HeaderMap| async move {
                let host = headers["host"].to_str().unwrap().to_owned();
                let q = q.unwrap_or_default();
                let (items, next) = if q.contains("after=2") {
                    (vec![json!({"id": "00g3", "priority": 2})], None)
                } else if q.contains("after=1") {
                    (vec![json!({"id": "00g2", "priority": 1})], Some("after=2"))
                } else {
                    (vec![json!({"id": "00g1", "priority": 0})], Some("after=1"))
                };
                let mut resp = Json(items).into_response();
                let base = format!("http://{host}/api/v1/apps/{id}/groups");
                resp.headers_mut().append(
                    "link",
                    HeaderValue::from_str(&format!("<{base}?{q}>; rel=\"self\"")).unwrap(),
                );
                if let Some(n) = next {
                    let target = if id == "evil" {
                        format!("http://evil.example.com/api/v1/apps/{id}/groups")
                    } else {
                        base
                    };
                    resp.headers_mut().append(
                        "link",
                        HeaderValue::from_str(&format!("<{target}?{n}&limit=200>; rel=\"next\""))
                            .unwrap(),
                    );
                }
                resp
            },
        ),
    );
    let clock = FakeClock::at_fixed_time();
    let c = client(serve(router).await, &clock);
    let all = c.app_groups().list("0oa1").await.unwrap();
    let ids: Vec<_> = all.iter().map(|a| a.id.clone().unwrap()).collect();
    assert_eq!(ids, vec!["00g1", "00g2", "00g3"]);
    let err = c.app_groups().list("evil").await.unwrap_err();
    assert!(matches!(err, OktaError::InvalidRequest(_)), "{err}");
}

#[tokio::test]
async fn not_found_is_none_and_delete_of_missing_is_false() {
    let router = Router::new().route(
        "/api/v1/apps/{id}",
        get(|Path(id): Path<String>| async move {
            okta_error(
                StatusCode::NOT_FOUND,
                "E0000007",
                &format!("Not found: Resource not found: {id} (AppInstance)"),
                &[],
            )
        })
        .delete(|| async { okta_error(StatusCode::NOT_FOUND, "E0000007", "Not found", &[]) }),
    );
    let clock = FakeClock::at_fixed_time();
    let c = client(serve(router).await, &clock);
    assert!(c.apps().get("0oa404").await.unwrap().is_none());
    assert!(!c.apps().delete("0oa404").await.unwrap());
    assert!(clock.sleeps().is_empty());
}

// ----- redaction --------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct LogBuf(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_and_secrets_never_appear_in_logs_errors_or_debug() {
    let logs = LogBuf::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let secret = "ClientSecretValue-abcdefghijklmnopqrstuvwxyz0123456789";
    let router = Router::new()
        .route(
            "/api/v1/apps",
            post(move || async move {
                let mut app = app_json("0oa9", "new");
                app["credentials"]["oauthClient"]["client_secret"] = json!(secret);
                Json(app)
            }),
        )
        .route(
            "/api/v1/apps/{id}/credentials/secrets",
            get(move || async move {
                Json(json!([{"id": "ocs1", "status": "ACTIVE", "client_secret": secret}]))
            }),
        )
        .route(
            "/api/v1/users/me",
            get(|| async {
                okta_error(
                    StatusCode::UNAUTHORIZED,
                    "E0000011",
                    "Invalid token provided",
                    &[],
                )
            }),
        );
    let clock = FakeClock::at_fixed_time();
    let c = client(serve(router).await, &clock);
    let created = c
        .apps()
        .create(&oktaidp::okta::OidcApp::new("new", "web"), true)
        .await
        .unwrap();
    assert_eq!(created.client_secret().unwrap().expose(), secret);
    let secrets = c.app_secrets().list("0oa9").await.unwrap();
    let err = c
        .users()
        .me(Some(&Secret::new("00ADOPTEDtokenValue")))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));

    let rendered = [
        format!("{created:?}"),
        format!("{secrets:?}"),
        format!("{err}"),
        format!("{err:?}"),
        format!("{c:?}"),
        String::from_utf8_lossy(&logs.0.lock()).into_owned(),
    ];
    let logs_text = &rendered[5];
    assert!(
        logs_text.contains("okta response"),
        "debug logs are emitted: {logs_text}"
    );
    for text in &rendered {
        for needle in [TOKEN, secret, "00ADOPTEDtokenValue"] {
            assert!(!text.contains(needle), "{needle} leaked in: {text}");
        }
    }
}
