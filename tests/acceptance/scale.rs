//! Many apps under a tight rate limit: the provider paces itself and Okta never answers 429.

use crate::emulator::Emulator;
use crate::oidc_app::workspace;
use crate::terraform::Terraform;

const APPS: usize = 20;

pub fn rate_limit_without_429(tf: &Terraform) -> Result<(), String> {
    let emu = Emulator::start(&["--rate-limit", "60"])?;
    let config = format!(
        r#"
terraform {{
  required_providers {{
    oktaidp = {{ source = "oktaidp/oktaidp" }}
  }}
}}
variable "org_url" {{ type = string }}
provider "oktaidp" {{
  org_url = var.org_url
}}
resource "oktaidp_oidc_app" "app" {{
  count         = {APPS}
  label         = "scale-${{count.index}}"
  redirect_uris = ["https://app-${{count.index}}.example.com/oauth2/callback"]
}}
"#
    );
    let ws = workspace(tf, &emu, &config)?;
    ws.apply(&["-parallelism=10"])?;
    if emu.apps()?.len() < APPS {
        return Err("not every app was created".into());
    }
    // A refreshing plan and a destroy push the apps bucket past 60 requests a minute.
    ws.expect_empty_plan(&["-parallelism=10"])?;
    ws.destroy(&["-parallelism=10"])?;
    let requests = emu.api_requests()?;
    let limited = requests
        .iter()
        .filter(|r| r["status"].as_u64() == Some(429))
        .count();
    println!(
        "  rate limit 60/min, {APPS} apps, -parallelism=10: {} Okta requests, {limited} answered 429",
        requests.len()
    );
    if limited > 0 {
        return Err(format!("{limited} requests were rate limited (429)"));
    }
    if requests.len() < 100 {
        return Err(format!(
            "only {} requests: the test did not exceed one window",
            requests.len()
        ));
    }
    ws.check_log()
}
