//! Sign-in, end to end. Terraform applies the OIDC app, its groups claim and Pomerium's settings;
//! then a real OpenID Connect relying party (the `openidconnect` crate, `tests/support/rp.rs`)
//! does with the rendered settings what Pomerium does: discovery from `idp_provider_url`, the
//! authorization code flow with PKCE, `state`, `nonce` and `idp_scopes`, the code exchange with
//! `idp_client_id` and `idp_client_secret`, ID-token verification, `/userinfo` and a refresh.

#[path = "../../okta-emulator/tests/support/rp.rs"]
mod rp;

use serde_json::{json, Value};

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::terraform::{Terraform, Workspace};

const AUTHENTICATE: &str = "https://authenticate.example.com";
const CALLBACK: &str = "https://authenticate.example.com/oauth2/callback";
const PASSWORD: &str = "Correct-Horse-42";
const NOT_ASSIGNED: &str = "User is not assigned to the client application.";

/// Which authorization server Pomerium signs in with.
#[derive(Clone, Copy)]
enum Server {
    /// The org authorization server: the app's groups claim, and the `groups` scope.
    Org,
    /// The built-in custom server `default`: a claim on the server.
    Default,
}

fn main_tf(server: Server) -> String {
    let (claim_target, idp_server) = match server {
        Server::Org => ("app_id = oktaidp_oidc_app.pomerium.id", ""),
        Server::Default => (
            "authorization_server_id = \"default\"",
            "authorization_server_id = \"default\"",
        ),
    };
    format!(
        r#"
terraform {{
  required_providers {{
    oktaidp = {{ source = "oktaidp/oktaidp" }}
  }}
}}
variable "org_url" {{ type = string }}
variable "allowed_group" {{ type = string }}
variable "grant_types" {{ type = list(string) }}
variable "redirect_uris" {{ type = list(string) }}
variable "secret_version" {{ type = number }}
variable "keep_previous" {{ type = bool }}
variable "status" {{ type = string }}

provider "oktaidp" {{
  org_url = var.org_url
}}

resource "oktaidp_oidc_app" "pomerium" {{
  label                       = "Pomerium sign-in"
  redirect_uris               = var.redirect_uris
  grant_types                 = var.grant_types
  group_ids                   = [var.allowed_group]
  client_secret_version       = var.secret_version
  keep_previous_client_secret = var.keep_previous
  status                      = var.status
}}

resource "oktaidp_groups_claim" "groups" {{
  {claim_target}
  filter_type = "STARTS_WITH"
  filter      = "team-"
}}

data "oktaidp_pomerium_idp" "idp" {{
  authenticate_service_url = "{AUTHENTICATE}"
  app_id                   = oktaidp_oidc_app.pomerium.id
  client_secret            = oktaidp_oidc_app.pomerium.client_secret
  {idp_server}
  depends_on               = [oktaidp_groups_claim.groups]
}}

output "idp_provider_url" {{ value = data.oktaidp_pomerium_idp.idp.idp_provider_url }}
output "idp_client_id" {{ value = data.oktaidp_pomerium_idp.idp.idp_client_id }}
output "idp_scopes" {{ value = data.oktaidp_pomerium_idp.idp.idp_scopes }}
output "idp_client_secret" {{
  value     = data.oktaidp_pomerium_idp.idp.idp_client_secret
  sensitive = true
}}
"#
    )
}

/// The knobs the cases turn between applies.
#[derive(Clone)]
struct Knobs {
    refresh_grant: bool,
    callback_registered: bool,
    secret_version: u32,
    keep_previous: bool,
    active: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            refresh_grant: true,
            callback_registered: true,
            secret_version: 1,
            keep_previous: false,
            active: true,
        }
    }
}

/// What Terraform rendered for Pomerium.
#[derive(Debug, Clone)]
struct Rendered {
    provider_url: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
}

struct Org {
    emu: Emulator,
    allowed_group: String,
    /// In `team-eng` (allowed), `team-ops` and `contractors`.
    alice: String,
    /// Only in `contractors`: not allowed to sign in.
    bob: String,
}

fn setup() -> Result<Org, String> {
    rp::observe_secrets(crate::leaks::secret);
    crate::leaks::secret("user password", PASSWORD);
    let emu = Emulator::start(&[])?;
    let eng = emu.create_group("team-eng")?;
    let ops = emu.create_group("team-ops")?;
    let contractors = emu.create_group("contractors")?;
    let alice = create_user(&emu, "alice@example.com", &[&eng, &ops, &contractors])?;
    let bob = create_user(&emu, "bob@example.com", &[&contractors])?;
    Ok(Org {
        emu,
        allowed_group: eng,
        alice,
        bob,
    })
}

fn create_user(emu: &Emulator, login: &str, groups: &[&str]) -> Result<String, String> {
    emu.create_user(login, PASSWORD, groups)?;
    Ok(login.to_string())
}

fn workspace(tf: &Terraform, org: &Org, server: Server) -> Result<Workspace, String> {
    let mut ws = Workspace::new(tf, &[("main.tf", main_tf(server))])?;
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.set_env("TF_VAR_org_url", &org.emu.url);
    ws.set_env("TF_VAR_allowed_group", &org.allowed_group);
    Ok(ws)
}

/// Applies with `knobs`, checks the next plan is empty, and returns the rendered settings.
fn apply(ws: &mut Workspace, knobs: &Knobs) -> Result<Rendered, String> {
    set_knobs(ws, knobs);
    ws.apply(&[])?;
    ws.expect_empty_plan(&[])?;
    rendered(ws)
}

/// Applies `knobs` to the app alone. For app settings Pomerium cannot work with, where the data
/// source's wiring check (rightly) refuses to render: Pomerium keeps the settings it has.
fn apply_app_only(ws: &mut Workspace, knobs: &Knobs) -> Result<(), String> {
    set_knobs(ws, knobs);
    let target = ["-target=oktaidp_oidc_app.pomerium"];
    ws.apply(&target)?;
    ws.expect_empty_plan(&target)
}

fn set_knobs(ws: &mut Workspace, knobs: &Knobs) {
    let mut grants = vec!["authorization_code"];
    if knobs.refresh_grant {
        grants.push("refresh_token");
    }
    let mut uris = vec!["https://authenticate.example.com/other-callback"];
    if knobs.callback_registered {
        uris.push(CALLBACK);
    }
    ws.set_env("TF_VAR_grant_types", &json!(grants).to_string());
    ws.set_env("TF_VAR_redirect_uris", &json!(uris).to_string());
    ws.set_env("TF_VAR_secret_version", &knobs.secret_version.to_string());
    ws.set_env("TF_VAR_keep_previous", &knobs.keep_previous.to_string());
    let status = if knobs.active { "ACTIVE" } else { "INACTIVE" };
    ws.set_env("TF_VAR_status", status);
}

fn rendered(ws: &Workspace) -> Result<Rendered, String> {
    let out = ws.outputs()?;
    let text = |k: &str| out[k]["value"].as_str().unwrap_or_default().to_string();
    let scopes = match &out["idp_scopes"]["value"] {
        Value::Array(items) => items
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => s
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        other => return Err(format!("idp_scopes not rendered: {other}")),
    };
    Ok(Rendered {
        provider_url: text("idp_provider_url"),
        client_id: text("idp_client_id"),
        client_secret: text("idp_client_secret"),
        scopes,
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))
}

/// Pomerium as a relying party of the rendered settings, with `secret` (the rendered one unless
/// given).
async fn party(org: &Org, r: &Rendered, secret: Option<&str>) -> Result<rp::Rp, rp::RpError> {
    let secret = secret.unwrap_or(&r.client_secret);
    rp::Rp::discover(
        &org.emu.url,
        &r.provider_url,
        &r.client_id,
        Some(secret),
        CALLBACK,
    )
    .await
}

/// Pomerium's sign-in, asking for the rendered `idp_scopes`.
async fn sign_in(
    org: &Org,
    r: &Rendered,
    secret: Option<&str>,
    login: &str,
) -> Result<rp::Tokens, rp::RpError> {
    let scopes: Vec<&str> = r.scopes.iter().map(String::as_str).collect();
    party(org, r, secret)
        .await?
        .sign_in(login, PASSWORD, &scopes)
        .await
}

async fn refresh(r: &Rendered, org: &Org, token: &str) -> Result<rp::Tokens, rp::RpError> {
    party(org, r, None).await?.refresh(token).await
}

fn expect_refusal<T>(
    got: Result<T, rp::RpError>,
    error: &str,
    description: Option<&str>,
    what: &str,
) -> Result<(), String> {
    match got {
        Ok(_) => Err(format!("{what}: signed in, expected {error}")),
        Err((e, d)) if e == error && description.is_none_or(|want| d == want) => Ok(()),
        Err((e, d)) => Err(format!("{what}: expected {error}, got {e}: {d}")),
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The groups Pomerium would see: the user's groups that match `team-*`, from the ID token.
fn expect_groups(tokens: &rp::Tokens, what: &str) -> Result<(), String> {
    let got = sorted(tokens.groups().unwrap_or_default());
    if got == ["team-eng", "team-ops"] {
        Ok(())
    } else {
        Err(format!("{what}: ID token groups {got:?}"))
    }
}

/// A user in an allowed group signs in and Pomerium sees their `team-*` groups (ID token and
/// `/userinfo`); refresh works; a user in no allowed group is refused. Then, one apply at a
/// time: without the refresh grant sign-in works but no refresh token is issued and an old one
/// is refused; without the callback `/authorize` refuses the redirect; an INACTIVE app is refused.
fn flow(tf: &Terraform, server: Server) -> Result<(), String> {
    let org = setup()?;
    let mut ws = workspace(tf, &org, server)?;
    let rt = runtime()?;
    let mut knobs = Knobs::default();
    let r = apply(&mut ws, &knobs)?;
    let expected_url = match server {
        Server::Org => org.emu.url.clone(),
        Server::Default => format!("{}/oauth2/default", org.emu.url),
    };
    if r.provider_url != expected_url {
        return Err(format!("idp_provider_url {}", r.provider_url));
    }
    let wants_groups_scope = matches!(server, Server::Org);
    if r.scopes.iter().any(|s| s == "groups") != wants_groups_scope {
        return Err(format!("idp_scopes {:?}", r.scopes));
    }

    let tokens = rt
        .block_on(sign_in(&org, &r, None, &org.alice))
        .map_err(|(e, d)| format!("alice could not sign in: {e}: {d}"))?;
    expect_groups(&tokens, "sign-in")?;
    let email = tokens.claims.email().map(|e| e.as_str().to_string());
    if email.as_deref() != Some(org.alice.as_str()) {
        return Err(format!("ID token email {email:?}"));
    }
    let refresh_token = tokens
        .refresh_token
        .clone()
        .ok_or("no refresh token with the refresh grant and offline_access")?;
    let refreshed = rt
        .block_on(refresh(&r, &org, &refresh_token))
        .map_err(|(e, d)| format!("refresh failed: {e}: {d}"))?;
    expect_groups(&refreshed, "refresh")?;
    if refreshed.subject() != tokens.subject() {
        return Err("refresh changed the subject".into());
    }
    expect_refusal(
        rt.block_on(sign_in(&org, &r, None, &org.bob)),
        "access_denied",
        Some(NOT_ASSIGNED),
        "bob (no allowed group)",
    )?;

    knobs.refresh_grant = false;
    apply_app_only(&mut ws, &knobs)?;
    let tokens = rt
        .block_on(sign_in(&org, &r, None, &org.alice))
        .map_err(|(e, d)| format!("sign-in without the refresh grant: {e}: {d}"))?;
    if tokens.refresh_token.is_some() {
        return Err("a refresh token was issued without the refresh grant".into());
    }
    match rt.block_on(refresh(&r, &org, &refresh_token)) {
        Ok(_) => return Err("an old refresh token still works without the grant".into()),
        Err((e, _)) if e == "unauthorized_client" || e == "invalid_grant" => {}
        Err((e, d)) => return Err(format!("old refresh token: {e}: {d}")),
    }

    knobs.refresh_grant = true;
    knobs.callback_registered = false;
    apply_app_only(&mut ws, &knobs)?;
    expect_refusal(
        rt.block_on(sign_in(&org, &r, None, &org.alice)),
        "invalid_request",
        None,
        "callback not registered",
    )?;

    knobs.callback_registered = true;
    knobs.active = false;
    apply_app_only(&mut ws, &knobs)?;
    expect_refusal(
        rt.block_on(sign_in(&org, &r, None, &org.alice)),
        "invalid_client",
        None,
        "INACTIVE app",
    )?;

    // Back to a working app: Pomerium signs in again, then everything goes.
    knobs.active = true;
    let r = apply(&mut ws, &knobs)?;
    let tokens = rt
        .block_on(sign_in(&org, &r, None, &org.alice))
        .map_err(|(e, d)| format!("sign-in after reactivation: {e}: {d}"))?;
    expect_groups(&tokens, "after reactivation")?;
    ws.destroy(&[])?.ok("destroy")?;
    if !org.emu.apps()?.is_empty() {
        return Err("the app outlived destroy".into());
    }
    let claims = org
        .emu
        .ok("GET", "/api/v1/authorizationServers/default/claims", None)?;
    let left = claims
        .as_array()
        .is_some_and(|all| all.iter().any(|c| c["name"] == "groups"));
    if left {
        return Err("the groups claim outlived destroy".into());
    }
    Ok(())
}

pub fn org_server(tf: &Terraform) -> Result<(), String> {
    flow(tf, Server::Org)
}

pub fn default_server(tf: &Terraform) -> Result<(), String> {
    flow(tf, Server::Default)
}

/// `client_secret_version` raised: with `keep_previous_client_secret = false` the old secret is
/// refused at once; with `true` it keeps signing users in next to the new one until the overlap
/// ends (setting it back to `false`).
pub fn secret_rotation(tf: &Terraform) -> Result<(), String> {
    let org = setup()?;
    let mut ws = workspace(tf, &org, Server::Org)?;
    let rt = runtime()?;
    let mut knobs = Knobs::default();
    let first = apply(&mut ws, &knobs)?;

    knobs.secret_version = 2;
    let second = apply(&mut ws, &knobs)?;
    if second.client_secret == first.client_secret {
        return Err("the secret did not rotate".into());
    }
    rt.block_on(sign_in(&org, &second, None, &org.alice))
        .map_err(|(e, d)| format!("new secret: {e}: {d}"))?;
    expect_refusal(
        rt.block_on(sign_in(
            &org,
            &second,
            Some(&first.client_secret),
            &org.alice,
        )),
        "invalid_client",
        None,
        "the retired secret",
    )?;

    knobs.secret_version = 3;
    knobs.keep_previous = true;
    let third = apply(&mut ws, &knobs)?;
    for (secret, which) in [
        (&second.client_secret, "previous"),
        (&third.client_secret, "new"),
    ] {
        rt.block_on(sign_in(&org, &third, Some(secret), &org.alice))
            .map_err(|(e, d)| format!("{which} secret during the overlap: {e}: {d}"))?;
    }

    knobs.keep_previous = false;
    let after = apply(&mut ws, &knobs)?;
    if after.client_secret != third.client_secret {
        return Err("ending the overlap changed the current secret".into());
    }
    rt.block_on(sign_in(&org, &after, None, &org.alice))
        .map_err(|(e, d)| format!("current secret after the overlap: {e}: {d}"))?;
    expect_refusal(
        rt.block_on(sign_in(
            &org,
            &after,
            Some(&second.client_secret),
            &org.alice,
        )),
        "invalid_client",
        None,
        "the previous secret after the overlap",
    )?;
    ws.destroy(&[])?.ok("destroy")?;
    Ok(())
}
