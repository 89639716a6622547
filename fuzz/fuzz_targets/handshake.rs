//! The go-plugin launch environment and the client certificate Terraform passes for AutoMTLS:
//! `KEY=VALUE` entries separated by NUL (a PEM value keeps its newlines). A certificate that
//! parses must give a server TLS configuration.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use oktaidp::tfplugin::handshake::LaunchEnv;
use oktaidp::tfplugin::tls::{parse_client_cert, ServerIdentity};

fn identity() -> &'static ServerIdentity {
    static ID: OnceLock<ServerIdentity> = OnceLock::new();
    ID.get_or_init(|| match ServerIdentity::generate() {
        Ok(id) => id,
        Err(e) => panic!("server identity: {e}"),
    })
}

fuzz_target!(|data: &[u8]| {
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
        return;
    };
    if let Some(pem) = env.client_cert_pem.as_deref() {
        if let Ok(der) = parse_client_cert(pem) {
            if let Err(e) = identity().server_config(der) {
                panic!("a parsed client certificate gives no server config: {e}");
            }
        }
    }
});
