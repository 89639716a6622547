//! Password hashing for emulated users: PBKDF2-HMAC-SHA256 with a random 16-byte salt, built on
//! the aws-lc-rs SHA-256 that rustls already links (no extra crate). Comparison is constant
//! time. Passwords are never stored, rendered or logged; only [`PasswordHash`] is kept.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use rustls::crypto::{aws_lc_rs::cipher_suite::TLS13_AES_128_GCM_SHA256, hash::Hash};
use rustls::SupportedCipherSuite;

use serde::{Deserialize, Serialize};

/// A salted PBKDF2-HMAC-SHA256 password hash (see [`hash`] and [`verify`]). The password itself
/// is never stored, rendered or logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordHash {
    pub salt: String,
    pub iterations: u32,
    pub hash: String,
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// PBKDF2 iterations for new hashes. Stored per hash, so it can change without breaking state.
pub const ITERATIONS: u32 = 10_000;
const BLOCK: usize = 64;

fn sha256() -> &'static dyn Hash {
    match TLS13_AES_128_GCM_SHA256 {
        SupportedCipherSuite::Tls13(s) => s.common.hash_provider,
        #[allow(unreachable_patterns)]
        _ => unreachable!("TLS13_AES_128_GCM_SHA256 is a TLS 1.3 suite"),
    }
}

/// HMAC-SHA256 (RFC 2104).
fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let h = sha256();
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(h.hash(key).as_ref());
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = h.start();
    inner.update(&k.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let inner = inner.finish();
    let mut outer = h.start();
    outer.update(&k.map(|b| b ^ 0x5c));
    outer.update(inner.as_ref());
    let mut out = [0u8; 32];
    out.copy_from_slice(outer.finish().as_ref());
    out
}

/// PBKDF2-HMAC-SHA256 with a 32-byte output (one block, RFC 8018).
fn pbkdf2(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut u = hmac(password, &[salt, &1u32.to_be_bytes()]);
    let mut out = u;
    for _ in 1..iterations {
        u = hmac(password, &[&u]);
        for (o, b) in out.iter_mut().zip(u) {
            *o ^= b;
        }
    }
    out
}

/// Hashes `password` with a fresh random salt.
pub fn hash(password: &str) -> PasswordHash {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    PasswordHash {
        salt: URL_SAFE_NO_PAD.encode(salt),
        iterations: ITERATIONS,
        hash: URL_SAFE_NO_PAD.encode(pbkdf2(password.as_bytes(), &salt, ITERATIONS)),
    }
}

/// Whether `password` matches `stored`, compared in constant time.
pub fn verify(password: &str, stored: &PasswordHash) -> bool {
    let (Ok(salt), Ok(expected)) = (
        URL_SAFE_NO_PAD.decode(&stored.salt),
        URL_SAFE_NO_PAD.decode(&stored.hash),
    ) else {
        return false;
    };
    let actual = pbkdf2(password.as_bytes(), &salt, stored.iterations.max(1));
    expected.len() == actual.len()
        && expected
            .iter()
            .zip(actual)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// SHA-256 of a session token, the form kept in state.
pub fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(sha256().hash(token.as_bytes()).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn pbkdf2_matches_rfc_vectors() {
        // RFC 7914 §11 / common PBKDF2-HMAC-SHA256 vectors.
        assert_eq!(
            hex(&pbkdf2(b"password", b"salt", 1)),
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"
        );
        assert_eq!(
            hex(&pbkdf2(b"password", b"salt", 2)),
            "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"
        );
        // A key longer than the block is hashed first.
        let long = [b'k'; 100];
        assert_eq!(hmac(&long, &[b"x"]).len(), 32);
    }

    #[test]
    fn hashes_are_salted_and_verify() {
        let a = hash("Sup3rSecret");
        let b = hash("Sup3rSecret");
        assert_ne!(a.salt, b.salt);
        assert_ne!(a.hash, b.hash);
        assert!(verify("Sup3rSecret", &a));
        assert!(!verify("sup3rsecret", &a));
        assert!(!verify("", &a));
        assert!(!format!("{a:?}").contains(&a.hash));
        assert_eq!(token_hash("t"), token_hash("t"));
        assert_ne!(token_hash("t"), token_hash("u"));
    }
}
