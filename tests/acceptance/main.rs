//! Acceptance tests: real Terraform binaries (1.0.3 and the newest on PATH) against this provider
//! and okta-emulator. Each case runs once per Terraform version; the output names the version.

mod api_token;
mod app_parts;
mod combinations;
mod concurrent_stacks;
mod emulator;
#[path = "../support/emulator_bin.rs"]
mod emulator_bin;
mod ephemeral;
mod examples;
mod fault_matrix;
mod first_hour;
mod functions;
mod groups_claim;
mod install;
mod leaks;
mod migrate_okta_app_oauth;
mod oauth;
mod oidc_app;
mod okta_official;
mod okta_provider;
mod pomerium;
mod pomerium_idp;
mod pomerium_module;
mod pomerium_no_secrets;
mod pomerium_real;
mod scale;
mod secrets_in_state;
mod sign_in;
mod terraform;
mod write_only;

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Mutex,
    },
    time::Instant,
};

type Case = (
    &'static str,
    fn(&terraform::Terraform) -> Result<(), String>,
);

const CASES: &[Case] = &[
    (
        "okta_official::oidc_app_slice_lifecycle",
        okta_official::oidc_app_slice_lifecycle,
    ),
    (
        "migrate_okta_app_oauth::switch_keeps_the_app",
        migrate_okta_app_oauth::switch_keeps_the_app,
    ),
    (
        "examples::every_example_applies",
        examples::every_example_applies,
    ),
    ("functions::examples_apply", functions::examples_apply),
    (
        "functions::sensitivity_carries_through",
        functions::sensitivity_carries_through,
    ),
    (
        "functions::errors_point_at_the_argument",
        functions::errors_point_at_the_argument,
    ),
    ("ephemeral::examples_apply", ephemeral::examples_apply),
    (
        "ephemeral::client_secret_and_pomerium_idp",
        ephemeral::client_secret_and_pomerium_idp,
    ),
    (
        "ephemeral::provider_token_from_ephemeral_variable",
        ephemeral::provider_token_from_ephemeral_variable,
    ),
    (
        "write_only::api_token_wo_lifecycle",
        write_only::api_token_wo_lifecycle,
    ),
    (
        "write_only::refused_without_write_only_support",
        write_only::refused_without_write_only_support,
    ),
    ("api_token::lifecycle", api_token::lifecycle),
    (
        "api_token::revoked_out_of_band",
        api_token::revoked_out_of_band,
    ),
    ("api_token::rejects_bad_input", api_token::rejects_bad_input),
    (
        "pomerium_idp::renders_settings",
        pomerium_idp::renders_settings,
    ),
    (
        "pomerium_idp::without_token_and_with_authorization_server",
        pomerium_idp::without_token_and_with_authorization_server,
    ),
    (
        "pomerium_idp::rejects_bad_input",
        pomerium_idp::rejects_bad_input,
    ),
    (
        "pomerium_idp::checks_app_wiring",
        pomerium_idp::checks_app_wiring,
    ),
    (
        "first_hour::diagnostics_say_what_to_fix",
        first_hour::diagnostics_say_what_to_fix,
    ),
    (
        "secrets_in_state::no_secret_in_state_or_plan",
        secrets_in_state::no_secret_in_state_or_plan,
    ),
    (
        "combinations::sample_converges",
        combinations::sample_converges,
    ),
    (
        "combinations::missing_group_creates_nothing",
        combinations::missing_group_creates_nothing,
    ),
    (
        "combinations::import_refuses_other_apps",
        combinations::import_refuses_other_apps,
    ),
    (
        "pomerium_idp::no_secret_in_state_without_store",
        pomerium_idp::no_secret_in_state_without_store,
    ),
    ("oidc_app::lifecycle", oidc_app::lifecycle),
    ("oidc_app::rejects_bad_input", oidc_app::rejects_bad_input),
    ("oidc_app::api_calls", oidc_app::api_calls),
    (
        "oidc_app::import_into_additive_config",
        oidc_app::import_into_additive_config,
    ),
    (
        "oidc_app::uncertain_create_is_adopted",
        oidc_app::uncertain_create_is_adopted,
    ),
    ("sign_in::org_server", sign_in::org_server),
    ("sign_in::default_server", sign_in::default_server),
    ("sign_in::secret_rotation", sign_in::secret_rotation),
    (
        "pomerium_module::applies_and_renders",
        pomerium_module::applies_and_renders,
    ),
    (
        "pomerium_no_secrets::nothing_secret_is_stored",
        pomerium_no_secrets::nothing_secret_is_stored,
    ),
    (
        "scale::rate_limit_without_429",
        scale::rate_limit_without_429,
    ),
    (
        "oauth::pomerium_idp_as_service_app",
        oauth::pomerium_idp_as_service_app,
    ),
    (
        "oauth::pomerium_module_as_dpop_service_app",
        oauth::pomerium_module_as_dpop_service_app,
    ),
    (
        "oauth::pomerium_module_as_bearer_service_app",
        oauth::pomerium_module_as_bearer_service_app,
    ),
    (
        "oauth::missing_scope_is_named",
        oauth::missing_scope_is_named,
    ),
    (
        "oauth::wrong_key_is_a_clear_error",
        oauth::wrong_key_is_a_clear_error,
    ),
    (
        "oauth::token_expiring_mid_apply_is_renewed",
        oauth::token_expiring_mid_apply_is_renewed,
    ),
    (
        "app_parts::redirect_uri_lifecycle",
        app_parts::redirect_uri_lifecycle,
    ),
    (
        "app_parts::thirty_uris_in_parallel",
        app_parts::thirty_uris_in_parallel,
    ),
    (
        "app_parts::coexists_with_additive_app",
        app_parts::coexists_with_additive_app,
    ),
    (
        "app_parts::refresh_grant_lifecycle",
        app_parts::refresh_grant_lifecycle,
    ),
    (
        "concurrent_stacks::two_stacks_converge",
        concurrent_stacks::two_stacks_converge,
    ),
    (
        "concurrent_stacks::three_stacks_with_latency_converge",
        concurrent_stacks::three_stacks_with_latency_converge,
    ),
    (
        "concurrent_stacks::one_read_per_app_per_plan",
        concurrent_stacks::one_read_per_app_per_plan,
    ),
    (
        "groups_claim::org_server_lifecycle",
        groups_claim::org_server_lifecycle,
    ),
    (
        "groups_claim::custom_server_lifecycle",
        groups_claim::custom_server_lifecycle,
    ),
    ("fault_matrix::matrix", fault_matrix::matrix),
    (
        "install::filesystem_mirror_unpacked",
        install::filesystem_mirror_unpacked,
    ),
    (
        "install::filesystem_mirror_packed",
        install::filesystem_mirror_packed,
    ),
    ("install::network_mirror", install::network_mirror),
    (
        "install::tampered_archive_is_refused",
        install::tampered_archive_is_refused,
    ),
    (
        "install::module_tests_with_terraform_test",
        install::module_tests_with_terraform_test,
    ),
    (
        "pomerium_real::v0_32_org_server",
        pomerium_real::v0_32_org_server,
    ),
    (
        "pomerium_real::v0_32_default_server",
        pomerium_real::v0_32_default_server,
    ),
    (
        "pomerium_real::v0_32_sign_out",
        pomerium_real::v0_32_sign_out,
    ),
    (
        "pomerium_real::v0_32_session_refresh",
        pomerium_real::v0_32_session_refresh,
    ),
    (
        "pomerium_real::v0_32_secret_rotation",
        pomerium_real::v0_32_secret_rotation,
    ),
    (
        "pomerium_real::v0_19_directory_sync",
        pomerium_real::v0_19_directory_sync,
    ),
    (
        "pomerium_real::enterprise_directory_sync",
        pomerium_real::enterprise_directory_sync,
    ),
];

/// Cases (name prefixes) that run on one binary only, the newest Terraform: what they check does
/// not depend on the CLI (the real Pomerium reading rendered settings), and they are slow.
const ONE_BINARY: &[&str] = &["pomerium_real::"];

/// The binary [`ONE_BINARY`] cases run on: the newest Terraform (else the newest of all).
fn newest(binaries: &[terraform::Terraform]) -> usize {
    let key = |t: &terraform::Terraform| {
        let v: Vec<u32> = t
            .version
            .split(['.', '-'])
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        (t.kind == terraform::Kind::Terraform, v)
    };
    (0..binaries.len())
        .max_by_key(|&i| key(&binaries[i]))
        .unwrap_or(0)
}

/// How many (case, binary) runs go at once. Every case owns its emulator, working directory and
/// ports, so runs are independent; Terraform spends most of a run waiting on the provider and the
/// emulator, so a few at a time fill two cores. `OKTAIDP_ACCEPTANCE_JOBS=1` runs them one by one.
fn jobs() -> usize {
    std::env::var("OKTAIDP_ACCEPTANCE_JOBS")
        .ok()
        .and_then(|j| j.parse::<usize>().ok())
        .filter(|j| *j > 0)
        .unwrap_or(3)
}

enum Outcome {
    Passed,
    Skipped,
    Failed,
}

fn main() -> std::process::ExitCode {
    // `cargo test -- NAME` filters; libtest's flags are accepted and ignored.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let binaries = match terraform::binaries() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("acceptance: cannot get Terraform: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let versions: Vec<String> = binaries.iter().map(terraform::Terraform::label).collect();
    println!("acceptance: binaries exercised: {}", versions.join(", "));
    let newest_index = newest(&binaries);
    // Case-major order: the binaries of one case run side by side.
    let runs: Vec<(Case, usize)> = CASES
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .flat_map(|&case| {
            if ONE_BINARY.iter().any(|p| case.0.starts_with(p)) {
                newest_index..newest_index + 1
            } else {
                0..binaries.len()
            }
            .map(move |i| (case, i))
        })
        .collect();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, f64, Outcome)>> = Mutex::new(Vec::new());
    let started_all = Instant::now();
    let workers = jobs().min(runs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(&((name, case), i)) = runs.get(index) else {
                    break;
                };
                let tf = &binaries[i];
                let started = Instant::now();
                leaks::begin();
                let result = case(tf);
                // A case that failed may have stopped early; its logs are checked all the same.
                let check_started = Instant::now();
                let checked = leaks::check();
                if let Ok((secrets, bytes)) = &checked {
                    println!(
                        "  {name} [{}]: no secret leaked: {secrets} secrets searched in {:.1} MB of logs and output ({:.2}s)",
                        tf.label(),
                        *bytes as f64 / 1e6,
                        check_started.elapsed().as_secs_f64()
                    );
                }
                let result = match (result, checked) {
                    (Ok(()), Err(leak)) => Err(leak),
                    (Err(e), Err(leak)) if !e.starts_with(terraform::SKIPPED) => {
                        Err(format!("{e}\n{leak}"))
                    }
                    (result, _) => result,
                };
                let secs = started.elapsed().as_secs_f64();
                let outcome = match result {
                    Ok(()) => {
                        println!("test {name} [{}] ... ok ({secs:.1}s)", tf.label());
                        Outcome::Passed
                    }
                    Err(e) if e.starts_with(terraform::SKIPPED) => {
                        let why = &e[terraform::SKIPPED.len()..];
                        println!("test {name} [{}] ... skipped: {why}", tf.label());
                        Outcome::Skipped
                    }
                    Err(e) => {
                        println!(
                            "test {name} [{}] ... FAILED ({secs:.1}s)\n{e}\n",
                            tf.label()
                        );
                        Outcome::Failed
                    }
                };
                if let Ok(mut all) = results.lock() {
                    all.push((i, secs, outcome));
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let mut per_binary = vec![0.0f64; binaries.len()];
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (i, secs, outcome) in &results {
        per_binary[*i] += secs;
        match outcome {
            Outcome::Passed => passed += 1,
            Outcome::Skipped => skipped += 1,
            Outcome::Failed => failed += 1,
        }
    }
    for (tf, secs) in binaries.iter().zip(&per_binary) {
        println!("acceptance: {} took {secs:.0}s of case time", tf.label());
    }
    println!(
        "acceptance: {} runs on {workers} workers in {:.0}s of wall time",
        results.len(),
        started_all.elapsed().as_secs_f64()
    );
    println!("\nacceptance: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 && results.len() == runs.len() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
