//! The class behind #20 item 2: every documented "no secrets in state" setup is applied from a
//! saved plan (and rotated where it can be), then the raw state file (and its backup), `show
//! -json` of the state and `show -json` of the saved plan are searched for every secret
//! okta-emulator issued: client secrets of every app, rotated and deleted ones included, and
//! every API token (`GET /__emulator/secrets`, read after the last step). Setups:
//!
//! - `store_client_secret = false` on `oktaidp_oidc_app` (any version), with the ephemeral
//!   `oktaidp_oidc_app_client_secret` and `oktaidp_pomerium_idp` reading the secret where the
//!   CLI has ephemeral resources (Terraform 1.10, OpenTofu 1.11);
//! - `store_client_secret = false` with the DATA SOURCE `oktaidp_pomerium_idp` given `app_id` and
//!   no `client_secret` (what `docs/resources/oidc_app.md` once suggested): refused with a pointer
//!   to the ephemeral resource, and nothing secret in state;
//! - `examples/pomerium-no-secrets-in-state` (write-only `token_wo` on `oktaidp_api_token`, the
//!   ephemeral `oktaidp_pomerium_idp`, Terraform/OpenTofu 1.11).
//!
//! Every setup runs even when an earlier one fails; the error lists each failure.

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::terraform::{example, Feature, Terraform, Workspace};

/// (name, the setup, the CLI feature it needs)
type Setup = (
    &'static str,
    fn(&Terraform) -> Result<(), String>,
    Option<Feature>,
);

const AUTHENTICATE: &str = "https://authenticate.example.com";

pub fn no_secret_in_state_or_plan(tf: &Terraform) -> Result<(), String> {
    let mut failures = Vec::new();
    let mut ran = Vec::new();
    let setups: [Setup; 3] = [
        ("store_client_secret = false", store_false, None),
        (
            "store_client_secret = false + data source with app_id",
            data_source_refused,
            None,
        ),
        (
            "examples/pomerium-no-secrets-in-state",
            no_secrets_example,
            Some(Feature::WriteOnlyAttributes),
        ),
    ];
    for (name, setup, needs) in setups {
        if needs.is_some_and(|f| !tf.supports(f)) {
            continue;
        }
        ran.push(name);
        if let Err(e) = setup(tf) {
            failures.push(format!("{name}: {e}"));
        }
    }
    if failures.is_empty() {
        println!("    secrets_in_state ({}): {}", tf.label(), ran.join("; "));
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// Every secret the emulator issued so far (at least `min`, so the search is not vacuous).
fn issued(emu: &Emulator, min: usize) -> Result<Vec<String>, String> {
    let all = emu.admin("GET", "/__emulator/secrets", None)?;
    let secrets: Vec<String> = all["secrets"]
        .as_array()
        .ok_or("no secrets list")?
        .iter()
        .filter_map(|s| s.as_str())
        .filter(|s| s.len() >= 8)
        .map(str::to_string)
        .collect();
    if secrets.len() < min {
        return Err(format!(
            "the emulator issued {} secrets, expected at least {min}",
            secrets.len()
        ));
    }
    Ok(secrets)
}

/// Searches the state file, its backup, `show -json` and `show -json tfplan` for `secrets`;
/// an error names the place and the secret's position in the emulator's list, never the value.
fn search(ws: &Workspace, step: &str, secrets: &[String]) -> Result<(), String> {
    let mut places = Vec::new();
    for name in ["terraform.tfstate", "terraform.tfstate.backup"] {
        if let Ok(text) = ws.read(name) {
            places.push((name.to_string(), text));
        }
    }
    if places.is_empty() {
        return Err(format!("{step}: no state file to search"));
    }
    let state = ws.run(&["show", "-json"])?.ok("show -json")?;
    places.push(("show -json (state)".into(), state.stdout));
    if ws.read("tfplan").is_ok() {
        let plan = ws
            .run(&["show", "-json", "tfplan"])?
            .ok("show -json tfplan")?;
        places.push(("show -json tfplan".into(), plan.stdout));
    }
    let mut found = Vec::new();
    for (place, text) in &places {
        for (i, secret) in secrets.iter().enumerate() {
            if text.contains(secret.as_str()) {
                found.push(format!("issued secret #{i} in {place}"));
            }
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("{step}: {}", found.join(", ")))
    }
}

fn plan_and_apply(ws: &Workspace) -> Result<(), String> {
    ws.run(&["plan", "-no-color", "-out=tfplan"])?
        .ok("plan -out")?;
    ws.run(&["apply", "-no-color", "tfplan"])?
        .ok("apply tfplan")?;
    Ok(())
}

fn workspace(tf: &Terraform, emu: &Emulator, main: String) -> Result<Workspace, String> {
    let mut ws = Workspace::new(tf, &[("main.tf", main)])?;
    ws.set_env("OKTA_ORG_URL", &emu.url);
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    Ok(ws)
}

const HEADER: &str = r#"
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
provider "oktaidp" {}
"#;

/// `store_client_secret = false`, rotated once; the ephemeral resources read the secret on
/// CLIs that have them.
fn store_false(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    emu.create_group("Engineering")?;
    let mut main = format!(
        r#"{HEADER}
variable "client_secret_version" {{
  type    = number
  default = 1
}}
data "oktaidp_group" "engineering" {{
  name = "Engineering"
}}
resource "oktaidp_oidc_app" "pomerium" {{
  label                 = "no-store"
  redirect_uris         = ["{AUTHENTICATE}/oauth2/callback"]
  group_ids             = [data.oktaidp_group.engineering.id]
  store_client_secret   = false
  client_secret_version = var.client_secret_version
}}
output "app_id" {{
  value = oktaidp_oidc_app.pomerium.id
}}
"#
    );
    if tf.supports(Feature::EphemeralResources) {
        main.push_str(&format!(
            r#"
ephemeral "oktaidp_oidc_app_client_secret" "pomerium" {{
  app_id = oktaidp_oidc_app.pomerium.id
}}
ephemeral "oktaidp_pomerium_idp" "pomerium" {{
  authenticate_service_url = "{AUTHENTICATE}"
  app_id                   = oktaidp_oidc_app.pomerium.id
}}
"#
        ));
    }
    let mut ws = workspace(tf, &emu, main)?;
    plan_and_apply(&ws)?;
    let app_id = ws.outputs()?["app_id"]["value"]
        .as_str()
        .ok_or("no app_id output")?
        .to_string();
    let state = ws.read("terraform.tfstate")?;
    if !state.contains("\"store_client_secret\": false") {
        return Err("the state does not record store_client_secret = false".into());
    }
    // The admin token and the app's first secret.
    search(&ws, "after create", &issued(&emu, 2)?)?;
    ws.set_env("TF_VAR_client_secret_version", "2");
    plan_and_apply(&ws)?;
    let secrets = emu.ok(
        "GET",
        &format!("/api/v1/apps/{app_id}/credentials/secrets"),
        None,
    )?;
    if secrets.as_array().map_or(0, Vec::len) < 1 {
        return Err("the app has no client secret after rotation".into());
    }
    // Now also the rotated secret (the first one is kept, inactive, or deleted: either way it
    // stays in the emulator's list).
    search(&ws, "after rotation", &issued(&emu, 3)?)?;
    ws.expect_empty_plan(&[])?;
    ws.destroy(&[])?;
    search(&ws, "after destroy", &issued(&emu, 3)?)?;
    ws.check_log()
}

/// The data source with `app_id` and no `client_secret`, for an app that does not store its
/// secret: refused (pointing to the ephemeral resource), and nothing secret in state either way.
fn data_source_refused(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let main = format!(
        r#"{HEADER}
resource "oktaidp_oidc_app" "pomerium" {{
  label               = "no-store"
  redirect_uris       = ["{AUTHENTICATE}/oauth2/callback"]
  store_client_secret = false
}}
data "oktaidp_pomerium_idp" "pomerium" {{
  authenticate_service_url = "{AUTHENTICATE}"
  app_id                   = oktaidp_oidc_app.pomerium.id
}}
"#
    );
    let ws = workspace(tf, &emu, main)?;
    let mut problems = Vec::new();
    let run = ws.run(&["apply", "-auto-approve", "-no-color"])?;
    if run.code == 0 {
        problems.push("the apply succeeded; expected a refusal pointing to the ephemeral oktaidp_pomerium_idp".to_string());
    } else {
        let flat = run.text().replace('\n', " ");
        if !(flat.contains("ephemeral") && flat.contains("oktaidp_pomerium_idp")) {
            problems.push(format!(
                "the refusal does not point to the ephemeral oktaidp_pomerium_idp:\n{}",
                run.text()
            ));
        }
    }
    // Whatever got applied (the app, if the refusal came at read time) holds no secret.
    let issued = issued(&emu, 1)?;
    if ws.read("terraform.tfstate").is_ok() {
        if let Err(e) = search(&ws, "after the apply", &issued) {
            problems.push(e);
        }
        // Destroy what may have been created; the data source may keep failing, so target the app.
        ws.run(&[
            "destroy",
            "-auto-approve",
            "-no-color",
            "-target=oktaidp_oidc_app.pomerium",
        ])?;
    }
    if problems.is_empty() {
        ws.check_log()
    } else {
        Err(problems.join("; "))
    }
}

/// `examples/pomerium-no-secrets-in-state` as a child module, rotated once.
fn no_secrets_example(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    emu.create_group("Engineering")?;
    let dir_token = &emu.mint_token("pomerium-directory-sync")?;
    let mut ws = workspace(tf, &emu, crate::pomerium_no_secrets::ROOT.to_string())?;
    std::fs::create_dir_all(ws.dir.path().join("module")).map_err(|e| e.to_string())?;
    for name in ["main.tf", "variables.tf", "outputs.tf"] {
        let text = example(&format!("examples/pomerium-no-secrets-in-state/{name}"))?;
        ws.write(&format!("module/{name}"), &text)?;
    }
    ws.set_env("TF_VAR_okta_api_token", dir_token);
    ws.run(&["get", "-no-color"])?.ok("get")?;
    plan_and_apply(&ws)?;
    // The admin token, the directory token and the app's secret.
    search(&ws, "after create", &issued(&emu, 3)?)?;
    ws.set_env("TF_VAR_client_secret_version", "2");
    plan_and_apply(&ws)?;
    search(&ws, "after rotation", &issued(&emu, 4)?)?;
    ws.expect_empty_plan(&[])?;
    ws.destroy(&[])?;
    search(&ws, "after destroy", &issued(&emu, 4)?)?;
    ws.check_log()
}
