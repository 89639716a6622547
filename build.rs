//! Build script: compiles the plugin protocol definitions in `proto/` and
//! generates prost messages plus tonic servers and clients for them.
//!
//! Parsing is done by `protox` (pure Rust), so no system `protoc` is needed.
//! `google.protobuf.*` well-known types resolve to `prost-types`.

use std::path::Path;

const PROTO_DIR: &str = "proto";
const PROTO_FILES: &[&str] = &["tfplugin6.proto", "plugin.proto"];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    embed_git_commit();
    println!("cargo:rerun-if-changed={PROTO_DIR}");
    for file in PROTO_FILES {
        println!(
            "cargo:rerun-if-changed={}",
            Path::new(PROTO_DIR).join(file).display()
        );
    }

    // Source info is kept so that proto comments become rustdoc on the
    // generated items.
    let fds = match protox::compile(PROTO_FILES, [PROTO_DIR]) {
        Ok(fds) => fds,
        Err(err) => panic!("failed to compile protocol definitions: {err:?}"),
    };

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .build_transport(true)
        .emit_rerun_if_changed(false)
        .compile_fds(fds)
        .unwrap_or_else(|err| panic!("failed to generate protocol code: {err}"));
}

/// The commit `--version` reports: `OKTAIDP_GIT_COMMIT` when set (release builds from an exported
/// tree), else `git rev-parse HEAD`, else "unknown" (a source tree outside git).
fn embed_git_commit() {
    println!("cargo:rerun-if-env-changed=OKTAIDP_GIT_COMMIT");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .map(|s| s.trim().to_string())
    };
    let commit = std::env::var("OKTAIDP_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=OKTAIDP_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves: HEAD itself, the branch it points to, and packed refs.
    if let Some(git_dir) = git(&["rev-parse", "--git-dir"]) {
        let git_dir = Path::new(&git_dir);
        println!("cargo:rerun-if-changed={}", git_dir.join("HEAD").display());
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            println!("cargo:rerun-if-changed={}", git_dir.join(branch).display());
        }
        if let Some(common) = git(&["rev-parse", "--git-common-dir"]) {
            let common = Path::new(&common);
            println!(
                "cargo:rerun-if-changed={}",
                common.join("packed-refs").display()
            );
            if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
                println!("cargo:rerun-if-changed={}", common.join(branch).display());
            }
        }
    }
}
