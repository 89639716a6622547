//! Drives real Terraform binaries against the provider built by this package, through a CLI
//! configuration with `dev_overrides` (no `terraform init`, as Terraform recommends for it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Prefix of a case's error that means "not applicable to this Terraform version".
pub const SKIPPED: &str = "skipped: ";

/// A Terraform binary and its version.
#[derive(Debug, Clone)]
pub struct Terraform {
    pub version: String,
    pub path: PathBuf,
}

fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn version_of(path: &Path) -> Option<String> {
    let out = Command::new(path)
        .arg("version")
        .arg("-json")
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v["terraform_version"].as_str().map(str::to_string)
}

fn at_least_1_0(version: &str) -> bool {
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    major >= 1
}

/// Terraform 1.0.3 (installed by scripts/install-terraform.sh, or `OKTAIDP_TERRAFORM_1_0_3`),
/// plus the `terraform` on PATH when it is another version >= 1.0.
pub fn binaries() -> Result<Vec<Terraform>, String> {
    let oldest = match std::env::var("OKTAIDP_TERRAFORM_1_0_3") {
        Ok(p) if !p.is_empty() => PathBuf::from(p),
        _ => {
            let out = Command::new("bash")
                .arg(project_root().join("scripts/install-terraform.sh"))
                .output()
                .map_err(|e| format!("running install-terraform.sh: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "install-terraform.sh failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            let text = String::from_utf8_lossy(&out.stdout);
            PathBuf::from(text.lines().last().unwrap_or_default().trim())
        }
    };
    let version =
        version_of(&oldest).ok_or_else(|| format!("{} does not run", oldest.display()))?;
    let mut list = vec![Terraform {
        version,
        path: oldest,
    }];
    if let Ok(out) = Command::new("bash")
        .arg("-c")
        .arg("command -v terraform")
        .output()
    {
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() {
            if let Some(v) = version_of(&path) {
                if at_least_1_0(&v) && list.iter().all(|t| t.version != v) {
                    list.push(Terraform { version: v, path });
                }
            }
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
        let cli_config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/oktaidp/oktaidp\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            bin_dir.display()
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
            "TF_LOG_PROVIDER",
            "TF_LOG_CORE",
        ] {
            cmd.env_remove(k);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output()
            .map(Run::from)
            .map_err(|e| format!("running terraform {args:?}: {e}"))
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
        serde_json::from_str(&run.stdout).map_err(|e| format!("output -json: {e}"))
    }

    pub fn state_json(&self) -> Result<serde_json::Value, String> {
        let run = self.run(&["show", "-json"])?.ok("terraform show")?;
        serde_json::from_str(&run.stdout).map_err(|e| format!("show -json: {e}"))
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("terraform.log")).unwrap_or_default()
    }

    /// The log must show no protocol trouble: ungraceful exits, invalid plans, inconsistent
    /// results, crashes.
    pub fn check_log(&self) -> Result<(), String> {
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
            if let Some(line) = log.lines().find(|l| l.contains(bad)) {
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
