//! msgpack `DynamicValue` decoding against any type, `dynamic` included: what decodes must
//! encode, decode back to the same value and encode to the same bytes again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oktaidp::tfplugin::value::{decode_msgpack, encode_msgpack};
use oktaidp_fuzz::split_typed;

fuzz_target!(|data: &[u8]| {
    let Some((ty, payload)) = split_typed(data) else {
        return;
    };
    let Ok(value) = decode_msgpack(payload, &ty) else {
        return;
    };
    let encoded = match encode_msgpack(&value, &ty) {
        Ok(e) => e,
        Err(e) => panic!("decoded value does not encode: {e}"),
    };
    let back = match decode_msgpack(&encoded, &ty) {
        Ok(v) => v,
        Err(e) => panic!("our own encoding does not decode: {e}"),
    };
    assert_eq!(back, value, "msgpack round trip changed the value");
    let again = encode_msgpack(&back, &ty).ok();
    assert_eq!(
        again.as_deref(),
        Some(&encoded[..]),
        "encoding is not stable"
    );
});
