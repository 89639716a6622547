//! Issue #11 through real Terraform: several Terraform processes (teams' stacks, each with its
//! own working directory and state) add redirect URIs to one app at the same moment and all of
//! them stay; and a plan over one app and thirty parts of it reads the app once.

use std::thread;

use serde_json::Value;

use crate::emulator::Emulator;
use crate::oidc_app::workspace;
use crate::terraform::{check, PROVIDER};
use crate::terraform::{Kind, Terraform, Workspace, SKIPPED};

const BASE_URI: &str = "https://base.example.com/oauth2/callback";
/// URIs per stack.
const PER_STACK: usize = 15;

fn sign_in_uris(app: &Value) -> Vec<String> {
    app["settings"]["oauthClient"]["redirect_uris"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A web app owned by nobody in Terraform, with one sign-in URI.
fn shared_app(emu: &Emulator) -> Result<String, String> {
    let body = serde_json::json!({
        "name": "oidc_client",
        "label": "shared by several stacks",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {"oauthClient": {
            "application_type": "web",
            "redirect_uris": [BASE_URI],
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
        }},
    });
    let app = emu.ok("POST", "/api/v1/apps?activate=true", Some(&body))?;
    app["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("created app without id: {app}"))
}

fn stack_uri(stack: usize, i: usize) -> String {
    format!("https://authenticate.stack{stack}-{i}.example.com/oauth2/callback")
}

/// The stack's working directory: `PER_STACK` URIs on the shared app.
fn stack(tf: &Terraform, emu: &Emulator, app_id: &str, n: usize) -> Result<Workspace, String> {
    let config = format!(
        r#"{PROVIDER}
variable "app_id" {{ type = string }}
resource "oktaidp_oidc_app_redirect_uri" "team" {{
  count  = {PER_STACK}
  app_id = var.app_id
  uri    = "https://authenticate.stack{n}-${{count.index}}.example.com/oauth2/callback"
}}
"#
    );
    let mut ws = workspace(tf, emu, &config)?;
    ws.set_env("TF_VAR_app_id", app_id);
    Ok(ws)
}

/// Runs `f` on every workspace at the same moment (one thread each); the first error wins.
fn at_once(
    stacks: &[Workspace],
    f: impl Fn(&Workspace) -> Result<(), String> + Sync,
) -> Result<(), String> {
    thread::scope(|s| {
        let record = crate::leaks::current();
        let handles: Vec<_> = stacks
            .iter()
            .map(|ws| {
                let record = record.clone();
                let f = &f;
                s.spawn(move || {
                    crate::leaks::join(record);
                    f(ws)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into())))
            .collect::<Result<Vec<()>, String>>()
    })
    .map(|_| ())
}

/// `stacks` Terraform processes apply (then destroy) their URIs on one app at once, against an
/// emulator started with `emulator_args`.
fn stacks_converge(tf: &Terraform, stacks: usize, emulator_args: &[&str]) -> Result<(), String> {
    let emu = Emulator::start(emulator_args)?;
    let app_id = shared_app(&emu)?;
    let before = emu.app(&app_id)?;
    let workspaces = (0..stacks)
        .map(|n| stack(tf, &emu, &app_id, n))
        .collect::<Result<Vec<_>, _>>()?;
    at_once(&workspaces, |ws| ws.apply(&["-parallelism=10"]).map(|_| ()))?;
    let app = emu.app(&app_id)?;
    let uris = sign_in_uris(&app);
    let missing: Vec<String> = (0..stacks)
        .flat_map(|n| (0..PER_STACK).map(move |i| stack_uri(n, i)))
        .filter(|u| !uris.contains(u))
        .collect();
    check(
        missing.is_empty(),
        format!(
            "{} of {} URIs missing after every apply returned: {missing:?}",
            missing.len(),
            stacks * PER_STACK
        ),
    )?;
    check(
        uris.len() == 1 + stacks * PER_STACK && uris[0] == BASE_URI,
        format!("unexpected sign-in URIs: {uris:?}"),
    )?;
    for ws in &workspaces {
        ws.expect_empty_plan(&[])?;
    }
    at_once(&workspaces, |ws| {
        ws.destroy(&["-parallelism=10", "-refresh=false"])
            .map(|_| ())
    })?;
    let app = emu.app(&app_id)?;
    check(
        sign_in_uris(&app) == [BASE_URI],
        format!(
            "after every destroy returned: sign-in URIs {:?}",
            sign_in_uris(&app)
        ),
    )?;
    check(
        app["label"] == before["label"] && app["status"] == "ACTIVE",
        format!("the app changed: {app}"),
    )?;
    let puts = emu
        .api_requests()?
        .iter()
        .filter(|r| r["method"] == "PUT")
        .count();
    println!(
        "  {stacks} stacks x {PER_STACK} URIs {emulator_args:?}: {puts} PUTs for {} changes",
        2 * stacks * PER_STACK
    );
    for ws in &workspaces {
        ws.check_log()?;
    }
    Ok(())
}

/// Two stacks, 15 URIs each, `-parallelism=10`, at the same moment.
pub fn two_stacks_converge(tf: &Terraform) -> Result<(), String> {
    stacks_converge(tf, 2, &[])
}

/// Three stacks against an emulator that answers every request 30 ms late, so that the
/// processes' read-modify-writes overlap. One binary (the newest Terraform) is enough: the
/// rule under test is the provider's, and the run takes the longest of these cases.
///
/// Outside the CI gate (`OKTAIDP_STRESS=1`, or `scripts/stress-concurrent-stacks.sh N`): its
/// outcome depends on timing, and on 2 cores it fails in about half the runs (a URI missing
/// after apply, or left behind after destroy; docs/design.md, "Concurrent writers").
pub fn three_stacks_with_latency_converge(tf: &Terraform) -> Result<(), String> {
    if std::env::var_os("OKTAIDP_STRESS").is_none() {
        return Err(format!(
            "{SKIPPED}a stress case outside the CI gate (timing-dependent): OKTAIDP_STRESS=1 or \
             scripts/stress-concurrent-stacks.sh runs it"
        ));
    }
    if tf.kind != Kind::Terraform || tf.version.starts_with("1.0.") {
        return Err(format!(
            "{SKIPPED}runs on the newest Terraform only (two_stacks_converge covers every binary)"
        ));
    }
    stacks_converge(tf, 3, &["--latency-ms", "30"])
}

/// GETs of `path` in request-log entries.
fn gets_of(requests: &[Value], path: &str) -> usize {
    requests
        .iter()
        .filter(|r| r["method"] == "GET" && r["path"] == path)
        .count()
}

/// A plan over one app, its group assignments, 30 redirect URIs and the refresh grant reads
/// the app once and its group assignments once (they are shared within the provider process),
/// and with `OKTAIDP_READ_CACHE=off` once per resource.
pub fn one_read_per_app_per_plan(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let group = emu.create_group("Engineering")?;
    let config = format!(
        r#"{PROVIDER}
variable "group_id" {{ type = string }}
resource "oktaidp_oidc_app" "shared" {{
  label                   = "one read per plan"
  redirect_uris           = ["{BASE_URI}"]
  redirect_uris_exclusive = false
  grant_types             = ["authorization_code", "refresh_token"]
  group_ids               = [var.group_id]
}}
resource "oktaidp_oidc_app_redirect_uri" "team" {{
  count  = 30
  app_id = oktaidp_oidc_app.shared.id
  uri    = "https://authenticate.team${{count.index}}.example.com/oauth2/callback"
}}
resource "oktaidp_oidc_app_refresh_grant" "shared" {{
  app_id = oktaidp_oidc_app.shared.id
}}
"#
    );
    let mut ws = workspace(tf, &emu, &config)?;
    ws.set_env("TF_VAR_group_id", &group);
    ws.apply(&["-parallelism=10"])?;
    let app_id = emu
        .apps()?
        .iter()
        .find(|a| a["label"] == "one read per plan")
        .and_then(|a| a["id"].as_str().map(str::to_string))
        .ok_or("the app was not created")?;
    let app_path = format!("/api/v1/apps/{app_id}");
    let groups_path = format!("/api/v1/apps/{app_id}/groups");

    let mut counts = Vec::new();
    for cache in ["on", "off"] {
        ws.set_env("OKTAIDP_READ_CACHE", cache);
        let mark = emu.api_requests()?.len();
        let started = std::time::Instant::now();
        ws.expect_empty_plan(&["-parallelism=10"])?;
        let secs = started.elapsed().as_secs_f64();
        let requests = emu.api_requests()?;
        let plan = &requests[mark..];
        let (app_gets, group_gets) = (gets_of(plan, &app_path), gets_of(plan, &groups_path));
        println!(
            "  plan of 1 app + 30 URIs + refresh grant, read cache {cache}: {} requests, \
             {app_gets} GETs of the app, {group_gets} of its groups, {secs:.1}s",
            plan.len()
        );
        counts.push((app_gets, group_gets, plan.len()));
    }
    check(
        counts[0] == (1, 1, 2),
        format!(
            "with the read cache: (app GETs, group GETs, requests) = {:?}",
            counts[0]
        ),
    )?;
    check(
        counts[1] == (32, 1, 33),
        format!(
            "without the read cache: (app GETs, group GETs, requests) = {:?}",
            counts[1]
        ),
    )?;
    ws.destroy(&["-parallelism=10"])?;
    ws.check_log()
}
