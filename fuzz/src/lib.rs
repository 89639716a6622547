//! Helpers shared by the fuzz targets.

use std::sync::{Mutex, OnceLock};

use oktaidp::emulator::fuzzing::Harness;
use oktaidp::tfplugin::value::Type;

/// Splits `type JSON, NUL, payload`. Valid JSON never holds a raw NUL, so the first one ends
/// the type. Without a NUL the whole input is the payload of a `dynamic` value. `None` when
/// the type does not parse (which the decoder targets then skip, having fuzzed the type
/// parser on the way).
pub fn split_typed(data: &[u8]) -> Option<(Type, &[u8])> {
    match data.iter().position(|&b| b == 0) {
        None => Some((Type::Dynamic, data)),
        Some(pos) => {
            let ty = Type::from_json_bytes(&data[..pos]).ok()?;
            Some((ty, &data[pos + 1..]))
        }
    }
}

/// Runs one input through the emulator harness, built once per process; a broken property
/// is a crash.
pub fn run_emulator(data: &[u8]) {
    static HARNESS: OnceLock<Mutex<Harness>> = OnceLock::new();
    let harness = HARNESS.get_or_init(|| match Harness::new() {
        Ok(h) => Mutex::new(h),
        Err(e) => panic!("emulator fixture: {e}"),
    });
    let mut h = harness.lock().unwrap_or_else(|p| p.into_inner());
    if let Err(v) = h.run(data) {
        panic!("{v}");
    }
}
