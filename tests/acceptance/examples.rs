//! Every example under `examples/` applies against okta-emulator as written (with the
//! prerequisites a reader would have: groups, an app owned elsewhere, a token made in the
//! console), plans empty afterwards and destroys cleanly. Docs embed these files, so this keeps
//! the docs honest.

use serde_json::json;

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::terraform::{example, Terraform, Workspace};

/// An OIDC web app created outside Terraform, as another team would own it.
fn app_owned_elsewhere(emu: &Emulator) -> Result<String, String> {
    let app = emu.ok(
        "POST",
        "/api/v1/apps?activate=true",
        Some(&json!({
            "name": "oidc_client",
            "label": "owned-elsewhere",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {
                "application_type": "web",
                "redirect_uris": ["https://central.example.com/oauth2/callback"],
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

fn run_example(
    tf: &Terraform,
    emu: &Emulator,
    path: &str,
    vars: &[(&str, String)],
) -> Result<(), String> {
    let mut ws = Workspace::new(
        tf,
        &[
            ("provider.tf", example("examples/provider/provider.tf")?),
            ("example.tf", example(path)?),
        ],
    )?;
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.set_env("TF_VAR_okta_org_url", &emu.url);
    for (name, value) in vars {
        ws.set_env(&format!("TF_VAR_{name}"), value);
    }
    let apps_before = emu.apps()?.len();
    ws.apply(&[]).map_err(|e| format!("{path}: {e}"))?;
    ws.expect_empty_plan(&[])
        .map_err(|e| format!("{path}: {e}"))?;
    ws.destroy(&[]).map_err(|e| format!("{path}: {e}"))?;
    if emu.apps()?.len() != apps_before {
        return Err(format!("{path}: destroy left apps behind"));
    }
    ws.check_log().map_err(|e| format!("{path}: {e}"))
}

pub fn every_example_applies(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    emu.create_group("Engineering")?;
    let shared_app = app_owned_elsewhere(&emu)?;
    let before = emu.app(&shared_app)?;

    run_example(
        tf,
        &emu,
        "examples/data-sources/oktaidp_group/data-source.tf",
        &[],
    )?;
    run_example(
        tf,
        &emu,
        "examples/data-sources/oktaidp_pomerium_idp/data-source.tf",
        &[("client_secret", "example-secret-value".into())],
    )?;
    run_example(
        tf,
        &emu,
        "examples/resources/oktaidp_oidc_app/resource.tf",
        &[],
    )?;
    run_example(
        tf,
        &emu,
        "examples/resources/oktaidp_oidc_app_redirect_uri/resource.tf",
        &[("shared_app_id", shared_app.clone())],
    )?;
    run_example(
        tf,
        &emu,
        "examples/resources/oktaidp_oidc_app_refresh_grant/resource.tf",
        &[("app_id", shared_app.clone())],
    )?;
    run_example(
        tf,
        &emu,
        "examples/resources/oktaidp_groups_claim/resource.tf",
        &[("app_id", shared_app.clone())],
    )?;
    let token = emu.mint_token("pomerium-directory-sync")?;
    run_example(
        tf,
        &emu,
        "examples/resources/oktaidp_api_token/resource.tf",
        &[("directory_sync_token", token)],
    )?;

    // The app owned elsewhere is back as it was, but for its timestamp.
    let mut after = emu.app(&shared_app)?;
    let mut before = before;
    for app in [&mut after, &mut before] {
        if let Some(obj) = app.as_object_mut() {
            obj.remove("lastUpdated");
        }
    }
    if after != before {
        return Err("the examples changed the app owned elsewhere".into());
    }
    Ok(())
}
