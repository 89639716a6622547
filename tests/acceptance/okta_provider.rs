//! The official `okta/okta` provider as a second client in a workspace: cases that run it next to
//! (or instead of) this provider against okta-emulator.
//!
//! It is a test tool built from its public source by `scripts/install-okta-provider.sh`
//! (`OKTAIDP_OKTA_PROVIDER` names a binary instead). Where it cannot be had (CI has no access to
//! its source), the cases that need it skip with the script's reason.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::terraform::{install, provider_binary, Terraform, Workspace, SKIPPED};

/// The version the checks are written against (the issue's, and the install script's default).
pub const VERSION: &str = "6.12.0";

/// `required_providers` entry for it, pinned to [`VERSION`].
pub fn requirement() -> String {
    format!("okta = {{ source = \"okta/okta\", version = \"{VERSION}\" }}")
}

/// Its provider block against the emulator at `url`. The provider builds its org URL from
/// `org_name` and `base_url`; `http_proxy` replaces that URL, which is how it reaches a local
/// org. No retries' 30 s minimum wait: a case that gets a 429 or 5xx should fail, not stall.
pub fn provider_block(url: &str, token: &str) -> String {
    format!(
        "provider \"okta\" {{\n  org_name   = \"emulator\"\n  base_url   = \"okta.com\"\n  api_token  = \"{token}\"\n  http_proxy = \"{url}\"\n  max_retries = 1\n  min_wait_seconds = 1\n  max_wait_seconds = 2\n}}\n"
    )
}

/// The binary, installed once per test run; `Err("skipped: ...")` where it cannot be had.
pub fn binary() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<Option<PathBuf>, String>> = OnceLock::new();
    match FOUND.get_or_init(|| install("install-okta-provider.sh", &[])) {
        Ok(Some(path)) => Ok(path.clone()),
        Ok(None) => Err(format!(
            "{SKIPPED}the official okta/okta provider {VERSION} is not available here (the \
             'not exercised' line above says why; scripts/install-okta-provider.sh builds it \
             from its GitHub source, OKTAIDP_OKTA_PROVIDER names a built binary)"
        )),
        Err(e) => Err(e.clone()),
    }
}

/// A workspace where Terraform finds this provider through `dev_overrides` (as every case) and
/// `okta/okta` in a filesystem mirror holding [`binary`], so `terraform init` installs it with
/// no network. Both registry hosts are mirrored: OpenTofu resolves `okta/okta` on its own.
pub fn workspace(tf: &Terraform, files: &[(&str, String)]) -> Result<Workspace, String> {
    let okta = binary()?;
    let ws = Workspace::new(tf, files)?;
    let mirror = ws.dir.path().join("mirror");
    for host in ["registry.terraform.io", "registry.opentofu.org"] {
        let dir = mirror
            .join(host)
            .join("okta/okta")
            .join(VERSION)
            .join(platform());
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        std::os::unix::fs::symlink(
            &okta,
            dir.join(format!("terraform-provider-okta_v{VERSION}")),
        )
        .map_err(|e| format!("linking okta/okta into the mirror: {e}"))?;
    }
    let ours = provider_binary()
        .parent()
        .map(Path::to_path_buf)
        .ok_or("provider binary has no directory")?;
    let cli_config = format!(
        "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/oktaidp/oktaidp\" = \"{ours}\"\n    \"registry.opentofu.org/oktaidp/oktaidp\" = \"{ours}\"\n  }}\n  filesystem_mirror {{\n    path    = \"{mirror}\"\n    include = [\"registry.terraform.io/okta/okta\", \"registry.opentofu.org/okta/okta\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/okta/okta\", \"registry.opentofu.org/okta/okta\"]\n  }}\n}}\n",
        ours = ours.display(),
        mirror = mirror.display()
    );
    ws.write("cli.tfrc", &cli_config)?;
    Ok(ws)
}

/// Terraform's platform directory name for this machine.
fn platform() -> String {
    let os = std::env::consts::OS;
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}
