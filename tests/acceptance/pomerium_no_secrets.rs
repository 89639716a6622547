//! `examples/pomerium-no-secrets-in-state` against okta-emulator: applied from a saved plan,
//! then the state file, `show -json` of the saved plan and every line of CLI output are
//! searched for the client secret, the API tokens and the rendered service account: zero hits,
//! also after a client secret rotation.

use base64::Engine;

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::ephemeral::assert_no_secret;
use crate::terraform::{example, Feature, Terraform, Workspace};

/// A root module calling the example as `./module` (also used by `secrets_in_state`).
pub const ROOT: &str = r#"
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
provider "oktaidp" {}

variable "okta_api_token" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "client_secret_version" {
  type    = number
  default = 1
}

module "pomerium" {
  source                = "./module"
  authenticate_host     = "authenticate.example.com"
  allowed_groups        = ["Engineering"]
  okta_api_token        = var.okta_api_token
  client_secret_version = var.client_secret_version
}

output "app_id" {
  value = module.pomerium.app_id
}
output "callback_url" {
  value = module.pomerium.callback_url
}
"#;

fn active_secrets(emu: &Emulator, app_id: &str) -> Result<Vec<String>, String> {
    let list = emu.ok(
        "GET",
        &format!("/api/v1/apps/{app_id}/credentials/secrets"),
        None,
    )?;
    Ok(list
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["status"] == "ACTIVE")
        .filter_map(|s| s["client_secret"].as_str().map(str::to_string))
        .collect())
}

/// Plan to a file, apply it, and return all CLI output.
fn plan_and_apply(ws: &Workspace) -> Result<String, String> {
    let plan = ws
        .run(&["plan", "-no-color", "-out=tfplan"])?
        .ok("plan -out")?;
    let apply = ws
        .run(&["apply", "-no-color", "tfplan"])?
        .ok("apply tfplan")?;
    Ok(format!("{}\n{}", plan.text(), apply.text()))
}

pub fn nothing_secret_is_stored(tf: &Terraform) -> Result<(), String> {
    tf.require(Feature::WriteOnlyAttributes)?;
    let emu = Emulator::start(&[])?;
    emu.create_group("Engineering")?;
    let dir_token = emu.mint_token("pomerium-directory-sync")?;
    let service_account = base64::engine::general_purpose::STANDARD
        .encode(format!("{{\"api_key\":\"{dir_token}\"}}"));

    let mut ws = Workspace::new(tf, &[("main.tf", ROOT.to_string())])?;
    std::fs::create_dir_all(ws.dir.path().join("module")).map_err(|e| e.to_string())?;
    for name in ["main.tf", "variables.tf", "outputs.tf"] {
        let text = example(&format!("examples/pomerium-no-secrets-in-state/{name}"))?;
        ws.write(&format!("module/{name}"), &text)?;
    }
    ws.set_env("OKTA_ORG_URL", &emu.url);
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.set_env("TF_VAR_okta_api_token", &dir_token);
    // Installs the local module only (the provider comes from dev_overrides).
    ws.run(&["get", "-no-color"])?.ok("get")?;

    let mut output = plan_and_apply(&ws)?;
    let out = ws.outputs()?;
    let app_id = out["app_id"]["value"]
        .as_str()
        .ok_or("no app_id")?
        .to_string();
    if out["callback_url"]["value"] != "https://authenticate.example.com/oauth2/callback" {
        return Err(format!("callback_url: {}", out["callback_url"]));
    }
    let first = active_secrets(&emu, &app_id)?;
    if first.is_empty() {
        return Err("the app has no active client secret".into());
    }
    let state = ws.read("terraform.tfstate")?;
    if !state.contains("\"store_client_secret\": false") {
        return Err("the state does not record store_client_secret = false".into());
    }
    let mut secrets: Vec<String> = first.clone();
    secrets.extend([dir_token.clone(), service_account, ADMIN_TOKEN.to_string()]);
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_no_secret(&ws, &output, &refs)?;
    ws.expect_empty_plan(&[])?;

    // Rotation by client_secret_version still works, and the new secret stays out too.
    ws.set_env("TF_VAR_client_secret_version", "2");
    output.push_str(&plan_and_apply(&ws)?);
    let rotated = active_secrets(&emu, &app_id)?;
    if rotated.is_empty() || rotated.iter().any(|s| first.contains(s)) {
        return Err("client_secret_version 2 did not rotate the secret".into());
    }
    secrets.extend(rotated);
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_no_secret(&ws, &output, &refs)?;
    ws.expect_empty_plan(&[])?;
    let destroy = ws.destroy(&[])?;
    assert_no_secret(&ws, &destroy.text(), &refs)?;
    ws.check_log()
}
