//! Regenerates `docs/` from the schema descriptions and `examples/`.
//! `oktaidp-docs --check` exits non-zero when the committed docs are stale.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            "--help" | "-h" => {
                println!("usage: oktaidp-docs [--check] [PROJECT_DIR]\n\nWrites docs/ from the provider schema and examples/; --check only reports stale pages.");
                return ExitCode::SUCCESS;
            }
            other => root = PathBuf::from(other),
        }
    }
    match oktaidp::docs::sync(&root, check) {
        Ok(stale) if stale.is_empty() => {
            println!("docs are current");
            ExitCode::SUCCESS
        }
        Ok(stale) => {
            for p in &stale {
                println!(
                    "{} {}",
                    if check { "stale:" } else { "wrote:" },
                    p.display()
                );
            }
            if check {
                eprintln!("docs are out of date: run `cargo run --bin oktaidp-docs`");
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("oktaidp-docs: {e}");
            ExitCode::FAILURE
        }
    }
}
