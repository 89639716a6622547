//! Load generator for okta-emulator (`scripts/bench-emulator.sh` runs it): N concurrent clients
//! send M requests mixed like a large `terraform plan` and `apply` against one org (mostly reads
//! of apps, their group assignments and group lists; some app creates and PUTs, assignments,
//! secret rotations, a few deletes). Prints throughput, p50/p99/max latency, answers by status
//! and the emulator's peak RSS (VmHWM of `--pid`). Exits 1 on any answer that is not 2xx or 429,
//! or on any transport error.
//!
//! `cargo run --release --example emulator_load -- --url URL --token T [--clients 50]
//! [--requests 20000] [--pid PID]`

use std::{
    collections::BTreeMap,
    process::ExitCode,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use rand::{rngs::StdRng, Rng, SeedableRng};
use reqwest::Method;
use serde_json::{json, Value};

struct Args {
    url: String,
    token: String,
    clients: usize,
    requests: usize,
    pid: Option<u32>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        url: String::new(),
        token: String::new(),
        clients: 50,
        requests: 20_000,
        pid: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--token" => args.token = value()?,
            "--clients" => args.clients = value()?.parse().map_err(|e| format!("{e}"))?,
            "--requests" => args.requests = value()?.parse().map_err(|e| format!("{e}"))?,
            "--pid" => args.pid = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.url.is_empty() || args.token.is_empty() || args.clients == 0 {
        return Err("--url and --token are required, --clients at least 1".into());
    }
    Ok(args)
}

/// What the clients share: the org as set up before the clock starts.
struct Org {
    http: reqwest::Client,
    url: String,
    token: String,
    apps: Vec<(String, Value)>,
    groups: Vec<String>,
}

/// One answer: status (0 = transport error) and latency.
type Sample = (u16, Duration);

impl Org {
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (Sample, Value) {
        let started = Instant::now();
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header("Authorization", format!("SSWS {}", self.token))
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        let (status, value) = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let value = resp.json::<Value>().await.unwrap_or(Value::Null);
                (status, value)
            }
            Err(_) => (0, Value::Null),
        };
        ((status, started.elapsed()), value)
    }
}

fn app_body(label: &str) -> Value {
    json!({
        "name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {"oauthClient": {"application_type": "web",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "redirect_uris": ["https://authenticate.example.com/oauth2/callback"]}}
    })
}

/// Setup, untimed: 40 groups and 100 apps with two assignments each, like a large configuration.
async fn setup(http: reqwest::Client, url: &str, token: &str) -> Result<Org, String> {
    let mut org = Org {
        http,
        url: url.to_string(),
        token: token.to_string(),
        apps: Vec::new(),
        groups: Vec::new(),
    };
    for i in 0..40 {
        let body = json!({"profile": {"name": format!("load-group-{i}")}});
        let ((status, _), g) = org.call(Method::POST, "/api/v1/groups", Some(&body)).await;
        let id = g["id"].as_str().ok_or(format!("group create: {status}"))?;
        org.groups.push(id.to_string());
    }
    for i in 0..100 {
        let ((status, _), a) = org
            .call(
                Method::POST,
                "/api/v1/apps",
                Some(&app_body(&format!("load-app-{i}"))),
            )
            .await;
        let id = a["id"].as_str().ok_or(format!("app create: {status}"))?;
        let id = id.to_string();
        for g in [&org.groups[i % 40], &org.groups[(i + 7) % 40]] {
            let path = format!("/api/v1/apps/{id}/groups/{g}");
            org.call(Method::PUT, &path, Some(&json!({}))).await;
        }
        let mut body = a;
        if let Some(c) = body["credentials"]["oauthClient"].as_object_mut() {
            c.remove("client_secret");
        }
        org.apps.push((id, body));
    }
    Ok(org)
}

/// One step of a plan/apply-like mix; returns its samples (a rotation is three requests).
async fn step(org: &Org, rng: &mut StdRng, own: &mut Vec<String>) -> Vec<Sample> {
    let (app, body) = &org.apps[rng.random_range(0..org.apps.len())];
    let group = &org.groups[rng.random_range(0..org.groups.len())];
    let pick = rng.random_range(0..1000);
    match pick {
        // Refresh: read every app and its assignments, list groups by name.
        0..=349 => vec![
            org.call(Method::GET, &format!("/api/v1/apps/{app}"), None)
                .await
                .0,
        ],
        350..=549 => {
            let path = format!("/api/v1/apps/{app}/groups?limit=200");
            vec![org.call(Method::GET, &path, None).await.0]
        }
        550..=699 => {
            let path = format!("/api/v1/groups?q=load-group-{}", rng.random_range(0..40));
            vec![org.call(Method::GET, &path, None).await.0]
        }
        700..=749 => {
            let path = format!("/api/v1/apps/{app}/credentials/secrets");
            vec![org.call(Method::GET, &path, None).await.0]
        }
        // Apply: PUT an app, assign a group, create an app, rotate a secret, delete.
        750..=829 => {
            let mut body = body.clone();
            body["label"] = json!(format!("load-app-put-{}", rng.random::<u32>()));
            let path = format!("/api/v1/apps/{app}");
            vec![org.call(Method::PUT, &path, Some(&body)).await.0]
        }
        830..=899 => {
            let path = format!("/api/v1/apps/{app}/groups/{group}");
            vec![org.call(Method::PUT, &path, Some(&json!({}))).await.0]
        }
        900..=939 => {
            let label = format!("load-new-{}", rng.random::<u32>());
            let (sample, created) = org
                .call(Method::POST, "/api/v1/apps", Some(&app_body(&label)))
                .await;
            if let Some(id) = created["id"].as_str() {
                own.push(id.to_string());
            }
            vec![sample]
        }
        940..=969 => rotate(org, app).await,
        970..=984 => {
            let path = format!("/api/v1/apps/{app}/groups/{group}");
            vec![org.call(Method::DELETE, &path, None).await.0]
        }
        _ => match own.pop() {
            // Okta deletes only inactive apps: deactivate, then delete.
            Some(id) => {
                let path = format!("/api/v1/apps/{id}/lifecycle/deactivate");
                let a = org.call(Method::POST, &path, None).await.0;
                let b = org
                    .call(Method::DELETE, &format!("/api/v1/apps/{id}"), None)
                    .await
                    .0;
                vec![a, b]
            }
            None => vec![org.call(Method::GET, "/api/v1/apps?limit=20", None).await.0],
        },
    }
}

/// New secret, then deactivate and delete the oldest other one.
async fn rotate(org: &Org, app: &str) -> Vec<Sample> {
    let base = format!("/api/v1/apps/{app}/credentials/secrets");
    let (created, new) = org.call(Method::POST, &base, Some(&json!({}))).await;
    let mut samples = vec![created];
    let (listed, list) = org.call(Method::GET, &base, None).await;
    samples.push(listed);
    let old = list.as_array().and_then(|l| {
        l.iter()
            .filter_map(|s| s["id"].as_str())
            .find(|id| Some(*id) != new["id"].as_str())
            .map(str::to_string)
    });
    if let Some(old) = old {
        let path = format!("{base}/{old}/lifecycle/deactivate");
        samples.push(org.call(Method::POST, &path, None).await.0);
        samples.push(
            org.call(Method::DELETE, &format!("{base}/{old}"), None)
                .await
                .0,
        );
    }
    samples
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("emulator_load: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("emulator_load: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    let http = match reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(args.clients)
        .timeout(Duration::from_secs(60))
        .build()
    {
        Ok(h) => h,
        Err(e) => {
            eprintln!("emulator_load: client: {e}");
            return ExitCode::FAILURE;
        }
    };
    let org = match setup(http, &args.url, &args.token).await {
        Ok(o) => Arc::new(o),
        Err(e) => {
            eprintln!("emulator_load: setup failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let budget = Arc::new(AtomicUsize::new(args.requests));
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.clients)
        .map(|i| {
            let org = org.clone();
            let budget = budget.clone();
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(i as u64 + 1);
                let mut own = Vec::new();
                let mut samples = Vec::new();
                // Each step takes its requests from the shared budget before sending them.
                while budget
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
                    .is_ok()
                {
                    samples.extend(step(&org, &mut rng, &mut own).await);
                }
                samples
            })
        })
        .collect();
    let mut samples: Vec<Sample> = Vec::with_capacity(args.requests + args.requests / 10);
    for t in tasks {
        match t.await {
            Ok(s) => samples.extend(s),
            Err(e) => {
                eprintln!("emulator_load: a client failed: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let elapsed = started.elapsed();
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    for (status, _) in &samples {
        *by_status.entry(*status).or_default() += 1;
    }
    let mut lat: Vec<Duration> = samples.iter().map(|(_, d)| *d).collect();
    lat.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "requests {} in {:.2}s: {:.0} req/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        samples.len(),
        elapsed.as_secs_f64(),
        samples.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default()),
    );
    let statuses: Vec<String> = by_status.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    println!("by status: {}", statuses.join(", "));
    if let Some(pid) = args.pid {
        match peak_rss_kib(pid) {
            Some(kib) => println!("emulator peak RSS (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
            None => println!("emulator peak RSS: /proc/{pid}/status not readable"),
        }
    }
    let bad: usize = by_status
        .iter()
        .filter(|(s, _)| !(200..300).contains(*s) && **s != 429)
        .map(|(_, n)| n)
        .sum();
    if bad > 0 {
        eprintln!("emulator_load: {bad} answers were neither 2xx nor 429");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
