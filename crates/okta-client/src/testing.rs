//! Helpers for tests, here and in the crates that use this client (feature `testing`): freshly
//! generated private keys in the PEM forms a service app's `private_key` is given in.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// `der` in a PEM envelope labelled `label` (64-character lines).
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A new RSA 2048 key as PKCS#8 PEM (`BEGIN PRIVATE KEY`).
pub fn rsa_pkcs8_pem() -> String {
    let key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("RSA key");
    pem("PRIVATE KEY", key.as_der().expect("PKCS#8").as_ref())
}

/// A new EC P-256 key as PKCS#8 PEM (`BEGIN PRIVATE KEY`).
pub fn ec_pkcs8_pem() -> String {
    let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
        .expect("EC key");
    pem("PRIVATE KEY", doc.as_ref())
}
