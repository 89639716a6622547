//! The `okta-emulator` binary for tests of the provider package. It belongs to another package
//! of the workspace, so Cargo gives these tests no `CARGO_BIN_EXE_okta-emulator`: the binary is
//! built into this test's target directory with the same Cargo and profile. Always: a binary
//! left there by an earlier build may be stale (`cargo test --test acceptance` builds only the
//! provider package), and a build with nothing to do takes well under a second.
//!
//! Include with `#[path = "../support/emulator_bin.rs"] mod emulator_bin;`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The path of the `okta-emulator` binary next to this test's executable, brought up to date on
/// first use. Errors say what failed.
pub fn path() -> Result<PathBuf, String> {
    static PATH: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PATH.get_or_init(build).clone()
}

fn build() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("this test's path: {e}"))?;
    // target/<profile>/deps/<test>-<hash>: the binaries are in target/<profile>.
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .ok_or_else(|| format!("{} is not in a Cargo target directory", exe.display()))?;
    let binary = profile_dir.join(format!("okta-emulator{}", std::env::consts::EXE_SUFFIX));
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("debug");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .args([
            "build",
            "--quiet",
            "-p",
            "okta-emulator",
            "--bin",
            "okta-emulator",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if profile == "release" {
        cargo.arg("--release");
    }
    if let Some(target_dir) = profile_dir.parent() {
        cargo.arg("--target-dir").arg(target_dir);
    }
    let status = cargo
        .status()
        .map_err(|e| format!("running cargo build -p okta-emulator: {e}"))?;
    if !status.success() || !binary.is_file() {
        return Err(format!(
            "cargo build -p okta-emulator did not produce {} ({status})",
            binary.display()
        ));
    }
    Ok(binary)
}
