//! Build script: compiles the plugin protocol definitions in `proto/` and
//! generates prost messages plus tonic servers and clients for them, and records the git commit
//! `--version` reports.
//!
//! Parsing is done by `protox` (pure Rust), so no system `protoc` is needed.
//! `google.protobuf.*` well-known types resolve to `prost-types`.

use std::path::Path;

const PROTO_DIR: &str = "proto";
const PROTO_FILES: &[&str] = &["tfplugin6.proto", "plugin.proto"];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    oktaidp_build_info::emit_git_commit();
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
