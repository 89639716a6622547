//! The fuzz gate (docs/fuzzing.md): every committed input of every fuzz target, its seeds
//! (`fuzz/seeds/<target>/`) and every input that ever crashed it (`fuzz/regressions/<target>/`),
//! through the target's own check (`fuzz/src/lib.rs`, included below), on stable Rust. Nothing
//! is generated or mutated, so a run's verdict depends only on the checkout; open-ended fuzzing
//! is `scripts/fuzz.sh N`, outside the gate.
//!
//! `OKTAIDP_FUZZ_REPLAY=DIR[:DIR...]` adds directories laid out like `fuzz/corpus/` (one
//! sub-directory per target): scripts/test.sh passes the seeds `scripts/fuzz-seeds.py` derives
//! from the checkout; a local corpus or `fuzz/artifacts` work too.

use std::{
    collections::{BTreeSet, HashSet},
    fs,
    panic::{self, AssertUnwindSafe},
    path::{Path, PathBuf},
    time::Instant,
};

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod checks;

const FUZZ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz");
/// Committed input directories, each with one sub-directory per target.
const COMMITTED: [&str; 2] = ["seeds", "regressions"];

fn check_of(target: &str) -> checks::Check {
    match checks::TARGETS.iter().find(|(name, _)| *name == target) {
        Some((_, check)) => *check,
        None => panic!("{target} is not in fuzz/src/lib.rs TARGETS"),
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn input_dirs(target: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = COMMITTED
        .iter()
        .map(|d| Path::new(FUZZ).join(d).join(target))
        .collect();
    if let Ok(extra) = std::env::var("OKTAIDP_FUZZ_REPLAY") {
        dirs.extend(
            extra
                .split(':')
                .filter(|d| !d.is_empty())
                .map(|d| Path::new(d).join(target)),
        );
    }
    dirs
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(s), _) => format!("panicked: {s}"),
        (_, Some(s)) => format!("panicked: {s}"),
        _ => "panicked".into(),
    }
}

/// Feeds every input of `target` to its check; fails naming each input that breaks it.
fn replay(target: &str) {
    let check = check_of(target);
    let started = Instant::now();
    let (mut count, mut failures, mut seen) = (0usize, Vec::new(), HashSet::new());
    for dir in input_dirs(target) {
        for path in files_in(&dir) {
            let data = match fs::read(&path) {
                Ok(d) => d,
                Err(e) => panic!("{}: {e}", path.display()),
            };
            // The derived seeds repeat the committed ones under other names.
            if !seen.insert(data.clone()) {
                continue;
            }
            count += 1;
            let verdict = panic::catch_unwind(AssertUnwindSafe(|| check(&data)));
            let why = match verdict {
                Ok(Ok(())) => continue,
                Ok(Err(violation)) => violation,
                Err(payload) => panic_text(payload.as_ref()),
            };
            failures.push(format!("{}: {why}", path.display()));
        }
    }
    let took = started.elapsed();
    println!(
        "fuzz replay: {target:<14} {count:>4} inputs {:>8.1} ms",
        took.as_secs_f64() * 1e3
    );
    assert!(
        count > 0,
        "{target}: no committed input (fuzz/seeds/{target}/)"
    );
    assert!(
        failures.is_empty(),
        "{target}: {} of {count} inputs fail (reproduce one with \
         `cargo +nightly fuzz run {target} FILE` in fuzz/):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

macro_rules! replay_targets {
    ($($target:ident),* $(,)?) => {
        const REPLAYED: &[&str] = &[$(stringify!($target)),*];
        $( #[test] fn $target() { replay(stringify!($target)); } )*
    };
}

replay_targets!(
    value_msgpack,
    value_json,
    okta_models,
    emulator_api,
    emulator_oidc,
    handshake
);

/// A target added to fuzz/ without a check, or a check not replayed here, would escape the
/// gate; so would inputs in a mistyped directory.
#[test]
fn every_fuzz_target_is_replayed() {
    let sources: BTreeSet<String> = files_in(&Path::new(FUZZ).join("fuzz_targets"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter_map(|p| p.file_stem()?.to_str().map(str::to_owned))
        .collect();
    let checked: BTreeSet<String> = checks::TARGETS
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    let replayed: BTreeSet<String> = REPLAYED.iter().map(|n| (*n).to_owned()).collect();
    assert_eq!(
        sources, checked,
        "fuzz/fuzz_targets vs fuzz/src/lib.rs TARGETS"
    );
    assert_eq!(
        sources, replayed,
        "fuzz/fuzz_targets vs tests/fuzz_replay.rs"
    );
    let manifest = fs::read_to_string(Path::new(FUZZ).join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for target in &sources {
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "{target} has no [[bin]] in fuzz/Cargo.toml"
        );
    }
    for dir in COMMITTED {
        let Ok(entries) = fs::read_dir(Path::new(FUZZ).join(dir)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                sources.contains(&name),
                "fuzz/{dir}/{name} names no fuzz target"
            );
        }
    }
}
