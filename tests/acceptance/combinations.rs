//! A sample of the attribute combinations that `cargo test --lib combinations` walks in-process,
//! through real Terraform: each applies cleanly (no invalid result, nothing unknown after apply,
//! no taint), the next plan is empty, and an update plans only what it changes. Then the first
//! hour's mistakes: a group ID that names no group, and an import of an app that is not an
//! OIDC web app.

use serde_json::{json, Value};

use crate::emulator::Emulator;
use crate::oidc_app::{resource_values, workspace};
use crate::terraform::{check, PROVIDER};
use crate::terraform::{Terraform, Workspace};

/// The configuration: an app with `label` and the attributes `app`.
fn config(label: &str, app: &str) -> String {
    format!(
        r#"{PROVIDER}
resource "oktaidp_oidc_app" "app" {{
  label         = "{label}"
  redirect_uris = ["https://authenticate.example.com/oauth2/callback"]
{app}
}}
"#
    )
}

/// Apply, then: no protocol complaint in the log, nothing tainted, an empty plan.
fn converge(ws: &Workspace, what: &str) -> Result<(), String> {
    let run = ws.apply(&[]).map_err(|e| format!("{what}: {e}"))?;
    check(
        !run.text().contains("invalid result") && !run.text().contains("unknown value"),
        format!("{what}: {}", run.text()),
    )?;
    ws.check_log().map_err(|e| format!("{what}: {e}"))?;
    let state = ws.state_json()?;
    let tainted = state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["tainted"] == true);
    check(!tainted, format!("{what}: a resource is tainted"))?;
    ws.expect_empty_plan(&[])
        .map_err(|e| format!("{what}: {e}"))
}

/// A plan of an update shows as unknown only what can change: `last_updated`.
fn plan_shows_only_real_unknowns(ws: &Workspace, what: &str) -> Result<(), String> {
    let run = ws.plan(&[])?;
    check(
        run.code == 2,
        format!("{what}: expected changes: {}", run.text()),
    )?;
    let unknown: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("(known after apply)"))
        .collect();
    check(
        unknown.iter().all(|l| l.contains("last_updated")),
        format!("{what}: unknown in the plan beyond last_updated: {unknown:#?}"),
    )
}

pub fn sample_converges(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let group = emu.create_group("Engineering")?;
    let samples = [
        // Issue #20's first case: no refresh grant.
        (
            "no refresh grant",
            r#"  grant_types = ["authorization_code"]"#.to_string(),
        ),
        (
            "no refresh grant, rotation configured",
            r#"  grant_types            = ["authorization_code"]
  refresh_token_rotation = "ROTATE""#
                .to_string(),
        ),
        ("defaults", String::new()),
        (
            "rotation with Okta's leeway",
            r#"  refresh_token_rotation = "ROTATE""#.to_string(),
        ),
        (
            "rotation with a leeway, additive, no secret in state",
            format!(
                r#"  refresh_token_rotation    = "ROTATE"
  refresh_token_leeway      = 0
  redirect_uris_exclusive   = false
  post_logout_redirect_uris = []
  store_client_secret       = false
  issuer_mode               = "DYNAMIC"
  group_ids                 = ["{group}"]"#
            ),
        ),
        (
            "implicit, post auth, inactive",
            r#"  grant_types                = ["authorization_code", "implicit"]
  response_types             = ["code", "id_token"]
  token_endpoint_auth_method = "client_secret_post"
  status                     = "INACTIVE"
  client_id                  = "combo-sample-client""#
                .to_string(),
        ),
    ];
    for (what, app) in &samples {
        let ws = workspace(tf, &emu, &config("Pomerium", app))?;
        converge(&ws, what)?;
        // An update that changes only the label.
        ws.write("main.tf", &config("Pomerium (renamed)", app))?;
        plan_shows_only_real_unknowns(&ws, what)?;
        converge(&ws, &format!("{what}, renamed"))?;
        ws.destroy(&[])?;
    }

    // The parts of an app owned elsewhere (a web app without the refresh grant).
    let app = emu.ok(
        "POST",
        "/api/v1/apps",
        Some(&json!({
            "name": "oidc_client",
            "label": "owned elsewhere",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {
                "application_type": "web",
                "redirect_uris": ["https://authenticate.example.com/oauth2/callback"],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            }},
        })),
    )?;
    let app_id = app["id"].as_str().ok_or("no app id")?;
    let parts = format!(
        r#"{PROVIDER}
resource "oktaidp_oidc_app_refresh_grant" "grant" {{
  app_id   = "{app_id}"
  rotation = "ROTATE"
}}
resource "oktaidp_oidc_app_redirect_uri" "logout" {{
  app_id = "{app_id}"
  uri    = "https://authenticate.example.com/signed-out"
  kind   = "post_logout"
}}
resource "oktaidp_groups_claim" "claim" {{
  app_id      = "{app_id}"
  filter_type = "STARTS_WITH"
  filter      = "Eng"
}}
"#
    );
    let ws = workspace(tf, &emu, &parts)?;
    converge(&ws, "parts")?;
    let state = resource_values(&ws, "oktaidp_oidc_app_refresh_grant.grant")?;
    check(
        state["leeway"] == json!(30),
        format!("leeway {}", state["leeway"]),
    )?;
    ws.destroy(&[])?;
    Ok(())
}

/// A group ID that names no group: an error before anything is created.
pub fn missing_group_creates_nothing(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let before = emu.apps()?.len();
    let app = r#"  group_ids = ["00gdoesnotexist00001"]"#;
    let ws = workspace(tf, &emu, &config("Pomerium", app))?;
    let run = ws.run(&["apply", "-auto-approve", "-no-color"])?;
    check(run.code != 0, "apply with a missing group succeeded")?;
    let text = run.text();
    check(
        text.contains("Group not found") && text.contains("00gdoesnotexist00001"),
        format!("no diagnostic naming the group: {text}"),
    )?;
    check(
        text.contains("group_ids"),
        format!("the diagnostic does not point at group_ids: {text}"),
    )?;
    check(emu.apps()?.len() == before, "an app was created")?;
    ws.check_log()?;
    Ok(())
}

/// An import of an app that is not an OIDC web app is refused, naming its type; the app is
/// unchanged.
pub fn import_refuses_other_apps(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let service = emu.ok(
        "POST",
        "/api/v1/apps",
        Some(&json!({
            "name": "oidc_client",
            "label": "provider service app",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {
                "application_type": "service",
                "grant_types": ["client_credentials"],
                "response_types": ["token"],
            }},
        })),
    )?;
    let id = service["id"].as_str().ok_or("no app id")?.to_string();
    let before: Value = emu.app(&id)?;
    let ws = workspace(tf, &emu, &config("Pomerium", ""))?;
    let run = ws.run(&["import", "-no-color", "oktaidp_oidc_app.app", &id])?;
    check(run.code != 0, "import of a service app succeeded")?;
    check(
        run.text().contains("Not an OIDC web app")
            && run.text().contains("application_type service"),
        format!("import error does not name the app's type: {}", run.text()),
    )?;
    check(emu.app(&id)? == before, "the service app changed")?;
    let state = ws.run(&["state", "list"])?;
    check(
        !state.stdout.contains("oktaidp_oidc_app.app"),
        "the app is in the state",
    )?;
    Ok(())
}
