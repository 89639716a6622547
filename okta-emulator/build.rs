//! Build script: records the git commit `okta-emulator --version` reports.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    oktaidp_build_info::emit_git_commit();
}
