//! Used by the workspace's build scripts: puts the git commit into `OKTAIDP_GIT_COMMIT` for
//! `--version`, and asks Cargo to re-run the build script when HEAD moves.
//!
//! Cargo re-runs a build script on every build when a `rerun-if-changed` path does not exist,
//! and the crate behind it is then compiled again (minutes with LTO). Git keeps a ref either as
//! a loose file or in `packed-refs`, and either may be absent, so only paths that exist are
//! watched: HEAD, the reflog of HEAD (appended on every commit, checkout and reset), the
//! directory of branch refs (a new loose ref changes it) and `packed-refs`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable a release build sets to name the commit of an exported tree.
pub const COMMIT_ENV: &str = "OKTAIDP_GIT_COMMIT";

/// Emits `cargo:rustc-env=OKTAIDP_GIT_COMMIT=<commit>` and the `rerun-if-*` lines for it.
/// The commit is `OKTAIDP_GIT_COMMIT` when set, else `git rev-parse HEAD` run in the crate's
/// directory, else "unknown" (a source tree outside git, or no git installed).
pub fn emit_git_commit() {
    println!("cargo:rerun-if-env-changed={COMMIT_ENV}");
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let commit = std::env::var(COMMIT_ENV)
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&dir, &["rev-parse", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env={COMMIT_ENV}={commit}");
    for path in watched_paths(&dir) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// The git paths whose change means HEAD may have moved; only those that exist.
pub fn watched_paths(dir: &Path) -> Vec<PathBuf> {
    let Some(git_dir) = git(dir, &["rev-parse", "--absolute-git-dir"]).map(PathBuf::from) else {
        return Vec::new();
    };
    let common = git(dir, &["rev-parse", "--git-common-dir"])
        .map(|c| absolute(dir, &c))
        .unwrap_or_else(|| git_dir.clone());
    let candidates = [
        git_dir.join("HEAD"),
        git_dir.join("logs").join("HEAD"),
        common.join("refs").join("heads"),
        common.join("packed-refs"),
    ];
    candidates.into_iter().filter(|p| p.exists()).collect()
}

fn absolute(dir: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    }

    #[test]
    fn every_watched_path_exists_with_and_without_packed_refs() {
        let repo = tempfile::tempdir().expect("tempdir");
        run(repo.path(), &["init", "-q", "-b", "main"]);
        run(repo.path(), &["commit", "-q", "--allow-empty", "-m", "one"]);
        let loose = watched_paths(repo.path());
        assert!(
            !loose.iter().any(|p| p.ends_with("packed-refs")),
            "{loose:?}"
        );
        assert!(loose.iter().all(|p| p.exists()), "{loose:?}");
        assert!(loose.iter().any(|p| p.ends_with("HEAD")), "{loose:?}");

        run(repo.path(), &["pack-refs", "--all"]);
        let packed = watched_paths(repo.path());
        assert!(
            packed.iter().any(|p| p.ends_with("packed-refs")),
            "{packed:?}"
        );
        assert!(packed.iter().all(|p| p.exists()), "{packed:?}");
    }

    #[test]
    fn outside_git_nothing_is_watched() {
        let dir = tempfile::tempdir().expect("tempdir");
        // GIT_CEILING_DIRECTORIES stops git from finding a repository above the temp dir.
        let parent = dir.path().parent().expect("parent").to_path_buf();
        std::env::set_var("GIT_CEILING_DIRECTORIES", &parent);
        assert!(watched_paths(dir.path()).is_empty());
    }
}
