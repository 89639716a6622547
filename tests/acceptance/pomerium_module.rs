//! The complete `examples/pomerium` module against okta-emulator: apply, settings rendered from
//! the real app, empty second plan, destroy leaving the org as it was.

use base64::Engine;
use serde_json::json;

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::terraform::{example, Terraform, Workspace};

/// The module's files, as a workspace takes them.
pub fn files() -> Result<Vec<(&'static str, String)>, String> {
    ["main.tf", "variables.tf", "outputs.tf"]
        .into_iter()
        .map(|name| Ok((name, example(&format!("examples/pomerium/{name}"))?)))
        .collect()
}

pub fn applies_and_renders(tf: &Terraform) -> Result<(), String> {
    exercise(&Emulator::start(&[])?, Workspace::new(tf, &files()?)?)
}

/// Apply against `emu` through the provider `ws` installs, check what was made and rendered,
/// plan empty, destroy leaving nothing behind.
pub fn exercise(emu: &Emulator, mut ws: Workspace) -> Result<(), String> {
    exercise_as(emu, &mut ws, &[("OKTA_API_TOKEN", ADMIN_TOKEN)], &[])
}

/// [`exercise`] with the provider signing in through `sign_in` (environment variables); apps in
/// `keep` (e.g. the service app it signs in as) are not the module's and stay. A service app
/// (`OKTA_API_CLIENT_ID`) cannot manage the org server's app claim (Okta answers 403 there):
/// the plan must say so before any change, and the module then runs with the custom server
/// `default`.
pub fn exercise_as(
    emu: &Emulator,
    ws: &mut Workspace,
    sign_in: &[(&str, &str)],
    keep: &[&str],
) -> Result<(), String> {
    let engineering = emu.create_group("Engineering")?;
    let operations = emu.create_group("Operations")?;
    let dir_token = emu.mint_token("pomerium-directory-sync")?;

    ws.set_env("OKTA_ORG_URL", &emu.url);
    for (k, v) in sign_in {
        ws.set_env(k, v);
    }
    ws.set_env("TF_VAR_okta_api_token", &dir_token);
    ws.set_env("TF_VAR_authenticate_host", "authenticate.example.com");
    ws.set_env(
        "TF_VAR_allowed_groups",
        &format!(r#"["Engineering", "{operations}"]"#),
    );
    let service_app = sign_in.iter().any(|(k, _)| *k == "OKTA_API_CLIENT_ID");
    if service_app {
        let before = emu.request_count()?;
        let plan = ws.plan(&[])?;
        let text = plan.text().replace('\n', " ");
        if plan.code != 1
            || !text.contains("needs an API token")
            || !text.contains("oktaidp_groups_claim")
        {
            return Err(format!(
                "a service app planned the org server's groups claim:\n{}",
                plan.text()
            ));
        }
        // Reads (groups by name) only: nothing was created.
        if emu.apps()?.len() != keep.len() {
            return Err(format!(
                "the failing plan changed Okta ({} requests)",
                emu.request_count()? - before
            ));
        }
        ws.set_env("TF_VAR_authorization_server_id", "default");
    }
    let apply = ws.apply(&[])?;
    if apply.text().contains(&dir_token) || apply.text().contains(ADMIN_TOKEN) {
        return Err("a token appeared in apply output".into());
    }
    // Pomerium 0.32 (the default) has no idp_service_account: the token goes to directory_sync
    // only, and the warning says so.
    if !apply.text().contains("has no idp_service_account") {
        return Err(format!("no warning about the API token:\n{}", apply.text()));
    }
    let out = ws.outputs()?;
    let app_id = out["app_id"]["value"]
        .as_str()
        .ok_or("no app_id output")?
        .to_string();
    let app = emu.app(&app_id)?;
    let oauth = &app["settings"]["oauthClient"];
    if oauth["redirect_uris"] != json!(["https://authenticate.example.com/oauth2/callback"]) {
        return Err(format!("redirect URIs: {}", oauth["redirect_uris"]));
    }
    let signed_out = "https://authenticate.example.com/.pomerium/signed_out";
    if oauth["post_logout_redirect_uris"] != json!([signed_out])
        || out["post_logout_redirect_uri"]["value"] != json!(signed_out)
    {
        return Err(format!(
            "post-logout URI: app {}, output {}",
            oauth["post_logout_redirect_uris"], out["post_logout_redirect_uri"]["value"]
        ));
    }
    if apply.text().contains("Sign-out will stop at Okta") {
        return Err("the sign-out warning fired though the module registers the URI".into());
    }
    let mut expected_groups = vec![engineering, operations];
    expected_groups.sort();
    if emu.app_group_ids(&app_id)? != expected_groups {
        return Err("allowed groups not assigned".into());
    }
    let env = &out["pomerium_env"]["value"];
    let provider_url = if service_app {
        format!("{}/oauth2/default", emu.url)
    } else {
        emu.url.clone()
    };
    let checks = [
        ("IDP_PROVIDER", json!("okta")),
        ("IDP_PROVIDER_URL", json!(provider_url)),
        ("IDP_CLIENT_ID", json!(app_id)),
        (
            "AUTHENTICATE_SERVICE_URL",
            json!("https://authenticate.example.com"),
        ),
        ("IDP_SERVICE_ACCOUNT", json!(null)),
    ];
    for (key, want) in checks {
        if env[key] != want {
            return Err(format!("{key} = {}, want {want}", env[key]));
        }
    }
    let secret = env["IDP_CLIENT_SECRET"].as_str().unwrap_or_default();
    if secret.len() != 64 {
        return Err("client secret not rendered".into());
    }
    if out["directory_sync"]["value"] != json!({"api_key": dir_token, "url": emu.url}) {
        return Err(format!(
            "directory_sync = {}",
            out["directory_sync"]["value"]
        ));
    }
    if service_app {
        // The custom server's claim, in every ID token: Pomerium's default scopes.
        let claims = emu.ok("GET", "/api/v1/authorizationServers/default/claims", None)?;
        let found = claims.as_array().is_some_and(|a| {
            a.iter()
                .any(|c| c["name"] == "groups" && c["valueType"] == "GROUPS")
        });
        if !found || env["IDP_SCOPES"] != json!("openid,profile,email,offline_access") {
            return Err(format!(
                "custom server claim {claims}, IDP_SCOPES = {}",
                env["IDP_SCOPES"]
            ));
        }
    } else {
        // The org authorization server's groups claim of the app, and the scope that brings it.
        let claim = emu.ok(
            "GET",
            &format!("/api/v1/internal/apps/{app_id}/settings/oauth/idToken"),
            None,
        )?;
        if claim["name"] != "groups" || claim["valueType"] != "GROUPS" || claim["value"] != ".*" {
            return Err(format!("groups claim of the app: {claim}"));
        }
        if env["IDP_SCOPES"] != json!("openid,profile,email,groups,offline_access") {
            return Err(format!("IDP_SCOPES = {}", env["IDP_SCOPES"]));
        }
    }
    if out["pomerium_config_yaml"]["value"]
        .as_str()
        .is_none_or(|y| y.contains("idp_service_account") || y.contains(&dir_token))
    {
        return Err("config_yaml for Pomerium 0.32 holds idp_service_account".into());
    }
    if out["pomerium_config_yaml"]["sensitive"] != json!(true) {
        return Err("config yaml output not sensitive".into());
    }
    ws.expect_empty_plan(&[])?;
    // Pomerium 0.19.1 reads directory sync from idp_service_account.
    ws.set_env("TF_VAR_pomerium_version", "0.19.1");
    let apply = ws.apply(&[])?;
    if apply.text().contains("has no idp_service_account") {
        return Err("the API token warning fired for Pomerium 0.19.1".into());
    }
    let service_account = base64::engine::general_purpose::STANDARD
        .encode(format!("{{\"api_key\":\"{dir_token}\"}}"));
    let out = ws.outputs()?;
    if out["pomerium_env"]["value"]["IDP_SERVICE_ACCOUNT"] != json!(service_account)
        || out["post_logout_redirect_uri"]["value"] != json!(null)
    {
        return Err(format!(
            "Pomerium 0.19.1: IDP_SERVICE_ACCOUNT missing or a post-logout URI rendered ({})",
            out["post_logout_redirect_uri"]["value"]
        ));
    }
    ws.expect_empty_plan(&[])?;
    ws.destroy(&[])?;
    let left = emu.apps()?;
    if left
        .iter()
        .any(|a| !keep.contains(&a["id"].as_str().unwrap_or_default()))
    {
        return Err("apps left behind".into());
    }
    // The adopted token outlives the stack (revoke_on_destroy defaults to false).
    let (status, _) = emu.api("GET", "/api/v1/users/me", None)?;
    if status != 200 {
        return Err("admin token no longer works".into());
    }
    ws.check_log()
}
