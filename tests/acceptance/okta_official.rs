//! The official `okta/okta` provider as a client of okta-emulator: the OIDC-app slice our users
//! come from (a Pomerium-shaped web app, its groups, the groups claim, an extra redirect URI and
//! Okta API scopes) applies, plans empty, imports into a fresh state that plans empty and matches,
//! and destroys, with every call answered as Okta would (no 501, no 5xx in the request log).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::okta_provider::{self, resource};
use crate::terraform::{check, Terraform};

/// The resources the check runs; `docs/emulator.md` lists them as passing.
pub const RESOURCES: &[&str] = &[
    "okta_group",
    "okta_app_oauth",
    "okta_app_group_assignments",
    "okta_auth_server_claim",
    "okta_app_oauth_redirect_uri",
    "okta_app_oauth_api_scope",
];

fn module(url: &str) -> String {
    let requirement = okta_provider::requirement();
    let provider = okta_provider::provider_block(url, ADMIN_TOKEN);
    format!(
        r#"terraform {{
  required_providers {{
    {requirement}
  }}
}}

{provider}
resource "okta_group" "engineering" {{
  name        = "Engineering"
  description = "Signs in to Pomerium"
}}

resource "okta_app_oauth" "pomerium" {{
  label                     = "Pomerium"
  type                      = "web"
  grant_types               = ["authorization_code", "refresh_token"]
  response_types            = ["code"]
  redirect_uris             = ["https://authenticate.example.com/oauth2/callback"]
  post_logout_redirect_uris = ["https://authenticate.example.com/.pomerium/signed_out"]
  # okta_app_oauth_redirect_uri below adds a URI to this app.
  lifecycle {{
    ignore_changes = [redirect_uris]
  }}
}}

resource "okta_app_group_assignments" "pomerium" {{
  app_id = okta_app_oauth.pomerium.id
  group {{
    id = okta_group.engineering.id
  }}
}}

resource "okta_auth_server_claim" "groups" {{
  auth_server_id    = "default"
  name              = "groups"
  claim_type        = "IDENTITY"
  value_type        = "GROUPS"
  group_filter_type = "STARTS_WITH"
  value             = "Eng"
}}

resource "okta_app_oauth_redirect_uri" "second_cluster" {{
  app_id = okta_app_oauth.pomerium.id
  uri    = "https://authenticate.eu.example.com/oauth2/callback"
}}

resource "okta_app_oauth_api_scope" "directory_sync" {{
  app_id = okta_app_oauth.pomerium.id
  issuer = "{url}"
  scopes = ["okta.groups.read", "okta.users.read"]
}}
"#
    )
}

/// Apply, empty plan, import every resource into a second state (empty plan, same attributes),
/// destroy, nothing left; the request log holds no 501 and no 5xx.
pub fn oidc_app_slice_lifecycle(tf: &Terraform) -> Result<(), String> {
    okta_provider::binary()?;
    let emu = Emulator::start(&[])?;
    let files = [("main.tf", module(&emu.url))];
    let first = okta_provider::workspace(tf, &files)?;
    first.run(&["init", "-no-color"])?.ok("init")?;
    first.apply(&[])?.ok("apply")?;
    first.expect_empty_plan(&[])?;
    let applied = first.state_json()?;

    let app_id = attribute(&applied, "okta_app_oauth", "id")?;
    let claim_id = attribute(&applied, "okta_auth_server_claim", "id")?;
    let group_id = attribute(&applied, "okta_group", "id")?;
    let app = emu.app(&app_id)?;
    let redirects = app["settings"]["oauthClient"]["redirect_uris"].clone();
    check(
        redirects
            == serde_json::json!([
                "https://authenticate.example.com/oauth2/callback",
                "https://authenticate.eu.example.com/oauth2/callback"
            ]),
        format!("the app's redirect URIs in Okta: {redirects}"),
    )?;
    check(
        emu.app_group_ids(&app_id)? == vec![group_id.clone()],
        "the app is assigned exactly the Engineering group",
    )?;

    // A second state built by import alone must plan empty and hold what apply wrote.
    let second = okta_provider::workspace(tf, &files)?;
    second.run(&["init", "-no-color"])?.ok("init")?;
    let imports = [
        ("okta_group.engineering", group_id.clone()),
        ("okta_app_oauth.pomerium", app_id.clone()),
        ("okta_app_group_assignments.pomerium", app_id.clone()),
        (
            "okta_auth_server_claim.groups",
            format!("default/{claim_id}"),
        ),
        ("okta_app_oauth_api_scope.directory_sync", app_id.clone()),
    ];
    for (address, id) in &imports {
        second
            .run(&["import", "-no-color", address, id])?
            .ok(&format!("import {address} {id}"))?;
    }
    // okta/okta cannot import okta_app_oauth_redirect_uri: its importer splits the ID
    // `<app_id>/<uri>` on every `/`, and a URI has some. The same against Okta; its create only
    // adds the URI when missing, so an apply adopts it without changing the app.
    let refused = second.run(&[
        "import",
        "-no-color",
        "okta_app_oauth_redirect_uri.second_cluster",
        &format!("{app_id}/https://authenticate.eu.example.com/oauth2/callback"),
    ])?;
    check(
        refused.code != 0 && refused.text().contains("expected 2 import fields"),
        format!(
            "okta_app_oauth_redirect_uri import: expected okta/okta's own refusal, got exit {}:\n{}",
            refused.code,
            refused.text()
        ),
    )?;
    let before_adoption = emu.app(&app_id)?;
    second.apply(&[])?.ok("apply adopting the redirect URI")?;
    check(
        emu.app(&app_id)?["settings"] == before_adoption["settings"],
        "adopting the redirect URI changed the app's settings",
    )?;
    second.expect_empty_plan(&[])?;
    compare_states(&applied, &second.state_json()?)?;

    second.destroy(&[])?.ok("destroy")?;
    check(
        emu.apps()?.iter().all(|a| a["id"] != app_id.as_str()),
        "destroy left the app behind",
    )?;
    let (status, _) = emu.api("GET", &format!("/api/v1/groups/{group_id}"), None)?;
    check(status == 404, format!("destroy left the group ({status})"))?;
    let (status, _) = emu.api(
        "GET",
        &format!("/api/v1/authorizationServers/default/claims/{claim_id}"),
        None,
    )?;
    check(status == 404, format!("destroy left the claim ({status})"))?;

    answered_as_okta(&emu)
}

/// Every request the two workspaces made was served: no 501 (an endpoint the emulator lacks)
/// and no 5xx. Prints the endpoints the provider used, for docs/emulator.md.
fn answered_as_okta(emu: &Emulator) -> Result<(), String> {
    let log = emu.admin("GET", "/__emulator/requests", None)?;
    let entries = log.as_array().cloned().unwrap_or_default();
    let mut endpoints = BTreeSet::new();
    let mut failures = Vec::new();
    for entry in &entries {
        let path = entry["path"].as_str().unwrap_or_default();
        if path.starts_with("/__emulator") {
            continue;
        }
        let status = entry["status"].as_u64().unwrap_or(0);
        let method = entry["method"].as_str().unwrap_or_default();
        endpoints.insert(format!("{method} {}", shape(path)));
        // 0: a connection reset by a fault rule (none are set here).
        if status >= 500 || status == 0 {
            failures.push(format!("{status} {method} {path}"));
        }
    }
    println!(
        "  okta/okta {} used {} endpoints: {}",
        okta_provider::VERSION,
        endpoints.len(),
        endpoints.into_iter().collect::<Vec<_>>().join(", ")
    );
    check(
        failures.is_empty(),
        format!("requests not answered as Okta would: {failures:?}"),
    )
}

/// A request path with its ids replaced by placeholders.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            // Okta ids are 20 letters and digits; path words have no digits.
            let id_like = segment.len() >= 20
                && segment.chars().all(|c| c.is_ascii_alphanumeric())
                && segment.chars().any(|c| c.is_ascii_digit());
            if id_like {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn attribute(state: &Value, kind: &str, name: &str) -> Result<String, String> {
    resource(state, kind)?["values"][name]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{kind} has no {name} in the state"))
}

/// The imported state holds the applied one's values, except where okta/okta itself reads back
/// something else than it wrote (the same against Okta: each reason names the Okta behaviour,
/// which the emulator's fidelity tests check against recorded traffic).
fn compare_states(applied: &Value, imported: &Value) -> Result<(), String> {
    const NOT_READ_BACK: &[(&str, &str, &str)] = &[
        (
            "okta_app_oauth",
            "client_secret",
            "Okta never returns it on reads",
        ),
        (
            "okta_app_oauth",
            "omit_secret",
            "a setting of the provider, not of the app",
        ),
        (
            "okta_app_oauth",
            "skip_authentication_policy",
            "a setting of the provider, not of the app",
        ),
        (
            "okta_app_oauth",
            "refresh_token_leeway",
            "Okta omits the leeway of STATIC rotation; create keeps the configured 0",
        ),
        (
            "okta_app_oauth",
            "login_scopes",
            "Okta returns an empty default_scope list; create leaves it null",
        ),
        (
            "okta_app_oauth",
            "redirect_uris",
            "ignore_changes keeps the applied list; import reads both URIs (checked in Okta)",
        ),
        (
            "okta_group",
            "skip_users",
            "a setting of the provider, not of the group",
        ),
    ];
    let mut differences = Vec::new();
    for kind in RESOURCES {
        let (a, b) = (resource(applied, kind)?, resource(imported, kind)?);
        let (Some(a), Some(b)) = (a["values"].as_object(), b["values"].as_object()) else {
            return Err(format!("{kind} has no values"));
        };
        for (name, value) in a {
            if NOT_READ_BACK
                .iter()
                .any(|(k, attribute, _)| k == kind && attribute == name)
            {
                continue;
            }
            if b.get(name) != Some(value) {
                differences.push(format!(
                    "{kind}.{name}: applied {value}, imported {}",
                    b.get(name).cloned().unwrap_or(Value::Null)
                ));
            }
        }
    }
    check(
        differences.is_empty(),
        format!("import differs from apply:\n  {}", differences.join("\n  ")),
    )
}
