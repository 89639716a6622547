//! #20 items 6, 7 and 9 through real Terraform: mistakes of a new user's first hour get a
//! diagnostic that says what to fix. The provider block wins over the environment (an
//! `org_name` in the block is used though `OKTA_ORG_URL` points at the emulator); the Admin
//! Console's `-admin` host and an `SSWS ` prefix are refused before any call; a host that does
//! not resolve fails at once naming the setting; a refused token names where it came from; a
//! group name without an exact match suggests the group meant.

use std::time::{Duration, Instant};

use crate::emulator::{Emulator, ADMIN_TOKEN};
use crate::terraform::{Terraform, Workspace};

fn main_tf(provider: &str, group: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    oktaidp = {{ source = "oktaidp/oktaidp" }}
  }}
}}
variable "token" {{
  type      = string
  sensitive = true
  default   = null
}}
provider "oktaidp" {{
{provider}
}}
data "oktaidp_group" "allowed" {{
  name = "{group}"
}}
"#
    )
}

/// Plans `provider` with the emulator in the environment; returns the failed plan's output (one
/// line) and how long it took.
fn failed_plan(
    tf: &Terraform,
    emu: &Emulator,
    provider: &str,
    group: &str,
    env_token: &str,
) -> Result<(String, Duration), String> {
    let mut ws = Workspace::new(tf, &[("main.tf", main_tf(provider, group))])?;
    ws.set_env("TF_VAR_token", &format!("SSWS {ADMIN_TOKEN}"));
    ws.set_env("OKTA_ORG_URL", &emu.url);
    ws.set_env("OKTA_API_TOKEN", env_token);
    let started = Instant::now();
    let run = ws.run(&["plan", "-no-color"])?;
    let took = started.elapsed();
    if run.code == 0 {
        return Err(format!("plan of {provider:?} succeeded:\n{}", run.text()));
    }
    ws.check_log()?;
    Ok((
        run.text().split_whitespace().collect::<Vec<_>>().join(" "),
        took,
    ))
}

fn expect(what: &str, text: &str, needles: &[&str]) -> Result<(), String> {
    match needles.iter().find(|n| !text.contains(*n)) {
        None => Ok(()),
        Some(missing) => Err(format!("{what}: the error lacks {missing:?}: {text}")),
    }
}

pub fn diagnostics_say_what_to_fix(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&[])?;
    emu.create_group("Engineering")?;
    let before = emu.request_count()?;

    // The block's org_name wins over OKTA_ORG_URL; its host (.invalid never resolves) is
    // reported at once, naming the settings, and the emulator is never called.
    let (text, took) = failed_plan(
        tf,
        &emu,
        "  org_name = \"dev-1\"\n  base_url = \"okta.invalid\"",
        "Engineering",
        ADMIN_TOKEN,
    )?;
    expect(
        "org_name over OKTA_ORG_URL",
        &text,
        &[
            "dev-1.okta.invalid does not resolve",
            "Check org_name and base_url",
        ],
    )?;
    if took > Duration::from_secs(20) {
        return Err(format!("an unresolvable host took {took:?} (retried?)"));
    }
    if emu.request_count()? != before {
        return Err("OKTA_ORG_URL was used although the block names another org".into());
    }

    // The Admin Console's host, at org_url, with the host to use.
    let (text, _) = failed_plan(
        tf,
        &emu,
        "  org_url = \"https://dev-1-admin.okta.com\"",
        "Engineering",
        ADMIN_TOKEN,
    )?;
    expect(
        "-admin host",
        &text,
        &["org_url", "https://dev-1.okta.com", "drop -admin"],
    )?;

    // An SSWS prefix on the block's api_token (which wins over OKTA_API_TOKEN). Through a
    // sensitive variable: Terraform quotes the configuration line of a diagnostic.
    let (text, _) = failed_plan(
        tf,
        &emu,
        "  api_token = var.token",
        "Engineering",
        ADMIN_TOKEN,
    )?;
    expect("SSWS prefix", &text, &["api_token", "drop the SSWS prefix"])?;
    if emu.request_count()? != before {
        return Err("a request was made despite invalid provider settings".into());
    }

    // A token Okta refuses, from the environment: the 401 names OKTA_API_TOKEN.
    let (text, _) = failed_plan(tf, &emu, "", "Engineering", "00notTheAdminToken0123")?;
    expect("401", &text, &["HTTP 401", "check OKTA_API_TOKEN"])?;

    // A group name in the wrong letter case.
    let (text, _) = failed_plan(tf, &emu, "", "engineering", ADMIN_TOKEN)?;
    expect(
        "group name",
        &text,
        &[
            "No group is named \"engineering\"",
            "Did you mean \"Engineering\"?",
        ],
    )?;
    Ok(())
}
