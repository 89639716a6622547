//! A no-op build compiles nothing, on a checkout whose refs are loose and on one whose refs are
//! packed, and a new commit re-runs the build script once. A throwaway git repository holds a
//! tiny crate whose build script is the workspace's (`emit_git_commit`); Cargo's `-v` output says
//! which units it compiled and which build scripts it ran.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
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

/// Builds the crate in `dir` and returns Cargo's verbose log.
fn build(dir: &Path, target: &Path) -> String {
    let out = Command::new(env!("CARGO"))
        .args(["build", "-v", "--offline"])
        .env("CARGO_TARGET_DIR", target)
        .env_remove("OKTAIDP_GIT_COMMIT")
        .current_dir(dir)
        .output()
        .expect("cargo runs");
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "cargo build failed:\n{log}");
    log
}

fn compiled(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("Compiling") || (l.starts_with("Running") && l.contains("build-script"))
        })
        .collect()
}

fn write_crate(dir: &Path) {
    let helper = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = format!(
        "[package]\nname = \"noop-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
         [workspace]\n\n[build-dependencies]\noktaidp-build-info = {{ path = {:?} }}\n",
        helper.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("manifest");
    std::fs::write(
        dir.join("build.rs"),
        "fn main() { oktaidp_build_info::emit_git_commit(); }\n",
    )
    .expect("build.rs");
    std::fs::create_dir_all(dir.join("src")).expect("src");
    std::fs::write(
        dir.join("src/main.rs"),
        "fn main() { println!(\"{}\", env!(\"OKTAIDP_GIT_COMMIT\")); }\n",
    )
    .expect("main.rs");
    std::fs::write(dir.join(".gitignore"), "/target\n/Cargo.lock\n").expect(".gitignore");
}

#[test]
fn second_build_is_fresh_with_loose_and_packed_refs_and_a_commit_rebuilds_once() {
    let repo = tempfile::tempdir().expect("tempdir");
    let target = tempfile::tempdir().expect("tempdir");
    write_crate(repo.path());
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "one"]);
    assert!(
        !repo.path().join(".git/packed-refs").exists(),
        "a fresh repository keeps its refs loose"
    );

    build(repo.path(), target.path());
    let again = build(repo.path(), target.path());
    assert_eq!(compiled(&again), Vec::<&str>::new(), "loose refs:\n{again}");

    // A commit moves HEAD: the build script runs again, once.
    git(repo.path(), &["commit", "-q", "--allow-empty", "-m", "two"]);
    let after_commit = build(repo.path(), target.path());
    assert!(
        compiled(&after_commit)
            .iter()
            .any(|l| l.contains("build-script")),
        "a new commit must re-run the build script:\n{after_commit}"
    );
    let again = build(repo.path(), target.path());
    assert_eq!(
        compiled(&again),
        Vec::<&str>::new(),
        "after a commit:\n{again}"
    );

    // The same with every ref packed (what `git gc` and many clones leave).
    git(repo.path(), &["pack-refs", "--all"]);
    build(repo.path(), target.path());
    let again = build(repo.path(), target.path());
    assert_eq!(
        compiled(&again),
        Vec::<&str>::new(),
        "packed refs:\n{again}"
    );
}
