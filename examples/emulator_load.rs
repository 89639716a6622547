//! Load generator for okta-emulator (`scripts/bench-emulator.sh` runs it): N concurrent clients
//! send M requests mixed like a large `terraform plan` and `apply` against one org (mostly reads
//! of apps, their group assignments and group lists; some app creates and PUTs, assignments,
//! secret rotations, a few deletes). Every request is valid by construction: reads go to any
//! app, writes only to the client's own apps and assignments it knows. Prints throughput, p50/p99/max latency, answers by status
//! and the emulator's peak RSS (VmHWM of `--pid`). Exits 1 on any answer that is not 2xx or 429,
//! or on any transport error or timeout (10 s per request); prints progress every 5 s and
//! exits 3 when nothing answers for 30 s.
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
    /// Every setup app's id; any client may read any of them (none is ever deleted).
    app_ids: Vec<String>,
    groups: Vec<String>,
}

/// An app one client owns: only that client writes to it, so its writes are valid by
/// construction (assignments it knows, one secret rotation at a time).
struct OwnedApp {
    id: String,
    body: Value,
    /// Groups assigned to the app, as this client last left them.
    assigned: Vec<String>,
}

/// One answer: status (0 = transport error or timeout) and latency.
type Sample = (u16, Duration);

impl Org {
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (Sample, Value) {
        let started = Instant::now();
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.url))
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
            Err(e) => {
                // The request line only: the token travels in a header and is never printed.
                let why = if e.is_timeout() {
                    "timed out"
                } else {
                    "failed"
                };
                eprintln!("emulator_load: {method} {path} {why}: {e}");
                (0, Value::Null)
            }
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

const GROUPS: usize = 40;
const APPS: usize = 100;

/// Setup, untimed: 40 groups and 100 apps with two assignments each, like a large
/// configuration. App `i` belongs to client `i % clients`; returns each client's apps.
async fn setup(
    http: reqwest::Client,
    url: &str,
    token: &str,
    clients: usize,
) -> Result<(Org, Vec<Vec<OwnedApp>>), String> {
    let mut org = Org {
        http,
        url: url.to_string(),
        token: token.to_string(),
        app_ids: Vec::new(),
        groups: Vec::new(),
    };
    let mut owned: Vec<Vec<OwnedApp>> = (0..clients).map(|_| Vec::new()).collect();
    for i in 0..GROUPS {
        let body = json!({"profile": {"name": format!("load-group-{i}")}});
        let ((status, _), g) = org.call(Method::POST, "/api/v1/groups", Some(&body)).await;
        let id = g["id"].as_str().ok_or(format!("group create: {status}"))?;
        org.groups.push(id.to_string());
    }
    for i in 0..APPS.max(clients) {
        let label = format!("load-app-{i}");
        let ((status, _), a) = org
            .call(Method::POST, "/api/v1/apps", Some(&app_body(&label)))
            .await;
        let id = a["id"].as_str().ok_or(format!("app create: {status}"))?;
        let id = id.to_string();
        let mut assigned = Vec::new();
        for g in [&org.groups[i % GROUPS], &org.groups[(i + 7) % GROUPS]] {
            let path = format!("/api/v1/apps/{id}/groups/{g}");
            let ((status, _), _) = org.call(Method::PUT, &path, Some(&json!({}))).await;
            if !(200..300).contains(&status) {
                return Err(format!("assignment: {status}"));
            }
            assigned.push(g.clone());
        }
        let mut body = a;
        if let Some(c) = body["credentials"]["oauthClient"].as_object_mut() {
            c.remove("client_secret");
        }
        org.app_ids.push(id.clone());
        owned[i % clients].push(OwnedApp { id, body, assigned });
    }
    Ok((org, owned))
}

/// One client's objects and dice.
struct Client {
    rng: StdRng,
    apps: Vec<OwnedApp>,
    /// Apps this client created during the run, deleted later in the run.
    created: Vec<String>,
}

/// One step of a plan/apply-like mix; returns its samples (a rotation is four requests).
/// Reads go to any app; writes only to this client's own apps, so every request is valid.
async fn step(org: &Org, c: &mut Client) -> Vec<Sample> {
    let any_app = &org.app_ids[c.rng.random_range(0..org.app_ids.len())];
    let own = c.rng.random_range(0..c.apps.len());
    let pick = c.rng.random_range(0..1000);
    match pick {
        // Refresh: read apps and their assignments and secrets, list groups by name.
        0..=349 => {
            let path = format!("/api/v1/apps/{any_app}");
            vec![org.call(Method::GET, &path, None).await.0]
        }
        350..=549 => {
            let path = format!("/api/v1/apps/{any_app}/groups?limit=200");
            vec![org.call(Method::GET, &path, None).await.0]
        }
        550..=699 => {
            let path = format!(
                "/api/v1/groups?q=load-group-{}",
                c.rng.random_range(0..GROUPS)
            );
            vec![org.call(Method::GET, &path, None).await.0]
        }
        700..=749 => {
            let path = format!("/api/v1/apps/{any_app}/credentials/secrets");
            vec![org.call(Method::GET, &path, None).await.0]
        }
        // Apply: PUT an app, assign or unassign a group, create an app, rotate a secret, delete.
        750..=829 => {
            let mut body = c.apps[own].body.clone();
            body["label"] = json!(format!("load-app-put-{}", c.rng.random::<u32>()));
            let path = format!("/api/v1/apps/{}", c.apps[own].id);
            vec![org.call(Method::PUT, &path, Some(&body)).await.0]
        }
        830..=899 => {
            let group = org.groups[c.rng.random_range(0..org.groups.len())].clone();
            let app = &mut c.apps[own];
            let path = format!("/api/v1/apps/{}/groups/{group}", app.id);
            let sample = org.call(Method::PUT, &path, Some(&json!({}))).await.0;
            if !app.assigned.contains(&group) {
                app.assigned.push(group);
            }
            vec![sample]
        }
        900..=939 => {
            let label = format!("load-new-{}", c.rng.random::<u32>());
            let (sample, created) = org
                .call(Method::POST, "/api/v1/apps", Some(&app_body(&label)))
                .await;
            if let Some(id) = created["id"].as_str() {
                c.created.push(id.to_string());
            }
            vec![sample]
        }
        940..=969 => rotate(org, &c.apps[own].id).await,
        970..=984 => {
            let app = &mut c.apps[own];
            if app.assigned.is_empty() {
                let path = format!("/api/v1/apps/{}/groups?limit=200", app.id);
                return vec![org.call(Method::GET, &path, None).await.0];
            }
            let group = app
                .assigned
                .swap_remove(c.rng.random_range(0..app.assigned.len()));
            let path = format!("/api/v1/apps/{}/groups/{group}", app.id);
            vec![org.call(Method::DELETE, &path, None).await.0]
        }
        _ => match c.created.pop() {
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

/// New secret, then deactivate and delete the other one. Only the app's owner rotates, one
/// rotation at a time, so the app holds one secret between rotations and two during one
/// (Okta's limit is two).
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

/// Longest a single request may take before it counts as failed (status 0).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the run may go without a single answer before it is declared hung.
const STALL: Duration = Duration::from_secs(30);

/// Prints progress every five seconds; exits the process (code 3) when no request has
/// finished for `STALL`, so a hang fails loudly instead of printing nothing.
async fn progress(done: Arc<AtomicUsize>, total: usize, started: Instant) {
    let mut last = (0, Instant::now());
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let now = done.load(Ordering::Relaxed);
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "progress: {now}/{total} requests in {secs:.0}s ({:.0} req/s)",
            now as f64 / secs
        );
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() >= STALL {
            eprintln!(
                "emulator_load: no answer for {}s at {now}/{total}: hung",
                STALL.as_secs()
            );
            std::process::exit(3);
        }
    }
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
        .timeout(REQUEST_TIMEOUT)
        .build()
    {
        Ok(h) => h,
        Err(e) => {
            eprintln!("emulator_load: client: {e}");
            return ExitCode::FAILURE;
        }
    };
    let setup_started = Instant::now();
    let (org, owned) = match setup(http, &args.url, &args.token, args.clients).await {
        Ok((o, owned)) => (Arc::new(o), owned),
        Err(e) => {
            eprintln!("emulator_load: setup failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "setup: {} groups, {} apps in {:.1}s",
        org.groups.len(),
        org.app_ids.len(),
        setup_started.elapsed().as_secs_f64()
    );
    // Requests claimed so far: a step claims one before it starts and the rest of its
    // requests when it ends, so the run stops within a few requests of --requests.
    let claimed = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let watchdog = tokio::spawn(progress(done.clone(), args.requests, started));
    let tasks: Vec<_> = owned
        .into_iter()
        .enumerate()
        .map(|(i, apps)| {
            let org = org.clone();
            let claimed = claimed.clone();
            let done = done.clone();
            let requests = args.requests;
            tokio::spawn(async move {
                let mut client = Client {
                    rng: StdRng::seed_from_u64(i as u64 + 1),
                    apps,
                    created: Vec::new(),
                };
                let mut samples = Vec::new();
                while claimed
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                        (c < requests).then_some(c + 1)
                    })
                    .is_ok()
                {
                    let s = step(&org, &mut client).await;
                    claimed.fetch_add(s.len().saturating_sub(1), Ordering::Relaxed);
                    done.fetch_add(s.len(), Ordering::Relaxed);
                    samples.extend(s);
                }
                samples
            })
        })
        .collect();
    let mut samples: Vec<Sample> = Vec::with_capacity(args.requests + args.clients * 4);
    for t in tasks {
        match t.await {
            Ok(s) => samples.extend(s),
            Err(e) => {
                eprintln!("emulator_load: a client failed: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    watchdog.abort();
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
