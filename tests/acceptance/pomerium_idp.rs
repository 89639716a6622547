//! `oktaidp_pomerium_idp` end to end through real Terraform.

use base64::Engine;

use crate::terraform::{example, Terraform, Workspace};

const CLIENT_SECRET: &str = "acc-Secret_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP";
const API_TOKEN: &str = "00accTokenValue-0123456789abcdefghijklmnopqr";

fn workspace(tf: &Terraform) -> Result<Workspace, String> {
    Workspace::new(
        tf,
        &[
            ("provider.tf", example("examples/provider/provider.tf")?),
            (
                "data-source.tf",
                example("examples/data-sources/oktaidp_pomerium_idp/data-source.tf")?,
            ),
        ],
    )
}

fn expect(
    actual: &serde_json::Value,
    expected: &serde_json::Value,
    what: &str,
) -> Result<(), String> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected}, got {actual}"))
    }
}

/// Apply, exact outputs, sensitive values masked, empty second plan, destroy, clean log.
pub fn renders_settings(tf: &Terraform) -> Result<(), String> {
    let mut ws = workspace(tf)?;
    // Through the environment: Terraform's own log prints its command line.
    ws.set_env("TF_VAR_client_secret", CLIENT_SECRET);
    ws.set_env("TF_VAR_okta_api_token", API_TOKEN);
    let vars: [&str; 0] = [];
    // Pomerium 0.32 (pomerium_version unset) refuses idp_service_account: left out, with a
    // warning at api_token; the sign-out page is the post-logout URI.
    let apply = ws.apply(&vars)?;
    let text = apply.text().replace('\n', " ");
    for needle in ["Pomerium 0.32 has no idp_service_account", "directory_sync"] {
        if !text.contains(needle) {
            return Err(format!(
                "no api_token warning ({needle:?}):\n{}",
                apply.text()
            ));
        }
    }
    let out = ws.outputs()?;
    expect(
        &out["idp_service_account"]["value"],
        &serde_json::Value::Null,
        "idp_service_account for 0.32",
    )?;
    if out["pomerium_env"]["value"]
        .get("IDP_SERVICE_ACCOUNT")
        .is_some()
    {
        return Err("env for Pomerium 0.32 has IDP_SERVICE_ACCOUNT".into());
    }
    let yaml = out["pomerium_config_yaml"]["value"]
        .as_str()
        .unwrap_or_default();
    if yaml.contains("idp_service_account") || yaml.contains(API_TOKEN) {
        return Err(format!(
            "config_yaml for Pomerium 0.32 holds the token: {yaml}"
        ));
    }
    expect(
        &out["post_logout_redirect_uri"]["value"],
        &"https://authenticate.example.com/.pomerium/signed_out".into(),
        "post_logout_redirect_uri",
    )?;
    ws.expect_empty_plan(&vars)?;
    // The last release with directory sync in the core.
    ws.set_env("TF_VAR_pomerium_version", "0.19.1");
    let apply = ws.apply(&vars)?;
    for secret in [CLIENT_SECRET, API_TOKEN] {
        if apply.text().contains(secret) {
            return Err("a secret appeared in terraform apply output".into());
        }
    }
    if !apply.stdout.contains("pomerium_env = <sensitive>") {
        return Err(format!("sensitive output not masked:\n{}", apply.stdout));
    }

    let out = ws.outputs()?;
    let service_account = base64::engine::general_purpose::STANDARD
        .encode(format!("{{\"api_key\":\"{API_TOKEN}\"}}"));
    expect(
        &out["callback_url"]["value"],
        &"https://authenticate.example.com/oauth2/callback".into(),
        "callback_url",
    )?;
    expect(
        &out["idp_provider_url"]["value"],
        &"https://dev-123456.okta.com".into(),
        "idp_provider_url",
    )?;
    expect(
        &out["idp_service_account"]["value"],
        &service_account.clone().into(),
        "idp_service_account",
    )?;
    expect(
        &out["idp_service_account"]["sensitive"],
        &true.into(),
        "idp_service_account sensitive",
    )?;
    expect(
        &out["pomerium_env"]["value"],
        &serde_json::json!({
            "AUTHENTICATE_SERVICE_URL": "https://authenticate.example.com",
            "IDP_CLIENT_ID": "0oa1example2client3id",
            "IDP_CLIENT_SECRET": CLIENT_SECRET,
            "IDP_SCOPES": "openid,profile,email,offline_access",
            "IDP_PROVIDER": "okta",
            "IDP_PROVIDER_URL": "https://dev-123456.okta.com",
            "IDP_SERVICE_ACCOUNT": service_account,
        }),
        "pomerium_env",
    )?;
    let yaml = format!(
        "authenticate_service_url: \"https://authenticate.example.com\"\nidp_provider: \"okta\"\nidp_provider_url: \"https://dev-123456.okta.com\"\nidp_client_id: \"0oa1example2client3id\"\nidp_client_secret: \"{CLIENT_SECRET}\"\nidp_scopes: [\"openid\", \"profile\", \"email\", \"offline_access\"]\nidp_service_account: \"{service_account}\"\n"
    );
    expect(
        &out["pomerium_config_yaml"]["value"],
        &yaml.into(),
        "pomerium_config_yaml",
    )?;

    ws.expect_empty_plan(&vars)?;
    ws.destroy(&vars)?;
    ws.check_log()?;
    for line in ws.provider_log_lines() {
        if line.contains(CLIENT_SECRET) || line.contains(API_TOKEN) {
            return Err(format!("provider logged a secret: {line}"));
        }
    }
    Ok(())
}

/// Without a token: service account null, env without IDP_SERVICE_ACCOUNT; custom
/// authorization server; provider configured from the environment.
pub fn without_token_and_with_authorization_server(tf: &Terraform) -> Result<(), String> {
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
provider "oktaidp" {}
data "oktaidp_pomerium_idp" "x" {
  authenticate_service_url = "https://auth.example.com/"
  client_id                = "abc"
  client_secret            = "def"
  authorization_server_id  = "default"
}
output "all" {
  value     = data.oktaidp_pomerium_idp.x
  sensitive = true
}
"#
            .to_string(),
        )],
    )?;
    ws.set_env("OKTA_ORG_NAME", "acme");
    ws.set_env("OKTA_BASE_URL", "oktapreview.com");
    ws.apply(&[])?;
    let out = ws.outputs()?;
    let all = &out["all"]["value"];
    expect(
        &all["idp_provider_url"],
        &"https://acme.oktapreview.com/oauth2/default".into(),
        "idp_provider_url",
    )?;
    expect(
        &all["idp_service_account"],
        &serde_json::Value::Null,
        "idp_service_account",
    )?;
    expect(
        &all["directory_sync"],
        &serde_json::Value::Null,
        "directory_sync",
    )?;
    expect(
        &all["callback_url"],
        &"https://auth.example.com/oauth2/callback".into(),
        "callback_url",
    )?;
    if all["env"].get("IDP_SERVICE_ACCOUNT").is_some() {
        return Err("env has IDP_SERVICE_ACCOUNT without a token".into());
    }
    ws.expect_empty_plan(&[])?;
    ws.destroy(&[])?;
    ws.check_log()
}

/// Bad input fails at plan with a diagnostic naming the attribute and its line.
pub fn rejects_bad_input(tf: &Terraform) -> Result<(), String> {
    let ws = Workspace::new(
        tf,
        &[(
            "main.tf",
            r#"
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
provider "oktaidp" {
  org_url = "https://dev-1.okta.com"
}
data "oktaidp_pomerium_idp" "x" {
  authenticate_service_url = "http://auth.example.com?x=1"
  client_id                = "abc"
  client_secret            = "with space"
  idp_provider             = "custom"
}
data "oktaidp_pomerium_idp" "doubled" {
  authenticate_service_url = "https://authn.example.com/oauth2/callback"
  client_id                = "abc"
  client_secret            = "def"
  pomerium_version         = "0.9"
}
"#
            .to_string(),
        )],
    )?;
    let plan = ws.plan(&[])?;
    if plan.code != 1 {
        return Err(format!(
            "expected plan to fail, got {}:\n{}",
            plan.code,
            plan.text()
        ));
    }
    let text = plan.text();
    for needle in [
        "Invalid authenticate_service_url",
        "authenticate_service_url = \"http://auth.example.com?x=1\"",
        "Invalid client_secret",
        "read-only attribute",
        // #20 item 5: not .../oauth2/callback/oauth2/callback.
        "authenticate_service_url = \"https://authn.example.com/oauth2/callback\"",
        "Invalid pomerium_version",
        "pomerium_version         = \"0.9\"",
    ] {
        if !text.contains(needle) {
            return Err(format!("plan output lacks {needle:?}:\n{text}"));
        }
    }
    // Terraform wraps diagnostic details at 80 columns.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "already ends with /oauth2/callback, which is appended to it. Give the authenticate service's base URL, https://authn.example.com;",
        "older than 0.10",
    ] {
        if !flat.contains(needle) {
            return Err(format!("plan output lacks {needle:?}:\n{text}"));
        }
    }
    if text.contains("with space") && !text.contains("client_secret            = \"with space\"") {
        return Err("the secret was echoed in a diagnostic".into());
    }
    ws.check_log()
}

/// With `app_id`, the data source reads the app and refuses wiring that would break Pomerium's
/// sign-in, each problem with its fix; once fixed, client ID and secret come from the app.
pub fn checks_app_wiring(tf: &Terraform) -> Result<(), String> {
    use crate::emulator::{Emulator, ADMIN_TOKEN};
    use serde_json::json;

    let emu = Emulator::start(&[])?;
    let app = emu.ok(
        "POST",
        "/api/v1/apps?activate=false",
        Some(&json!({
            "name": "oidc_client",
            "label": "made-in-console",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {
                "application_type": "web",
                "redirect_uris": ["https://other.example.com/cb"],
                "response_types": ["code"],
                "grant_types": ["authorization_code"]
            }}
        })),
    )?;
    let app_id = app["id"].as_str().ok_or("no app id")?.to_string();
    let mut ws = Workspace::new(
        tf,
        &[(
            "main.tf",
            format!(
                r#"
terraform {{
  required_providers {{
    oktaidp = {{ source = "oktaidp/oktaidp" }}
  }}
}}
variable "client_secret" {{
  type      = string
  sensitive = true
  default   = "set-later"
}}
data "oktaidp_pomerium_idp" "x" {{
  authenticate_service_url = "https://authenticate.example.com"
  app_id                   = "{app_id}"
  client_secret            = var.client_secret
}}
output "env" {{
  value     = data.oktaidp_pomerium_idp.x.env
  sensitive = true
}}
"#
            ),
        )],
    )?;
    ws.set_env("OKTA_ORG_URL", &emu.url);
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    let plan = ws.plan(&[])?;
    if plan.code != 1 {
        return Err(format!("a mis-wired app was accepted:\n{}", plan.text()));
    }
    let text = plan.text().replace('\n', " ").replace("  ", " ");
    for needle in [
        "https://authenticate.example.com/oauth2/callback",
        "refresh_token",
        "INACTIVE",
        "Okta app not ready for Pomerium",
    ] {
        if !text.contains(needle) {
            return Err(format!("plan output lacks {needle:?}:\n{}", plan.text()));
        }
    }
    // Fix the app the way the messages say, out of band.
    let mut fixed = emu.app(&app_id)?;
    fixed["settings"]["oauthClient"]["redirect_uris"] =
        json!(["https://authenticate.example.com/oauth2/callback"]);
    fixed["settings"]["oauthClient"]["grant_types"] =
        json!(["authorization_code", "refresh_token"]);
    fixed["settings"]["oauthClient"]["refresh_token"] = json!({"rotation_type": "STATIC"});
    emu.ok("PUT", &format!("/api/v1/apps/{app_id}"), Some(&fixed))?;
    emu.ok(
        "POST",
        &format!("/api/v1/apps/{app_id}/lifecycle/activate"),
        Some(&json!({})),
    )?;
    let secrets = emu.ok(
        "GET",
        &format!("/api/v1/apps/{app_id}/credentials/secrets"),
        None,
    )?;
    let secret = secrets[0]["client_secret"].clone();
    ws.set_env("TF_VAR_client_secret", secret.as_str().unwrap_or_default());
    let apply = ws.apply(&[])?;
    // No post_logout_redirect_uris on the app: Pomerium 0.32's sign-out would stop at Okta.
    let text = apply.text().replace('\n', " ");
    if !text.contains("Sign-out will stop at Okta")
        || !text.contains("https://authenticate.example.com/.pomerium/signed_out")
    {
        return Err(format!("no sign-out warning:\n{}", apply.text()));
    }
    let out = ws.outputs()?;
    let env = &out["env"]["value"];
    if env["IDP_CLIENT_ID"] != json!(app_id) || env["IDP_CLIENT_SECRET"] != secret {
        return Err(format!(
            "client id not taken from the app, or secret not the given one: {}",
            env["IDP_CLIENT_ID"]
        ));
    }
    if env["IDP_SCOPES"] != json!("openid,profile,email,offline_access") {
        return Err(format!(
            "IDP_SCOPES without a groups claim: {}",
            env["IDP_SCOPES"]
        ));
    }
    ws.expect_empty_plan(&[])?;
    // Reads cost one app GET and one read of the app's groups claim (org authorization
    // server); the secret is never read by the data source.
    let before = emu.request_count()?;
    ws.run(&["refresh", "-no-color"])?.ok("terraform refresh")?;
    let reads = emu.request_count()? - before;
    println!("  api calls oktaidp_pomerium_idp with app_id: read {reads}");
    if reads != 2 {
        return Err(format!("a read made {reads} Okta calls, expected 2"));
    }
    // The app gets a groups claim on the org authorization server: Pomerium must ask for it.
    emu.ok(
        "POST",
        &format!("/api/v1/internal/apps/{app_id}/settings/oauth/idToken"),
        Some(
            &json!({"valueType": "GROUPS", "groupFilterType": "REGEX", "issuerMode": "ORG_URL",
                     "name": "groups", "value": ".*"}),
        ),
    )?;
    ws.apply(&[])?;
    let scopes = ws.outputs()?["env"]["value"]["IDP_SCOPES"].clone();
    if scopes != json!("openid,profile,email,groups,offline_access") {
        return Err(format!("IDP_SCOPES with a groups claim: {scopes}"));
    }
    ws.destroy(&[])?;
    ws.check_log()
}

/// #20 item 2: `store_client_secret = false` with the data source and `app_id` (as the app's
/// page once suggested) fails at plan with a pointer to the ephemeral resource instead of
/// reading the secret into the state; the app alone leaves no secret in `terraform.tfstate`.
pub fn no_secret_in_state_without_store(tf: &Terraform) -> Result<(), String> {
    use crate::emulator::{Emulator, ADMIN_TOKEN};

    let emu = Emulator::start(&[])?;
    let app = r#"
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
resource "oktaidp_oidc_app" "pomerium" {
  label               = "no-store"
  redirect_uris       = ["https://authenticate.example.com/oauth2/callback"]
  store_client_secret = false
}
output "app_id" {
  value = oktaidp_oidc_app.pomerium.id
}
"#;
    let mut ws = Workspace::new(tf, &[("main.tf", app.to_string())])?;
    ws.set_env("OKTA_ORG_URL", &emu.url);
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.apply(&[])?;
    let app_id = ws.outputs()?["app_id"]["value"]
        .as_str()
        .ok_or("no app id in state")?
        .to_string();
    let secrets = emu.ok(
        "GET",
        &format!("/api/v1/apps/{app_id}/credentials/secrets"),
        None,
    )?;
    let secret = secrets[0]["client_secret"]
        .as_str()
        .ok_or("the app has no secret")?
        .to_string();
    for (what, data) in [
        ("without client_secret", ""),
        (
            "with the app's (null) client_secret",
            "  client_secret            = oktaidp_oidc_app.pomerium.client_secret\n",
        ),
    ] {
        ws.write(
            "idp.tf",
            &format!(
                "data \"oktaidp_pomerium_idp\" \"x\" {{\n  authenticate_service_url = \"https://authenticate.example.com\"\n  app_id                   = oktaidp_oidc_app.pomerium.id\n{data}}}\n"
            ),
        )?;
        let run = ws.apply(&[]);
        let text = match run {
            Ok(run) => return Err(format!("{what}: applied:\n{}", run.text())),
            Err(e) => e,
        };
        let flat = text.replace('\n', " ");
        for needle in [
            "Missing client_secret",
            "ephemeral resource oktaidp_pomerium_idp",
        ] {
            if !flat.contains(needle) {
                return Err(format!("{what}: the error lacks {needle:?}:\n{text}"));
            }
        }
        let state = ws.read("terraform.tfstate")?;
        if state.contains(&secret) {
            return Err(format!("{what}: the client secret is in terraform.tfstate"));
        }
        if !state.contains(&app_id) {
            return Err(format!("{what}: terraform.tfstate does not hold the app"));
        }
    }
    ws.write("idp.tf", "")?;
    ws.destroy(&[])?;
    ws.check_log()
}
