//! Management API requests (paths, query strings, headers, JSON bodies) through the emulator's
//! real router; seeds from the recordings and the API tests. See `emulator::fuzzing`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| oktaidp_fuzz::run_emulator(data));
