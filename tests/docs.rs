//! The committed docs must be what `oktaidp-docs` generates from the schema and examples.

#[test]
fn docs_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let stale = oktaidp::docs::sync(root, true).expect("render docs");
    assert!(
        stale.is_empty(),
        "docs are stale, run `cargo run --bin oktaidp-docs`: {stale:?}"
    );
}
