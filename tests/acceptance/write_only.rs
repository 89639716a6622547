//! Write-only attributes through real Terraform/OpenTofu: `token_wo` of `oktaidp_api_token`
//! never reaches plan, state or output, and is checked at create and when `token_wo_version`
//! rises. On versions without write-only attributes, configuring one is a clear error at plan.

use crate::api_token::mint;
use crate::emulator::Emulator;
use crate::ephemeral::assert_no_secret;
use crate::oidc_app::{resource_values, workspace};
use crate::terraform::{Feature, Terraform};

const CONFIG: &str = r#"
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
variable "org_url" { type = string }
provider "oktaidp" {
  org_url = var.org_url
}
variable "sync_token" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "sync_token_version" {
  type = number
}
resource "oktaidp_api_token" "sync" {
  name             = "pomerium-directory-sync"
  token_wo         = var.sync_token
  token_wo_version = var.sync_token_version
}
"#;

pub fn api_token_wo_lifecycle(tf: &Terraform) -> Result<(), String> {
    tf.require(Feature::WriteOnlyAttributes)?;
    let emu = Emulator::start(&[])?;
    let minted = mint(&emu, "pomerium-directory-sync")?;
    let mut ws = workspace(tf, &emu, CONFIG)?;
    ws.set_env("TF_VAR_sync_token", &minted.value);
    ws.set_env("TF_VAR_sync_token_version", "1");
    let plan = ws
        .run(&["plan", "-no-color", "-out=tfplan"])?
        .ok("plan -out")?;
    let apply = ws
        .run(&["apply", "-no-color", "tfplan"])?
        .ok("apply tfplan")?;
    let values = resource_values(&ws, "oktaidp_api_token.sync")?;
    if values["token_id"] != minted.id.as_str()
        || values["user_id"] != minted.user_id.as_str()
        || !values["token_wo"].is_null()
        || !values["token"].is_null()
        || values["token_wo_version"] != 1
    {
        return Err(format!("unexpected state: {values}"));
    }
    assert_no_secret(
        &ws,
        &format!("{}\n{}", plan.text(), apply.text()),
        &[&minted.value],
    )?;
    ws.expect_empty_plan(&[])?;

    // A raised version checks the new value: a token that does not work fails the apply.
    ws.set_env("TF_VAR_sync_token_version", "2");
    ws.set_env(
        "TF_VAR_sync_token",
        "00notAWorkingToken-0123456789abcdefghij",
    );
    let bad = ws.run(&["apply", "-auto-approve", "-no-color"])?;
    if bad.code == 0 || !bad.text().contains("does not work") {
        return Err(format!(
            "a non-working token_wo was accepted ({}):\n{}",
            bad.code,
            bad.text()
        ));
    }
    ws.set_env("TF_VAR_sync_token", &minted.value);
    let apply = ws.apply(&[])?;
    if resource_values(&ws, "oktaidp_api_token.sync")?["token_wo_version"] != 2 {
        return Err("token_wo_version 2 not stored".into());
    }
    assert_no_secret(&ws, &apply.text(), &[&minted.value])?;
    ws.expect_empty_plan(&[])?;
    ws.destroy(&[])?;
    ws.check_log()
}

/// Terraform and OpenTofu before 1.11 do not know write-only attributes: the plan fails with a
/// message saying so, before any value could be stored.
pub fn refused_without_write_only_support(tf: &Terraform) -> Result<(), String> {
    if tf.supports(Feature::WriteOnlyAttributes) {
        return Err(format!(
            "{}{} supports write-only attributes",
            crate::terraform::SKIPPED,
            tf.label()
        ));
    }
    let emu = Emulator::start(&[])?;
    // Old versions have no ephemeral variables either.
    let config = CONFIG.replace("  ephemeral = true\n", "");
    let mut ws = workspace(tf, &emu, &config)?;
    ws.set_env("TF_VAR_sync_token", "00someToken-0123456789abcdefghij");
    ws.set_env("TF_VAR_sync_token_version", "1");
    let plan = ws.plan(&[])?;
    let text = plan.text().split_whitespace().collect::<Vec<_>>().join(" ");
    if plan.code != 1 || !text.contains("needs Terraform 1.11 or OpenTofu 1.11") {
        return Err(format!(
            "expected a clear refusal, got {}:\n{text}",
            plan.code
        ));
    }
    Ok(())
}
