//! Sign-in requests (`/authorize`, `/token`, `/revoke`, `/introspect`, `/userinfo`, `/logout`,
//! `/api/v1/authn`) through the emulator's real router, starting from a fixture with a session
//! token, a code and tokens to redeem. Same harness as `emulator_api`, its own corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| oktaidp_fuzz::run_emulator(data));
