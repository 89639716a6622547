//! JSON state decoding (strict and lenient) against any type: what decodes must encode,
//! decode back (strictly) to the same value, and survive the msgpack codec too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oktaidp::tfplugin::value::{
    decode_json, decode_json_lenient, decode_msgpack, encode_json, encode_msgpack,
};
use oktaidp_fuzz::split_typed;

fuzz_target!(|data: &[u8]| {
    let Some((ty, payload)) = split_typed(data) else {
        return;
    };
    let strict = decode_json(payload, &ty);
    let lenient = decode_json_lenient(payload, &ty);
    if strict.is_ok() {
        assert!(
            lenient.is_ok(),
            "strict decode accepted what lenient refused"
        );
    }
    for value in [strict, lenient].into_iter().flatten() {
        let json = match encode_json(&value, &ty) {
            Ok(j) => j,
            Err(e) => panic!("decoded value does not encode to JSON: {e}"),
        };
        match decode_json(&json, &ty) {
            Ok(back) => assert_eq!(back, value, "JSON round trip changed the value"),
            Err(e) => panic!("our own JSON does not decode: {e}"),
        }
        let mp = match encode_msgpack(&value, &ty) {
            Ok(m) => m,
            Err(e) => panic!("value from JSON does not encode to msgpack: {e}"),
        };
        match decode_msgpack(&mp, &ty) {
            Ok(back) => assert_eq!(back, value, "msgpack round trip changed a JSON value"),
            Err(e) => panic!("msgpack of a JSON value does not decode: {e}"),
        }
    }
});
