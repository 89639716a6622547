//! Drives real Terraform binaries against the provider built by this package, through a CLI
//! configuration with `dev_overrides` (no `terraform init`, as Terraform recommends for it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::leaks;

/// Subcommands that print state and output values by design (the case reads them): their
/// stdout is not searched for secrets. Everything else Terraform prints is.
const PRINTS_VALUES: &[&str] = &["output", "show", "state", "console"];

/// Prefix of a case's error that means "not applicable to this Terraform version".
pub const SKIPPED: &str = "skipped: ";

/// Which CLI a binary is: the two read the same configuration and talk the same protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Terraform,
    OpenTofu,
}

/// A language or protocol feature newer than Terraform 1.0.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// `provider::<name>::<function>(...)`.
    ProviderFunctions,
    /// `ephemeral` blocks and ephemeral variables/outputs.
    EphemeralResources,
    /// Write-only attributes (`*_wo`).
    WriteOnlyAttributes,
    /// `removed` blocks with `lifecycle { destroy = false }` (OpenTofu 1.7 to 1.9 had `removed`
    /// without a `lifecycle` block).
    RemovedBlocks,
    /// `moved` between resource types (of other providers), through MoveResourceState.
    CrossTypeMoved,
}

impl Feature {
    /// The first version of each CLI with the feature.
    fn minimum(self, kind: Kind) -> (u32, u32) {
        match (self, kind) {
            (Feature::ProviderFunctions, Kind::Terraform) => (1, 8),
            (Feature::ProviderFunctions, Kind::OpenTofu) => (1, 7),
            (Feature::EphemeralResources, Kind::Terraform) => (1, 10),
            (Feature::EphemeralResources, Kind::OpenTofu) => (1, 11),
            (Feature::WriteOnlyAttributes, Kind::Terraform) => (1, 11),
            (Feature::WriteOnlyAttributes, Kind::OpenTofu) => (1, 11),
            (Feature::RemovedBlocks, Kind::Terraform) => (1, 7),
            (Feature::RemovedBlocks, Kind::OpenTofu) => (1, 10),
            (Feature::CrossTypeMoved, Kind::Terraform) => (1, 8),
            (Feature::CrossTypeMoved, Kind::OpenTofu) => (1, 10),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Feature::ProviderFunctions => "provider functions",
            Feature::EphemeralResources => "ephemeral resources",
            Feature::WriteOnlyAttributes => "write-only attributes",
            Feature::RemovedBlocks => "removed blocks with lifecycle",
            Feature::CrossTypeMoved => "moved blocks between resource types",
        }
    }
}

/// A Terraform or OpenTofu binary and its version.
#[derive(Debug, Clone)]
pub struct Terraform {
    pub kind: Kind,
    pub version: String,
    pub path: PathBuf,
}

impl Terraform {
    /// `terraform 1.0.3`, `opentofu 1.12.6`: how the suite names a binary.
    pub fn label(&self) -> String {
        match self.kind {
            Kind::Terraform => format!("terraform {}", self.version),
            Kind::OpenTofu => format!("opentofu {}", self.version),
        }
    }

    fn major_minor(&self) -> (u32, u32) {
        let mut parts = self
            .version
            .split(['.', '-'])
            .map(|p| p.parse().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
    }

    pub fn supports(&self, feature: Feature) -> bool {
        self.major_minor() >= feature.minimum(self.kind)
    }

    /// `Err(skipped: ...)` when this binary lacks the feature, for `?` at the top of a case.
    pub fn require(&self, feature: Feature) -> Result<(), String> {
        if self.supports(feature) {
            Ok(())
        } else {
            let (major, minor) = feature.minimum(self.kind);
            Err(format!(
                "{SKIPPED}{} need {} >= {major}.{minor}",
                feature.name(),
                match self.kind {
                    Kind::Terraform => "Terraform",
                    Kind::OpenTofu => "OpenTofu",
                }
            ))
        }
    }
}

fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary's kind and version from `version -json` (both CLIs answer it alike).
fn identify(path: &Path) -> Option<(Kind, String)> {
    let out = Command::new(path)
        .arg("version")
        .arg("-json")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .ok()?;
    // OpenTofu may print a CLI-configuration warning before the JSON.
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&text[text.find('{')?..]).ok()?;
    let version = v["terraform_version"].as_str()?.to_string();
    let name = path.file_name()?.to_string_lossy();
    let kind = if name.starts_with("tofu") || v.get("opentofu_version").is_some() {
        Kind::OpenTofu
    } else {
        Kind::Terraform
    };
    Some((kind, version))
}

fn at_least_1_0(version: &str) -> bool {
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    major >= 1
}

/// Runs an install script; its last stdout line is the binary's path. Exit 3 means "not
/// available on this machine" (the reason is on stderr).
pub fn install(script: &str, args: &[&str]) -> Result<Option<PathBuf>, String> {
    let out = Command::new("bash")
        .arg(project_root().join("scripts").join(script))
        .args(args)
        .output()
        .map_err(|e| format!("running {script}: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => {
            let text = String::from_utf8_lossy(&out.stdout);
            Ok(Some(PathBuf::from(
                text.lines().last().unwrap_or_default().trim(),
            )))
        }
        Some(3) => {
            println!(
                "acceptance: not exercised: {}",
                stderr.lines().last().unwrap_or_default()
            );
            Ok(None)
        }
        _ => Err(format!("{script} {args:?} failed: {stderr}")),
    }
}

/// The matrix: Terraform 1.0.3 (scripts/install-terraform.sh, or `OKTAIDP_TERRAFORM_1_0_3`),
/// the `terraform` on PATH, the newest OpenTofu and the newest Terraform built from the Go module
/// proxy (scripts/install-go-cli.sh; `OKTAIDP_OPENTOFU` names a binary instead, and
/// `OKTAIDP_MATRIX=short` leaves both out). Duplicate versions run once.
pub fn binaries() -> Result<Vec<Terraform>, String> {
    let oldest = match std::env::var("OKTAIDP_TERRAFORM_1_0_3") {
        Ok(p) if !p.is_empty() => PathBuf::from(p),
        _ => install("install-terraform.sh", &[])?
            .ok_or("install-terraform.sh found no Terraform 1.0.3")?,
    };
    let mut candidates = vec![oldest];
    if let Ok(out) = Command::new("bash")
        .arg("-c")
        .arg("command -v terraform")
        .output()
    {
        if out.status.success() {
            candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
    }
    let short = std::env::var("OKTAIDP_MATRIX").is_ok_and(|m| m == "short");
    if short {
        println!(
            "acceptance: OKTAIDP_MATRIX=short: OpenTofu and the newest Terraform not exercised"
        );
    } else {
        match std::env::var("OKTAIDP_OPENTOFU") {
            Ok(p) if !p.is_empty() => candidates.push(PathBuf::from(p)),
            _ => candidates.extend(install("install-go-cli.sh", &["opentofu"])?),
        }
        candidates.extend(install("install-go-cli.sh", &["terraform"])?);
    }
    let mut list: Vec<Terraform> = Vec::new();
    for path in candidates {
        let Some((kind, version)) = identify(&path) else {
            if list.is_empty() {
                return Err(format!("{} does not run", path.display()));
            }
            println!("acceptance: not exercised: {} does not run", path.display());
            continue;
        };
        if at_least_1_0(&version)
            && list
                .iter()
                .all(|t| (t.kind, &t.version) != (kind, &version))
        {
            list.push(Terraform {
                kind,
                version,
                path,
            });
        }
    }
    Ok(list)
}

/// One working directory with its own CLI config, state and log.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub tf: Terraform,
    pub env: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn text(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    pub fn ok(self, what: &str) -> Result<Self, String> {
        if self.code == 0 {
            Ok(self)
        } else {
            Err(format!("{what} exited {}:\n{}", self.code, self.text()))
        }
    }
}

pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-oktaidp"))
}

impl Drop for Workspace {
    /// Terraform's log (its own and the provider's, at TRACE) joins the case's leak check.
    fn drop(&mut self) {
        leaks::capture(format!("terraform.log ({})", self.tf.label()), self.log());
    }
}

impl Workspace {
    /// Files are (name, content); `examples/...` paths can be read with [`example`].
    pub fn new(tf: &Terraform, files: &[(&str, String)]) -> Result<Self, String> {
        let dir = tempfile::Builder::new()
            .prefix("oktaidp-acc-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let bin_dir = provider_binary()
            .parent()
            .map(Path::to_path_buf)
            .ok_or("provider binary has no directory")?;
        // OpenTofu resolves `oktaidp/oktaidp` on its own registry host: override both.
        let cli_config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/oktaidp/oktaidp\" = \"{dir}\"\n    \"registry.opentofu.org/oktaidp/oktaidp\" = \"{dir}\"\n  }}\n  direct {{}}\n}}\n",
            dir = bin_dir.display()
        );
        std::fs::write(dir.path().join("cli.tfrc"), cli_config).map_err(|e| e.to_string())?;
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).map_err(|e| e.to_string())?;
        }
        let env = vec![
            (
                "TF_CLI_CONFIG_FILE".into(),
                dir.path().join("cli.tfrc").display().to_string(),
            ),
            ("TF_LOG".into(), "trace".into()),
            // The provider at its most verbose, for the secrets-in-logs check.
            ("TF_LOG_PROVIDER".into(), "TRACE".into()),
            (
                "TF_LOG_PATH".into(),
                dir.path().join("terraform.log").display().to_string(),
            ),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("TF_INPUT".into(), "0".into()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
        ];
        Ok(Self {
            dir,
            tf: tf.clone(),
            env,
        })
    }

    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    pub fn read(&self, name: &str) -> Result<String, String> {
        std::fs::read_to_string(self.dir.path().join(name)).map_err(|e| format!("{name}: {e}"))
    }

    pub fn write(&self, name: &str, content: &str) -> Result<(), String> {
        std::fs::write(self.dir.path().join(name), content).map_err(|e| e.to_string())
    }

    pub fn run(&self, args: &[&str]) -> Result<Run, String> {
        let mut cmd = Command::new(&self.tf.path);
        cmd.current_dir(self.dir.path()).args(args);
        for k in [
            "OKTA_ORG_URL",
            "OKTA_ORG_NAME",
            "OKTA_BASE_URL",
            "OKTA_API_TOKEN",
            "OKTA_API_CLIENT_ID",
            "OKTA_API_PRIVATE_KEY",
            "OKTA_API_PRIVATE_KEY_ID",
            "OKTA_API_SCOPES",
            "TF_LOG_PROVIDER",
            "TF_LOG_CORE",
        ] {
            cmd.env_remove(k);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let run = cmd
            .output()
            .map(Run::from)
            .map_err(|e| format!("running terraform {args:?}: {e}"))?;
        let sub = args.first().copied().unwrap_or_default();
        if !PRINTS_VALUES.contains(&sub) {
            leaks::capture(format!("`{sub}` stdout"), run.stdout.clone());
        }
        leaks::capture(format!("`{sub}` stderr"), run.stderr.clone());
        if let Ok(text) = std::fs::read_to_string(self.dir.path().join("terraform.tfstate")) {
            if let Ok(state) = serde_json::from_str(&text) {
                leaks::sensitive_tfstate(&state);
            }
        }
        Ok(run)
    }

    pub fn apply(&self, extra: &[&str]) -> Result<Run, String> {
        let mut args = vec!["apply", "-auto-approve", "-no-color"];
        args.extend_from_slice(extra);
        self.run(&args)?.ok("terraform apply")
    }

    /// `plan -detailed-exitcode`: 0 empty, 2 changes, 1 error.
    pub fn plan(&self, extra: &[&str]) -> Result<Run, String> {
        let mut args = vec!["plan", "-detailed-exitcode", "-no-color"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    pub fn expect_empty_plan(&self, extra: &[&str]) -> Result<(), String> {
        let run = self.plan(extra)?;
        if run.code == 0 {
            Ok(())
        } else {
            Err(format!(
                "expected an empty plan, got exit {}:\n{}",
                run.code,
                run.text()
            ))
        }
    }

    /// Like [`Self::expect_empty_plan`], but tolerates output-only changes (Terraform 1.0.3
    /// counts an output missing from state, e.g. after `state rm` + `import`, as a change).
    pub fn expect_no_resource_changes(&self, extra: &[&str]) -> Result<(), String> {
        let run = self.plan(extra)?;
        if run.code == 0 || (run.code == 2 && !run.stdout.contains("Plan:")) {
            Ok(())
        } else {
            Err(format!(
                "expected no resource changes, got exit {}:\n{}",
                run.code,
                run.text()
            ))
        }
    }

    pub fn destroy(&self, extra: &[&str]) -> Result<Run, String> {
        let mut args = vec!["destroy", "-auto-approve", "-no-color"];
        args.extend_from_slice(extra);
        self.run(&args)?.ok("terraform destroy")
    }

    pub fn outputs(&self) -> Result<serde_json::Value, String> {
        let run = self.run(&["output", "-json"])?.ok("terraform output")?;
        let out = serde_json::from_str(&run.stdout).map_err(|e| format!("output -json: {e}"))?;
        leaks::sensitive_outputs(&out);
        Ok(out)
    }

    pub fn state_json(&self) -> Result<serde_json::Value, String> {
        let run = self.run(&["show", "-json"])?.ok("terraform show")?;
        let show = serde_json::from_str(&run.stdout).map_err(|e| format!("show -json: {e}"))?;
        leaks::sensitive_state(&show);
        Ok(show)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("terraform.log")).unwrap_or_default()
    }

    /// The log must show no protocol trouble: ungraceful exits, invalid plans, inconsistent
    /// results, crashes.
    pub fn check_log(&self) -> Result<(), String> {
        self.check_log_tolerating(&[])
    }

    /// [`Self::check_log`], skipping lines that contain one of `tolerated`: another provider's
    /// known trouble (the legacy SDK's tolerated invalid plans of okta/okta) is not ours.
    pub fn check_log_tolerating(&self, tolerated: &[&str]) -> Result<(), String> {
        let log = self.log();
        if log.is_empty() {
            return Err("terraform.log is empty: TF_LOG was not honoured".into());
        }
        for bad in [
            "plugin failed to exit gracefully",
            "invalid plan",
            "inconsistent result",
            "inconsistent final plan",
            "plugin crashed",
            "panic:",
            "Unsupported plugin method",
        ] {
            if let Some(line) = log
                .lines()
                .find(|l| l.contains(bad) && !tolerated.iter().any(|t| l.contains(t)))
            {
                return Err(format!("terraform.log contains {bad:?}: {line}"));
            }
        }
        Ok(())
    }

    /// Lines the provider itself logged (Terraform prefixes them with the plugin name).
    pub fn provider_log_lines(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| l.contains("provider.terraform-provider-oktaidp"))
            .map(str::to_string)
            .collect()
    }
}

pub fn example(rel: &str) -> Result<String, String> {
    std::fs::read_to_string(project_root().join(rel)).map_err(|e| format!("{rel}: {e}"))
}

/// The provider block most cases share: the emulator's URL comes in as `var.org_url`.
pub const PROVIDER: &str = r#"
terraform {
  required_providers {
    oktaidp = { source = "oktaidp/oktaidp" }
  }
}
variable "org_url" { type = string }
provider "oktaidp" {
  org_url = var.org_url
}
"#;

/// `Ok` when `cond` holds, else the error `what`: a case's assertions read as a list.
pub fn check(cond: bool, what: impl Into<String>) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(what.into())
    }
}
