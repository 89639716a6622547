//! The official `okta/okta` provider as a second client in a workspace: cases that run it next to
//! (or instead of) this provider against okta-emulator.
//!
//! It is a test tool built from its public source by `scripts/install-okta-provider.sh`
//! (`OKTAIDP_OKTA_PROVIDER` names a binary instead). Where it cannot be had (CI has no access to
//! its source), the cases that need it skip with the script's reason.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

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
/// no network.
pub fn workspace(tf: &Terraform, files: &[(&str, String)]) -> Result<Workspace, String> {
    let okta = binary()?;
    let ws = Workspace::new(tf, files)?;
    let mirror = filesystem_mirror(&ws, &[("okta", &okta, VERSION)])?;
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

/// A filesystem mirror in the workspace (`<dir>/mirror`) holding each `(name, binary, version)`
/// as `<name>/<name>` on both registry hosts (OpenTofu resolves a source on its own host).
/// Returns its path, for the CLI configuration.
pub fn filesystem_mirror(
    ws: &Workspace,
    providers: &[(&str, &Path, &str)],
) -> Result<PathBuf, String> {
    let mirror = ws.dir.path().join("mirror");
    for host in ["registry.terraform.io", "registry.opentofu.org"] {
        for (name, binary, version) in providers {
            let dir = mirror
                .join(host)
                .join(name)
                .join(name)
                .join(version)
                .join(platform());
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            std::os::unix::fs::symlink(
                binary,
                dir.join(format!("terraform-provider-{name}_v{version}")),
            )
            .map_err(|e| format!("linking {name} into the mirror: {e}"))?;
        }
    }
    Ok(mirror)
}

/// The single managed resource of `kind` in a `terraform show -json` document.
pub fn resource<'a>(state: &'a Value, kind: &str) -> Result<&'a Value, String> {
    state["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|r| r["type"] == kind && r["mode"] == "managed")
        })
        .ok_or_else(|| format!("no {kind} in the state"))
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
