//! Crash safety of `okta-emulator --state`: the real binary is killed with SIGKILL at random
//! moments while many clients write (app, group and user creates, PUTs, group assignments,
//! memberships, secret rotations). After each restart on the same file: it loads, every write
//! that was answered 2xx is there (for PUTs: that value, or the one still in flight at the kill),
//! nothing is half-written (an app without an active secret, a dangling assignment or membership)
//! and no temporary file survives.
//!
//! `EMULATOR_CRASH_KILLS` sets the number of kills (default 50, at least 1);
//! `EMULATOR_CRASH_SEED` replays a run.

#![cfg(unix)]

use std::{
    collections::{BTreeMap, BTreeSet},
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use parking_lot::Mutex;
use rand::{rngs::StdRng, Rng, SeedableRng};
use reqwest::Method;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_okta-emulator");
const TOKEN: &str = "crash-test-token-0123456789";
const CLIENTS: usize = 12;
/// Reset the org once it holds this many objects, so saves (whole org per write) stay quick.
const MAX_OBJECTS: usize = 400;

/// What clients were told was saved. Each object is written by the one client that created
/// it, so its writes are ordered; `pending` holds a value whose write was sent but not answered.
#[derive(Default)]
struct Ledger {
    apps: BTreeMap<String, AppRec>,
    /// group id -> description
    groups: BTreeMap<String, Versioned>,
    users: BTreeSet<String>,
    /// (group id, user id)
    memberships: BTreeSet<(String, String)>,
    acked: usize,
}

#[derive(Default, Clone)]
struct Versioned {
    acked: String,
    pending: Option<String>,
}

impl Versioned {
    fn allows(&self, found: &str) -> bool {
        found == self.acked || self.pending.as_deref() == Some(found)
    }
}

#[derive(Default)]
struct AppRec {
    label: Versioned,
    /// secret id -> its record
    secrets: BTreeMap<String, SecretRec>,
    assigned: BTreeSet<String>,
}

#[derive(Clone)]
struct SecretRec {
    value: String,
    /// Deactivation answered 2xx.
    deactivated: bool,
    /// A delete was sent (answered or not): the secret may be gone.
    delete_sent: bool,
    /// The delete was answered 2xx: the secret must be gone.
    deleted: bool,
}

struct Emulator {
    child: Child,
    base: String,
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(".tmp-"))
        .collect()
}

fn start(state: &Path, log: &Path) -> Emulator {
    let log_file = std::fs::File::create(log).unwrap();
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--api-token", TOKEN])
        .args(["--rate-limit", "100000000", "--state"])
        .arg(state)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let Some(base) = line.trim().strip_prefix("okta-emulator listening on ") else {
        let status = child.wait().unwrap();
        panic!(
            "the emulator did not start on {} ({status}):\n{}",
            state.display(),
            std::fs::read_to_string(log).unwrap_or_default()
        );
    };
    Emulator {
        base: base.to_string(),
        child,
    }
}

enum Answer {
    Ok(Value),
    /// A non-2xx answer: a bug in this test or the emulator, counted and reported.
    Refused(u16, String),
    /// No answer: the emulator is gone.
    Gone,
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let mut req = http
        .request(method.clone(), format!("{base}{path}"))
        .header("Authorization", format!("SSWS {TOKEN}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let Ok(resp) = req.send().await else {
        return Answer::Gone;
    };
    let status = resp.status().as_u16();
    let Ok(text) = resp.text().await else {
        return Answer::Gone;
    };
    if (200..300).contains(&status) {
        Answer::Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    } else {
        Answer::Refused(status, format!("{method} {path}: {text}"))
    }
}

fn new_app(label: &str) -> Value {
    json!({
        "name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {"oauthClient": {"application_type": "web",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "redirect_uris": ["https://crash.example.com/cb"]}}
    })
}

/// The objects one client created (and alone writes to).
#[derive(Default)]
struct Own {
    apps: Vec<(String, Value)>,
    groups: Vec<(String, String)>,
    users: Vec<String>,
}

struct Client {
    http: reqwest::Client,
    base: String,
    ledger: Arc<Mutex<Ledger>>,
    refused: Arc<Mutex<Vec<String>>>,
    rng: StdRng,
    own: Own,
    tag: String,
    n: usize,
}

impl Client {
    fn name(&mut self, what: &str) -> String {
        self.n += 1;
        format!("{what}-{}-{}", self.tag, self.n)
    }

    /// Returns false once the emulator is gone.
    async fn step(&mut self) -> bool {
        let pick = self.rng.random_range(0..100);
        let has_app = !self.own.apps.is_empty();
        let has_group = !self.own.groups.is_empty();
        match pick {
            _ if !has_app => self.create_app().await,
            _ if !has_group => self.create_group().await,
            0..=11 => self.create_app().await,
            12..=23 => self.create_group().await,
            24..=31 => self.create_user().await,
            32..=47 => self.put_app().await,
            48..=61 => self.put_group().await,
            62..=75 => self.assign().await,
            76..=83 => self.add_member().await,
            _ => self.rotate_secret().await,
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Option<Value> {
        match call(&self.http, &self.base, method, path, body).await {
            Answer::Ok(v) => Some(v),
            Answer::Refused(status, what) => {
                self.refused.lock().push(format!("{status} {what}"));
                None
            }
            Answer::Gone => None,
        }
    }

    async fn create_app(&mut self) -> bool {
        let label = self.name("app");
        let Some(app) = self
            .send(Method::POST, "/api/v1/apps", Some(new_app(&label)))
            .await
        else {
            return false;
        };
        let id = app["id"].as_str().unwrap().to_string();
        let value = app["credentials"]["oauthClient"]["client_secret"]
            .as_str()
            .unwrap()
            .to_string();
        {
            let mut l = self.ledger.lock();
            l.acked += 1;
            l.apps.insert(
                id.clone(),
                AppRec {
                    label: Versioned {
                        acked: label,
                        pending: None,
                    },
                    ..Default::default()
                },
            );
        }
        // The first secret's id, to rotate it later (a read: not a write to check).
        let Some(list) = self
            .send(
                Method::GET,
                &format!("/api/v1/apps/{id}/credentials/secrets"),
                None,
            )
            .await
        else {
            return false;
        };
        let secret_id = list[0]["id"].as_str().unwrap().to_string();
        assert_eq!(list[0]["client_secret"], value.as_str());
        self.record_secret(&id, secret_id, value);
        let mut body = app.clone();
        // A PUT carrying a client_secret would replace the app's secrets.
        if let Some(c) = body["credentials"]["oauthClient"].as_object_mut() {
            c.remove("client_secret");
        }
        self.own.apps.push((id, body));
        true
    }

    fn record_secret(&self, app: &str, id: String, value: String) {
        if let Some(a) = self.ledger.lock().apps.get_mut(app) {
            a.secrets.insert(
                id,
                SecretRec {
                    value,
                    deactivated: false,
                    delete_sent: false,
                    deleted: false,
                },
            );
        }
    }

    async fn create_group(&mut self) -> bool {
        let name = self.name("group");
        let desc = format!("{name} v0");
        let body = json!({"profile": {"name": name, "description": desc}});
        let Some(group) = self.send(Method::POST, "/api/v1/groups", Some(body)).await else {
            return false;
        };
        let id = group["id"].as_str().unwrap().to_string();
        let mut l = self.ledger.lock();
        l.acked += 1;
        l.groups.insert(
            id.clone(),
            Versioned {
                acked: desc,
                pending: None,
            },
        );
        drop(l);
        self.own.groups.push((id, name));
        true
    }

    async fn create_user(&mut self) -> bool {
        let login = format!("{}@crash.example.com", self.name("user"));
        let body = json!({"profile": {"firstName": "Crash", "lastName": "Test",
                                      "email": login, "login": login}});
        let Some(user) = self
            .send(Method::POST, "/api/v1/users?activate=true", Some(body))
            .await
        else {
            return false;
        };
        let id = user["id"].as_str().unwrap().to_string();
        let mut l = self.ledger.lock();
        l.acked += 1;
        l.users.insert(id.clone());
        drop(l);
        self.own.users.push(id);
        true
    }

    async fn put_app(&mut self) -> bool {
        let i = self.rng.random_range(0..self.own.apps.len());
        let label = self.name("app-put");
        let (id, mut body) = self.own.apps[i].clone();
        body["label"] = json!(label);
        if let Some(a) = self.ledger.lock().apps.get_mut(&id) {
            a.label.pending = Some(label.clone());
        }
        let answer = self
            .send(Method::PUT, &format!("/api/v1/apps/{id}"), Some(body))
            .await;
        let Some(app) = answer else { return false };
        let mut l = self.ledger.lock();
        l.acked += 1;
        if let Some(a) = l.apps.get_mut(&id) {
            a.label = Versioned {
                acked: label,
                pending: None,
            };
        }
        drop(l);
        let mut body = app;
        if let Some(c) = body["credentials"]["oauthClient"].as_object_mut() {
            c.remove("client_secret");
        }
        self.own.apps[i].1 = body;
        true
    }

    async fn put_group(&mut self) -> bool {
        let i = self.rng.random_range(0..self.own.groups.len());
        let (id, name) = self.own.groups[i].clone();
        let desc = self.name(&format!("{name} v"));
        if let Some(g) = self.ledger.lock().groups.get_mut(&id) {
            g.pending = Some(desc.clone());
        }
        let body = json!({"profile": {"name": name, "description": desc}});
        if self
            .send(Method::PUT, &format!("/api/v1/groups/{id}"), Some(body))
            .await
            .is_none()
        {
            return false;
        }
        let mut l = self.ledger.lock();
        l.acked += 1;
        l.groups.insert(
            id,
            Versioned {
                acked: desc,
                pending: None,
            },
        );
        true
    }

    async fn assign(&mut self) -> bool {
        let app = self.own.apps[self.rng.random_range(0..self.own.apps.len())]
            .0
            .clone();
        let group = self.own.groups[self.rng.random_range(0..self.own.groups.len())]
            .0
            .clone();
        let path = format!("/api/v1/apps/{app}/groups/{group}");
        if self
            .send(Method::PUT, &path, Some(json!({})))
            .await
            .is_none()
        {
            return false;
        }
        let mut l = self.ledger.lock();
        l.acked += 1;
        if let Some(a) = l.apps.get_mut(&app) {
            a.assigned.insert(group);
        }
        true
    }

    async fn add_member(&mut self) -> bool {
        if self.own.users.is_empty() {
            return self.create_user().await;
        }
        let user = self.own.users[self.rng.random_range(0..self.own.users.len())].clone();
        let group = self.own.groups[self.rng.random_range(0..self.own.groups.len())]
            .0
            .clone();
        let path = format!("/api/v1/groups/{group}/users/{user}");
        if self.send(Method::PUT, &path, None).await.is_none() {
            return false;
        }
        let mut l = self.ledger.lock();
        l.acked += 1;
        l.memberships.insert((group, user));
        true
    }

    /// Add a secret, deactivate the oldest other one, delete it: three acknowledged writes.
    async fn rotate_secret(&mut self) -> bool {
        let app = self.own.apps[self.rng.random_range(0..self.own.apps.len())]
            .0
            .clone();
        let base = format!("/api/v1/apps/{app}/credentials/secrets");
        let Some(new) = self.send(Method::POST, &base, Some(json!({}))).await else {
            return false;
        };
        let new_id = new["id"].as_str().unwrap().to_string();
        let value = new["client_secret"].as_str().unwrap().to_string();
        self.ledger.lock().acked += 1;
        self.record_secret(&app, new_id.clone(), value);
        let old = self.ledger.lock().apps.get(&app).and_then(|a| {
            a.secrets
                .iter()
                .find(|(id, s)| **id != new_id && !s.delete_sent)
                .map(|(id, _)| id.clone())
        });
        let Some(old) = old else { return true };
        let path = format!("{base}/{old}/lifecycle/deactivate");
        if self.send(Method::POST, &path, None).await.is_none() {
            return false;
        }
        {
            let mut l = self.ledger.lock();
            l.acked += 1;
            if let Some(s) = l.apps.get_mut(&app).and_then(|a| a.secrets.get_mut(&old)) {
                s.deactivated = true;
            }
        }
        self.set_secret(&app, &old, |s| s.delete_sent = true);
        if self
            .send(Method::DELETE, &format!("{base}/{old}"), None)
            .await
            .is_none()
        {
            return false;
        }
        self.ledger.lock().acked += 1;
        self.set_secret(&app, &old, |s| s.deleted = true);
        true
    }

    fn set_secret(&self, app: &str, id: &str, f: impl FnOnce(&mut SecretRec)) {
        if let Some(s) = self
            .ledger
            .lock()
            .apps
            .get_mut(app)
            .and_then(|a| a.secrets.get_mut(id))
        {
            f(s);
        }
    }
}

/// Checks the restarted org against the ledger and for half-written objects.
fn verify(state: &Value, ledger: &Ledger) -> Result<(), String> {
    let mut errors = Vec::new();
    let groups: BTreeMap<&str, &Value> = state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["id"].as_str().unwrap(), g))
        .collect();
    let users: BTreeSet<&str> = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    let apps: BTreeMap<&str, &Value> = state["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["app"]["id"].as_str().unwrap(), a))
        .collect();
    let memberships: BTreeSet<(String, String)> = state["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["groupId"].as_str().unwrap().to_string(),
                m["userId"].as_str().unwrap().to_string(),
            )
        })
        .collect();

    // Nothing half-written, acknowledged or not.
    for (id, a) in &apps {
        if a["app"]["credentials"]["oauthClient"]["client_id"]
            .as_str()
            .is_none()
        {
            errors.push(format!("app {id} has no client_id"));
        }
        let secrets = a["secrets"].as_array().unwrap();
        if !secrets.iter().any(|s| s["status"] == "ACTIVE") {
            errors.push(format!("app {id} has no active client secret"));
        }
        for g in a["groups"].as_array().unwrap() {
            let gid = g["id"].as_str().unwrap();
            if !groups.contains_key(gid) {
                errors.push(format!("app {id} is assigned to missing group {gid}"));
            }
        }
    }
    for (g, u) in &memberships {
        if !groups.contains_key(g.as_str()) || !users.contains(u.as_str()) {
            errors.push(format!("membership ({g}, {u}) is dangling"));
        }
    }

    // Every acknowledged write is there.
    for (id, want) in &ledger.apps {
        let Some(a) = apps.get(id.as_str()) else {
            errors.push(format!("acknowledged app {id} is missing"));
            continue;
        };
        let label = a["app"]["label"].as_str().unwrap_or_default();
        if !want.label.allows(label) {
            errors.push(format!(
                "app {id}: label {label:?}, acknowledged {:?}",
                want.label.acked
            ));
        }
        let found: BTreeMap<&str, &Value> = a["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_str().unwrap(), s))
            .collect();
        for (sid, s) in &want.secrets {
            match found.get(sid.as_str()) {
                Some(_) if s.deleted => {
                    errors.push(format!("app {id}: deleted secret {sid} is back"))
                }
                Some(f) => {
                    if f["client_secret"] != s.value.as_str() {
                        errors.push(format!("app {id}: secret {sid} has another value"));
                    }
                    if s.deactivated && f["status"] != "INACTIVE" {
                        errors.push(format!("app {id}: deactivated secret {sid} is active"));
                    }
                }
                None if !s.delete_sent => {
                    errors.push(format!("app {id}: acknowledged secret {sid} is missing"))
                }
                None => {}
            }
        }
        let assigned: BTreeSet<&str> = a["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap())
            .collect();
        for g in &want.assigned {
            if !assigned.contains(g.as_str()) {
                errors.push(format!(
                    "app {id}: acknowledged assignment of {g} is missing"
                ));
            }
        }
    }
    for (id, want) in &ledger.groups {
        match groups.get(id.as_str()) {
            None => errors.push(format!("acknowledged group {id} is missing")),
            Some(g) => {
                let desc = g["profile"]["description"].as_str().unwrap_or_default();
                if !want.allows(desc) {
                    errors.push(format!(
                        "group {id}: description {desc:?}, acknowledged {:?}",
                        want.acked
                    ));
                }
            }
        }
    }
    for id in &ledger.users {
        if !users.contains(id.as_str()) {
            errors.push(format!("acknowledged user {id} is missing"));
        }
    }
    for m in &ledger.memberships {
        if !memberships.contains(m) {
            errors.push(format!("acknowledged membership {m:?} is missing"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

fn kills() -> usize {
    std::env::var("EMULATOR_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
        .max(1)
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("org.json");
    let log = dir.path().join("emulator.log");
    let seed: u64 = std::env::var("EMULATOR_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    let mut rng = StdRng::seed_from_u64(seed);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let refused = Arc::new(Mutex::new(Vec::new()));
    let kills = kills();
    let started = Instant::now();
    let (mut total_acked, mut temps_left, mut resets) = (0usize, 0usize, 0usize);

    // A torn temp file as a kill mid-save leaves it: ignored and removed at start.
    std::fs::write(
        dir.path().join(".org.json.tmp-4242-0"),
        "{\"version\":1,\"or",
    )
    .unwrap();
    let mut emu = start(&state, &log);
    for round in 0..kills {
        assert!(
            temp_files(dir.path()).is_empty(),
            "round {round}: temp files survived the start: {:?}",
            temp_files(dir.path())
        );
        let stop = Arc::new(AtomicBool::new(false));
        let steps = Arc::new(AtomicUsize::new(0));
        let before = ledger.lock().acked;
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let mut client = Client {
                    http: http.clone(),
                    base: emu.base.clone(),
                    ledger: ledger.clone(),
                    refused: refused.clone(),
                    rng: StdRng::seed_from_u64(seed ^ ((round * CLIENTS + i) as u64 + 1)),
                    own: Own::default(),
                    tag: format!("r{round}c{i}"),
                    n: 0,
                };
                let stop = stop.clone();
                let steps = steps.clone();
                rt.spawn(async move {
                    while !stop.load(Ordering::Relaxed) && client.step().await {
                        steps.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        // Kill at a random moment of the storm, once it has got going (one write answered), so
        // every round checks something however slow the machine is.
        let waiting = Instant::now();
        while ledger.lock().acked == before && waiting.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(0..300)));
        emu.child.kill().unwrap();
        emu.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        rt.block_on(async {
            for t in tasks {
                t.await.unwrap();
            }
        });
        let acked = ledger.lock().acked - before;
        total_acked += acked;
        if std::env::var_os("EMULATOR_CRASH_VERBOSE").is_some() {
            println!(
                "round {round}: {acked} acknowledged, {} steps",
                steps.load(Ordering::Relaxed)
            );
        }

        // The file on disk is whole JSON whatever the moment of the kill.
        let text = std::fs::read_to_string(&state).unwrap();
        if let Err(e) = serde_json::from_str::<Value>(&text) {
            panic!("round {round}: state file is torn ({e}), seed {seed}");
        }
        if !temp_files(dir.path()).is_empty() {
            temps_left += 1;
        }

        let restart = Instant::now();
        emu = start(&state, &log);
        if std::env::var_os("EMULATOR_CRASH_VERBOSE").is_some() {
            println!("round {round}: restart took {:?}", restart.elapsed());
        }
        let dump = rt.block_on(async {
            http.get(format!("{}/__emulator/state", emu.base))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        });
        if let Err(e) = verify(&dump, &ledger.lock()) {
            panic!("round {round} (seed {seed}, {acked} writes acknowledged):\n{e}");
        }
        let objects = dump["apps"].as_array().unwrap().len()
            + dump["groups"].as_array().unwrap().len()
            + dump["users"].as_array().unwrap().len();
        if objects > MAX_OBJECTS {
            // Built inside the runtime: the client's request timeout needs its timer.
            let reset = rt.block_on(async {
                http.post(format!("{}/__emulator/reset", emu.base))
                    .send()
                    .await
            });
            assert_eq!(reset.unwrap().status(), 204);
            *ledger.lock() = Ledger::default();
            resets += 1;
        }
    }
    emu.child.kill().unwrap();
    emu.child.wait().unwrap();
    let refused = refused.lock();
    assert!(
        refused.is_empty(),
        "writes refused during the storm (seed {seed}):\n{}",
        refused.join("\n")
    );
    assert!(
        total_acked >= kills,
        "too few writes acknowledged ({total_acked}) for {kills} kills: the storm did not run"
    );
    println!(
        "emulator_crash: {kills} kills, {total_acked} acknowledged writes checked, \
         {temps_left} kills left a temp file, {resets} resets, seed {seed}, {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
