//! `oktaidp_oidc_app_redirect_uri` and `oktaidp_oidc_app_refresh_grant` through real Terraform
//! against okta-emulator, on apps owned elsewhere (created out of band through the Okta API, or
//! by an `oktaidp_oidc_app` in additive mode): create, emulator state, empty plan, import and
//! compare, updates, drift, out-of-band deletes, destroy, parallel changes of one app, and the
//! number of Okta API calls each operation costs.

use serde_json::{json, Value};

use crate::emulator::Emulator;
use crate::oidc_app::{resource_values, workspace};
use crate::terraform::{check, PROVIDER};
use crate::terraform::{Run, Terraform, Workspace};

const BASE_URI: &str = "https://base.example.com/oauth2/callback";
const OTHER_URI: &str = "https://other-team.example.com/oauth2/callback";
const BASE_SIGNED_OUT: &str = "https://base.example.com/signed-out";

/// Terraform output with every run of whitespace (line wrapping included) as one space.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON string array as strings, in order (null or absent: empty).
fn list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn sign_in_uris(app: &Value) -> Vec<String> {
    list(&app["settings"]["oauthClient"]["redirect_uris"])
}

fn post_logout_uris(app: &Value) -> Vec<String> {
    list(&app["settings"]["oauthClient"]["post_logout_redirect_uris"])
}

/// An OIDC web app made by "someone else": `POST /api/v1/apps?activate=true` (okta-api.md 1.2).
fn create_web_app(
    emu: &Emulator,
    label: &str,
    redirect_uris: &[&str],
    post_logout: &[&str],
    grant_types: &[&str],
) -> Result<String, String> {
    let mut oauth = json!({
        "application_type": "web",
        "redirect_uris": redirect_uris,
        "response_types": ["code"],
        "grant_types": grant_types,
        "consent_method": "TRUSTED",
        "issuer_mode": "ORG_URL",
        "wildcard_redirect": "DISABLED",
        "idp_initiated_login": {"mode": "DISABLED", "default_scope": []},
    });
    if !post_logout.is_empty() {
        oauth["post_logout_redirect_uris"] = json!(post_logout);
    }
    let body = json!({
        "name": "oidc_client",
        "label": label,
        "signOnMode": "OPENID_CONNECT",
        "accessibility": {},
        "visibility": {"hide": {"iOS": true, "web": true}},
        "credentials": {
            "userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"},
            "oauthClient": {
                "autoKeyRotation": true,
                "pkce_required": false,
                "token_endpoint_auth_method": "client_secret_basic"
            }
        },
        "settings": {"notes": {"admin": "owned by the platform team"}, "oauthClient": oauth},
    });
    let app = emu.ok("POST", "/api/v1/apps?activate=true", Some(&body))?;
    app["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("created app without id: {app}"))
}

/// Replaces the app out of band (`PUT` of the whole app after `change`).
fn change_app(emu: &Emulator, id: &str, change: impl FnOnce(&mut Value)) -> Result<(), String> {
    let mut app = emu.app(id)?;
    change(&mut app);
    emu.ok("PUT", &format!("/api/v1/apps/{id}"), Some(&app))
        .map(|_| ())
}

fn delete_app(emu: &Emulator, id: &str) -> Result<(), String> {
    emu.ok(
        "POST",
        &format!("/api/v1/apps/{id}/lifecycle/deactivate"),
        Some(&json!({})),
    )?;
    emu.ok("DELETE", &format!("/api/v1/apps/{id}"), None)
        .map(|_| ())
}

/// Runs `f` and returns its result with the number of Okta API requests it caused.
fn counted<T>(emu: &Emulator, f: impl FnOnce() -> Result<T, String>) -> Result<(T, usize), String> {
    let before = emu.request_count()?;
    let value = f()?;
    Ok((value, emu.request_count()? - before))
}

/// The plan must be exactly the creation of `addresses` and nothing else.
fn expect_only_creates(plan: &Run, addresses: &[&str]) -> Result<(), String> {
    check(
        plan.code == 2,
        format!(
            "expected changes (exit 2), got {}:\n{}",
            plan.code,
            plan.text()
        ),
    )?;
    for address in addresses {
        check(
            plan.stdout
                .contains(&format!("# {address} will be created")),
            format!("plan does not create {address}:\n{}", plan.stdout),
        )?;
    }
    let summary = format!(
        "Plan: {} to add, 0 to change, 0 to destroy.",
        addresses.len()
    );
    check(
        plan.stdout.contains(&summary),
        format!("plan is not exactly {summary:?}:\n{}", plan.stdout),
    )
}

/// Removes `address` from the state, imports it by `id` and compares every attribute with
/// `applied`.
fn reimport(ws: &Workspace, address: &str, id: &str, applied: &Value) -> Result<(), String> {
    ws.run(&["state", "rm", address])?.ok("state rm")?;
    import_and_compare(ws, address, id, applied)
}

fn import_and_compare(
    ws: &Workspace,
    address: &str,
    id: &str,
    applied: &Value,
) -> Result<(), String> {
    ws.run(&["import", "-no-color", address, id])?
        .ok("import")?;
    let imported = resource_values(ws, address)?;
    let fields = applied.as_object().ok_or("state is not an object")?;
    for (key, value) in fields {
        check(
            imported[key] == *value,
            format!(
                "{address}: imported {key} = {}, applied state had {value}",
                imported[key]
            ),
        )?;
    }
    check(
        imported.as_object().map(|o| o.len()) == Some(fields.len()),
        format!("{address}: imported attributes {imported} differ from {applied}"),
    )
}

fn faults_hit(emu: &Emulator) -> Result<u64, String> {
    let rules = emu.admin("GET", "/__emulator/faults", None)?;
    Ok(rules
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["hits"].as_u64()).sum())
        .unwrap_or(0))
}

fn add_conflict_fault(emu: &Emulator, app_id: &str, times: u32) -> Result<(), String> {
    // What Okta answers when an app update collides with another one.
    emu.admin(
        "POST",
        "/__emulator/faults",
        Some(&json!({
            "method": "PUT",
            "path": format!("/api/v1/apps/{app_id}"),
            "status": 400,
            "errorCode": "E0000039",
            "times": times
        })),
    )
    .map(|_| ())
}

/// (GETs, successful PUTs, rejected PUTs) of one app in request-log entries.
fn app_calls(requests: &[Value], app_id: &str) -> (usize, usize, usize) {
    let path = format!("/api/v1/apps/{app_id}");
    let of = |method: &str, ok: bool| {
        requests
            .iter()
            .filter(|r| r["method"] == method && r["path"] == json!(path))
            .filter(|r| r["status"].as_u64().is_some_and(|s| (s < 300) == ok))
            .count()
    };
    (of("GET", true), of("PUT", true), of("PUT", false))
}

// ---------------------------------------------------------------------------------------------
// oktaidp_oidc_app_redirect_uri
// ---------------------------------------------------------------------------------------------

const TEAM_URI: &str = "https://authenticate.team-a.example.com/oauth2/callback";
const TEAM_SIGNED_OUT: &str = "https://team-a.example.com/signed-out";

fn redirect_uri_config() -> String {
    format!(
        r#"{PROVIDER}
variable "app_id" {{ type = string }}
resource "oktaidp_oidc_app_redirect_uri" "sign_in" {{
  app_id = var.app_id
  uri    = "{TEAM_URI}"
}}
resource "oktaidp_oidc_app_redirect_uri" "signed_out" {{
  app_id = var.app_id
  uri    = "{TEAM_SIGNED_OUT}"
  kind   = "post_logout"
}}
"#
    )
}

pub fn redirect_uri_lifecycle(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let app_id = create_web_app(
        &emu,
        "shared (platform team)",
        &[BASE_URI, OTHER_URI],
        &[BASE_SIGNED_OUT],
        &["authorization_code"],
    )?;
    let before = emu.app(&app_id)?;
    let mut ws = workspace(tf, &emu, &redirect_uri_config())?;
    ws.set_env("TF_VAR_app_id", &app_id);
    let sign_in = "oktaidp_oidc_app_redirect_uri.sign_in";
    let signed_out = "oktaidp_oidc_app_redirect_uri.signed_out";

    // Create both kinds; each is appended to its own list, the others stay in place.
    let (_, create_calls) = counted(&emu, || ws.apply(&[]))?;
    let app = emu.app(&app_id)?;
    check(
        sign_in_uris(&app) == [BASE_URI, OTHER_URI, TEAM_URI],
        format!("sign-in URIs in Okta: {:?}", sign_in_uris(&app)),
    )?;
    check(
        post_logout_uris(&app) == [BASE_SIGNED_OUT, TEAM_SIGNED_OUT],
        format!("sign-out URIs in Okta: {:?}", post_logout_uris(&app)),
    )?;
    let state_in = resource_values(&ws, sign_in)?;
    let state_out = resource_values(&ws, signed_out)?;
    let id_in = format!("{app_id}/sign_in/{TEAM_URI}");
    let id_out = format!("{app_id}/post_logout/{TEAM_SIGNED_OUT}");
    check(
        state_in == json!({"id": id_in, "app_id": app_id, "uri": TEAM_URI, "kind": "sign_in"}),
        format!("sign_in state: {state_in}"),
    )?;
    check(
        state_out
            == json!({"id": id_out, "app_id": app_id, "uri": TEAM_SIGNED_OUT, "kind": "post_logout"}),
        format!("signed_out state: {state_out}"),
    )?;
    let (_, refresh_calls) = counted(&emu, || ws.expect_empty_plan(&[]))?;

    // Import both by `<app_id>/<kind>/<uri>` and compare every attribute. The form of
    // okta_app_oauth_redirect_uri (`<app_id>/<uri>`) is refused first with a hint, before any
    // API call.
    ws.run(&["state", "rm", sign_in])?.ok("state rm")?;
    let (bad, bad_calls) = counted(&emu, || {
        ws.run(&[
            "import",
            "-no-color",
            sign_in,
            &format!("{app_id}/{TEAM_URI}"),
        ])
    })?;
    let hint = format!("use {app_id}/sign_in/{TEAM_URI}");
    check(
        bad.code != 0
            && bad.text().contains("Invalid import ID")
            && flat(&bad.text()).contains(&hint),
        format!("bad import ID not explained:\n{}", bad.text()),
    )?;
    check(
        bad_calls == 0,
        format!("{bad_calls} Okta calls for a bad import ID"),
    )?;
    let (_, import_calls) = counted(&emu, || import_and_compare(&ws, sign_in, &id_in, &state_in))?;
    reimport(&ws, signed_out, &id_out, &state_out)?;
    ws.expect_empty_plan(&[])?;

    // Out of band, someone removes the sign-in URI: the plan re-creates exactly that resource.
    change_app(&emu, &app_id, |app| {
        app["settings"]["oauthClient"]["redirect_uris"] = json!([BASE_URI, OTHER_URI]);
    })?;
    expect_only_creates(&ws.plan(&[])?, &[sign_in])?;
    ws.apply(&[])?;
    let app = emu.app(&app_id)?;
    check(
        sign_in_uris(&app) == [BASE_URI, OTHER_URI, TEAM_URI],
        format!("URI not restored: {:?}", sign_in_uris(&app)),
    )?;
    check(
        post_logout_uris(&app) == [BASE_SIGNED_OUT, TEAM_SIGNED_OUT],
        format!("sign-out URIs changed: {:?}", post_logout_uris(&app)),
    )?;
    ws.expect_empty_plan(&[])?;

    // Destroy leaves both lists exactly as they were before the test.
    let (_, delete_calls) = counted(&emu, || ws.destroy(&["-refresh=false"]))?;
    let app = emu.app(&app_id)?;
    check(
        sign_in_uris(&app) == sign_in_uris(&before),
        format!(
            "sign-in URIs after destroy {:?}, before {:?}",
            sign_in_uris(&app),
            sign_in_uris(&before)
        ),
    )?;
    check(
        post_logout_uris(&app) == post_logout_uris(&before),
        format!(
            "sign-out URIs after destroy {:?}, before {:?}",
            post_logout_uris(&app),
            post_logout_uris(&before)
        ),
    )?;

    check(
        without_last_updated(app.clone()) == without_last_updated(before.clone()),
        format!("app changed by the test:\nbefore {before}\nafter  {app}"),
    )?;

    // Out-of-band delete of the app: the refresh drops both URIs, the plan creates them, and
    // the apply fails with an error naming the missing app (there is nothing to add them to).
    ws.apply(&[])?;
    delete_app(&emu, &app_id)?;
    expect_only_creates(&ws.plan(&[])?, &[sign_in, signed_out])?;
    let failed = ws.run(&["apply", "-auto-approve", "-no-color"])?;
    let text = flat(&failed.text());
    check(
        failed.code == 1
            && text.contains(&format!("the app {app_id} does not exist"))
            && text.contains("app_id"),
        format!("apply against a deleted app did not fail clearly:\n{text}"),
    )?;
    let first_error = text
        .split("Error: ")
        .nth(1)
        .map(|e| {
            let summary = e.split(" with ").next().unwrap_or_default();
            let detail = e.split(" Okta returned ").nth(1).unwrap_or_default();
            format!("{summary} [on app_id]: Okta returned {}", detail.trim())
        })
        .unwrap_or_default();
    println!("  apply after the app was deleted fails: {first_error}");
    let state = ws.state_json()?;
    check(
        state["values"]["root_module"]["resources"]
            .as_array()
            .is_none_or(Vec::is_empty),
        format!("failed creates left state behind: {state}"),
    )?;
    ws.destroy(&[])?;

    println!(
        "  api calls oktaidp_oidc_app_redirect_uri: create {}, update -, delete {}, import {} \
         (per resource; 2 resources: create {create_calls}, refresh {refresh_calls}, delete {delete_calls})",
        create_calls / 2,
        delete_calls / 2,
        import_calls
    );
    check(
        (create_calls, refresh_calls, delete_calls) == (6, 1, 6),
        format!(
            "expected GET+PUT+confirming GET per create and delete, one GET for both refreshes \
             (shared); got create {create_calls}, refresh {refresh_calls}, delete {delete_calls}"
        ),
    )?;
    ws.check_log()
}

const PARALLEL: usize = 30;

pub fn thirty_uris_in_parallel(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let app_id = create_web_app(
        &emu,
        "shared by thirty teams",
        &[BASE_URI],
        &[],
        &["authorization_code"],
    )?;
    let before = emu.app(&app_id)?;
    // Every third one is a sign-out URI: both lists of one app change at the same time.
    let config = format!(
        r#"{PROVIDER}
variable "app_id" {{ type = string }}
resource "oktaidp_oidc_app_redirect_uri" "team" {{
  count  = {PARALLEL}
  app_id = var.app_id
  kind   = count.index % 3 == 0 ? "post_logout" : "sign_in"
  uri    = count.index % 3 == 0 ? "https://team${{count.index}}.example.com/signed-out" : "https://authenticate.team${{count.index}}.example.com/oauth2/callback"
}}
"#
    );
    let mut ws = workspace(tf, &emu, &config)?;
    ws.set_env("TF_VAR_app_id", &app_id);
    let mut want_in: Vec<String> = vec![BASE_URI.to_string()];
    let mut want_out: Vec<String> = Vec::new();
    for i in 0..PARALLEL {
        if i % 3 == 0 {
            want_out.push(format!("https://team{i}.example.com/signed-out"));
        } else {
            want_in.push(format!(
                "https://authenticate.team{i}.example.com/oauth2/callback"
            ));
        }
    }

    // Okta rejects three of the updates as concurrent (E0000039): each is re-read and retried.
    add_conflict_fault(&emu, &app_id, 3)?;
    let mark = emu.api_requests()?.len();
    ws.apply(&["-parallelism=10"])?;
    let requests = emu.api_requests()?;
    let (gets, puts, rejected) = app_calls(&requests[mark..], &app_id);
    check(
        faults_hit(&emu)? == 3,
        "the injected conflicts were not hit",
    )?;
    check(
        (gets, puts, rejected) == (2 * PARALLEL + 3, PARALLEL, 3),
        format!(
            "create: {gets} GETs, {puts} PUTs, {rejected} rejected PUTs; expected {} GETs \
             (one confirming each write), {PARALLEL} PUTs, 3 rejected",
            2 * PARALLEL + 3
        ),
    )?;
    let app = emu.app(&app_id)?;
    check(
        sorted(sign_in_uris(&app)) == sorted(want_in.clone()),
        format!("sign-in URIs in Okta: {:?}", sign_in_uris(&app)),
    )?;
    check(
        sign_in_uris(&app).first().map(String::as_str) == Some(BASE_URI),
        "the app's own URI moved",
    )?;
    check(
        sorted(post_logout_uris(&app)) == sorted(want_out),
        format!("sign-out URIs in Okta: {:?}", post_logout_uris(&app)),
    )?;

    let (_, refresh_calls) = counted(&emu, || ws.expect_empty_plan(&["-parallelism=10"]))?;
    check(
        refresh_calls == 1,
        format!("refresh of {PARALLEL} URIs of one app made {refresh_calls} calls, not one"),
    )?;

    // Destroy, again with two conflicts: exactly those thirty go.
    add_conflict_fault(&emu, &app_id, 2)?;
    let mark = emu.api_requests()?.len();
    ws.destroy(&["-parallelism=10", "-refresh=false"])?;
    let requests = emu.api_requests()?;
    let (dgets, dputs, drejected) = app_calls(&requests[mark..], &app_id);
    check(
        faults_hit(&emu)? == 5,
        "the injected conflicts were not hit",
    )?;
    check(
        (dgets, dputs, drejected) == (2 * PARALLEL + 2, PARALLEL, 2),
        format!("delete: {dgets} GETs, {dputs} PUTs, {drejected} rejected PUTs"),
    )?;
    let app = emu.app(&app_id)?;
    check(
        sign_in_uris(&app) == sign_in_uris(&before) && post_logout_uris(&app).is_empty(),
        format!(
            "after destroy: sign-in {:?}, sign-out {:?}",
            sign_in_uris(&app),
            post_logout_uris(&app)
        ),
    )?;
    check(
        app["settings"]["oauthClient"]
            .get("post_logout_redirect_uris")
            .is_none()
            == before["settings"]["oauthClient"]
                .get("post_logout_redirect_uris")
                .is_none(),
        "post_logout_redirect_uris key differs from before",
    )?;
    let all = requests.len();
    let limited = requests.iter().filter(|r| r["status"] == 429).count();
    check(
        limited == 0,
        format!("{limited} of {all} requests answered 429"),
    )?;
    println!(
        "  {PARALLEL} URIs on one app, -parallelism=10: create {gets} GET + {puts} PUT (+{rejected} \
         rejected with E0000039, retried), refresh {refresh_calls} GET, delete {dgets} GET + {dputs} PUT \
         (+{drejected} rejected, retried)"
    );
    ws.check_log()
}

pub fn coexists_with_additive_app(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let apps_before = emu.apps()?.len();
    let own_a = "https://authenticate.example.org/oauth2/callback";
    let own_b = "https://authenticate.legacy.example.org/oauth2/callback";
    let team_in = "https://authenticate.team-a.example.org/oauth2/callback";
    let team_out = "https://team-a.example.org/signed-out";
    let config = |own: &[&str]| {
        let own: Vec<String> = own.iter().map(|u| format!("\"{u}\"")).collect();
        format!(
            r#"{PROVIDER}
resource "oktaidp_oidc_app" "shared" {{
  label                   = "Pomerium (shared)"
  redirect_uris           = [{own}]
  redirect_uris_exclusive = false
}}
resource "oktaidp_oidc_app_redirect_uri" "team_a" {{
  app_id = oktaidp_oidc_app.shared.id
  uri    = "{team_in}"
}}
resource "oktaidp_oidc_app_redirect_uri" "team_a_signed_out" {{
  app_id = oktaidp_oidc_app.shared.id
  uri    = "{team_out}"
  kind   = "post_logout"
}}
"#,
            own = own.join(", ")
        )
    };
    let ws = workspace(tf, &emu, &config(&[own_a, own_b]))?;
    ws.apply(&[])?;
    let app_id = resource_values(&ws, "oktaidp_oidc_app.shared")?["id"]
        .as_str()
        .ok_or("app without id")?
        .to_string();
    let app = emu.app(&app_id)?;
    check(
        sign_in_uris(&app) == [own_a, own_b, team_in],
        format!("sign-in URIs in Okta: {:?}", sign_in_uris(&app)),
    )?;
    check(
        post_logout_uris(&app) == [team_out],
        format!("sign-out URIs in Okta: {:?}", post_logout_uris(&app)),
    )?;
    // No fight: neither resource wants to remove the other's URIs, twice over.
    ws.expect_empty_plan(&[])?;
    ws.apply(&[])?;
    check(emu.app(&app_id)? == app, "a no-op apply changed the app")?;
    ws.expect_empty_plan(&[])?;

    // The app drops one of its own URIs: only that one leaves Okta.
    ws.write("main.tf", &config(&[own_a]))?;
    let plan = ws.plan(&[])?;
    check(
        plan.code == 2
            && plan
                .stdout
                .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        format!("expected one in-place change of the app:\n{}", plan.text()),
    )?;
    ws.apply(&[])?;
    let app = emu.app(&app_id)?;
    check(
        sign_in_uris(&app) == [own_a, team_in],
        format!("sign-in URIs after removing one: {:?}", sign_in_uris(&app)),
    )?;
    check(
        post_logout_uris(&app) == [team_out],
        format!("sign-out URIs changed: {:?}", post_logout_uris(&app)),
    )?;
    ws.expect_empty_plan(&[])?;

    ws.destroy(&[])?;
    check(
        emu.apps()?.len() == apps_before,
        "apps left behind after destroy",
    )?;
    ws.check_log()
}

// ---------------------------------------------------------------------------------------------
// oktaidp_oidc_app_refresh_grant
// ---------------------------------------------------------------------------------------------

fn refresh_grant_config(settings: &str) -> String {
    format!(
        r#"{PROVIDER}
variable "app_id" {{ type = string }}
resource "oktaidp_oidc_app_refresh_grant" "pomerium" {{
  app_id = var.app_id
{settings}
}}
"#
    )
}

/// `(grant on, rotation_type, leeway)` as Okta reports them.
fn grant_in_okta(emu: &Emulator, app_id: &str) -> Result<(bool, Value, Value), String> {
    let app = emu.app(app_id)?;
    let oauth = &app["settings"]["oauthClient"];
    Ok((
        list(&oauth["grant_types"])
            .iter()
            .any(|g| g == "refresh_token"),
        oauth["refresh_token"]["rotation_type"].clone(),
        oauth["refresh_token"]["leeway"].clone(),
    ))
}

fn expect_grant(
    emu: &Emulator,
    ws: &Workspace,
    app_id: &str,
    rotation: &str,
    leeway: Value,
) -> Result<(), String> {
    let okta = grant_in_okta(emu, app_id)?;
    check(
        okta == (true, json!(rotation), leeway.clone()),
        format!("Okta has (grant, rotation, leeway) = {okta:?}, expected {rotation} {leeway}"),
    )?;
    let state = resource_values(ws, "oktaidp_oidc_app_refresh_grant.pomerium")?;
    check(
        state == json!({"id": app_id, "app_id": app_id, "rotation": rotation, "leeway": leeway}),
        format!("state {state}, expected {rotation} {leeway}"),
    )
}

fn without_last_updated(mut app: Value) -> Value {
    if let Some(o) = app.as_object_mut() {
        o.remove("lastUpdated");
    }
    app
}

pub fn refresh_grant_lifecycle(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let app_id = create_web_app(
        &emu,
        "pomerium (platform team)",
        &[BASE_URI],
        &[BASE_SIGNED_OUT],
        &["authorization_code"],
    )?;
    let before = emu.app(&app_id)?;
    check(
        before["settings"]["oauthClient"]
            .get("refresh_token")
            .is_none(),
        format!("new app already has refresh token settings: {before}"),
    )?;
    let mut ws = workspace(tf, &emu, &refresh_grant_config(""))?;
    ws.set_env("TF_VAR_app_id", &app_id);
    let address = "oktaidp_oidc_app_refresh_grant.pomerium";

    // Create: the grant goes on, STATIC, without a leeway.
    let (apply, create_calls) = counted(&emu, || ws.apply(&[]))?;
    check(
        !apply.text().contains("already on"),
        format!("unexpected warning:\n{}", apply.text()),
    )?;
    expect_grant(&emu, &ws, &app_id, "STATIC", Value::Null)?;
    let grants = list(&emu.app(&app_id)?["settings"]["oauthClient"]["grant_types"]);
    check(
        grants == ["authorization_code", "refresh_token"],
        format!("grant types in Okta: {grants:?}"),
    )?;
    let (_, refresh_calls) = counted(&emu, || ws.expect_empty_plan(&[]))?;

    // Import by app id and compare every attribute.
    let applied = resource_values(&ws, address)?;
    let (_, import_calls) = counted(&emu, || reimport(&ws, address, &app_id, &applied))?;
    ws.expect_empty_plan(&[])?;

    // ROTATE with leeway 20.
    ws.write(
        "main.tf",
        &refresh_grant_config("  rotation = \"ROTATE\"\n  leeway   = 20"),
    )?;
    let (_, apply_calls) = counted(&emu, || ws.apply(&[]))?;
    let update_calls = apply_calls - refresh_calls;
    expect_grant(&emu, &ws, &app_id, "ROTATE", json!(20))?;
    ws.expect_empty_plan(&[])?;

    // ROTATE without leeway: the leeway is no longer managed; the app keeps 20. No change.
    ws.write("main.tf", &refresh_grant_config("  rotation = \"ROTATE\""))?;
    ws.expect_empty_plan(&[])?;
    ws.apply(&[])?;
    expect_grant(&emu, &ws, &app_id, "ROTATE", json!(20))?;
    ws.expect_empty_plan(&[])?;

    // STATIC: Okta reports no leeway, the state has none.
    ws.write("main.tf", &refresh_grant_config("  rotation = \"STATIC\""))?;
    ws.apply(&[])?;
    expect_grant(&emu, &ws, &app_id, "STATIC", Value::Null)?;
    ws.expect_empty_plan(&[])?;

    // STATIC -> ROTATE without leeway: unknown at plan, Okta's default 30 after apply.
    ws.write("main.tf", &refresh_grant_config("  rotation = \"ROTATE\""))?;
    let plan = ws.plan(&[])?;
    check(
        plan.code == 2 && plan.stdout.contains("(known after apply)"),
        format!("expected leeway known after apply:\n{}", plan.stdout),
    )?;
    ws.apply(&[])?;
    expect_grant(&emu, &ws, &app_id, "ROTATE", json!(30))?;
    ws.expect_empty_plan(&[])?;

    // Out of band, someone turns the grant off: the plan creates the resource again.
    change_app(&emu, &app_id, |app| {
        let oauth = &mut app["settings"]["oauthClient"];
        oauth["grant_types"] = json!(["authorization_code"]);
        if let Some(o) = oauth.as_object_mut() {
            o.remove("refresh_token");
        }
    })?;
    check(
        !grant_in_okta(&emu, &app_id)?.0,
        "out-of-band removal of the grant did not take",
    )?;
    expect_only_creates(&ws.plan(&[])?, &[address])?;
    ws.apply(&[])?;
    expect_grant(&emu, &ws, &app_id, "ROTATE", json!(30))?;
    ws.expect_empty_plan(&[])?;

    // Destroy: the grant and its settings go; everything else is as before the test.
    let (_, delete_calls) = counted(&emu, || ws.destroy(&["-refresh=false"]))?;
    let after = emu.app(&app_id)?;
    check(
        without_last_updated(after.clone()) == without_last_updated(before.clone()),
        format!("app changed by the test:\nbefore {before}\nafter  {after}"),
    )?;

    println!(
        "  api calls oktaidp_oidc_app_refresh_grant: create {create_calls}, refresh {refresh_calls}, \
         update {update_calls}, delete {delete_calls}, import {import_calls}"
    );
    check(
        (create_calls, refresh_calls, update_calls, delete_calls) == (3, 1, 3, 3),
        format!(
            "expected GET+PUT+confirming GET per create, update and delete, one GET per refresh; got create \
             {create_calls}, refresh {refresh_calls}, update {update_calls}, delete {delete_calls}"
        ),
    )?;
    ws.check_log()
}
