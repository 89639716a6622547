//! `oktaidp_api_token` through real Terraform against okta-emulator: adopt a token minted out of
//! band (by name and by id), emulator state, empty plan, import and compare, renames and network
//! conditions, drift, out-of-band revocation (refresh warning, apply fails with instructions),
//! destroy with and without `revoke_on_destroy`, validation at plan, and no token value in any
//! output or provider log line.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::oidc_app::{resource_values, workspace};
use crate::terraform::check;
use crate::terraform::{Run, Terraform, Workspace};

const ADDRESS: &str = "oktaidp_api_token.sync";
const NAME: &str = "pomerium-directory-sync";
const NAME2: &str = "pomerium-directory-sync-prod";
const CONSOLE_NAME: &str = "renamed-in-admin-console";

const PROVIDER: &str = r#"
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
}
"#;

/// A configuration with one `oktaidp_api_token.sync` whose `token` is `var.sync_token`; `body`
/// holds the other arguments.
fn config(body: &str) -> String {
    format!(
        r#"{PROVIDER}
resource "oktaidp_api_token" "sync" {{
  token = var.sync_token
{body}
}}
output "token_id" {{
  value = oktaidp_api_token.sync.token_id
}}
"#
    )
}

fn by_name(name: &str, extra: &str) -> String {
    config(&format!("  name  = \"{name}\"\n{extra}"))
}

/// A token minted in the emulator (the Admin Console's "Create Token").
pub struct Minted {
    pub id: String,
    pub value: String,
    pub user_id: String,
}

pub fn mint(emu: &Emulator, name: &str) -> Result<Minted, String> {
    let t = emu.admin("POST", "/__emulator/tokens", Some(&json!({ "name": name })))?;
    let field = |k: &str| {
        t[k].as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("minted token without {k}"))
    };
    Ok(Minted {
        id: field("id")?,
        value: field("token")?,
        user_id: field("userId")?,
    })
}

/// Ids of the tokens Okta lists.
fn token_ids(emu: &Emulator) -> Result<BTreeSet<String>, String> {
    let list = emu.ok("GET", "/api/v1/api-tokens", None)?;
    Ok(list
        .as_array()
        .ok_or("token list is not an array")?
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_string))
        .collect())
}

/// HTTP status of `GET /api/v1/users/me` made with `token` (not the admin token).
fn status_with(emu: &Emulator, token: &str) -> Result<u16, String> {
    let resp = reqwest::blocking::Client::new()
        .get(format!("{}/api/v1/users/me", emu.url))
        .header("Authorization", format!("SSWS {token}"))
        .header("Accept", "application/json")
        .send()
        .map_err(|e| format!("users/me: {e}"))?;
    Ok(resp.status().as_u16())
}

fn last_seq(emu: &Emulator) -> Result<u64, String> {
    let log = emu.admin("GET", "/__emulator/requests", None)?;
    Ok(log
        .as_array()
        .and_then(|a| a.iter().filter_map(|e| e["seq"].as_u64()).max())
        .unwrap_or(0))
}

/// Runs `f` and returns the Okta API calls it made, as "METHOD path".
fn measured<T>(
    emu: &Emulator,
    f: impl FnOnce() -> Result<T, String>,
) -> Result<(T, Vec<String>), String> {
    let since = last_seq(emu)?;
    let out = f()?;
    let log = emu.admin("GET", &format!("/__emulator/requests?since={since}"), None)?;
    let calls = log
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/api/")))
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap_or(""),
                e["path"].as_str().unwrap_or("")
            )
        })
        .collect();
    Ok((out, calls))
}

/// Terraform's output with box drawing removed and whitespace collapsed: diagnostics are
/// wrapped to the terminal width.
fn flat(text: &str) -> String {
    text.replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn contains_all(text: &str, needles: &[&str], what: &str) -> Result<(), String> {
    let flat = flat(text);
    for needle in needles {
        check(
            flat.contains(&self::flat(needle)),
            format!("{what}: output lacks {needle:?}:\n{text}"),
        )?;
    }
    Ok(())
}

/// Fails (without printing them) when a secret appears in a command's output.
fn no_secret(run: &Run, secrets: &[String], what: &str) -> Result<(), String> {
    let text = run.text();
    for (i, s) in secrets.iter().enumerate() {
        check(
            !text.contains(s.as_str()),
            format!("{what}: secret #{i} appears in the terraform output"),
        )?;
    }
    Ok(())
}

fn no_secret_in_logs(ws: &Workspace, secrets: &[String]) -> Result<(), String> {
    ws.check_log()?;
    let lines = ws.provider_log_lines();
    check(
        !lines.is_empty(),
        "no provider log lines: logs not captured",
    )?;
    for line in &lines {
        for (i, s) in secrets.iter().enumerate() {
            check(
                !line.contains(s.as_str()),
                format!("provider logged secret #{i}"),
            )?;
        }
    }
    Ok(())
}

/// Runs a command that must succeed; its output must not contain a secret.
fn ok_clean(run: Result<Run, String>, secrets: &[String], what: &str) -> Result<Run, String> {
    let run = match run {
        Ok(r) => r,
        // The error holds the output: never print a secret.
        Err(mut e) => {
            for s in secrets {
                e = e.replace(s.as_str(), "<secret>");
            }
            return Err(format!("{what}: {e}"));
        }
    };
    no_secret(&run, secrets, what)?;
    Ok(run)
}

fn expect_empty_plan(ws: &Workspace, secrets: &[String], what: &str) -> Result<(), String> {
    let run = ok_clean(ws.plan(&[]), secrets, what)?;
    check(
        run.code == 0,
        format!(
            "{what}: expected an empty plan, got exit {}:\n{}",
            run.code,
            run.text()
        ),
    )
}

fn state_has_no_resources(ws: &Workspace) -> Result<(), String> {
    let state = ws.state_json()?;
    let n = state["values"]["root_module"]["resources"]
        .as_array()
        .map_or(0, Vec::len);
    check(n == 0, format!("{n} resources left in the state"))
}

fn sorted(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn emulator_token(emu: &Emulator, id: &str) -> Result<Value, String> {
    emu.ok("GET", &format!("/api/v1/api-tokens/{id}"), None)
}

/// The Okta network condition of token `id`, with the zone lists sorted.
fn emulator_network(emu: &Emulator, id: &str) -> Result<Value, String> {
    let mut net = emulator_token(emu, id)?["network"].clone();
    for k in ["include", "exclude"] {
        if !net[k].is_null() {
            net[k] = json!(sorted(&net[k]));
        }
    }
    Ok(net)
}

fn state_attr_is(state: &Value, key: &str, want: &Value) -> Result<(), String> {
    check(
        state[key] == *want,
        format!("state {key} = {}, want {want}", state[key]),
    )
}

/// Applies `main_tf`, then checks Okta's network condition and an empty plan; returns the
/// Okta calls of the apply.
fn apply_step(
    ws: &Workspace,
    emu: &Emulator,
    main_tf: &str,
    secrets: &[String],
    what: &str,
) -> Result<Vec<String>, String> {
    ws.write("main.tf", main_tf)?;
    let (_, calls) = measured(emu, || ok_clean(ws.apply(&[]), secrets, what))?;
    expect_empty_plan(ws, secrets, &format!("plan after {what}"))?;
    Ok(calls)
}

pub fn lifecycle(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let tokens_before = token_ids(&emu)?;
    let first = mint(&emu, NAME)?;
    let id = first.id.clone();
    let mut secrets = vec![ADMIN_TOKEN.to_string(), first.value.clone()];

    // Create: adopt by name.
    let mut ws = workspace(tf, &emu, &by_name(NAME, ""))?;
    ws.set_env("TF_VAR_sync_token", &first.value);
    let (_, create_calls) = measured(&emu, || ok_clean(ws.apply(&[]), &secrets, "create"))?;
    check(
        create_calls == ["GET /api/v1/users/me", "GET /api/v1/api-tokens"],
        format!("create calls: {create_calls:?}"),
    )?;
    let state = resource_values(&ws, ADDRESS)?;
    for (key, want) in [
        ("id", json!(id)),
        ("token_id", json!(id)),
        ("name", json!(NAME)),
        ("user_id", json!(first.user_id)),
        ("network_connection", json!("ANYWHERE")),
        ("network_include", Value::Null),
        ("network_exclude", Value::Null),
        ("revoke_on_destroy", json!(false)),
        ("client_name", json!("Okta API")),
        ("token_window", json!("P30D")),
    ] {
        state_attr_is(&state, key, &want)?;
    }
    check(
        state["token"].as_str() == Some(first.value.as_str()),
        "state token is not the adopted value",
    )?;
    for key in ["created", "last_updated", "expires_at"] {
        check(
            state[key].as_str().is_some_and(|s| !s.is_empty()),
            format!("state {key} is empty"),
        )?;
    }
    let okta = emulator_token(&emu, &id)?;
    check(
        okta["name"] == NAME,
        format!("name in Okta: {}", okta["name"]),
    )?;
    check(
        okta["network"] == json!({"connection": "ANYWHERE"}),
        format!("network in Okta: {}", okta["network"]),
    )?;
    check(
        okta["expiresAt"] == state["expires_at"] && okta["created"] == state["created"],
        "timestamps differ from Okta's",
    )?;
    check(
        ws.outputs()?["token_id"]["value"] == json!(id),
        "output token_id",
    )?;

    // Empty second plan (a refresh): one GET.
    let (plan, refresh_calls) = measured(&emu, || ok_clean(ws.plan(&[]), &secrets, "plan"))?;
    check(
        plan.code == 0,
        format!("second plan not empty:\n{}", plan.text()),
    )?;
    check(
        refresh_calls == [format!("GET /api/v1/api-tokens/{id}")],
        format!("refresh calls: {refresh_calls:?}"),
    )?;

    // state rm + import by token id: every attribute as applied, but no token value.
    ok_clean(ws.run(&["state", "rm", ADDRESS]), &secrets, "state rm")?.ok("state rm")?;
    let (import, import_calls) = measured(&emu, || {
        ok_clean(
            ws.run(&["import", "-no-color", ADDRESS, &id]),
            &secrets,
            "import",
        )
    })?;
    import.ok("import")?;
    // ImportResourceState (1 GET), then Terraform's ReadResource of the imported object.
    check(
        import_calls
            == [
                format!("GET /api/v1/api-tokens/{id}"),
                format!("GET /api/v1/api-tokens/{id}"),
            ],
        format!("import calls: {import_calls:?}"),
    )?;
    let imported = resource_values(&ws, ADDRESS)?;
    for (key, value) in state.as_object().ok_or("state not an object")? {
        if key == "token" {
            check(imported[key].is_null(), "imported token is not null")?;
            continue;
        }
        check(
            imported[key] == *value,
            format!(
                "imported {key} = {}, applied state had {value}",
                imported[key]
            ),
        )?;
    }
    // The plan after import: only `token` (null -> the configured value), in place.
    let plan = ok_clean(ws.plan(&[]), &secrets, "plan after import")?;
    check(
        plan.code == 2
            && plan.stdout.contains("1 to change")
            && plan.stdout.contains("0 to add")
            && plan.stdout.contains("0 to destroy"),
        format!("plan after import:\n{}", plan.text()),
    )?;
    let (_, calls) = measured(&emu, || {
        ok_clean(ws.apply(&[]), &secrets, "apply after import")
    })?;
    check(
        calls
            == [
                format!("GET /api/v1/api-tokens/{id}"),
                "GET /api/v1/users/me".to_string(),
                format!("GET /api/v1/api-tokens/{id}"),
            ],
        format!("apply after import calls: {calls:?}"),
    )?;
    let after = resource_values(&ws, ADDRESS)?;
    check(
        after["token"].as_str() == Some(first.value.as_str()),
        "apply after import did not store the token",
    )?;
    expect_empty_plan(&ws, &secrets, "plan after import + apply")?;

    // A second workspace adopts the same token by token_id (name not managed), then destroys
    // it with the default revoke_on_destroy = false: nothing is revoked.
    let mut ws2 = workspace(tf, &emu, &config(&format!("  token_id = \"{id}\"")))?;
    ws2.set_env("TF_VAR_sync_token", &first.value);
    let (_, by_id_calls) = measured(&emu, || ok_clean(ws2.apply(&[]), &secrets, "create by id"))?;
    check(
        by_id_calls
            == [
                "GET /api/v1/users/me".to_string(),
                format!("GET /api/v1/api-tokens/{id}"),
            ],
        format!("create by token_id calls: {by_id_calls:?}"),
    )?;
    let state2 = resource_values(&ws2, ADDRESS)?;
    check(
        state2["id"] == json!(id) && state2["name"] == NAME,
        format!("adopted by id: id {} name {}", state2["id"], state2["name"]),
    )?;
    expect_empty_plan(&ws2, &secrets, "plan by id")?;
    let (_, forget_calls) = measured(&emu, || {
        ok_clean(ws2.destroy(&[]), &secrets, "destroy by id")
    })?;
    check(
        forget_calls == [format!("GET /api/v1/api-tokens/{id}")],
        format!("destroy without revoke_on_destroy calls: {forget_calls:?}"),
    )?;
    check(
        status_with(&emu, &first.value)? == 200,
        "the token stopped working after a destroy without revoke_on_destroy",
    )?;
    check(token_ids(&emu)?.contains(&id), "the token was revoked")?;
    state_has_no_resources(&ws2)?;
    no_secret_in_logs(&ws2, &secrets)?;

    // Update: rename.
    let calls = apply_step(&ws, &emu, &by_name(NAME2, ""), &secrets, "rename")?;
    let update_calls = calls.len().saturating_sub(refresh_calls.len());
    check(
        calls
            == [
                format!("GET /api/v1/api-tokens/{id}"),
                format!("GET /api/v1/api-tokens/{id}"),
                format!("PUT /api/v1/api-tokens/{id}"),
            ],
        format!("rename calls: {calls:?}"),
    )?;
    check(
        emulator_token(&emu, &id)?["name"] == NAME2,
        "name not updated in Okta",
    )?;
    check(
        resource_values(&ws, ADDRESS)?["id"] == json!(id),
        "the rename re-created the resource",
    )?;

    // Update: network condition (ZONE with include and exclude, then exclude only, then back
    // to ANYWHERE).
    let zone_both = r#"  network_connection = "ZONE"
  network_include    = ["nzoOffice2", "nzoOffice1"]
  network_exclude    = ["nzoGuestWifi"]"#;
    apply_step(&ws, &emu, &by_name(NAME2, zone_both), &secrets, "ZONE")?;
    let net = emulator_network(&emu, &id)?;
    check(
        net == json!({"connection": "ZONE", "include": ["nzoOffice1", "nzoOffice2"], "exclude": ["nzoGuestWifi"]}),
        format!("network in Okta after ZONE: {net}"),
    )?;
    let state = resource_values(&ws, ADDRESS)?;
    check(
        sorted(&state["network_include"]) == ["nzoOffice1", "nzoOffice2"]
            && sorted(&state["network_exclude"]) == ["nzoGuestWifi"],
        format!(
            "zones in state: {} / {}",
            state["network_include"], state["network_exclude"]
        ),
    )?;
    let zone_exclude = r#"  network_connection = "ZONE"
  network_exclude    = ["nzoGuestWifi", "nzoLab"]"#;
    apply_step(
        &ws,
        &emu,
        &by_name(NAME2, zone_exclude),
        &secrets,
        "ZONE exclude",
    )?;
    let net = emulator_network(&emu, &id)?;
    check(
        net == json!({"connection": "ZONE", "exclude": ["nzoGuestWifi", "nzoLab"]}),
        format!("network in Okta after ZONE exclude: {net}"),
    )?;
    apply_step(&ws, &emu, &by_name(NAME2, ""), &secrets, "ANYWHERE")?;
    let net = emulator_network(&emu, &id)?;
    check(
        net == json!({"connection": "ANYWHERE"}),
        format!("network in Okta after ANYWHERE: {net}"),
    )?;

    // Out-of-band rename in the Admin Console: the plan shows exactly that drift.
    emu.ok(
        "PUT",
        &format!("/api/v1/api-tokens/{id}"),
        Some(&json!({ "name": CONSOLE_NAME })),
    )?;
    let plan = ok_clean(ws.plan(&[]), &secrets, "plan after drift")?;
    check(
        plan.code == 2
            && plan.stdout.contains("1 to change")
            && plan.stdout.contains("0 to add")
            && plan.stdout.contains("0 to destroy"),
        format!("drift is not a single in-place change:\n{}", plan.text()),
    )?;
    check(
        plan.stdout
            .contains(&format!("\"{CONSOLE_NAME}\" -> \"{NAME2}\"")),
        format!("plan does not show the renamed token:\n{}", plan.stdout),
    )?;
    // Of the configured attributes only `name` changes (the timestamps Okta sets on a PUT
    // are known after apply). Terraform 1.0 lists the refreshed drift before the actions.
    let actions = plan
        .stdout
        .split(" will perform the following actions")
        .nth(1)
        .unwrap_or_default();
    let changed: Vec<&str> = actions
        .lines()
        .filter(|l| l.trim_start().starts_with('~') && l.contains(" -> "))
        .filter(|l| !l.contains("(known after apply)"))
        .collect();
    check(
        changed.len() == 1 && changed[0].trim_start().starts_with("~ name "),
        format!("more than the name changes: {changed:?}\n{}", plan.stdout),
    )?;
    apply_step(&ws, &emu, &by_name(NAME2, ""), &secrets, "drift repair")?;
    check(
        emulator_token(&emu, &id)?["name"] == NAME2,
        "drift not repaired",
    )?;

    // Out-of-band revocation: refresh removes it with a warning, the plan re-creates it, the
    // apply fails with instructions (the value is revoked too).
    emu.ok("DELETE", &format!("/api/v1/api-tokens/{id}"), None)?;
    let plan = ok_clean(ws.plan(&[]), &secrets, "plan after revocation")?;
    check(
        plan.code == 2,
        format!("revocation not detected:\n{}", plan.text()),
    )?;
    contains_all(
        &plan.text(),
        &[
            &format!("Warning: API token {id} was revoked or has expired"),
            "removed from the state",
            "will be created",
            "1 to add, 0 to change, 0 to destroy",
        ],
        "plan after revocation",
    )?;
    let failed = ok_clean(
        ws.run(&["apply", "-auto-approve", "-no-color"]),
        &secrets,
        "apply after revocation",
    )?;
    check(
        failed.code != 0,
        format!("apply with a revoked token succeeded:\n{}", failed.text()),
    )?;
    contains_all(
        &failed.text(),
        &[
            "Error: The API token in `token` does not work",
            "E0000011",
            "Security → API → Tokens, click Create Token",
            "Okta shows it only once",
        ],
        "apply after revocation",
    )?;
    state_has_no_resources(&ws)?;

    // A fresh token (same name), adopted, then revoke_on_destroy = true applied (no Okta
    // call), then destroyed: revoked.
    let fresh = mint(&emu, NAME2)?;
    secrets.push(fresh.value.clone());
    ws.set_env("TF_VAR_sync_token", &fresh.value);
    let calls = apply_step(&ws, &emu, &by_name(NAME2, ""), &secrets, "fresh token")?;
    check(
        calls == ["GET /api/v1/users/me", "GET /api/v1/api-tokens"],
        format!("fresh token create calls: {calls:?}"),
    )?;
    check(
        resource_values(&ws, ADDRESS)?["id"] == json!(fresh.id),
        "the fresh token was not adopted",
    )?;
    let calls = apply_step(
        &ws,
        &emu,
        &by_name(NAME2, "  revoke_on_destroy = true"),
        &secrets,
        "revoke_on_destroy",
    )?;
    check(
        calls == [format!("GET /api/v1/api-tokens/{}", fresh.id)],
        format!("revoke_on_destroy only: calls besides the refresh: {calls:?}"),
    )?;
    let (_, destroy_calls) = measured(&emu, || ok_clean(ws.destroy(&[]), &secrets, "destroy"))?;
    check(
        destroy_calls
            == [
                format!("GET /api/v1/api-tokens/{}", fresh.id),
                format!("DELETE /api/v1/api-tokens/{}", fresh.id),
            ],
        format!("destroy calls: {destroy_calls:?}"),
    )?;
    check(
        status_with(&emu, &fresh.value)? == 401,
        "the token still works after destroy with revoke_on_destroy",
    )?;
    check(
        status_with(&emu, &first.value)? == 401,
        "the revoked token still works",
    )?;
    state_has_no_resources(&ws)?;
    check(
        token_ids(&emu)? == tokens_before,
        "tokens left behind (or missing) after destroy",
    )?;
    no_secret_in_logs(&ws, &secrets)?;

    println!(
        "  api calls oktaidp_api_token: create {}, refresh {}, update {}, delete {}",
        create_calls.len(),
        refresh_calls.len(),
        update_calls,
        destroy_calls.len().saturating_sub(refresh_calls.len())
    );
    println!(
        "  (create by token_id {}, delete without revoke_on_destroy {})",
        by_id_calls.len(),
        forget_calls.len().saturating_sub(refresh_calls.len())
    );
    Ok(())
}

/// The issue's scenario: the adopted token is revoked outside Terraform.
pub fn revoked_out_of_band(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let tokens_before = token_ids(&emu)?;
    let minted = mint(&emu, NAME)?;
    let id = minted.id.clone();
    let secrets = vec![ADMIN_TOKEN.to_string(), minted.value.clone()];
    let mut ws = workspace(tf, &emu, &by_name(NAME, ""))?;
    ws.set_env("TF_VAR_sync_token", &minted.value);
    ok_clean(ws.apply(&[]), &secrets, "apply")?;
    check(
        resource_values(&ws, ADDRESS)?["id"] == json!(id),
        "not adopted",
    )?;
    check(status_with(&emu, &minted.value)? == 200, "token not usable")?;

    // Revoked in the Admin Console (or by Okta).
    emu.ok("DELETE", &format!("/api/v1/api-tokens/{id}"), None)?;
    check(
        status_with(&emu, &minted.value)? == 401,
        "revoked token still works",
    )?;

    let plan = ok_clean(ws.plan(&[]), &secrets, "plan")?;
    check(
        plan.code == 2,
        format!("plan exit {}:\n{}", plan.code, plan.text()),
    )?;
    contains_all(
        &plan.text(),
        &[
            &format!("Warning: API token {id} was revoked or has expired"),
            &format!("Okta no longer has an active API token {id} (\"{NAME}\")"),
            "It was removed from the state",
            "Security → API → Tokens",
            &format!("{ADDRESS} will be created"),
            "1 to add, 0 to change, 0 to destroy",
        ],
        "plan",
    )?;

    let (apply, calls) = measured(&emu, || {
        ok_clean(
            ws.run(&["apply", "-auto-approve", "-no-color"]),
            &secrets,
            "apply",
        )
    })?;
    check(
        apply.code != 0,
        format!("apply succeeded:\n{}", apply.text()),
    )?;
    contains_all(
        &apply.text(),
        &[
            "Error: The API token in `token` does not work",
            "Okta rejected the value of `token`",
            "E0000011",
            "The token was revoked, expired",
            "Okta has no API to create SSWS tokens",
            "In the Okta Admin Console open Security → API → Tokens, click Create Token",
            "copy the token value: Okta shows it only once",
            "Put the new value where this resource's `token` comes from",
            "TF_VAR_",
            "Then run terraform apply again",
        ],
        "apply",
    )?;
    check(
        calls
            == [
                format!("GET /api/v1/api-tokens/{id}"),
                "GET /api/v1/users/me".to_string(),
            ],
        format!("apply calls: {calls:?}"),
    )?;
    state_has_no_resources(&ws)?;

    // Still failing on the next run, and nothing to destroy.
    let again = ok_clean(
        ws.run(&["apply", "-auto-approve", "-no-color"]),
        &secrets,
        "apply again",
    )?;
    check(
        again.code != 0 && flat(&again.text()).contains("Create Token"),
        format!("second apply:\n{}", again.text()),
    )?;
    ok_clean(ws.destroy(&[]), &secrets, "destroy")?;
    check(token_ids(&emu)? == tokens_before, "tokens changed")?;
    no_secret_in_logs(&ws, &secrets)
}

/// The error blocks of a failed plan; each must name a resource and show an attribute.
/// `expected`: (resource, attribute shown in the source snippet, what the error says).
fn expect_errors(text: &str, expected: &[(&str, Option<&str>, &str)]) -> Result<(), String> {
    let blocks: Vec<String> = text.split("Error: ").skip(1).map(flat).collect();
    for (resource, attribute, message) in expected {
        let header = format!("in resource \"oktaidp_api_token\" \"{resource}\"");
        let found = blocks.iter().any(|b| {
            b.contains(&flat(message))
                && b.split(&header).nth(1).is_some_and(|snippet| {
                    attribute.is_none_or(|a| snippet.contains(&format!("{a} =")))
                })
        });
        check(
            found,
            format!("no error {message:?} at {resource}.{attribute:?}:\n{text}"),
        )?;
    }
    check(
        blocks.len() == expected.len(),
        format!(
            "{} errors, expected {}:\n{text}",
            blocks.len(),
            expected.len()
        ),
    )
}

/// Bad input is rejected at plan with attribute paths, before any Okta call.
pub fn rejects_bad_input(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    let good = "00acceptance-good-token";
    let main_tf = format!(
        r#"{PROVIDER}
resource "oktaidp_api_token" "empty_token" {{
  token = ""
  name  = "{NAME}"
}}
resource "oktaidp_api_token" "spaced_token" {{
  token = "00acceptance bad-token"
  name  = "{NAME}"
}}
resource "oktaidp_api_token" "zone_without_zones" {{
  token              = "{good}"
  name               = "{NAME}"
  network_connection = "ZONE"
  network_include    = []
}}
resource "oktaidp_api_token" "zones_without_zone" {{
  token           = "{good}"
  name            = "{NAME}"
  network_exclude = ["nzoGuestWifi"]
}}
resource "oktaidp_api_token" "bad_connection" {{
  token              = "{good}"
  name               = "{NAME}"
  network_connection = "SOMEWHERE"
}}
resource "oktaidp_api_token" "no_selector" {{
  token = "{good}"
}}
resource "oktaidp_api_token" "bad_token_id" {{
  token    = "{good}"
  token_id = "00T/../apps"
}}
resource "oktaidp_api_token" "blank_name" {{
  token = "{good}"
  name  = "  "
}}
resource "oktaidp_api_token" "bad_zone" {{
  token              = "{good}"
  name               = "{NAME}"
  network_connection = "ZONE"
  network_include    = ["nzo Office"]
}}
"#
    );
    let mut ws = workspace(tf, &emu, &main_tf)?;
    ws.set_env("TF_VAR_sync_token", good);
    let secrets = vec![ADMIN_TOKEN.to_string()];
    let before = emu.request_count()?;
    let plan = ok_clean(ws.plan(&[]), &secrets, "plan")?;
    check(
        plan.code == 1,
        format!("plan should fail:\n{}", plan.text()),
    )?;
    expect_errors(
        &plan.text(),
        &[
            ("empty_token", Some("token"), "token must not be empty."),
            ("spaced_token", Some("token"), "token contains whitespace"),
            (
                "zone_without_zones",
                Some("network_connection"),
                "ZONE needs network zones",
            ),
            (
                "zones_without_zone",
                Some("network_exclude"),
                "network_exclude needs network_connection = \"ZONE\"",
            ),
            (
                "bad_connection",
                Some("network_connection"),
                "\"SOMEWHERE\" is not one of ANYWHERE, ZONE.",
            ),
            // `name` is not in the block: Terraform shows the block itself.
            ("no_selector", None, "Missing name or token_id"),
            ("bad_token_id", Some("token_id"), "Invalid token_id"),
            (
                "blank_name",
                Some("name"),
                "The token name must not be empty.",
            ),
            (
                "bad_zone",
                Some("network_include"),
                "Invalid network_include",
            ),
        ],
    )?;
    ws.check_log()?;

    // The usual mistake: a value pasted with its newline into a (sensitive) variable. The error
    // points at `token` and never shows the value.
    let bad_token = "00acceptance-pasted-token\n";
    let mut ws2 = workspace(tf, &emu, &by_name(NAME, ""))?;
    ws2.set_env("TF_VAR_sync_token", bad_token);
    let secrets = vec![ADMIN_TOKEN.to_string(), bad_token.trim().to_string()];
    let plan = ok_clean(ws2.plan(&[]), &secrets, "plan with a pasted newline")?;
    check(
        plan.code == 1,
        format!("plan should fail:\n{}", plan.text()),
    )?;
    expect_errors(
        &plan.text(),
        &[("sync", Some("token"), "token contains whitespace")],
    )?;

    let okta_calls = emu.request_count()? - before;
    check(
        okta_calls == 0,
        format!(
            "{okta_calls} Okta calls before validation failed: {}",
            emu.admin("GET", "/__emulator/requests", None)?
        ),
    )?;
    ws2.check_log()?;
    for line in ws
        .provider_log_lines()
        .iter()
        .chain(&ws2.provider_log_lines())
    {
        for (i, s) in secrets.iter().enumerate() {
            check(
                !line.contains(s.as_str()),
                format!("provider logged secret #{i}"),
            )?;
        }
    }
    Ok(())
}
