//! Release artifacts: `scripts/release.sh` run twice gives byte-identical zips, signs
//! `SHA256SUMS` with the key it is given (checked with `gpg --verify`), refuses a version that is
//! not the crate's; both binaries report the version and commit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `clean`: rebuild this crate from scratch rather than reuse the previous build.
fn release_into(dist: &Path, clean: bool, gpg: Option<(&Path, &str)>) {
    let mut cmd = Command::new("bash");
    cmd.arg(project_root().join("scripts/release.sh"))
        .arg(env!("CARGO_PKG_VERSION"))
        .env("OKTAIDP_DIST_DIR", dist)
        .env("OKTAIDP_RELEASE_CLEAN", if clean { "1" } else { "0" });
    if let Some((home, key)) = gpg {
        cmd.env("GNUPGHOME", home)
            .env("OKTAIDP_RELEASE_GPG_KEY", key);
    }
    run(&mut cmd);
}

fn sha256(path: &Path) -> String {
    let out = run(Command::new("sha256sum").arg(path));
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn zips(dist: &Path) -> Vec<PathBuf> {
    let mut zips: Vec<PathBuf> = std::fs::read_dir(dist)
        .expect("dist exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "zip"))
        .collect();
    zips.sort();
    zips
}

/// A throwaway signing key in its own keyring.
fn throwaway_key(home: &Path) -> &'static str {
    const UID: &str = "oktaidp release test <release-test@example.invalid>";
    std::fs::set_permissions(home, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .expect("chmod gnupg home");
    run(Command::new("gpg")
        .env("GNUPGHOME", home)
        .args(["--batch", "--passphrase", "", "--quick-generate-key", UID])
        .args(["ed25519", "sign", "never"]));
    UID
}

#[test]
fn release_is_reproducible_signed_and_verifiable() {
    let first = tempfile::tempdir().expect("tempdir");
    let second = tempfile::tempdir().expect("tempdir");
    let gnupg = tempfile::tempdir().expect("tempdir");
    let key = throwaway_key(gnupg.path());

    // Two builds of the crate: the second compiles it again from scratch.
    release_into(first.path(), false, None);
    release_into(second.path(), true, Some((gnupg.path(), key)));

    let version = env!("CARGO_PKG_VERSION");
    let (a, b) = (zips(first.path()), zips(second.path()));
    assert_eq!(a.len(), 2, "provider and emulator zips: {a:?}");
    for (x, y) in a.iter().zip(&b) {
        let (hx, hy) = (sha256(x), sha256(y));
        println!("{}: {hx} / {hy}", x.display());
        assert_eq!(hx, hy, "{} differs between two builds", x.display());
    }

    // SHA256SUMS covers the provider zip and the manifest, and matches them.
    let sums_name = format!("terraform-provider-oktaidp_{version}_SHA256SUMS");
    let sums = std::fs::read_to_string(second.path().join(&sums_name)).expect("SHA256SUMS");
    let listed: Vec<&str> = sums.lines().filter_map(|l| l.split("  ").nth(1)).collect();
    assert!(listed.iter().any(|n| n.ends_with(".zip")), "{sums}");
    assert!(
        listed.contains(&format!("terraform-provider-oktaidp_{version}_manifest.json").as_str()),
        "{sums}"
    );
    run(Command::new("sha256sum")
        .arg("--check")
        .arg(&sums_name)
        .current_dir(second.path()));
    let manifest = std::fs::read_to_string(second.path().join(format!(
        "terraform-provider-oktaidp_{version}_manifest.json"
    )))
    .expect("manifest");
    let manifest: serde_json::Value = serde_json::from_str(&manifest).expect("manifest JSON");
    assert_eq!(
        manifest["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );

    // The signature verifies, and does not verify a changed file.
    let sig = second.path().join(format!("{sums_name}.sig"));
    run(Command::new("gpg")
        .env("GNUPGHOME", gnupg.path())
        .args(["--batch", "--verify"])
        .arg(&sig)
        .arg(second.path().join(&sums_name)));
    let forged = second.path().join("forged");
    std::fs::write(&forged, format!("{sums}0000  extra.zip\n")).expect("write");
    let verify_forged = Command::new("gpg")
        .env("GNUPGHOME", gnupg.path())
        .args(["--batch", "--verify"])
        .arg(&sig)
        .arg(&forged)
        .output()
        .expect("gpg runs");
    assert!(
        !verify_forged.status.success(),
        "a changed SHA256SUMS verified"
    );
    assert!(
        !first.path().join(format!("{sums_name}.sig")).exists(),
        "signed without a key"
    );

    // The zip holds exactly the binary Terraform expects, executable.
    let listing = run(Command::new("unzip").arg("-Z").arg(&a[1]));
    let text = String::from_utf8_lossy(&listing.stdout);
    assert!(
        text.contains("-rwxr-xr-x")
            && text.contains(&format!("terraform-provider-oktaidp_v{version}")),
        "{text}"
    );
}

#[test]
fn release_refuses_another_version() {
    let dist = tempfile::tempdir().expect("tempdir");
    let out = Command::new("bash")
        .arg(project_root().join("scripts/release.sh"))
        .arg("9.9.9")
        .env("OKTAIDP_DIST_DIR", dist.path())
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not the crate version"), "{err}");
    assert_eq!(std::fs::read_dir(dist.path()).expect("dir").count(), 0);
}

#[test]
fn provider_reports_version_and_commit() {
    let commit = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(project_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let binary = "terraform-provider-oktaidp";
    let out = run(Command::new(env!("CARGO_BIN_EXE_terraform-provider-oktaidp")).arg("--version"));
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        line.starts_with(&format!("{binary} {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{line}"
    );
    if let Some(commit) = &commit {
        assert!(line.contains(commit.as_str()), "{line} lacks {commit}");
    }
}
