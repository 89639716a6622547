//! The real Pomerium signs people in with what the provider rendered. Terraform applies a module
//! against okta-emulator; Pomerium (built by scripts/install-pomerium.sh) starts with the
//! rendered `config_yaml` verbatim plus harness keys (tests/acceptance/pomerium.rs); a browser
//! signs in through Pomerium's authenticate service and the emulator's sign-in form; Envoy's
//! authorization decision is an ext_authz `Check` against Pomerium. One Terraform binary runs
//! these (main.rs `ONE_BINARY`): the Terraform matrix is covered by the other cases.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::pomerium::{
    binary, jwt_claims, Browser, HarnessKeys, Page, Pomerium, Secrets, Version, APP_HOST,
    AUTHENTICATE_HOST,
};
use crate::terraform::{Terraform, Workspace};

const PASSWORD: &str = "Correct-Horse-42";
const APP_URL: &str = "https://app.example.com/";
const NOT_ASSIGNED: &str = "User is not assigned to the client application.";

/// The org: `team-eng` (the group the route's policy allows), `team-ops`, `contractors`.
/// alice is in all three; bob only in `contractors` (assigned to the app, but not allowed by the
/// policy); carol in no group (not assigned to the app).
struct Org {
    emu: Emulator,
    eng: String,
    contractors: String,
}

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";
/// Only in `contractors`, like bob (the v0.19.1 case's member the policy refuses).
const DAVE: &str = "dave@example.com";

fn setup(emulator_flags: &[&str]) -> Result<Org, String> {
    crate::leaks::secret("user password", PASSWORD);
    let emu = Emulator::start(emulator_flags)?;
    let eng = emu.create_group("team-eng")?;
    let ops = emu.create_group("team-ops")?;
    let contractors = emu.create_group("contractors")?;
    create_user(&emu, ALICE, &[&eng, &ops, &contractors])?;
    create_user(&emu, BOB, &[&contractors])?;
    create_user(&emu, CAROL, &[])?;
    Ok(Org {
        emu,
        eng,
        contractors,
    })
}

fn create_user(emu: &Emulator, login: &str, groups: &[&str]) -> Result<String, String> {
    emu.create_user(login, PASSWORD, groups)
}

/// A directory-sync token minted in the emulator (the module adopts it).
fn mint_token(emu: &Emulator) -> Result<String, String> {
    let token = emu.mint_token("pomerium-directory-sync")?;
    crate::leaks::secret("directory-sync API token", &token);
    Ok(token)
}

/// `examples/pomerium` applied with `pomerium_version`, the given authorization server and
/// (optionally) a directory-sync token; returns the workspace and the rendered `config_yaml`.
fn apply_example(
    tf: &Terraform,
    org: &Org,
    pomerium_version: &str,
    authorization_server: Option<&str>,
    api_token: Option<&str>,
) -> Result<(Workspace, String), String> {
    let mut ws = Workspace::new(tf, &crate::pomerium_module::files()?)?;
    ws.set_env("OKTA_ORG_URL", &org.emu.url);
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.set_env("TF_VAR_authenticate_host", AUTHENTICATE_HOST);
    ws.set_env(
        "TF_VAR_allowed_groups",
        &json!([org.eng, org.contractors]).to_string(),
    );
    ws.set_env("TF_VAR_groups_claim_filter", "team-.*");
    ws.set_env("TF_VAR_pomerium_version", pomerium_version);
    if let Some(server) = authorization_server {
        ws.set_env("TF_VAR_authorization_server_id", server);
    }
    if let Some(token) = api_token {
        ws.set_env("TF_VAR_okta_api_token", token);
    }
    ws.apply(&[])?;
    let yaml = config_yaml(&ws, "pomerium_config_yaml")?;
    Ok((ws, yaml))
}

fn config_yaml(ws: &Workspace, output: &str) -> Result<String, String> {
    let out = ws.outputs()?;
    out[output]["value"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no {output} output: {}", out[output]))
}

/// Signs `login` in from a fresh browser: the route's URL, Pomerium's sign-in redirect, the
/// emulator's sign-in form, back through Pomerium's callbacks to the route. Returns the final
/// page (the `Check` decision, or an error page on the way).
fn sign_in(pom: &Pomerium, browser: &mut Browser, login: &str) -> Result<Page, String> {
    let form = browser.visit(pom, APP_URL)?;
    if !form.body.contains("name=\"authorize_query\"") {
        return Err(pom.failure(&format!(
            "{login}: expected the emulator's sign-in form, got {}",
            form.describe()
        )));
    }
    let authorize = form.trail.iter().any(|hop| hop.contains(AUTHENTICATE_HOST))
        && form.url.path().ends_with("/v1/authorize");
    if !authorize {
        return Err(format!(
            "{login}: the sign-in form was not reached through Pomerium's authenticate service: {}",
            form.trail.join(" -> ")
        ));
    }
    browser.sign_in(pom, &form, login, PASSWORD)
}

/// The route allowed `login`, and Pomerium's JWT assertion names them and their `team-*` groups.
fn expect_allowed(pom: &Pomerium, page: &Page, login: &str) -> Result<(), String> {
    if !page.allowed() {
        return Err(pom.failure(&format!(
            "{login}: the Check did not allow the route: {}",
            page.describe()
        )));
    }
    let jwt = page.header("x-pomerium-jwt-assertion").ok_or_else(|| {
        format!("{login}: no x-pomerium-jwt-assertion in the Check's OK response")
    })?;
    let claims = jwt_claims(jwt)?;
    if claims["email"] != json!(login) {
        return Err(format!("{login}: JWT assertion email {}", claims["email"]));
    }
    let mut groups: Vec<String> = claims["groups"]
        .as_array()
        .map(|g| {
            g.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    groups.sort();
    if groups != ["team-eng", "team-ops"] {
        return Err(format!(
            "{login}: JWT assertion groups {groups:?} (want team-eng, team-ops): {claims}"
        ));
    }
    Ok(())
}

fn expect_status(pom: &Pomerium, page: &Page, status: u16, what: &str) -> Result<(), String> {
    if page.allowed() || page.status != status {
        return Err(pom.failure(&format!(
            "{what}: expected {status}, got {}",
            page.describe()
        )));
    }
    Ok(())
}

/// Sign-in, allow, deny and Okta's refusal, for one authorization server. With `api_token`, the
/// module also renders directory-sync settings, which the rendered `config_yaml` must leave out
/// for Pomerium 0.32 (it refuses to start otherwise).
fn sign_in_flow(
    tf: &Terraform,
    authorization_server: Option<&str>,
    api_token: bool,
) -> Result<(), String> {
    // Skipped before anything is applied when this Pomerium is not built.
    binary(Version::V0_32_0)?;
    let org = setup(&[])?;
    let token = if api_token {
        Some(mint_token(&org.emu)?)
    } else {
        None
    };
    let (ws, yaml) = apply_example(tf, &org, "0.32.0", authorization_server, token.as_deref())?;
    let pom = Pomerium::start(
        Version::V0_32_0,
        &yaml,
        &HarnessKeys::claim_group("team-eng"),
        &Secrets::new(),
    )?;
    let mut alice = Browser::new(&org.emu.url)?;
    let page = sign_in(&pom, &mut alice, ALICE)?;
    expect_allowed(&pom, &page, ALICE)?;
    // Signed in: the next request goes straight through.
    let again = alice.visit(&pom, APP_URL)?;
    expect_allowed(&pom, &again, ALICE)?;

    let mut bob = alice.fresh()?;
    let page = sign_in(&pom, &mut bob, BOB)?;
    expect_status(&pom, &page, 403, "bob (signed in, not in team-eng)")?;

    let mut carol = alice.fresh()?;
    let page = sign_in(&pom, &mut carol, CAROL)?;
    let okta_refusal = page.url.host_str() == Some(AUTHENTICATE_HOST)
        && page.url.path() == "/oauth2/callback"
        && page
            .url
            .query_pairs()
            .any(|(k, v)| k == "error" && v == "access_denied")
        && page
            .url
            .query_pairs()
            .any(|(k, v)| k == "error_description" && v == NOT_ASSIGNED);
    if !okta_refusal || page.status != 401 {
        return Err(pom.failure(&format!(
            "carol (not assigned): expected Okta's access_denied at Pomerium's callback (401), got {}",
            page.describe()
        )));
    }
    drop(pom);
    ws.destroy(&[])?;
    ws.check_log()
}

/// Pomerium 0.32.0 through the org authorization server, with an API token given to the module
/// (the case from issue #17: `idp_service_account` made Pomerium refuse to start).
pub fn v0_32_org_server(tf: &Terraform) -> Result<(), String> {
    sign_in_flow(tf, None, true)
}

/// Pomerium 0.32.0 through the custom authorization server `default`.
pub fn v0_32_default_server(tf: &Terraform) -> Result<(), String> {
    sign_in_flow(tf, Some("default"), false)
}

/// Sign-out through Pomerium: Okta's `/logout` with Pomerium's `post_logout_redirect_uri`
/// (registered by the module), landing on Pomerium's signed-out page; the next visit needs the
/// sign-in form again.
pub fn v0_32_sign_out(tf: &Terraform) -> Result<(), String> {
    // Skipped before anything is applied when this Pomerium is not built.
    binary(Version::V0_32_0)?;
    let org = setup(&[])?;
    let (ws, yaml) = apply_example(tf, &org, "0.32.0", None, None)?;
    let pom = Pomerium::start(
        Version::V0_32_0,
        &yaml,
        &HarnessKeys::claim_group("team-eng"),
        &Secrets::new(),
    )?;
    let mut alice = Browser::new(&org.emu.url)?;
    let page = sign_in(&pom, &mut alice, ALICE)?;
    expect_allowed(&pom, &page, ALICE)?;
    org.emu.admin("DELETE", "/__emulator/requests", None)?;
    let out = alice.visit(&pom, &format!("https://{APP_HOST}/.pomerium/sign_out"))?;
    let via_logout = out
        .trail
        .iter()
        .any(|hop| hop.ends_with("/oauth2/v1/logout"));
    let signed_out = out.url.host_str() == Some(AUTHENTICATE_HOST)
        && out.url.path() == "/.pomerium/signed_out"
        && out.status == 200;
    if !via_logout || !signed_out {
        return Err(pom.failure(&format!(
            "sign-out: expected Okta's /logout, then Pomerium's signed-out page; got {}",
            out.describe()
        )));
    }
    let log = org.emu.admin("GET", "/__emulator/requests", None)?;
    let logout_ok = log.as_array().is_some_and(|all| {
        all.iter()
            .any(|e| e["path"] == "/oauth2/v1/logout" && e["status"] == 302)
    });
    if !logout_ok {
        return Err(format!(
            "the emulator saw no 302 from /oauth2/v1/logout: {log}"
        ));
    }
    // Pomerium's session and Okta's are gone: the route sends alice to the sign-in form again.
    let back = alice.visit(&pom, APP_URL)?;
    if back.allowed() || !back.body.contains("name=\"authorize_query\"") {
        return Err(pom.failure(&format!(
            "after sign-out: expected the sign-in form, got {}",
            back.describe()
        )));
    }
    drop(pom);
    ws.destroy(&[])?;
    ws.check_log()
}

/// A case fixture for the cases that turn app knobs: the app, its groups claim (org server)
/// and the settings, with the secret-rotation knobs.
fn fixture_tf() -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    oktaidp = {{ source = "oktaidp/oktaidp" }}
  }}
}}
variable "org_url" {{ type = string }}
variable "assigned_groups" {{ type = list(string) }}
variable "secret_version" {{
  type    = number
  default = 1
}}
variable "keep_previous" {{
  type    = bool
  default = false
}}

provider "oktaidp" {{
  org_url = var.org_url
}}

resource "oktaidp_oidc_app" "pomerium" {{
  label                       = "Pomerium (real)"
  redirect_uris               = ["https://{AUTHENTICATE_HOST}/oauth2/callback"]
  post_logout_redirect_uris   = ["https://{AUTHENTICATE_HOST}/.pomerium/signed_out"]
  grant_types                 = ["authorization_code", "refresh_token"]
  group_ids                   = var.assigned_groups
  client_secret_version       = var.secret_version
  keep_previous_client_secret = var.keep_previous
}}

resource "oktaidp_groups_claim" "groups" {{
  app_id      = oktaidp_oidc_app.pomerium.id
  filter_type = "STARTS_WITH"
  filter      = "team-"
}}

data "oktaidp_pomerium_idp" "idp" {{
  authenticate_service_url = "https://{AUTHENTICATE_HOST}"
  app_id                   = oktaidp_groups_claim.groups.app_id
  client_secret            = oktaidp_oidc_app.pomerium.client_secret
}}

output "config_yaml" {{
  value     = data.oktaidp_pomerium_idp.idp.config_yaml
  sensitive = true
}}
output "client_secret" {{
  value     = oktaidp_oidc_app.pomerium.client_secret
  sensitive = true
}}
"#
    )
}

fn fixture(tf: &Terraform, org: &Org) -> Result<Workspace, String> {
    let mut ws = Workspace::new(tf, &[("main.tf", fixture_tf())])?;
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    ws.set_env("TF_VAR_org_url", &org.emu.url);
    ws.set_env(
        "TF_VAR_assigned_groups",
        &json!([org.eng, org.contractors]).to_string(),
    );
    Ok(ws)
}

/// POSTs to the org server's `/token` in the emulator's request log.
fn token_posts(emu: &Emulator) -> Result<usize, String> {
    let log = emu.admin("GET", "/__emulator/requests", None)?;
    Ok(log
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|e| e["method"] == "POST" && e["path"] == "/oauth2/v1/token")
                .count()
        })
        .unwrap_or(0))
}

/// User tokens that live `LIFETIME` seconds (okta-emulator `--user-token-lifetime-secs`):
/// Pomerium renews the session through the refresh grant before the access token expires, and
/// the user is still let in, without a redirect, after the first tokens expired.
///
/// The lifetime is above a minute because Pomerium's authorize service caches session records
/// for a minute (`storage.GlobalCache`): with shorter tokens it judges a cached, pre-refresh
/// record expired and sends the user to sign in again although the session was renewed.
pub fn v0_32_session_refresh(tf: &Terraform) -> Result<(), String> {
    // Skipped before anything is applied when this Pomerium is not built.
    binary(Version::V0_32_0)?;
    const LIFETIME: u64 = 62;
    let org = setup(&["--user-token-lifetime-secs", &LIFETIME.to_string()])?;
    let ws = fixture(tf, &org)?;
    ws.apply(&[])?;
    let yaml = config_yaml(&ws, "config_yaml")?;
    let pom = Pomerium::start(
        Version::V0_32_0,
        &yaml,
        &HarnessKeys::claim_group("team-eng"),
        &Secrets::new(),
    )?;
    let mut alice = Browser::new(&org.emu.url)?;
    let page = sign_in(&pom, &mut alice, ALICE)?;
    let signed_in = Instant::now();
    expect_allowed(&pom, &page, ALICE)?;
    let after_sign_in = token_posts(&org.emu)?;
    // Past the first access token's expiry, and past the minute authorize caches a session.
    std::thread::sleep(
        (signed_in + Duration::from_secs(LIFETIME + 8)).saturating_duration_since(Instant::now()),
    );
    let page = alice.visit(&pom, APP_URL)?;
    if page.trail.len() != 1 {
        return Err(pom.failure(&format!(
            "after the first tokens expired ({LIFETIME} s), alice was sent through sign-in again: {}",
            page.describe()
        )));
    }
    expect_allowed(&pom, &page, ALICE).map_err(|e| {
        format!("after the first tokens expired ({LIFETIME} s), the session was not renewed: {e}")
    })?;
    let refreshes = token_posts(&org.emu)? - after_sign_in;
    if refreshes == 0 {
        return Err(pom.failure("no token request (refresh grant) after the sign-in"));
    }
    if let Some(l) = pom.log().lines().find(|l| l.contains("failed to refresh")) {
        return Err(pom.failure(&format!("a refresh failed: {l}")));
    }
    println!(
        "  pomerium_real::v0_32_session_refresh: {refreshes} refresh-grant requests in {:.0}s",
        signed_in.elapsed().as_secs_f64()
    );
    drop(pom);
    ws.destroy(&[])?;
    ws.check_log()
}

/// `client_secret_version` raised with `keep_previous_client_secret = true`: the Pomerium still
/// running with the previous secret keeps signing people in; restarted with the new settings it
/// signs them in with the new secret; once the overlap ends, a Pomerium with the old settings
/// can no longer sign anyone in.
pub fn v0_32_secret_rotation(tf: &Terraform) -> Result<(), String> {
    // Skipped before anything is applied when this Pomerium is not built.
    binary(Version::V0_32_0)?;
    let org = setup(&[])?;
    let mut ws = fixture(tf, &org)?;
    ws.apply(&[])?;
    let old_yaml = config_yaml(&ws, "config_yaml")?;
    let secrets = Secrets::new();
    let keys = HarnessKeys::claim_group("team-eng");
    let old = Pomerium::start(Version::V0_32_0, &old_yaml, &keys, &secrets)?;
    let page = sign_in(&old, &mut Browser::new(&org.emu.url)?, ALICE)?;
    expect_allowed(&old, &page, ALICE)?;

    ws.set_env("TF_VAR_secret_version", "2");
    ws.set_env("TF_VAR_keep_previous", "true");
    ws.apply(&[])?;
    ws.expect_empty_plan(&[])?;
    let new_yaml = config_yaml(&ws, "config_yaml")?;
    if new_yaml == old_yaml {
        return Err("rotating the secret did not change the rendered settings".into());
    }
    // The running Pomerium still holds the previous secret.
    let page = sign_in(&old, &mut Browser::new(&org.emu.url)?, ALICE)?;
    expect_allowed(&old, &page, ALICE)
        .map_err(|e| format!("previous secret during the overlap: {e}"))?;
    drop(old);
    let new = Pomerium::start(Version::V0_32_0, &new_yaml, &keys, &secrets)?;
    let page = sign_in(&new, &mut Browser::new(&org.emu.url)?, ALICE)?;
    expect_allowed(&new, &page, ALICE)
        .map_err(|e| format!("restarted with the new secret: {e}"))?;
    drop(new);

    ws.set_env("TF_VAR_keep_previous", "false");
    ws.apply(&[])?;
    let old = Pomerium::start(Version::V0_32_0, &old_yaml, &keys, &secrets)?;
    let page = sign_in(&old, &mut Browser::new(&org.emu.url)?, ALICE)?;
    if page.allowed() {
        return Err(old.failure("the retired secret still signs people in after the overlap"));
    }
    if !old.log().contains("invalid_client") {
        return Err(old.failure(&format!(
            "the retired secret: expected Okta's invalid_client in Pomerium's log; got {}",
            page.describe()
        )));
    }
    drop(old);
    ws.destroy(&[])?;
    ws.check_log()
}

/// Group-list and member-list requests Pomerium made (from the emulator's request log).
fn directory_requests(emu: &Emulator) -> Result<Vec<Value>, String> {
    Ok(emu
        .api_requests()?
        .into_iter()
        .filter(|e| {
            e["method"] == "GET"
                && e["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/api/v1/groups"))
        })
        .collect())
}

/// Pomerium 0.19.1 with the module's `config_yaml` for it (`pomerium_version = "0.19.1"`, API
/// token set, so `idp_service_account` is rendered): directory sync lists groups and members over
/// the adopted token, and the route's `groups` policy (directory data, not the ID token) lets a
/// member in and refuses dave (contractors only). bob, in contractors only at the first sync,
/// is added to `team-eng`; the next incremental sync (`filter=lastUpdated gt ... or
/// lastMembershipUpdated gt ...`) brings the change and he is let in. No 4xx from Okta's API.
pub fn v0_19_directory_sync(tf: &Terraform) -> Result<(), String> {
    // Skipped before anything is applied when this Pomerium is not built.
    binary(Version::V0_19_1)?;
    let org = setup(&[])?;
    create_user(&org.emu, DAVE, &[&org.contractors])?;
    let token = mint_token(&org.emu)?;
    let (ws, yaml) = apply_example(tf, &org, "0.19.1", None, Some(&token))?;
    if !yaml.contains("idp_service_account") {
        return Err(format!(
            "config_yaml for 0.19.1 with an API token has no idp_service_account:\n{}",
            yaml.lines()
                .map(|l| l.split(':').next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let keys = HarnessKeys {
        policy:
            "      - allow:\n          or:\n            - groups:\n                has: team-eng\n"
                .to_string(),
        extra: vec!["idp_refresh_directory_interval: 3s".to_string()],
    };
    let pom = Pomerium::start(Version::V0_19_1, &yaml, &keys, &Secrets::new())?;
    // The first sync lists the groups and each group's members.
    wait_for(
        &pom,
        Duration::from_secs(30),
        "a first directory sync",
        || {
            let reqs = directory_requests(&org.emu)?;
            let listed = reqs.iter().any(|e| e["path"] == "/api/v1/groups");
            let members = reqs
                .iter()
                .any(|e| e["path"] == format!("/api/v1/groups/{}/users", org.eng));
            Ok(listed && members)
        },
    )?;
    let mut alice = Browser::new(&org.emu.url)?;
    let page = sign_in(&pom, &mut alice, ALICE)?;
    if !page.allowed() {
        return Err(pom.failure(&format!(
            "alice (team-eng in the directory) was not allowed: {}",
            page.describe()
        )));
    }
    // dave, in `contractors` only, is refused by the directory's groups. (bob, in the same
    // place, is not asked before the change: Pomerium's authorize caches a directory record
    // it read for a minute, which would hide the change from this test, not from Pomerium.)
    let mut dave = alice.fresh()?;
    let page = sign_in(&pom, &mut dave, DAVE)?;
    expect_status(&pom, &page, 403, "dave (contractors only)")?;

    let bob_id = user_id(&org.emu, BOB)?;
    let seen_before = directory_requests(&org.emu)?.len();
    org.emu.ok(
        "PUT",
        &format!("/api/v1/groups/{}/users/{bob_id}", org.eng),
        None,
    )?;
    let changed = Instant::now();
    // The next incremental pass lists the changed groups and their members again.
    let members = format!("/api/v1/groups/{}/users", org.eng);
    let after_change = |emu: &Emulator| -> Result<Vec<Value>, String> {
        Ok(directory_requests(emu)?
            .into_iter()
            .skip(seen_before)
            .collect())
    };
    let synced = wait_for(
        &pom,
        Duration::from_secs(20),
        "incremental sync after the change",
        || {
            let after = after_change(&org.emu)?;
            let list = after.iter().position(|e| {
                e["path"] == "/api/v1/groups"
                    && e["query"]
                        .as_str()
                        .is_some_and(|q| q.contains("lastMembershipUpdated"))
            });
            Ok(list.is_some_and(|i| after[i..].iter().any(|e| e["path"] == members.as_str())))
        },
    );
    synced.map_err(|e| {
        let after: Vec<String> = after_change(&org.emu)
            .unwrap_or_default()
            .iter()
            .take(12)
            .map(|r| {
                format!(
                    "{} {}?{} -> {}",
                    r["method"], r["path"], r["query"], r["status"]
                )
            })
            .collect();
        format!(
            "{e}\n--- directory requests after the change ---\n{}",
            after.join("\n")
        )
    })?;
    // The pass's records reach the databroker just after its last member list.
    std::thread::sleep(Duration::from_secs(2));
    let mut bob = alice.fresh()?;
    let page = sign_in(&pom, &mut bob, BOB)?;
    if !page.allowed() {
        return Err(pom.failure(&format!(
            "bob, added to team-eng after the first sync, was not allowed after the next one: {}",
            page.describe()
        )));
    }
    let took = changed.elapsed().as_secs_f64();
    let reqs = directory_requests(&org.emu)?;
    let incremental: Vec<&Value> = reqs
        .iter()
        .filter(|e| {
            e["path"] == "/api/v1/groups"
                && e["query"]
                    .as_str()
                    .is_some_and(|q| q.contains("filter=") && q.contains("lastMembershipUpdated"))
        })
        .collect();
    if incremental.is_empty() {
        return Err(
            pom.failure("no incremental group sync (filter on lastMembershipUpdated) was made")
        );
    }
    if let Some(bad) = reqs
        .iter()
        .find(|e| e["status"].as_u64().unwrap_or(0) >= 400)
    {
        return Err(pom.failure(&format!("Okta's API refused a directory request: {bad}")));
    }
    let log = pom.log();
    if let Some(l) = log
        .lines()
        .find(|l| l.contains("okta:") && (l.contains("\"error\"") || l.contains("status code")))
    {
        return Err(pom.failure(&format!("directory sync logged an error: {l}")));
    }
    println!(
        "  pomerium_real::v0_19_directory_sync: membership change reached Pomerium after {took:.1}s ({} incremental group lists)",
        incremental.len()
    );
    drop(pom);
    ws.destroy(&[])?;
    ws.check_log()
}

fn user_id(emu: &Emulator, login: &str) -> Result<String, String> {
    let user = emu.ok("GET", &format!("/api/v1/users/{login}"), None)?;
    user["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{login}: no id"))
}

fn wait_for(
    pom: &Pomerium,
    limit: Duration,
    what: &str,
    mut done: impl FnMut() -> Result<bool, String>,
) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    loop {
        if done()? {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(pom.failure(&format!("no {what} within {}s", limit.as_secs())));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The directory tool of scripts/install-pomerium-datasource.sh (looked up, never built here).
fn datasource_tool() -> Result<std::path::PathBuf, String> {
    if let Ok(p) = std::env::var("OKTAIDP_POMERIUM_DATASOURCE") {
        if !p.is_empty() {
            return Ok(p.into());
        }
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts/install-pomerium-datasource.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .env("OKTAIDP_NO_BUILD", "1")
        .output()
        .map_err(|e| format!("install-pomerium-datasource.sh: {e}"))?;
    if out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout);
        return Ok(text.lines().last().unwrap_or_default().trim().into());
    }
    let why = String::from_utf8_lossy(&out.stderr);
    Err(format!(
        "{}{}",
        crate::terraform::SKIPPED,
        why.lines()
            .last()
            .unwrap_or("the directory tool is not built")
            .trim()
    ))
}

/// One `GetDirectory` of the running tool: team name -> member emails.
fn directory_pass(
    input: &mut std::process::ChildStdin,
    output: &mut impl std::io::BufRead,
) -> Result<std::collections::BTreeMap<String, Vec<String>>, String> {
    use std::io::Write;
    input
        .write_all(b"sync\n")
        .and_then(|()| input.flush())
        .map_err(|e| format!("directory tool: {e}"))?;
    let mut line = String::new();
    output
        .read_line(&mut line)
        .map_err(|e| format!("directory tool: {e}"))?;
    let v: Value =
        serde_json::from_str(&line).map_err(|e| format!("directory tool said {line:?}: {e}"))?;
    if let Some(e) = v["error"].as_str() {
        return Err(format!("GetDirectory failed: {e}"));
    }
    let names: std::collections::HashMap<String, String> = v["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| {
            Some((
                g["id"].as_str()?.to_string(),
                g["name"].as_str()?.to_string(),
            ))
        })
        .collect();
    let mut teams: std::collections::BTreeMap<String, Vec<String>> =
        names.values().map(|n| (n.clone(), Vec::new())).collect();
    for u in v["users"].as_array().into_iter().flatten() {
        for gid in u["group_ids"].as_array().into_iter().flatten() {
            if let Some(name) = gid.as_str().and_then(|g| names.get(g)) {
                let email = u["email"].as_str().unwrap_or_default().to_string();
                teams.entry(name.clone()).or_default().push(email);
            }
        }
    }
    for members in teams.values_mut() {
        members.sort();
    }
    Ok(teams)
}

/// Pomerium Enterprise's Okta directory provider (github.com/pomerium/datasource, built by
/// scripts/install-pomerium-datasource.sh) syncs from the emulator with the module's
/// `directory_sync` (`api_key`, `url`): a full sync, then a membership change reaches it through
/// the incremental sync (`filter=lastUpdated gt ... or lastMembershipUpdated gt ...`).
pub fn enterprise_directory_sync(tf: &Terraform) -> Result<(), String> {
    let tool = datasource_tool()?;
    let org = setup(&[])?;
    let token = mint_token(&org.emu)?;
    let (ws, _) = apply_example(tf, &org, "0.32.0", None, Some(&token))?;
    let out = ws.outputs()?;
    let sync = &out["directory_sync"]["value"];
    let (Some(url), Some(key)) = (sync["url"].as_str(), sync["api_key"].as_str()) else {
        return Err(format!(
            "directory_sync not rendered: {}",
            out["directory_sync"]
        ));
    };
    let mut child = std::process::Command::new(&tool)
        .env("OKTA_DIRECTORY_URL", url)
        .env("OKTA_DIRECTORY_API_KEY", key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", tool.display()))?;
    let result = (|| {
        let mut input = child.stdin.take().ok_or("no stdin")?;
        let mut output = std::io::BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let first = directory_pass(&mut input, &mut output)?;
        if first.get("team-eng").map(Vec::as_slice) != Some(&[ALICE.to_string()][..])
            || first.get("contractors").map(Vec::len) != Some(2)
        {
            return Err(format!("full sync: {first:?}"));
        }
        // Okta's timestamps have millisecond precision; the change must come after the first pass.
        std::thread::sleep(Duration::from_millis(1100));
        org.emu.ok(
            "PUT",
            &format!(
                "/api/v1/groups/{}/users/{}",
                org.eng,
                user_id(&org.emu, BOB)?
            ),
            None,
        )?;
        let second = directory_pass(&mut input, &mut output)?;
        let eng = second.get("team-eng").cloned().unwrap_or_default();
        if eng != [ALICE.to_string(), BOB.to_string()] {
            return Err(format!(
                "incremental sync after bob joined team-eng: {second:?}"
            ));
        }
        Ok(())
    })();
    let _ = child.kill();
    let stderr = child
        .wait_with_output()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .unwrap_or_default();
    result.map_err(|e| format!("{e}\n--- directory tool stderr ---\n{stderr}"))?;
    let reqs = directory_requests(&org.emu)?;
    let incremental = reqs.iter().any(|e| {
        e["path"] == "/api/v1/groups"
            && e["status"] == 200
            && e["query"]
                .as_str()
                .is_some_and(|q| q.contains("lastMembershipUpdated"))
    });
    if !incremental {
        return Err(format!("no incremental group list answered 200: {reqs:?}"));
    }
    if let Some(bad) = reqs
        .iter()
        .find(|e| e["status"].as_u64().unwrap_or(0) >= 400)
    {
        return Err(format!("Okta's API refused a directory request: {bad}"));
    }
    ws.destroy(&[])?;
    ws.check_log()
}
