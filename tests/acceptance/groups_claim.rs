//! `oktaidp_groups_claim` through real Terraform against okta-emulator, both variants: the org
//! authorization server's claim of an app and a custom authorization server's claim. Apply,
//! Okta's state, empty plan, import and compare, update, drift (changed and deleted out of
//! band), destroy with nothing left behind, and bad input refused at plan.

use serde_json::{json, Value};

use crate::emulator::Emulator;
use crate::oidc_app::{resource_values, workspace};
use crate::terraform::{check, PROVIDER};
use crate::terraform::{Terraform, Workspace};

fn config(body: &str) -> String {
    format!("{PROVIDER}\nresource \"oktaidp_groups_claim\" \"pomerium\" {{\n{body}\n}}\n")
}

/// The plan changes exactly one attribute in place (`~ update in-place`).
fn expect_update(ws: &Workspace, what: &str) -> Result<(), String> {
    let plan = ws.plan(&[])?;
    check(
        plan.code == 2
            && plan.stdout.contains("will be updated in-place")
            && plan.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        format!("{what}: expected an in-place update:\n{}", plan.stdout),
    )
}

fn expect_create(ws: &Workspace, what: &str) -> Result<(), String> {
    let plan = ws.plan(&[])?;
    check(
        plan.code == 2 && plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        format!(
            "{what}: expected the claim to be created again:\n{}",
            plan.stdout
        ),
    )
}

fn reimport(ws: &Workspace, address: &str, id: &str) -> Result<(), String> {
    let applied = resource_values(ws, address)?;
    ws.run(&["state", "rm", address])?.ok("state rm")?;
    ws.run(&["import", "-no-color", address, id])?
        .ok("import")?;
    let imported = resource_values(ws, address)?;
    check(
        imported == applied,
        format!("{address}: imported {imported}, applied state had {applied}"),
    )
}

fn web_app(emu: &Emulator) -> Result<String, String> {
    let app = emu.ok(
        "POST",
        "/api/v1/apps?activate=true",
        Some(&json!({
            "name": "oidc_client",
            "label": "pomerium",
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
    app["id"]
        .as_str()
        .map(str::to_string)
        .ok_or("no app id".into())
}

/// The org authorization server's groups claim of an app.
pub fn org_server_lifecycle(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let app_id = web_app(&emu)?;
    let path = format!("/api/v1/internal/apps/{app_id}/settings/oauth/idToken");
    let address = "oktaidp_groups_claim.pomerium";

    // Both targets, and a regex that does not compile: refused at plan, at the attributes.
    let ws = workspace(
        tf,
        &emu,
        &config(&format!(
            "  app_id = \"{app_id}\"\n  authorization_server_id = \"default\"\n  filter = \"eng-(\""
        )),
    )?;
    let plan = ws.plan(&[])?;
    let text = plan.text();
    check(
        plan.code == 1
            && text.contains("Conflicting claim targets")
            && text.contains("Invalid regular expression"),
        format!("bad input was not refused:\n{text}"),
    )?;

    let ws = workspace(tf, &emu, &config(&format!("  app_id = \"{app_id}\"")))?;
    ws.apply(&[])?;
    let claim = emu.ok("GET", &path, None)?;
    check(
        (
            claim["name"].clone(),
            claim["groupFilterType"].clone(),
            claim["value"].clone(),
        ) == (json!("groups"), json!("REGEX"), json!(".*"))
            && claim["valueType"] == "GROUPS",
        format!("claim in Okta: {claim}"),
    )?;
    let state = resource_values(&ws, address)?;
    check(
        state["id"] == json!(format!("app/{app_id}")) && state["authorization_server_id"].is_null(),
        format!("state: {state}"),
    )?;
    ws.expect_empty_plan(&[])?;
    reimport(&ws, address, &format!("app/{app_id}"))?;
    ws.expect_empty_plan(&[])?;

    // Update in place.
    ws.write(
        "main.tf",
        &config(&format!(
            "  app_id = \"{app_id}\"\n  filter_type = \"STARTS_WITH\"\n  filter = \"eng-\""
        )),
    )?;
    expect_update(&ws, "filter change")?;
    ws.apply(&[])?;
    let claim = emu.ok("GET", &path, None)?;
    check(
        claim["groupFilterType"] == "STARTS_WITH" && claim["value"] == "eng-",
        format!("claim after update: {claim}"),
    )?;
    ws.expect_empty_plan(&[])?;

    // Drift: changed in the Admin Console, then cleared there.
    emu.ok(
        "POST",
        &path,
        Some(
            &json!({"valueType": "GROUPS", "groupFilterType": "EQUALS", "issuerMode": "ORG_URL",
                     "name": "groups", "value": "admins"}),
        ),
    )?;
    expect_update(&ws, "claim changed out of band")?;
    ws.apply(&[])?;
    emu.ok("POST", &path, Some(&json!({"issuerMode": "ORG_URL"})))?;
    expect_create(&ws, "claim cleared out of band")?;
    ws.apply(&[])?;
    ws.expect_empty_plan(&[])?;

    // Destroy clears the claim; the app is otherwise untouched.
    ws.destroy(&[])?;
    let claim = emu.ok("GET", &path, None)?;
    check(
        claim.get("name").is_none(),
        format!("claim left behind: {claim}"),
    )?;
    check(emu.app(&app_id)?["status"] == "ACTIVE", "the app changed")?;
    ws.check_log()
}

fn claims(emu: &Emulator) -> Result<Vec<Value>, String> {
    let list = emu.ok("GET", "/api/v1/authorizationServers/default/claims", None)?;
    Ok(list.as_array().cloned().unwrap_or_default())
}

/// A claim of the built-in `default` custom authorization server.
pub fn custom_server_lifecycle(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let before = claims(&emu)?.len();
    let address = "oktaidp_groups_claim.pomerium";
    let ws = workspace(tf, &emu, &config("  authorization_server_id = \"default\""))?;
    ws.apply(&[])?;
    let state = resource_values(&ws, address)?;
    let id = state["id"].as_str().unwrap_or_default().to_string();
    let claim_id = id
        .strip_prefix("default/")
        .ok_or(format!("id {id} is not default/<claim id>"))?
        .to_string();
    let claim_path = format!("/api/v1/authorizationServers/default/claims/{claim_id}");
    let claim = emu.ok("GET", &claim_path, None)?;
    check(
        claim["claimType"] == "IDENTITY"
            && claim["valueType"] == "GROUPS"
            && claim["group_filter_type"] == "REGEX"
            && claim["value"] == ".*"
            && claim["alwaysIncludeInToken"] == true
            && claim["conditions"] == json!({"scopes": []}),
        format!("claim in Okta: {claim}"),
    )?;
    ws.expect_empty_plan(&[])?;
    reimport(&ws, address, &id)?;
    ws.expect_empty_plan(&[])?;

    // Update in place keeps the claim's id.
    ws.write(
        "main.tf",
        &config("  authorization_server_id = \"default\"\n  filter_type = \"CONTAINS\"\n  filter = \"pomerium\""),
    )?;
    expect_update(&ws, "filter change")?;
    ws.apply(&[])?;
    check(
        resource_values(&ws, address)?["id"] == json!(id),
        "the update replaced the claim",
    )?;
    let claim = emu.ok("GET", &claim_path, None)?;
    check(
        claim["group_filter_type"] == "CONTAINS" && claim["value"] == "pomerium",
        format!("claim after update: {claim}"),
    )?;
    ws.expect_empty_plan(&[])?;

    // Drift: the value changed out of band → update; the claim deleted → create.
    let mut changed = claim.clone();
    changed["value"] = json!("admins");
    emu.ok("PUT", &claim_path, Some(&changed))?;
    expect_update(&ws, "claim changed out of band")?;
    ws.apply(&[])?;
    emu.api("DELETE", &claim_path, None)?;
    expect_create(&ws, "claim deleted out of band")?;
    ws.apply(&[])?;
    ws.expect_empty_plan(&[])?;

    // Destroy: nothing left behind.
    ws.destroy(&[])?;
    let after = claims(&emu)?;
    check(
        after.len() == before && !after.iter().any(|c| c["name"] == "groups"),
        format!("claims left behind: {after:?}"),
    )?;
    ws.check_log()
}
