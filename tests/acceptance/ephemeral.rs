//! Ephemeral resources and ephemeral provider configuration through real Terraform/OpenTofu:
//! values are right (checked by postconditions inside Terraform, since ephemeral values cannot
//! be outputs), and no secret reaches the state, a saved plan or the CLI output. Binaries
//! without ephemeral resources (Terraform < 1.10, OpenTofu < 1.11) skip with a line.

use base64::Engine;
use serde_json::json;

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::terraform::{example, Feature, Terraform, Workspace};

const DIRECTORY_TOKEN: &str = "00ephDirectoryToken-0123456789abcdefghijklmn";

/// An app wired the way Pomerium needs, made outside Terraform; returns (id, client_id, secret).
fn pomerium_app(emu: &Emulator) -> Result<(String, String, String), String> {
    let app = emu.ok(
        "POST",
        "/api/v1/apps?activate=true",
        Some(&json!({
            "name": "oidc_client",
            "label": "pomerium-ephemeral",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {
                "application_type": "web",
                "redirect_uris": ["https://authenticate.example.com/oauth2/callback"],
                "response_types": ["code"],
                "grant_types": ["authorization_code", "refresh_token"]
            }}
        })),
    )?;
    let id = app["id"].as_str().ok_or("no app id")?.to_string();
    let client_id = app["credentials"]["oauthClient"]["client_id"]
        .as_str()
        .ok_or("no client_id")?
        .to_string();
    let secrets = emu.ok(
        "GET",
        &format!("/api/v1/apps/{id}/credentials/secrets"),
        None,
    )?;
    let secret = secrets
        .as_array()
        .and_then(|s| s.iter().find(|s| s["status"] == "ACTIVE"))
        .and_then(|s| s["client_secret"].as_str())
        .ok_or("no active secret")?
        .to_string();
    Ok((id, client_id, secret))
}

/// Every file Terraform wrote in the workspace, plus the given CLI output, must be free of
/// `secrets`.
pub fn assert_no_secret(ws: &Workspace, cli_output: &str, secrets: &[&str]) -> Result<(), String> {
    let mut places = vec![("CLI output".to_string(), cli_output.to_string())];
    for name in ["terraform.tfstate", "terraform.tfstate.backup"] {
        if let Ok(text) = ws.read(name) {
            places.push((name.to_string(), text));
        }
    }
    if let Ok(run) = ws.run(&["show", "-json", "tfplan"]) {
        if run.code == 0 {
            places.push(("show -json tfplan".into(), run.stdout));
        }
    }
    for (place, text) in &places {
        for secret in secrets {
            if text.contains(secret) {
                return Err(format!("a secret appeared in {place}"));
            }
        }
    }
    Ok(())
}

const CONFIG: &str = r#"
variable "app_id" {
  type = string
}
variable "expected_client_id" {
  type = string
}
# Expectations are ephemeral too: a saved plan keeps the values of ordinary variables.
variable "expected_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "expected_service_account" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "okta_directory_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "oktaidp_oidc_app_client_secret" "app" {
  app_id = var.app_id
  lifecycle {
    postcondition {
      condition     = self.client_id == var.expected_client_id && self.client_secret == var.expected_secret
      error_message = "oidc_app_client_secret returned other values."
    }
  }
}

ephemeral "oktaidp_pomerium_idp" "idp" {
  authenticate_service_url = "https://authenticate.example.com"
  pomerium_version         = "0.19.1" # reads idp_service_account
  app_id                   = var.app_id
  client_secret            = ephemeral.oktaidp_oidc_app_client_secret.app.client_secret
  api_token                = var.okta_directory_token
  lifecycle {
    postcondition {
      condition = (
        self.idp_client_secret == var.expected_secret &&
        self.env["IDP_CLIENT_ID"] == var.expected_client_id &&
        self.callback_url == "https://authenticate.example.com/oauth2/callback" &&
        self.idp_service_account == var.expected_service_account
      )
      error_message = "pomerium_idp rendered other settings."
    }
  }
}
"#;

pub fn client_secret_and_pomerium_idp(tf: &Terraform) -> Result<(), String> {
    tf.require(Feature::EphemeralResources)?;
    let emu = Emulator::start(&[])?;
    let (app_id, client_id, secret) = pomerium_app(&emu)?;
    let service_account = base64::engine::general_purpose::STANDARD
        .encode(format!("{{\"api_key\":\"{DIRECTORY_TOKEN}\"}}"));
    let mut ws = Workspace::new(
        tf,
        &[
            ("provider.tf", example("examples/provider/provider.tf")?),
            ("main.tf", CONFIG.to_string()),
        ],
    )?;
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.set_env("TF_VAR_okta_org_url", &emu.url);
    ws.set_env("TF_VAR_app_id", &app_id);
    ws.set_env("TF_VAR_expected_client_id", &client_id);
    ws.set_env("TF_VAR_okta_directory_token", DIRECTORY_TOKEN);
    ws.set_env("TF_VAR_expected_service_account", &service_account);

    // A wrong expectation must fail: the postconditions really look at the values.
    ws.set_env("TF_VAR_expected_secret", "not-the-secret");
    let wrong = ws.plan(&[])?;
    if wrong.code != 1
        || !wrong
            .text()
            .contains("oidc_app_client_secret returned other values")
    {
        return Err(format!(
            "a wrong expected secret did not fail the postcondition ({}):\n{}",
            wrong.code,
            wrong.text()
        ));
    }

    ws.set_env("TF_VAR_expected_secret", &secret);
    let plan = ws
        .run(&["plan", "-no-color", "-out=tfplan"])?
        .ok("plan -out")?;
    let apply = ws
        .run(&["apply", "-no-color", "tfplan"])?
        .ok("apply tfplan")?;
    ws.expect_empty_plan(&[])?;
    let output = format!("{}\n{}", plan.text(), apply.text());
    assert_no_secret(&ws, &output, &[&secret, DIRECTORY_TOKEN, &service_account])?;
    ws.check_log()
}

/// The provider's own `api_token` from an ephemeral variable: it works, and is nowhere stored.
pub fn provider_token_from_ephemeral_variable(tf: &Terraform) -> Result<(), String> {
    tf.require(Feature::EphemeralResources)?;
    let emu = Emulator::start(&[])?;
    let group = emu.create_group("Engineering")?;
    let mut ws = Workspace::new(
        tf,
        &[(
            "main.tf",
            r#"
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
variable "okta_org_url" {
  type = string
}
variable "okta_api_token" {
  type      = string
  sensitive = true
  ephemeral = true
}
provider "oktaidp" {
  org_url   = var.okta_org_url
  api_token = var.okta_api_token
}
data "oktaidp_group" "engineering" {
  name = "Engineering"
}
output "group_id" {
  value = data.oktaidp_group.engineering.id
}
"#
            .to_string(),
        )],
    )?;
    ws.set_env("TF_VAR_okta_org_url", &emu.url);
    ws.set_env("TF_VAR_okta_api_token", ADMIN_TOKEN);
    let plan = ws
        .run(&["plan", "-no-color", "-out=tfplan"])?
        .ok("plan -out")?;
    let apply = ws
        .run(&["apply", "-no-color", "tfplan"])?
        .ok("apply tfplan")?;
    if ws.outputs()?["group_id"]["value"] != group.as_str() {
        return Err("the group was not read with the ephemeral token".into());
    }
    let output = format!("{}\n{}", plan.text(), apply.text());
    assert_no_secret(&ws, &output, &[ADMIN_TOKEN])?;
    ws.check_log()
}

/// The ephemeral-resource examples apply as written (docs embed them), leaving no secret behind.
pub fn examples_apply(tf: &Terraform) -> Result<(), String> {
    tf.require(Feature::EphemeralResources)?;
    let emu = Emulator::start(&[])?;
    let (app_id, _, secret) = pomerium_app(&emu)?;
    for path in [
        "examples/ephemeral-resources/oktaidp_oidc_app_client_secret/ephemeral-resource.tf",
        "examples/ephemeral-resources/oktaidp_pomerium_idp/ephemeral-resource.tf",
    ] {
        let mut ws = Workspace::new(
            tf,
            &[
                ("provider.tf", example("examples/provider/provider.tf")?),
                ("example.tf", example(path)?),
            ],
        )?;
        ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
        ws.set_env("TF_VAR_okta_org_url", &emu.url);
        ws.set_env("TF_VAR_app_id", &app_id);
        ws.set_env("TF_VAR_okta_directory_token", DIRECTORY_TOKEN);
        let apply = ws.apply(&[]).map_err(|e| format!("{path}: {e}"))?;
        assert_no_secret(&ws, &apply.text(), &[&secret, DIRECTORY_TOKEN])
            .map_err(|e| format!("{path}: {e}"))?;
        ws.check_log().map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}
