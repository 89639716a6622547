//! Provider functions through real Terraform/OpenTofu: the examples apply, results are exact,
//! sensitivity carries from the argument to the result, errors point at the argument. Binaries
//! without provider functions (Terraform < 1.8) skip with a line saying so.

use base64::Engine;

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::terraform::{example, Feature, Terraform, Workspace};

const API_TOKEN: &str = "00fnTokenValue-0123456789abcdefghijklmnopqr";

fn workspace(tf: &Terraform, emu: &Emulator, main: String) -> Result<Workspace, String> {
    let mut ws = Workspace::new(
        tf,
        &[
            ("provider.tf", example("examples/provider/provider.tf")?),
            ("main.tf", main),
        ],
    )?;
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.set_env("TF_VAR_okta_org_url", &emu.url);
    Ok(ws)
}

/// Both examples apply; the app gets the computed redirect URI; the service account output is
/// exact, masked in CLI output and never printed.
pub fn examples_apply(tf: &Terraform) -> Result<(), String> {
    tf.require(Feature::ProviderFunctions)?;
    let emu = Emulator::start(&[])?;
    let ws = workspace(
        tf,
        &emu,
        example("examples/functions/callback_url/function.tf")?,
    )?;
    ws.apply(&[])?;
    let out = ws.outputs()?;
    let expected = "https://authenticate.example.com/oauth2/callback";
    if out["callback_url"]["value"] != expected {
        return Err(format!("callback_url output: {}", out["callback_url"]));
    }
    let apps = emu.apps()?;
    let uris = &apps.first().ok_or("no app created")?["settings"]["oauthClient"]["redirect_uris"];
    if uris != &serde_json::json!([expected]) {
        return Err(format!("app redirect_uris: {uris}"));
    }
    ws.expect_empty_plan(&[])?;
    ws.destroy(&[])?;
    ws.check_log()?;

    let mut ws = workspace(
        tf,
        &emu,
        example("examples/functions/idp_service_account/function.tf")?,
    )?;
    ws.set_env("TF_VAR_okta_api_token", API_TOKEN);
    let apply = ws.apply(&[])?;
    let want = base64::engine::general_purpose::STANDARD
        .encode(format!("{{\"api_key\":\"{API_TOKEN}\"}}"));
    if apply.text().contains(API_TOKEN) || apply.text().contains(&want) {
        return Err("a secret appeared in apply output".into());
    }
    let out = ws.outputs()?;
    if out["idp_service_account"]["value"] != want.as_str()
        || out["idp_service_account"]["sensitive"] != true
    {
        return Err(format!(
            "idp_service_account output not the sensitive service account: sensitive={}",
            out["idp_service_account"]["sensitive"]
        ));
    }
    ws.check_log()
}

/// A sensitive argument makes the result sensitive: an output without `sensitive = true` is
/// refused by Terraform itself.
pub fn sensitivity_carries_through(tf: &Terraform) -> Result<(), String> {
    tf.require(Feature::ProviderFunctions)?;
    let emu = Emulator::start(&[])?;
    let mut ws = workspace(
        tf,
        &emu,
        r#"
variable "okta_api_token" {
  type      = string
  sensitive = true
}
output "leaky" {
  value = provider::oktaidp::idp_service_account(var.okta_api_token)
}
"#
        .to_string(),
    )?;
    ws.set_env("TF_VAR_okta_api_token", API_TOKEN);
    let plan = ws.plan(&[])?;
    if plan.code != 1 || !plan.text().contains("sensitive") {
        return Err(format!(
            "expected Terraform to refuse a non-sensitive output, got {}:\n{}",
            plan.code,
            plan.text()
        ));
    }
    if plan.text().contains(API_TOKEN) {
        return Err("the token appeared in the error output".into());
    }
    Ok(())
}

/// Bad arguments fail the plan with the provider's message, pointing at the call.
pub fn errors_point_at_the_argument(tf: &Terraform) -> Result<(), String> {
    tf.require(Feature::ProviderFunctions)?;
    let emu = Emulator::start(&[])?;
    let ws = workspace(
        tf,
        &emu,
        r#"
output "bad_url" {
  value = provider::oktaidp::callback_url("http://authenticate.example.com/?next=1")
}
output "bad_token" {
  value     = provider::oktaidp::idp_service_account("00has whitespace")
  sensitive = true
}
"#
        .to_string(),
    )?;
    let plan = ws.plan(&[])?;
    // Terraform wraps long lines: compare with whitespace collapsed.
    let text = plan.text().split_whitespace().collect::<Vec<_>>().join(" ");
    if plan.code != 1 {
        return Err(format!(
            "expected the plan to fail, got {}:\n{text}",
            plan.code
        ));
    }
    for needle in [
        "\"authenticate_service_url\" parameter: \"http://authenticate.example.com/?next=1\" uses http; it must be an https URL.",
        "\"api_key\" parameter: api_key contains whitespace",
        "provider::oktaidp::callback_url",
    ] {
        if !text.contains(needle) {
            return Err(format!("plan output lacks {needle:?}:\n{text}"));
        }
    }
    Ok(())
}
