//! `docs/guides/migrate-from-okta-app-oauth.md`, executed: a Pomerium app applied with okta/okta
//! (`okta_app_oauth` + `okta_app_group_assignments`) is switched to `oktaidp_oidc_app` with the
//! guide's files and commands, read from `examples/guides/migrate-from-okta-app-oauth/` as the
//! guide shows them. Afterwards the plan is empty and Okta holds the same app: same id, creation
//! time, client ID, client secrets and group assignment, and the switch itself only read.

use serde_json::Value;

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::okta_provider::{self, resource};
use crate::terraform::{check, example, provider_binary, Feature, Terraform, Workspace};

const EXAMPLES: &str = "examples/guides/migrate-from-okta-app-oauth";

/// The app id in the guide's `switch.tf`, which the reader replaces with theirs.
const APP_ID_PLACEHOLDER: &str = "0oa1b2c3d4e5f6g7h8i9";

/// The guide's copy of the state before the switch (`terraform state pull > ...`).
const STATE_COPY: &str = "before-oktaidp.tfstate";

/// What the old state and Okta hold before the switch; all of it must hold after.
struct Recorded {
    app_id: String,
    client_id: String,
    client_secret: String,
    app: Value,
    secrets: Value,
    assignments: Value,
    outputs: Value,
}

/// The user's own provider blocks (not part of the guide's files): okta/okta against the
/// emulator, and oktaidp once the "after" configuration needs it (its token from the
/// environment, as the official provider's variables allow).
fn providers(url: &str, with_oktaidp: bool) -> String {
    let mut blocks = okta_provider::provider_block(url, ADMIN_TOKEN);
    if with_oktaidp {
        blocks.push_str(&format!(
            "\nprovider \"oktaidp\" {{\n  org_url = \"{url}\"\n}}\n"
        ));
    }
    blocks
}

/// Both providers from one filesystem mirror, replacing the workspace's `dev_overrides`: a
/// reader installs oktaidp with `terraform init` when the "after" configuration first names it,
/// and so does the case (with `dev_overrides`, init fails on the overridden provider).
fn install_from_mirror(ws: &Workspace) -> Result<(), String> {
    let okta = okta_provider::binary()?;
    let ours = provider_binary();
    let mirror = okta_provider::filesystem_mirror(
        ws,
        &[
            ("okta", &okta, okta_provider::VERSION),
            ("oktaidp", &ours, env!("CARGO_PKG_VERSION")),
        ],
    )?;
    ws.write(
        "cli.tfrc",
        &format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            mirror.display()
        ),
    )
}

fn string(value: &Value, what: &str) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{what} is not a string: {value}"))
}

/// The app's group assignments as Okta lists them (ids, priorities, profiles, timestamps).
fn assignments(emu: &Emulator, app_id: &str) -> Result<Value, String> {
    emu.ok(
        "GET",
        &format!("/api/v1/apps/{app_id}/groups?limit=200"),
        None,
    )
}

fn secrets(emu: &Emulator, app_id: &str) -> Result<Value, String> {
    emu.ok(
        "GET",
        &format!("/api/v1/apps/{app_id}/credentials/secrets"),
        None,
    )
}

/// The "before" configuration applied with okta/okta, planned empty, and what it made.
fn apply_before(ws: &Workspace, emu: &Emulator, group_id: &str) -> Result<Recorded, String> {
    ws.run(&["init", "-no-color"])?.ok("init (before)")?;
    ws.apply(&[])?;
    ws.expect_empty_plan(&[])?;
    let state = ws.state_json()?;
    let app = resource(&state, "okta_app_oauth")?;
    let app_id = string(&app["values"]["id"], "okta_app_oauth.id")?;
    let client_id = string(&app["values"]["client_id"], "okta_app_oauth.client_id")?;
    let client_secret = string(
        &app["values"]["client_secret"],
        "okta_app_oauth.client_secret",
    )?;
    let recorded = Recorded {
        app: emu.app(&app_id)?,
        secrets: secrets(emu, &app_id)?,
        assignments: assignments(emu, &app_id)?,
        outputs: ws.outputs()?,
        app_id,
        client_id,
        client_secret,
    };
    check(
        emu.app_group_ids(&recorded.app_id)? == vec![group_id.to_string()],
        "before: the app is assigned exactly the Engineering group",
    )?;
    let active: Vec<&Value> = recorded
        .secrets
        .as_array()
        .map(|s| s.iter().filter(|s| s["status"] == "ACTIVE").collect())
        .unwrap_or_default();
    check(
        active.len() == 1 && active[0]["client_secret"] == recorded.client_secret.as_str(),
        format!(
            "before: okta/okta's state holds the app's one active secret ({} active)",
            active.len()
        ),
    )?;
    Ok(recorded)
}

/// Path (a) of the guide: `switch.tf` with the app's id, plan (one import, nothing else), apply,
/// delete `switch.tf`.
fn switch_with_blocks(ws: &Workspace, app_id: &str) -> Result<(), String> {
    let switch = example(&format!("{EXAMPLES}/after/switch.tf"))?;
    check(
        switch.matches(APP_ID_PLACEHOLDER).count() == 1,
        "switch.tf names the placeholder app id once",
    )?;
    ws.write("switch.tf", &switch.replace(APP_ID_PLACEHOLDER, app_id))?;
    let plan = ws.plan(&[])?;
    check(
        plan.code == 2
            && plan
                .stdout
                .contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
        format!(
            "the switch's plan: one import and no change, got exit {}:\n{}",
            plan.code,
            plan.text()
        ),
    )?;
    for old in [
        "okta_app_oauth.pomerium",
        "okta_app_group_assignments.pomerium",
    ] {
        // Terraform's wording, then OpenTofu's.
        let forgotten = [
            format!("{old} will no longer be managed by Terraform, but will not be destroyed"),
            format!("{old} will be removed from the OpenTofu state but will not be destroyed"),
        ];
        check(
            forgotten.iter().any(|f| plan.stdout.contains(f)),
            format!("the switch's plan forgets {old}:\n{}", plan.stdout),
        )?;
    }
    ws.apply(&[])?;
    std::fs::remove_file(ws.dir.path().join("switch.tf")).map_err(|e| e.to_string())
}

/// Path (b) of the guide: `state rm` of both old resources, `import` of the app, then one apply
/// that changes nothing in Okta (it records the outputs' new source).
fn switch_with_commands(ws: &Workspace, app_id: &str) -> Result<(), String> {
    ws.run(&[
        "state",
        "rm",
        "okta_app_oauth.pomerium",
        "okta_app_group_assignments.pomerium",
    ])?
    .ok("state rm")?;
    ws.run(&["import", "-no-color", "oktaidp_oidc_app.pomerium", app_id])?
        .ok("import")?;
    ws.expect_no_resource_changes(&[])?;
    ws.apply(&[])?;
    Ok(())
}

/// Terraform 1.8+ and OpenTofu 1.10+ move state across resource types only through the target
/// provider's MoveResourceState, which oktaidp does not offer (nor announce in its server
/// capabilities): a `moved` block from `okta_app_oauth` must stop the plan with an error, as the
/// guide says. The request log checked afterwards shows it changed nothing.
fn moved_is_refused(ws: &Workspace) -> Result<(), String> {
    ws.write(
        "moved.tf",
        "moved {\n  from = okta_app_oauth.pomerium\n  to   = oktaidp_oidc_app.pomerium\n}\n",
    )?;
    let plan = ws.plan(&[])?;
    std::fs::remove_file(ws.dir.path().join("moved.tf")).map_err(|e| e.to_string())?;
    // Terraform refuses on the missing capability; OpenTofu makes the call and gets oktaidp's answer.
    let refusals = [
        "does not support moved operations across resource types",
        "moving state between resource types not supported",
    ];
    let text = plan.text();
    // Terraform wraps its diagnostics at 80 columns.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    check(
        plan.code == 1 && refusals.iter().any(|r| words.contains(r)),
        format!(
            "a moved block across providers: expected the plan to be refused, got exit {}:\n{text}",
            plan.code
        ),
    )?;
    let said = words.find("Error:").map_or("", |at| &words[at..]);
    println!(
        "  migrate_okta_app_oauth [{}]: moved refused: {said}",
        ws.tf.label()
    );
    Ok(())
}

/// The guide's "Rolling back", right after the switch: the configuration before and the state
/// copy pushed back plan empty, and Okta sees reads only. Then the state after the switch is
/// pushed back the same way, for the rest of the case.
fn roll_back_and_forth(ws: &Workspace, emu: &Emulator, before: &Recorded) -> Result<(), String> {
    let switched = ws.run(&["state", "pull"])?.ok("state pull")?;
    ws.write("after-oktaidp.tfstate", &switched.stdout)?;
    let after_main = ws.read("main.tf")?;
    let after_providers = ws.read("providers.tf")?;

    emu.admin("DELETE", "/__emulator/requests", None)?;
    ws.write("main.tf", &example(&format!("{EXAMPLES}/before/main.tf"))?)?;
    ws.write("providers.tf", &providers(&emu.url, false))?;
    ws.run(&["state", "push", "-force", STATE_COPY])?
        .ok("state push (rollback)")?;
    ws.expect_empty_plan(&[])
        .map_err(|e| format!("after rolling back: {e}"))?;
    only_reads(emu)?;
    same_app_in_okta(emu, before)?;

    ws.write("main.tf", &after_main)?;
    ws.write("providers.tf", &after_providers)?;
    ws.run(&["state", "push", "-force", "after-oktaidp.tfstate"])?
        .ok("state push (after)")?;
    ws.expect_empty_plan(&[])
        .map_err(|e| format!("after pushing the switched state back: {e}"))
}

/// The guide's last step: with nothing else on okta/okta, its `required_providers` entry (and
/// the comment above it) and its provider block go; `init` and the plan stay clean.
fn drop_okta_provider(ws: &Workspace, url: &str) -> Result<(), String> {
    let main = ws.read("main.tf")?;
    let lines: Vec<&str> = main.lines().collect();
    let first = lines
        .iter()
        .position(|l| {
            l.trim_start()
                .starts_with("# Needed while the old resources")
        })
        .ok_or("after/main.tf: no comment above the okta requirement")?;
    let entry = lines[first..]
        .iter()
        .position(|l| l.trim() == "okta = {")
        .map(|i| first + i)
        .ok_or("after/main.tf: no okta requirement")?;
    let last = lines[entry..]
        .iter()
        .position(|l| l.trim() == "}")
        .map(|i| entry + i)
        .ok_or("after/main.tf: the okta requirement does not end")?;
    let kept: Vec<&str> = lines[..first]
        .iter()
        .chain(&lines[last + 1..])
        .copied()
        .collect();
    ws.write("main.tf", &(kept.join("\n") + "\n"))?;
    let oktaidp_only = providers(url, true).replace(&providers(url, false), "");
    ws.write("providers.tf", &oktaidp_only)?;
    ws.run(&["init", "-no-color"])?
        .ok("init (without okta/okta)")?;
    ws.expect_empty_plan(&[])
        .map_err(|e| format!("without okta/okta: {e}"))
}

/// The first change through oktaidp (a new label) is one update of the app that keeps what
/// oktaidp does not manage, such as what okta/okta set (access policy link, username template,
/// visibility), as the guide says.
fn first_change_keeps_the_rest(ws: &Workspace, emu: &Emulator, app_id: &str) -> Result<(), String> {
    let main = ws.read("main.tf")?;
    let relabelled = main.replace("= \"Pomerium\"", "= \"Pomerium (oktaidp)\"");
    check(relabelled != main, "after/main.tf: no label to change")?;
    let before = emu.app(app_id)?;
    ws.write("main.tf", &relabelled)?;
    emu.admin("DELETE", "/__emulator/requests", None)?;
    ws.apply(&[])?;
    ws.expect_empty_plan(&[])?;
    let writes: Vec<String> = emu
        .api_requests()?
        .iter()
        .filter(|r| r["method"] != "GET")
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap_or_default(),
                r["path"].as_str().unwrap_or_default()
            )
        })
        .collect();
    check(
        writes == [format!("PUT /api/v1/apps/{app_id}")],
        format!("the label change wrote {writes:?}"),
    )?;
    let mut after = emu.app(app_id)?;
    check(
        after["label"] == "Pomerium (oktaidp)",
        format!("label in Okta: {}", after["label"]),
    )?;
    let mut before = before;
    for app in [&mut before, &mut after] {
        if let Some(app) = app.as_object_mut() {
            app.remove("label");
            app.remove("lastUpdated");
        }
    }
    check(
        after == before,
        format!("the update changed more than the label:\nbefore {before}\nafter  {after}"),
    )
}

/// Okta after the switch (or a rollback): the same single app, untouched.
fn same_app_in_okta(emu: &Emulator, before: &Recorded) -> Result<(), String> {
    let apps = emu.apps()?;
    check(
        apps.len() == 1 && apps[0]["id"] == before.app_id.as_str(),
        format!("Okta holds {} apps after the switch", apps.len()),
    )?;
    // The whole object, `created`, `lastUpdated` and the client ID included: nothing wrote it.
    let app = emu.app(&before.app_id)?;
    let changed: Vec<&String> = app
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, value)| before.app.get(key.as_str()) != Some(value))
        .map(|(key, _)| key)
        .collect();
    check(
        app == before.app,
        format!(
            "the app changed in Okta (fields {changed:?}):\nbefore {}\nnow    {app}",
            before.app
        ),
    )?;
    check(
        secrets(emu, &before.app_id)? == before.secrets,
        "the app's client secrets changed",
    )?;
    check(
        assignments(emu, &before.app_id)? == before.assignments,
        "the app's group assignments changed",
    )
}

/// Requests since the log was cleared (the switch, a rollback): reads only (no app created,
/// updated or deleted, no assignment touched), each answered (no 501, no 5xx).
fn only_reads(emu: &Emulator) -> Result<usize, String> {
    let requests = emu.api_requests()?;
    check(!requests.is_empty(), "no request reached Okta at all")?;
    let wrong: Vec<String> = requests
        .iter()
        .filter(|r| r["method"] != "GET" || r["status"].as_u64().is_none_or(|s| s >= 500 || s == 0))
        .map(|r| format!("{} {} -> {}", r["method"], r["path"], r["status"]))
        .collect();
    check(
        wrong.is_empty(),
        format!("Okta was written to, or failed a request: {wrong:?}"),
    )?;
    Ok(requests.len())
}

pub fn switch_keeps_the_app(tf: &Terraform) -> Result<(), String> {
    okta_provider::binary()?;
    let with_blocks = tf.supports(Feature::RemovedBlocks);
    let emu = Emulator::start(&[])?;
    let group_id = emu.create_group("Engineering")?;
    let mut ws = Workspace::new(
        tf,
        &[
            ("main.tf", example(&format!("{EXAMPLES}/before/main.tf"))?),
            ("providers.tf", providers(&emu.url, false)),
        ],
    )?;
    install_from_mirror(&ws)?;
    ws.set_env("OKTA_API_TOKEN", ADMIN_TOKEN);
    let before = apply_before(&ws, &emu, &group_id)?;
    // The guide's "Before you start": a copy of the state, for rolling back.
    let copy = ws.run(&["state", "pull"])?.ok("state pull")?;
    ws.write(STATE_COPY, &copy.stdout)?;

    // The guide's steps, from the "after" configuration on.
    emu.admin("DELETE", "/__emulator/requests", None)?;
    ws.write("main.tf", &example(&format!("{EXAMPLES}/after/main.tf"))?)?;
    ws.write("providers.tf", &providers(&emu.url, true))?;
    ws.run(&["init", "-no-color"])?.ok("init (after)")?;
    if tf.supports(Feature::CrossTypeMoved) {
        moved_is_refused(&ws)?;
    }
    if with_blocks {
        switch_with_blocks(&ws, &before.app_id)?;
    } else {
        switch_with_commands(&ws, &before.app_id)?;
    }
    ws.expect_empty_plan(&[])?;
    let reads = only_reads(&emu)?;
    println!(
        "  migrate_okta_app_oauth [{}]: switched with {}, {reads} requests to Okta, all reads",
        tf.label(),
        if with_blocks {
            "import and removed blocks"
        } else {
            "state rm and import"
        }
    );
    same_app_in_okta(&emu, &before)?;

    let state = ws.state_json()?;
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    check(
        resources
            .iter()
            .all(|r| !r["type"].as_str().unwrap_or_default().starts_with("okta_")),
        "okta/okta resources are left in the state",
    )?;
    let app = resource(&state, "oktaidp_oidc_app")?;
    check(
        app["values"]["id"] == before.app_id.as_str()
            && app["values"]["client_id"] == before.client_id.as_str(),
        "oktaidp_oidc_app holds the same app id and client_id",
    )?;
    check(
        app["values"]["client_secret"] == before.client_secret.as_str(),
        "oktaidp_oidc_app's client_secret is the secret okta/okta stored",
    )?;
    check(
        app["values"]["group_ids"] == serde_json::json!([group_id]),
        format!("group_ids in the state: {}", app["values"]["group_ids"]),
    )?;
    check(
        ws.outputs()? == before.outputs,
        "the client_id and client_secret outputs changed",
    )?;

    roll_back_and_forth(&ws, &emu, &before)?;
    drop_okta_provider(&ws, &emu.url)?;
    first_change_keeps_the_rest(&ws, &emu, &before.app_id)?;

    // Afterwards the app is oktaidp's alone: destroy removes it.
    ws.destroy(&[])?;
    check(emu.apps()?.is_empty(), "destroy left the app in Okta")?;
    // okta/okta is built on the legacy plugin SDK, whose plans Terraform and OpenTofu log as
    // invalid but tolerated; Terraform says so of no other provider (oktaidp speaks tfplugin6).
    ws.check_log_tolerating(&["but we are tolerating it because it is using the legacy plugin SDK"])
}
