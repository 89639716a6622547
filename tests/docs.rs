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

/// Guides are written by hand, but the configurations they show are the example files their
/// acceptance tests run: every `examples/guides/<guide>/**/*.tf` must appear verbatim, as a
/// `terraform` code block, in `docs/guides/<guide>.md`.
#[test]
fn guides_show_their_examples_verbatim() {
    fn tf_files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read examples/guides") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                tf_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "tf") {
                found.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let guides = root.join("examples/guides");
    let mut checked = 0;
    for guide in std::fs::read_dir(&guides).expect("examples/guides") {
        let guide = guide.expect("directory entry").path();
        let name = guide
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let page_path = root.join("docs/guides").join(format!("{name}.md"));
        let page = std::fs::read_to_string(&page_path)
            .unwrap_or_else(|e| panic!("{}: {e}", page_path.display()));
        let mut files = Vec::new();
        tf_files(&guide, &mut files);
        assert!(!files.is_empty(), "{} holds no .tf file", guide.display());
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read example");
            assert!(
                page.contains(&format!("```terraform\n{text}```\n")),
                "{} does not show {} verbatim: copy the file into its terraform code block",
                page_path.display(),
                file.strip_prefix(root).unwrap_or(&file).display()
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no guide example was checked");
}
