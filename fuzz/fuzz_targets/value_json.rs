//! JSON state decoding (strict and lenient) against any type. The check is
//! `oktaidp_fuzz::value_json` (fuzz/src/lib.rs), which the gate's replay of the committed inputs
//! (tests/fuzz_replay.rs) runs too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| oktaidp_fuzz::run(oktaidp_fuzz::value_json, data));
