//! The fuzz targets' checks, one function per target (`fuzz/fuzz_targets/<name>.rs` only hands
//! libFuzzer's input to it). The gate's replay of the committed inputs (`tests/fuzz_replay.rs`
//! in the main crate) includes this file as a module, so `cargo test` on stable runs exactly
//! what the fuzzer runs. Keep it free of libFuzzer and of dependencies the main crate lacks.

use std::sync::{Mutex, OnceLock};

use okta_emulator::fuzzing::Harness;
use oktaidp::tfplugin::handshake::LaunchEnv;
use oktaidp::tfplugin::tls::{parse_client_cert, ServerIdentity};
use oktaidp::tfplugin::value::{
    decode_json, decode_json_lenient, decode_msgpack, encode_json, encode_msgpack, Type,
};

/// A target's check: `Err` is a broken property; a panic is a crash in the code under test.
pub type Check = fn(&[u8]) -> Result<(), String>;

/// Every target, by its name in `fuzz/Cargo.toml` and `fuzz/fuzz_targets/`.
pub const TARGETS: &[(&str, Check)] = &[
    ("value_msgpack", value_msgpack),
    ("value_json", value_json),
    ("okta_models", okta_models),
    ("emulator_api", emulator),
    ("emulator_oidc", emulator),
    ("handshake", handshake),
];

/// For the fuzz binaries: a broken property is a crash libFuzzer records.
pub fn run(check: Check, data: &[u8]) {
    if let Err(e) = check(data) {
        panic!("{e}");
    }
}

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

/// msgpack `DynamicValue` decoding against any type, `dynamic` included: what decodes must
/// encode, decode back to the same value and encode to the same bytes again.
pub fn value_msgpack(data: &[u8]) -> Result<(), String> {
    let Some((ty, payload)) = split_typed(data) else {
        return Ok(());
    };
    let Ok(value) = decode_msgpack(payload, &ty) else {
        return Ok(());
    };
    let encoded =
        encode_msgpack(&value, &ty).map_err(|e| format!("decoded value does not encode: {e}"))?;
    let back = decode_msgpack(&encoded, &ty)
        .map_err(|e| format!("our own encoding does not decode: {e}"))?;
    if back != value {
        return Err("msgpack round trip changed the value".into());
    }
    match encode_msgpack(&back, &ty) {
        Ok(again) if again == encoded => Ok(()),
        _ => Err("encoding is not stable".into()),
    }
}

/// JSON state decoding (strict and lenient) against any type: what decodes must encode,
/// decode back (strictly) to the same value, and survive the msgpack codec too.
pub fn value_json(data: &[u8]) -> Result<(), String> {
    let Some((ty, payload)) = split_typed(data) else {
        return Ok(());
    };
    let strict = decode_json(payload, &ty);
    let lenient = decode_json_lenient(payload, &ty);
    if strict.is_ok() && lenient.is_err() {
        return Err("strict decode accepted what lenient refused".into());
    }
    for value in [strict, lenient].into_iter().flatten() {
        let json = encode_json(&value, &ty)
            .map_err(|e| format!("decoded value does not encode to JSON: {e}"))?;
        match decode_json(&json, &ty) {
            Ok(back) if back == value => {}
            Ok(_) => return Err("JSON round trip changed the value".into()),
            Err(e) => return Err(format!("our own JSON does not decode: {e}")),
        }
        let mp = encode_msgpack(&value, &ty)
            .map_err(|e| format!("value from JSON does not encode to msgpack: {e}"))?;
        match decode_msgpack(&mp, &ty) {
            Ok(back) if back == value => {}
            Ok(_) => return Err("msgpack round trip changed a JSON value".into()),
            Err(e) => return Err(format!("msgpack of a JSON value does not decode: {e}")),
        }
    }
    Ok(())
}

/// Okta JSON models: see `oktaidp::okta::models::fuzzing`.
pub fn okta_models(data: &[u8]) -> Result<(), String> {
    oktaidp::okta::models::fuzzing::check(data).map_err(|v| v.to_string())
}

/// Requests through the emulator's real router (`okta_emulator::fuzzing`), on one harness
/// per process: `emulator_api` and `emulator_oidc` differ only in their seeds.
pub fn emulator(data: &[u8]) -> Result<(), String> {
    static HARNESS: OnceLock<Mutex<Harness>> = OnceLock::new();
    let harness = HARNESS.get_or_init(|| match Harness::new() {
        Ok(h) => Mutex::new(h),
        Err(e) => panic!("emulator fixture: {e}"),
    });
    let mut h = harness.lock().unwrap_or_else(|p| p.into_inner());
    h.run(data).map(drop).map_err(|v| v.to_string())
}

/// The go-plugin launch environment and the client certificate Terraform passes for AutoMTLS:
/// `KEY=VALUE` entries separated by NUL (a PEM value keeps its newlines). A certificate that
/// parses must give a server TLS configuration.
pub fn handshake(data: &[u8]) -> Result<(), String> {
    static ID: OnceLock<ServerIdentity> = OnceLock::new();
    let text = String::from_utf8_lossy(data);
    // The PEM parser on its own, so it need not wait for the fuzzer to find the cookie.
    let _ = parse_client_cert(&text);
    let entries: Vec<(&str, &str)> = text
        .split('\0')
        .filter_map(|entry| entry.split_once('='))
        .collect();
    let lookup = |key: &str| {
        entries
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_string())
    };
    let Ok(env) = LaunchEnv::from_lookup(lookup) else {
        return Ok(());
    };
    if let Some(pem) = env.client_cert_pem.as_deref() {
        if let Ok(der) = parse_client_cert(pem) {
            let identity = ID.get_or_init(|| match ServerIdentity::generate() {
                Ok(id) => id,
                Err(e) => panic!("server identity: {e}"),
            });
            if let Err(e) = identity.server_config(der) {
                return Err(format!(
                    "a parsed client certificate gives no server config: {e}"
                ));
            }
        }
    }
    Ok(())
}
