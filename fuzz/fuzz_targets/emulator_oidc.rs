//! Sign-in requests through the emulator's real router (same harness as `emulator_api`, its own
//! corpus). The check is `oktaidp_fuzz::emulator` (fuzz/src/lib.rs), which the gate's replay of the
//! committed inputs (tests/fuzz_replay.rs) runs too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| oktaidp_fuzz::run(oktaidp_fuzz::emulator, data));
