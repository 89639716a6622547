//! Build script: compiles the plugin protocol definitions in the workspace's `proto/` and
//! generates prost messages plus tonic servers and clients for them.
//!
//! Parsing is done by `protox` (pure Rust), so no system `protoc` is needed.
//! `google.protobuf.*` well-known types resolve to `prost-types`.

use std::path::PathBuf;

/// The workspace keeps the definitions at its top level, next to the other crates.
const PROTO_DIR: &str = "../../proto";
const PROTO_FILES: &[&str] = &["tfplugin6.proto", "plugin.proto"];

fn main() {
    let proto_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(PROTO_DIR);
    println!("cargo:rerun-if-changed=build.rs");
    for file in PROTO_FILES {
        println!("cargo:rerun-if-changed={}", proto_dir.join(file).display());
    }

    // Source info is kept so that proto comments become rustdoc on the
    // generated items.
    let fds = match protox::compile(PROTO_FILES, [&proto_dir]) {
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
