//! `oktaidp_oidc_app` through real Terraform against okta-emulator: create, emulator state, empty
//! plan, import and compare, updates of every updatable attribute, drift, out-of-band delete,
//! destroy.

use serde_json::{json, Value};

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::terraform::{check, PROVIDER};
use crate::terraform::{Terraform, Workspace};

pub struct AppCase<'a> {
    pub label: &'a str,
    pub extra: &'a str,
}

fn app_config(case: &AppCase<'_>) -> String {
    format!(
        r#"{PROVIDER}
resource "oktaidp_oidc_app" "app" {{
  label = "{label}"
{extra}
}}
output "secret" {{
  value     = oktaidp_oidc_app.app.client_secret
  sensitive = true
}}
"#,
        label = case.label,
        extra = case.extra
    )
}

pub fn workspace(tf: &Terraform, emu: &Emulator, main_tf: &str) -> Result<Workspace, String> {
    let mut ws = Workspace::new(tf, &[("main.tf", main_tf.to_string())])?;
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.set_env("TF_VAR_org_url", &emu.url);
    Ok(ws)
}

/// The resource's attributes from `terraform show -json`.
pub fn resource_values(ws: &Workspace, address: &str) -> Result<Value, String> {
    let state = ws.state_json()?;
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    resources
        .into_iter()
        .find(|r| r["address"] == address)
        .map(|r| r["values"].clone())
        .ok_or_else(|| format!("{address} not in state"))
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

pub fn lifecycle(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let apps_before = emu.apps()?.len();
    let g1 = emu.create_group("Engineering")?;
    let g2 = emu.create_group("Operations")?;

    // Create.
    let v1 = AppCase {
        label: "Pomerium",
        extra: &format!(
            r#"  redirect_uris = ["https://authenticate.example.com/oauth2/callback"]
  group_ids     = ["{g1}"]"#
        ),
    };
    let ws = workspace(tf, &emu, &app_config(&v1))?;
    let apply = ws.apply(&[])?;
    check(!apply.text().contains(ADMIN_TOKEN), "token in apply output")?;
    let state = resource_values(&ws, "oktaidp_oidc_app.app")?;
    let id = state["id"].as_str().ok_or("no id")?.to_string();
    let app = emu.app(&id)?;
    check(
        app["label"] == "Pomerium",
        format!("label in Okta: {}", app["label"]),
    )?;
    check(app["status"] == "ACTIVE", "app not ACTIVE")?;
    let oauth = &app["settings"]["oauthClient"];
    check(
        oauth["redirect_uris"] == json!(["https://authenticate.example.com/oauth2/callback"]),
        format!("redirect_uris in Okta: {}", oauth["redirect_uris"]),
    )?;
    check(
        strings(&oauth["grant_types"]) == ["authorization_code", "refresh_token"],
        format!("grant_types in Okta: {}", oauth["grant_types"]),
    )?;
    check(oauth["application_type"] == "web", "not a web app")?;
    check(
        emu.app_group_ids(&id)? == vec![g1.clone()],
        "group assignment missing",
    )?;
    check(
        state["client_id"] == json!(id),
        "client_id should default to the app id",
    )?;
    let secret = state["client_secret"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    check(
        secret.len() == 64,
        format!("client secret length {}", secret.len()),
    )?;
    check(state["sign_on_mode"] == "OPENID_CONNECT", "sign_on_mode")?;
    ws.expect_empty_plan(&[])?;

    // Import into an empty state and compare every attribute.
    ws.run(&["state", "rm", "oktaidp_oidc_app.app"])?
        .ok("state rm")?;
    ws.run(&["import", "-no-color", "oktaidp_oidc_app.app", &id])?
        .ok("import")?;
    let imported = resource_values(&ws, "oktaidp_oidc_app.app")?;
    for (key, value) in state.as_object().ok_or("state not an object")? {
        check(
            imported[key] == *value,
            format!(
                "imported {key} = {}, applied state had {value}",
                imported[key]
            ),
        )?;
    }
    ws.expect_no_resource_changes(&[])?;
    ws.apply(&[])?;

    // Update every updatable attribute.
    let v2 = AppCase {
        label: "Pomerium (prod)",
        extra: &format!(
            r#"  redirect_uris              = ["https://authenticate.example.com/oauth2/callback", "https://*.example.com/oauth2/callback"]
  wildcard_redirect          = "SUBDOMAIN"
  post_logout_redirect_uris  = ["https://example.com/signed-out"]
  initiate_login_uri         = "https://authenticate.example.com/login"
  grant_types                = ["authorization_code", "refresh_token", "implicit"]
  response_types             = ["code", "id_token"]
  refresh_token_rotation     = "ROTATE"
  refresh_token_leeway       = 15
  token_endpoint_auth_method = "client_secret_post"
  pkce_required              = true
  consent_method             = "REQUIRED"
  issuer_mode                = "ORG_URL"
  status                     = "INACTIVE"
  group_ids                  = ["{g1}", "{g2}"]"#
        ),
    };
    ws.write("main.tf", &app_config(&v2))?;
    ws.apply(&[])?;
    let app = emu.app(&id)?;
    let oauth = &app["settings"]["oauthClient"];
    check(app["label"] == "Pomerium (prod)", "label not updated")?;
    check(app["status"] == "INACTIVE", "status not updated")?;
    check(
        oauth["wildcard_redirect"] == "SUBDOMAIN",
        "wildcard_redirect",
    )?;
    check(
        oauth["post_logout_redirect_uris"] == json!(["https://example.com/signed-out"]),
        "post_logout_redirect_uris",
    )?;
    check(
        oauth["initiate_login_uri"] == "https://authenticate.example.com/login",
        "initiate_login_uri",
    )?;
    check(
        oauth["refresh_token"]["rotation_type"] == "ROTATE",
        "rotation",
    )?;
    check(
        oauth["refresh_token"]["leeway"] == 15,
        format!("leeway {}", oauth["refresh_token"]),
    )?;
    check(oauth["consent_method"] == "REQUIRED", "consent_method")?;
    check(
        strings(&oauth["response_types"]) == ["code", "id_token"],
        "response_types",
    )?;
    let creds = &app["credentials"]["oauthClient"];
    check(
        creds["token_endpoint_auth_method"] == "client_secret_post",
        "auth method",
    )?;
    check(creds["pkce_required"] == true, "pkce_required")?;
    let mut groups = vec![g1.clone(), g2.clone()];
    groups.sort();
    check(emu.app_group_ids(&id)? == groups, "groups not updated")?;
    ws.expect_empty_plan(&[])?;

    // Back to active, ROTATE -> STATIC, fewer groups; then rotate the secret.
    let v3 = AppCase {
        label: "Pomerium (prod)",
        extra: &format!(
            r#"  redirect_uris         = ["https://authenticate.example.com/oauth2/callback"]
  group_ids             = ["{g2}"]
  client_secret_version = 2"#
        ),
    };
    ws.write("main.tf", &app_config(&v3))?;
    ws.apply(&[])?;
    let after = resource_values(&ws, "oktaidp_oidc_app.app")?;
    check(after["id"] == json!(id), "the app was re-created")?;
    check(after["client_id"] == json!(id), "client_id changed")?;
    let rotated = after["client_secret"].as_str().unwrap_or_default();
    check(
        !rotated.is_empty() && rotated != secret,
        "secret not rotated",
    )?;
    let secrets = emu.ok(
        "GET",
        &format!("/api/v1/apps/{id}/credentials/secrets"),
        None,
    )?;
    let active: Vec<&Value> = secrets
        .as_array()
        .map(|a| a.iter().filter(|s| s["status"] == "ACTIVE").collect())
        .unwrap_or_default();
    check(
        active.len() == 1 && active[0]["client_secret"] == json!(rotated),
        format!(
            "secrets after rotation: {}",
            secrets.as_array().map_or(0, Vec::len)
        ),
    )?;
    check(
        emu.app(&id)?["status"] == "ACTIVE",
        "status not back to ACTIVE",
    )?;
    check(
        emu.app_group_ids(&id)? == vec![g2.clone()],
        "group not removed",
    )?;
    ws.expect_empty_plan(&[])?;

    // Out-of-band change: another redirect URI appears; the plan shows exactly that drift.
    let mut app = emu.app(&id)?;
    app["settings"]["oauthClient"]["redirect_uris"] = json!([
        "https://authenticate.example.com/oauth2/callback",
        "https://rogue.example.com/cb"
    ]);
    emu.ok("PUT", &format!("/api/v1/apps/{id}"), Some(&app))?;
    let plan = ws.plan(&[])?;
    check(
        plan.code == 2,
        format!("drift not detected (exit {}):\n{}", plan.code, plan.text()),
    )?;
    check(
        plan.stdout.contains("rogue.example.com"),
        "plan does not name the drifted URI",
    )?;
    check(
        plan.stdout.contains("1 to change"),
        format!("plan is not a single in-place change:\n{}", plan.stdout),
    )?;
    ws.apply(&[])?;
    let uris = emu.app(&id)?["settings"]["oauthClient"]["redirect_uris"].clone();
    check(
        uris == json!(["https://authenticate.example.com/oauth2/callback"]),
        format!("drift not repaired: {uris}"),
    )?;

    // Out-of-band delete: the next plan re-creates the app.
    emu.ok(
        "POST",
        &format!("/api/v1/apps/{id}/lifecycle/deactivate"),
        Some(&json!({})),
    )?;
    emu.ok("DELETE", &format!("/api/v1/apps/{id}"), None)?;
    let plan = ws.plan(&[])?;
    check(
        plan.code == 2 && plan.stdout.contains("will be created"),
        format!("out-of-band delete not detected:\n{}", plan.text()),
    )?;
    ws.apply(&[])?;
    ws.expect_empty_plan(&[])?;

    // Destroy leaves the org as it was.
    ws.destroy(&[])?;
    check(
        emu.apps()?.len() == apps_before,
        "apps left behind after destroy",
    )?;
    ws.check_log()?;
    for line in ws.provider_log_lines() {
        if line.contains(ADMIN_TOKEN) || line.contains(&secret) || line.contains(rotated) {
            return Err(format!("provider logged a secret: {line}"));
        }
    }
    Ok(())
}

/// Bad input is rejected at plan, before any Okta call.
pub fn rejects_bad_input(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let case = AppCase {
        label: "bad",
        extra: r#"  redirect_uris          = ["http://authenticate.example.com/oauth2/callback#x", "https://*.example.com/cb"]
  grant_types            = ["refresh_token", "password"]
  refresh_token_leeway   = 90"#,
    };
    let ws = workspace(tf, &emu, &app_config(&case))?;
    let before = emu.request_count()?;
    let plan = ws.plan(&[])?;
    check(
        plan.code == 1,
        format!("plan should fail:\n{}", plan.text()),
    )?;
    for needle in [
        "Invalid redirect_uris",
        "fragment",
        "wildcard_redirect",
        "Invalid grant type",
        "Missing authorization_code grant",
        "refresh_token_leeway",
    ] {
        check(
            plan.text().contains(needle),
            format!("plan output lacks {needle:?}:\n{}", plan.text()),
        )?;
    }
    let okta_calls = emu.request_count()? - before;
    check(
        okta_calls == 0,
        format!(
            "{okta_calls} Okta calls before validation failed: {}",
            emu.admin("GET", "/__emulator/requests", None)?
        ),
    )?;
    ws.check_log()
}

/// A create whose answer is lost (Okta made the app, the client timed out) adopts the app
/// instead of failing and leaving an orphan behind.
pub fn uncertain_create_is_adopted(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    emu.admin(
        "POST",
        "/__emulator/faults",
        Some(&json!({"method": "POST", "path": "/api/v1/apps", "delayMs": 2500, "times": 1})),
    )?;
    let config = r#"
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
variable "org_url" { type = string }
provider "oktaidp" {
  org_url         = var.org_url
  request_timeout = 1
}
resource "oktaidp_oidc_app" "app" {
  label         = "slow-create"
  redirect_uris = ["https://authenticate.example.com/oauth2/callback"]
}
"#;
    let ws = workspace(tf, &emu, config)?;
    let apply = ws.apply(&[])?;
    check(
        apply
            .text()
            .contains("App adopted after an uncertain create"),
        format!("no adoption warning:\n{}", apply.text()),
    )?;
    check(emu.apps()?.len() == 1, "expected exactly one app")?;
    let state = resource_values(&ws, "oktaidp_oidc_app.app")?;
    check(
        state["client_secret"]
            .as_str()
            .is_some_and(|s| s.len() == 64),
        "adopted app has no client secret in state",
    )?;
    ws.expect_empty_plan(&[])?;
    ws.destroy(&[])?;
    check(emu.apps()?.is_empty(), "app left behind")?;
    ws.check_log()
}

/// Okta API calls per operation, from the emulator's request log (printed for the record and
/// bounded so a regression that adds calls fails).
pub fn api_calls(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let group = emu.create_group("Engineering")?;
    for (variant, groups) in [
        ("without group_ids", String::new()),
        ("with group_ids", format!("  group_ids = [\"{group}\"]\n")),
    ] {
        let config = |label: &str| {
            app_config(&AppCase {
                label,
                extra: &format!("  redirect_uris = [\"https://authenticate.example.com/oauth2/callback\"]\n{groups}"),
            })
        };
        let ws = workspace(tf, &emu, &config("calls"))?;
        let count = || emu.request_count();
        let start = count()?;
        ws.apply(&[])?;
        let create = count()? - start;
        let start = count()?;
        ws.expect_empty_plan(&[])?;
        let refresh = count()? - start;
        ws.write("main.tf", &config("calls-renamed"))?;
        let start = count()?;
        ws.apply(&[])?;
        let update = count()? - start - refresh;
        let start = count()?;
        ws.destroy(&[])?;
        let delete = count()? - start - refresh;
        println!("  api calls oktaidp_oidc_app ({variant}): create {create}, refresh {refresh}, update {update}, delete {delete}");
        let groups_extra = usize::from(!groups.is_empty());
        // The group is looked up before the app is created, then assigned.
        check(
            create == 1 + 2 * groups_extra,
            format!("create made {create} calls"),
        )?;
        check(
            refresh == 1 + groups_extra,
            format!("refresh made {refresh} calls"),
        )?;
        // GET + PUT under the app lock, plus listing assignments to diff them.
        check(
            update <= 2 + groups_extra,
            format!("update made {update} calls"),
        )?;
        check(delete == 2, format!("delete made {delete} calls"))?;
    }
    Ok(())
}

/// Importing an app into an additive configuration (`redirect_uris_exclusive = false`) must not
/// remove the URIs that others put on the app before the import.
pub fn import_into_additive_config(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
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
                "redirect_uris": ["https://other-team.example.com/cb", "https://authenticate.example.com/oauth2/callback"],
                "response_types": ["code"],
                "grant_types": ["authorization_code", "refresh_token"],
                "refresh_token": {"rotation_type": "STATIC"}
            }}
        })),
    )?;
    let id = app["id"].as_str().ok_or("no id")?.to_string();
    let case = AppCase {
        label: "shared",
        extra: r#"  redirect_uris           = ["https://authenticate.example.com/oauth2/callback"]
  redirect_uris_exclusive = false"#,
    };
    let ws = workspace(tf, &emu, &app_config(&case))?;
    ws.run(&["import", "-no-color", "oktaidp_oidc_app.app", &id])?
        .ok("import")?;
    ws.apply(&[])?;
    let uris = emu.app(&id)?["settings"]["oauthClient"]["redirect_uris"].clone();
    check(
        uris == json!([
            "https://other-team.example.com/cb",
            "https://authenticate.example.com/oauth2/callback"
        ]),
        format!("the other team's URI was touched: {uris}"),
    )?;
    ws.expect_empty_plan(&[])?;
    ws.destroy(&[])?;
    ws.check_log()
}
