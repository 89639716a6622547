//! Fault matrix: every Okta call each operation makes (found from the emulator's request log),
//! crossed with five faults, each cell one Terraform run with that single fault on the first
//! matching call. Invariants per cell: the operation succeeds or fails with a Terraform error;
//! one more apply converges to an empty plan; the org holds what a clean run leaves (nothing
//! orphaned or duplicated, nothing lost) and every app belongs to state or the seed; no secret
//! in Terraform's output, the provider's log, the emulator's log or its request log. The table is
//! `docs/reliability.md`, checked for drift; `OKTAIDP_WRITE_RELIABILITY=1` rewrites it.
//!
//! `OKTAIDP_FAULT_MATRIX`: `full` runs every cell (about 11 minutes on 2 cores); `off` skips;
//! unset runs the CI subset (the late-landing operations and every fifth other operation; each
//! row one fault, cycling through the kinds, and every fault on the late-landing PUT rows) and
//! compares just those cells with the committed table. `OKTAIDP_FAULT_WORKERS` (default 4);
//! `OKTAIDP_FAULT_ONLY=text` keeps the scenarios whose name contains `text`.

mod report;
mod scenarios;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::terraform::{Run, Terraform, Workspace, SKIPPED};
use scenarios::{Action, Scenario};

const SYNC_TOKEN: &str = "00faultmatrix-sync-token-0123456789abcdefgh";
const REPORT: &str = "docs/reliability.md";

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Status500,
    Status503,
    RateLimited,
    Reset,
    Slow,
}

pub const FAULTS: [Fault; 5] = [
    Fault::Status500,
    Fault::Status503,
    Fault::RateLimited,
    Fault::Reset,
    Fault::Slow,
];

/// The slow answer: past `request_timeout`, and the request still takes effect afterwards.
const SLOW_MS: u64 = scenarios::REQUEST_TIMEOUT_SECS * 1000 + 1000;

impl Fault {
    pub fn heading(self) -> String {
        match self {
            Fault::Status500 => "500".into(),
            Fault::Status503 => "503".into(),
            Fault::RateLimited => "429, reset in 1 s".into(),
            Fault::Reset => "connection reset".into(),
            Fault::Slow => format!(
                "answer after {} s (> request_timeout), applied",
                SLOW_MS / 1000
            ),
        }
    }

    fn rule(self, method: &str, glob: &str) -> Value {
        let mut rule = json!({"method": method, "path": glob, "times": 1});
        match self {
            Fault::Status500 => rule["status"] = json!(500),
            Fault::Status503 => rule["status"] = json!(503),
            Fault::RateLimited => {
                rule["status"] = json!(429);
                rule["resetSeconds"] = json!(1);
            }
            Fault::Reset => rule["reset"] = json!(true),
            Fault::Slow => rule["delayMs"] = json!(SLOW_MS),
        }
        rule
    }
}

/// An Okta call as a row: method and path with the IDs replaced by placeholders.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Call {
    pub method: String,
    pub template: String,
}

impl Call {
    fn glob(&self) -> String {
        self.template
            .split('/')
            .map(|s| if s.starts_with('{') { "*" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// `/api/v1/apps/0oa123/groups/00g456` → `/api/v1/apps/{appId}/groups/{groupId}`: a segment
/// after a collection name is that collection's ID, except the fixed words Okta uses there.
pub fn template(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let mut out = Vec::with_capacity(segments.len());
    for (i, seg) in segments.iter().enumerate() {
        let previous = if i > 0 { segments[i - 1] } else { "" };
        let placeholder = match previous {
            "apps" => Some("{appId}"),
            "groups" => Some("{groupId}"),
            "users" => Some("{userId}"),
            "api-tokens" => Some("{tokenId}"),
            "authorizationServers" => Some("{authServerId}"),
            "claims" => Some("{claimId}"),
            "scopes" => Some("{scopeId}"),
            "policies" => Some("{policyId}"),
            "rules" => Some("{ruleId}"),
            "secrets" => Some("{secretId}"),
            _ => None,
        };
        match placeholder {
            Some(p) if !matches!(*seg, "me" | "current" | "default" | "") => out.push(p),
            _ => out.push(seg),
        }
    }
    out.join("/")
}

/// Identifiers the seed made; the same in every cell of a scenario (they come from its snapshot).
#[derive(Debug, Clone)]
struct Seed {
    app_id: String,
    group_id: String,
}

fn seed(emu: &Emulator) -> Result<Seed, String> {
    let group_id = emu.create_group("Engineering")?;
    let app = emu.ok(
        "POST",
        "/api/v1/apps?activate=true",
        Some(&json!({
            "name": "oidc_client",
            "label": "shared",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {
                "application_type": "web",
                "redirect_uris": ["https://authenticate.example.com/oauth2/callback"],
                "response_types": ["code"],
                "grant_types": ["authorization_code"]
            }}
        })),
    )?;
    let app_id = app["id"]
        .as_str()
        .ok_or("seeded app has no id")?
        .to_string();
    emu.admin(
        "POST",
        "/__emulator/tokens",
        Some(&json!({"name": "pomerium-directory-sync", "token": SYNC_TOKEN})),
    )?;
    Ok(Seed { app_id, group_id })
}

/// A scenario after its clean run: the pre-state to start cells from and what a clean run did.
struct Prepared {
    scenario: Scenario,
    /// `org.json` (the emulator's state file) and `terraform.tfstate` of the pre-state.
    snapshot: tempfile::TempDir,
    seed: Seed,
    import_id: Option<String>,
    /// Each call of the clean run and how often it was made.
    calls: BTreeMap<Call, usize>,
    /// What the org looks like after the clean run.
    shape: Value,
    /// Apps that exist without Terraform (the seed's).
    seeded_apps: BTreeSet<String>,
    /// Whether the clean run's next plan was empty (not so after importing an API token).
    plan_empty_after: bool,
}

fn config(body: &str) -> String {
    format!("{}\n{body}", scenarios::provider_header())
}

fn workspace(tf: &Terraform, emu: &Emulator, seed: &Seed, body: &str) -> Result<Workspace, String> {
    let mut ws = Workspace::new(tf, &[("main.tf", config(body))])?;
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.set_env("TF_VAR_org_url", &emu.url);
    ws.set_env("TF_VAR_app_id", &seed.app_id);
    ws.set_env("TF_VAR_group_id", &seed.group_id);
    ws.set_env("TF_VAR_sync_token", SYNC_TOKEN);
    Ok(ws)
}

fn run_action(ws: &Workspace, action: &Action, import_id: Option<&str>) -> Result<Run, String> {
    match action {
        Action::Apply(_) => ws.run(&["apply", "-auto-approve", "-no-color"]),
        Action::Plan => ws.run(&["plan", "-no-color"]),
        Action::Import(address) => ws.run(&[
            "import",
            "-no-color",
            address,
            import_id.ok_or("import without an id")?,
        ]),
    }
}

/// The resource addresses and the IDs (`id`, `app_id`) in a workspace's state file.
fn state_ids(ws: &Workspace) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut addresses = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let Ok(text) = ws.read("terraform.tfstate") else {
        return (addresses, ids);
    };
    let Ok(state) = serde_json::from_str::<Value>(&text) else {
        return (addresses, ids);
    };
    for r in state["resources"].as_array().into_iter().flatten() {
        if r["mode"] != "managed" {
            continue;
        }
        let address = format!(
            "{}.{}",
            r["type"].as_str().unwrap_or_default(),
            r["name"].as_str().unwrap_or_default()
        );
        for inst in r["instances"].as_array().into_iter().flatten() {
            addresses.insert(address.clone());
            for key in ["id", "app_id"] {
                if let Some(v) = inst["attributes"][key].as_str() {
                    ids.insert(v.to_string());
                }
            }
        }
    }
    (addresses, ids)
}

/// What matters of the org for orphans, duplicates and losses: app labels (with repeats), the
/// seeded app's URIs, grants and groups claim, token names, group names, the default server's
/// claim names, app group assignments.
fn shape(emu: &Emulator, seed: &Seed) -> Result<Value, String> {
    let state = emu.admin("GET", "/__emulator/state", None)?;
    let sorted = |v: Vec<String>| {
        let mut v = v;
        v.sort();
        v
    };
    let strings = |list: &Value, f: &dyn Fn(&Value) -> Option<String>| {
        sorted(
            list.as_array()
                .into_iter()
                .flatten()
                .filter_map(f)
                .collect(),
        )
    };
    let apps = strings(&state["apps"], &|a| {
        Some(format!(
            "{} ({} groups, {})",
            a["app"]["label"].as_str()?,
            a["groups"].as_array().map_or(0, Vec::len),
            a["app"]["status"].as_str()?
        ))
    });
    let tokens = strings(&state["apiTokens"], &|t| {
        Some(format!(
            "{} {}",
            t["name"].as_str()?,
            t["network"]["connection"].as_str().unwrap_or("-")
        ))
    });
    let groups = strings(&state["groups"], &|g| {
        g["profile"]["name"].as_str().map(str::to_string)
    });
    let claims = emu.ok("GET", "/api/v1/authorizationServers/default/claims", None)?;
    let claims = strings(&claims, &|c| {
        Some(format!(
            "{} {}",
            c["name"].as_str()?,
            c["valueType"].as_str().unwrap_or_default()
        ))
    });
    let app = emu.app(&seed.app_id)?;
    let oauth = &app["settings"]["oauthClient"];
    let mut id_token = emu.ok(
        "GET",
        &format!(
            "/api/v1/internal/apps/{}/settings/oauth/idToken",
            seed.app_id
        ),
        None,
    )?;
    // The issuer is the emulator's URL, which differs per cell.
    if let Some(o) = id_token.as_object_mut() {
        o.remove("issuer");
    }
    Ok(json!({
        "apps": apps,
        "tokens": tokens,
        "groups": groups,
        "defaultServerClaims": claims,
        "seededApp": {
            "redirect_uris": sorted(strings(&oauth["redirect_uris"], &|u| u.as_str().map(str::to_string))),
            "grant_types": strings(&oauth["grant_types"], &|u| u.as_str().map(str::to_string)),
            "refresh_token": oauth["refresh_token"],
            "idToken": id_token,
        },
    }))
}

fn app_ids(emu: &Emulator) -> Result<BTreeSet<String>, String> {
    Ok(emu
        .apps()?
        .iter()
        .filter_map(|a| a["id"].as_str().map(str::to_string))
        .collect())
}

/// Every secret value the org holds: API tokens we know and every app's client secrets.
fn secrets(emu: &Emulator) -> Result<BTreeSet<String>, String> {
    let mut out: BTreeSet<String> = [ADMIN_TOKEN, SYNC_TOKEN].map(str::to_string).into();
    for id in app_ids(emu)? {
        let list = emu.ok(
            "GET",
            &format!("/api/v1/apps/{id}/credentials/secrets"),
            None,
        )?;
        for s in list.as_array().into_iter().flatten() {
            if let Some(v) = s["client_secret"].as_str() {
                out.insert(v.to_string());
            }
        }
    }
    Ok(out)
}

fn calls_in(emu: &Emulator) -> Result<BTreeMap<Call, usize>, String> {
    let mut calls = BTreeMap::new();
    for e in emu.api_requests()? {
        let call = Call {
            method: e["method"].as_str().unwrap_or_default().to_string(),
            template: template(e["path"].as_str().unwrap_or_default()),
        };
        *calls.entry(call).or_insert(0) += 1;
    }
    Ok(calls)
}

fn start_emulator(dir: &Path) -> Result<Emulator, String> {
    let log = std::fs::File::create(dir.join("emulator.log")).map_err(|e| e.to_string())?;
    let state = dir.join("org.json");
    Emulator::start_with_log(&["--state", &state.display().to_string()], Stdio::from(log))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|e| format!("copying {}: {e}", from.display()))
}

/// The clean run of one scenario: pre-state, snapshot, the operation, its calls, convergence.
fn prepare(tf: &Terraform, scenario: &Scenario) -> Result<Prepared, String> {
    let what = format!("{} {}", scenario.subject, scenario.op);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let emu = start_emulator(dir.path())?;
    let seed = seed(&emu)?;
    let seeded_apps = app_ids(&emu)?;
    let ws = workspace(
        tf,
        &emu,
        &seed,
        scenario.before.as_deref().unwrap_or_default(),
    )?;
    let mut import_id = None;
    if scenario.before.is_some() {
        ws.apply(&[])
            .map_err(|e| format!("{what}: pre-state: {e}"))?;
    }
    if let Action::Import(address) = scenario.action {
        let (_, ids) = state_ids(&ws);
        let state = ws.state_json()?;
        let id = state["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["address"] == address)
            .and_then(|r| r["values"]["id"].as_str())
            .ok_or_else(|| format!("{what}: {address} not in state ({ids:?})"))?
            .to_string();
        ws.run(&["state", "rm", address])?.ok("state rm")?;
        import_id = Some(id);
    }
    let snapshot = tempfile::tempdir().map_err(|e| e.to_string())?;
    copy(
        &dir.path().join("org.json"),
        &snapshot.path().join("org.json"),
    )?;
    if ws.dir.path().join("terraform.tfstate").exists() {
        copy(
            &ws.dir.path().join("terraform.tfstate"),
            &snapshot.path().join("terraform.tfstate"),
        )?;
    }
    emu.admin("DELETE", "/__emulator/requests", None)?;
    ws.write("main.tf", &config(&scenario.final_body()))?;
    let run = run_action(&ws, &scenario.action, import_id.as_deref())?;
    if run.code != 0 {
        return Err(format!("{what}: clean run failed:\n{}", run.text()));
    }
    let calls = calls_in(&emu)?;
    // An imported API token is checked against `token` by the next apply: a plan right after
    // the operation is empty only where the clean run's was.
    let plan_empty_after = ws.plan(&[])?.code == 0;
    if !plan_empty_after {
        if !matches!(scenario.action, Action::Import(_)) {
            return Err(format!("{what}: clean run: the next plan has changes"));
        }
        ws.apply(&[])?;
    }
    ws.expect_empty_plan(&[])
        .map_err(|e| format!("{what}: clean run: {e}"))?;
    ws.check_log()?;
    Ok(Prepared {
        scenario: scenario.clone(),
        snapshot,
        shape: shape(&emu, &seed)?,
        seed,
        import_id,
        calls,
        seeded_apps,
        plan_empty_after,
    })
}

/// A cell's outcome; `bad` when an invariant broke.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub text: String,
    pub bad: bool,
}

fn fail(text: impl Into<String>) -> Outcome {
    Outcome {
        text: format!("FAIL: {}", text.into()),
        bad: true,
    }
}

/// The first Terraform error summary, with IDs and numbers taken out so that reruns match.
fn error_summary(run: &Run) -> Option<String> {
    let text = run.text();
    let line = text
        .lines()
        .map(|l| l.trim_start_matches(['│', ' ']))
        .find_map(|l| l.strip_prefix("Error: "))?;
    let ids = regex::Regex::new(r"\b(0oa|00g|00u|00T|ocl|aus|ocs)[A-Za-z0-9]{10,}\b").ok()?;
    let line = ids.replace_all(line, "…").to_string();
    let numbers = regex::Regex::new(r"\d+(\.\d+)?\s*(ms|s)\b").ok()?;
    let line = numbers.replace_all(&line, "N s").to_string();
    let short: String = line.chars().take(70).collect();
    Some(
        short
            .trim_end_matches(['.', ':', ' '])
            .replace('|', "/")
            .to_string(),
    )
}

fn run_cell(tf: &Terraform, p: &Prepared, call: &Call, fault: Fault) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    copy(
        &p.snapshot.path().join("org.json"),
        &dir.path().join("org.json"),
    )?;
    let emu = start_emulator(dir.path())?;
    let body = p.scenario.final_body();
    let ws = workspace(tf, &emu, &p.seed, &body)?;
    let tfstate = p.snapshot.path().join("terraform.tfstate");
    if tfstate.exists() {
        copy(&tfstate, &ws.dir.path().join("terraform.tfstate"))?;
    }
    let mut secrets_seen = secrets(&emu)?;
    emu.admin("DELETE", "/__emulator/requests", None)?;
    emu.admin(
        "POST",
        "/__emulator/faults",
        Some(&fault.rule(&call.method, &call.glob())),
    )?;
    let action = run_action(&ws, &p.scenario.action, p.import_id.as_deref())?;
    let hits = emu.admin("GET", "/__emulator/faults", None)?[0]["hits"]
        .as_u64()
        .unwrap_or(0);
    if hits > 0 {
        // A slow request is logged when it finally completes: check the org after that.
        let deadline = Instant::now() + Duration::from_millis(SLOW_MS + 5000);
        while !emu
            .admin("GET", "/__emulator/requests", None)?
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| !e["fault"].is_null())
        {
            if Instant::now() > deadline {
                return Err("the faulted request never completed".into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let mut runs = vec![action.text()];
    let mut outcome = if hits == 0 {
        Outcome {
            text: "not reached".into(),
            bad: false,
        }
    } else if action.code == 0 {
        // Whether the call was repeated depends on timing (reads shared between resources,
        // a late answer racing its retry), so the table only says that it worked.
        Outcome {
            text: "ok".into(),
            bad: false,
        }
    } else {
        match error_summary(&action) {
            // With many resources in one run, which one meets the fault first varies.
            Some(reason) if is_late(&p.scenario) => Outcome {
                text: format!(
                    "failed: {}",
                    reason.split(" while ").next().unwrap_or_default()
                ),
                bad: false,
            },
            Some(reason) => Outcome {
                text: format!("failed: {reason}"),
                bad: false,
            },
            None => fail("failed without an error message"),
        }
    };

    // Convergence: re-import what is missing, then one apply if the plan is not empty.
    if let Action::Import(address) = p.scenario.action {
        if !state_ids(&ws).0.contains(address) {
            let again = run_action(&ws, &p.scenario.action, p.import_id.as_deref())?;
            runs.push(again.text());
            if again.code != 0 {
                return Ok(fail(format!(
                    "import again failed: {}",
                    error_summary(&again).unwrap_or_default()
                )));
            }
        }
    }
    let plan = ws.plan(&[])?;
    runs.push(plan.text());
    if plan.code != 0 {
        if action.code == 0 && hits > 0 && p.plan_empty_after {
            // It said it succeeded: the next plan must be empty without help.
            outcome = fail("succeeded, but the next plan has changes");
        }
        let apply = ws.run(&["apply", "-auto-approve", "-no-color"])?;
        runs.push(apply.text());
        if apply.code != 0 {
            return Ok(fail(format!(
                "next apply failed: {}",
                error_summary(&apply).unwrap_or_default()
            )));
        }
        let plan = ws.plan(&[])?;
        runs.push(plan.text());
        if plan.code != 0 {
            return Ok(fail("plan not empty after one more apply"));
        }
        if !outcome.bad && action.code != 0 {
            outcome.text.push_str(", converged");
        }
    }

    // Orphans and duplicates: the org as a clean run leaves it; every app in state or seeded.
    let now = shape(&emu, &p.seed)?;
    if now != p.shape {
        let (key, detail) = diff(&p.shape, &now);
        println!(
            "  fault matrix: {} {} / {} {} / {}: {detail}",
            p.scenario.subject,
            p.scenario.op,
            call.method,
            call.template,
            fault.heading()
        );
        return Ok(fail(format!("org differs from a clean run ({key})")));
    }
    let (_, ids) = state_ids(&ws);
    if let Some(orphan) = app_ids(&emu)?
        .into_iter()
        .find(|id| !ids.contains(id) && !p.seeded_apps.contains(id))
    {
        return Ok(fail(format!("orphan app {orphan}")));
    }

    // Secrets: none in Terraform's output, the provider's log, the emulator's log or request log.
    secrets_seen.extend(secrets(&emu)?);
    let requests = emu.admin("GET", "/__emulator/requests", None)?.to_string();
    drop(emu);
    let emulator_log = std::fs::read_to_string(dir.path().join("emulator.log")).unwrap_or_default();
    let provider_log = ws.provider_log_lines().join("\n");
    for (place, text) in [
        ("Terraform output", runs.join("\n")),
        ("provider log", provider_log),
        ("emulator log", emulator_log),
        ("request log", requests),
    ] {
        if secrets_seen.iter().any(|s| text.contains(s.as_str())) {
            return Ok(fail(format!("secret in {place}")));
        }
    }
    if let Err(e) = ws.check_log() {
        return Ok(fail(e));
    }
    Ok(outcome)
}

/// The first differing key of two org shapes (for the cell) and the values (for the log).
fn diff(want: &Value, got: &Value) -> (String, String) {
    if let (Some(w), Some(g)) = (want.as_object(), got.as_object()) {
        for (k, v) in w {
            if g.get(k) != Some(v) {
                let got = g.get(k).unwrap_or(&Value::Null);
                return (k.clone(), format!("{k}: {got} instead of {v}"));
            }
        }
    }
    ("?".into(), format!("{got} instead of {want}"))
}

/// Runs `jobs` on `workers` threads; results in job order. The cells check their own outputs and
/// logs for secrets, so these threads do not feed the case's `leaks` record.
fn parallel<T: Sync, R: Send>(jobs: &[T], workers: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(i) else { break };
                let r = f(job);
                if let Ok(mut all) = results.lock() {
                    all[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

fn is_path_terraform(tf: &Terraform) -> bool {
    let Ok(out) = std::process::Command::new("bash")
        .args(["-c", "command -v terraform"])
        .output()
    else {
        return false;
    };
    tf.path == Path::new(String::from_utf8_lossy(&out.stdout).trim())
}

fn is_late(s: &Scenario) -> bool {
    s.subject.starts_with("late-landing")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Full,
    Subset,
}

pub fn matrix(tf: &Terraform) -> Result<(), String> {
    let mode = match std::env::var("OKTAIDP_FAULT_MATRIX").as_deref() {
        Ok("off") => return Err(format!("{SKIPPED}OKTAIDP_FAULT_MATRIX=off")),
        Ok("full") => Mode::Full,
        _ => Mode::Subset,
    };
    if !is_path_terraform(tf) {
        return Err(format!(
            "{SKIPPED}the fault matrix runs on the terraform on PATH only"
        ));
    }
    self_check()?;
    let workers = std::env::var("OKTAIDP_FAULT_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(4);
    let started = Instant::now();
    // `OKTAIDP_FAULT_ONLY=text`: only the scenarios whose subject or operation contains it.
    let only = std::env::var("OKTAIDP_FAULT_ONLY").unwrap_or_default();
    // The subset: the late-landing scenarios and every fifth other one.
    let scenarios: Vec<Scenario> = scenarios::all()
        .into_iter()
        .enumerate()
        .filter(|(i, s)| mode == Mode::Full || is_late(s) || i % 5 == 0)
        .map(|(_, s)| s)
        .filter(|s| format!("{} {}", s.subject, s.op).contains(&only))
        .collect();
    let (prepared, errors): (Vec<_>, Vec<_>) = parallel(&scenarios, workers, |s| prepare(tf, s))
        .into_iter()
        .partition(Result::is_ok);
    if !errors.is_empty() {
        let errors: Vec<String> = errors.into_iter().filter_map(Result::err).collect();
        return Err(format!("clean runs failed:\n{}", errors.join("\n")));
    }
    let prepared: Vec<Prepared> = prepared.into_iter().filter_map(Result::ok).collect();
    let discovery = started.elapsed().as_secs_f64();

    // Cells: (scenario index, call, fault); the subset takes one fault per row, cycling.
    let mut cells = Vec::new();
    let mut row = 0usize;
    for (i, p) in prepared.iter().enumerate() {
        let late = is_late(&p.scenario);
        for call in p.calls.keys() {
            for (f, fault) in FAULTS.iter().enumerate() {
                let take = match mode {
                    Mode::Full => true,
                    Mode::Subset => f == row % FAULTS.len() || (late && call.method == "PUT"),
                };
                if take {
                    cells.push((i, call.clone(), *fault));
                }
            }
            row += 1;
        }
    }
    let outcomes = parallel(&cells, workers, |(i, call, fault)| {
        run_cell(tf, &prepared[*i], call, *fault).unwrap_or_else(|e| fail(format!("harness: {e}")))
    });
    println!(
        "  fault matrix: {} scenarios discovered in {discovery:.0}s, {} cells in {:.0}s ({workers} workers)",
        prepared.len(),
        cells.len(),
        started.elapsed().as_secs_f64() - discovery
    );
    let mut results: BTreeMap<(usize, Call, usize), Outcome> = BTreeMap::new();
    for ((i, call, fault), outcome) in cells.iter().zip(outcomes) {
        let f = FAULTS.iter().position(|x| x == fault).unwrap_or(0);
        results.insert((*i, call.clone(), f), outcome);
    }
    let rows: Vec<report::Section> = prepared
        .iter()
        .enumerate()
        .map(|(i, p)| report::Section {
            subject: p.scenario.subject.to_string(),
            op: p.scenario.op.clone(),
            rows: p
                .calls
                .keys()
                .map(|call| {
                    (
                        format!("{} {}", call.method, call.template),
                        (0..FAULTS.len())
                            .map(|f| results.get(&(i, call.clone(), f)).map(|o| o.text.clone()))
                            .collect(),
                    )
                })
                .collect(),
        })
        .collect();
    let bad: Vec<String> = results
        .iter()
        .filter(|(_, o)| o.bad)
        .map(|((i, call, f), o)| {
            format!(
                "{} {} / {} {} / {}: {}",
                prepared[*i].scenario.subject,
                prepared[*i].scenario.op,
                call.method,
                call.template,
                FAULTS[*f].heading(),
                o.text
            )
        })
        .collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(REPORT);
    let version = tf.version.split('.').take(2).collect::<Vec<_>>().join(".");
    let doc = report::render(&rows, &version);
    // The whole table of this run, for a look whatever the mode.
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reliability.md");
    std::fs::write(&scratch, &doc).map_err(|e| format!("{}: {e}", scratch.display()))?;
    println!(
        "  fault matrix: this run's table is in {}",
        scratch.display()
    );
    let drift = if !only.is_empty() {
        Vec::new()
    } else if mode == Mode::Full
        && std::env::var("OKTAIDP_WRITE_RELIABILITY").is_ok_and(|v| v == "1")
    {
        std::fs::write(&path, &doc).map_err(|e| format!("{REPORT}: {e}"))?;
        println!("  fault matrix: wrote {REPORT}");
        Vec::new()
    } else {
        let committed = std::fs::read_to_string(&path).map_err(|e| format!("{REPORT}: {e}"))?;
        report::compare(&committed, &rows)
    };
    let mut problems = Vec::new();
    if !bad.is_empty() {
        problems.push(format!("invariants broken:\n  {}", bad.join("\n  ")));
    }
    if !drift.is_empty() {
        problems.push(format!(
            "{REPORT} is out of date (OKTAIDP_FAULT_MATRIX=full OKTAIDP_WRITE_RELIABILITY=1 rewrites it):\n  {}",
            drift.join("\n  ")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Unit checks of the pure parts, run as part of the case (the acceptance binary has no libtest).
pub fn self_check() -> Result<(), String> {
    let cases = [
        (
            "/api/v1/apps/0oa1x/groups/00g2y",
            "/api/v1/apps/{appId}/groups/{groupId}",
        ),
        ("/api/v1/apps", "/api/v1/apps"),
        ("/api/v1/users/me", "/api/v1/users/me"),
        (
            "/api/v1/authorizationServers/default/claims/ocl1",
            "/api/v1/authorizationServers/default/claims/{claimId}",
        ),
        (
            "/api/v1/internal/apps/0oa1/settings/oauth/idToken",
            "/api/v1/internal/apps/{appId}/settings/oauth/idToken",
        ),
    ];
    for (path, want) in cases {
        if template(path) != want {
            return Err(format!(
                "template({path}) = {}, want {want}",
                template(path)
            ));
        }
    }
    let call = Call {
        method: "PUT".into(),
        template: "/api/v1/apps/{appId}".into(),
    };
    if call.glob() != "/api/v1/apps/*" {
        return Err(format!("glob {}", call.glob()));
    }
    // The drift check: a document agrees with the run it came from, and not with another.
    let section = |cell: &str| report::Section {
        subject: "oktaidp_x".into(),
        op: "create".into(),
        rows: vec![(
            "PUT /api/v1/apps/{appId}".into(),
            vec![Some(cell.into()), None, None, None, None],
        )],
    };
    let doc = report::render(&[section("failed: a / b, converged")], "1.11");
    if !report::compare(&doc, &[section("failed: a / b, converged")]).is_empty()
        || report::compare(&doc, &[section("ok")]).len() != 1
    {
        return Err("report::compare does not round-trip".into());
    }
    Ok(())
}
