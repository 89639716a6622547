//! RS256 signing keys of an issuer, the JWKS document, and compact JWTs.
//!
//! Each issuer has an ACTIVE key (signs) and a NEXT key (published ahead of rotation), both
//! RSA-2048, made on first use and kept in the org as PKCS#8 so `--state` keeps them. The
//! `kid` is the RFC 7638 thumbprint, as Okta's 43-character kids are.

use aws_lc_rs::{
    digest,
    encoding::AsDer,
    rand::SystemRandom,
    rsa::{KeySize, PublicKeyComponents},
    signature::{KeyPair as _, RsaKeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256},
};
use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine,
};
use serde_json::{json, Map, Value};

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("generating an RSA key failed")]
    Generate,
    #[error("a stored signing key is unreadable")]
    Stored,
    #[error("signing failed")]
    Sign,
}

/// Status of a signing key, as the keys Management API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum KeyStatus {
    Active,
    Next,
    Expired,
}

/// An RS256 signing key of one issuer (the org authorization server or a custom one).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningKey {
    /// RFC 7638 thumbprint of the public key, base64url (43 characters).
    pub kid: String,
    pub status: KeyStatus,
    /// PKCS#8 DER of the private key, standard base64. Kept so that tokens stay verifiable
    /// across restarts with `--state`; never rendered by any endpoint.
    pub pkcs8: String,
    pub created: i64,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// Why a JWT was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    #[error("not a compact JWS")]
    Malformed,
    #[error("unknown key or algorithm")]
    UnknownKey,
    #[error("bad signature")]
    Signature,
}

/// Public parts of a key: modulus and exponent, big-endian without leading zeros.
struct PublicParts {
    n: Vec<u8>,
    e: Vec<u8>,
}

fn parse(key: &SigningKey) -> Result<RsaKeyPair, KeyError> {
    let der = STANDARD.decode(&key.pkcs8).map_err(|_| KeyError::Stored)?;
    RsaKeyPair::from_pkcs8(&der).map_err(|_| KeyError::Stored)
}

fn public_parts(pair: &RsaKeyPair) -> PublicParts {
    let pk = pair.public_key();
    PublicParts {
        n: pk.modulus().big_endian_without_leading_zero().to_vec(),
        e: pk.exponent().big_endian_without_leading_zero().to_vec(),
    }
}

/// RFC 7638 thumbprint of an RSA public key.
fn thumbprint(p: &PublicParts) -> String {
    // Members in lexicographic order, no whitespace, as the RFC requires.
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(&p.e),
        URL_SAFE_NO_PAD.encode(&p.n)
    );
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
}

/// A fresh RSA-2048 key with the given status.
pub fn generate(status: KeyStatus, now: i64) -> Result<SigningKey, KeyError> {
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
    let der = pair.as_der().map_err(|_| KeyError::Generate)?;
    Ok(SigningKey {
        kid: thumbprint(&public_parts(&pair)),
        status,
        pkcs8: STANDARD.encode(der.as_ref()),
        created: now,
    })
}

/// What a key set lacks: an ACTIVE key, a NEXT key, or both.
pub fn missing(keys: &[SigningKey]) -> Vec<KeyStatus> {
    [KeyStatus::Active, KeyStatus::Next]
        .into_iter()
        .filter(|s| !keys.iter().any(|k| k.status == *s))
        .collect()
}

/// The JWK of a key: `kty, alg, kid, use, e, n`, Okta's member order.
pub fn jwk(key: &SigningKey) -> Result<Value, KeyError> {
    let p = public_parts(&parse(key)?);
    Ok(json!({
        "kty": "RSA",
        "alg": "RS256",
        "kid": key.kid,
        "use": "sig",
        "e": URL_SAFE_NO_PAD.encode(&p.e),
        "n": URL_SAFE_NO_PAD.encode(&p.n),
    }))
}

/// The JWKS document: ACTIVE first, then NEXT (expired keys are no longer published).
pub fn jwks(keys: &[SigningKey]) -> Result<Value, KeyError> {
    let mut out = Vec::new();
    for status in [KeyStatus::Active, KeyStatus::Next] {
        for k in keys.iter().filter(|k| k.status == status) {
            out.push(jwk(k)?);
        }
    }
    Ok(json!({ "keys": out }))
}

/// Signs `claims` with the ACTIVE key as a compact RS256 JWS (header `kid`, `alg`, no `typ`).
pub fn sign(keys: &[SigningKey], claims: &Map<String, Value>) -> Result<String, KeyError> {
    let key = keys
        .iter()
        .find(|k| k.status == KeyStatus::Active)
        .ok_or(KeyError::Stored)?;
    let pair = parse(key)?;
    let header = json!({"kid": key.kid, "alg": "RS256"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string())
    );
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| KeyError::Sign)?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// Checks a compact JWS against any published or expired key of the issuer and returns its
/// claims. Expiry and audience are the caller's business.
pub fn verify(keys: &[SigningKey], token: &str) -> Result<Map<String, Value>, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let decode_json = |seg: &str| -> Result<Map<String, Value>, JwtError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(seg)
            .map_err(|_| JwtError::Malformed)?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(JwtError::Malformed),
        }
    };
    let header = decode_json(h)?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(JwtError::UnknownKey);
    }
    let kid = header.get("kid").and_then(Value::as_str);
    let key = keys
        .iter()
        .find(|k| Some(k.kid.as_str()) == kid)
        .ok_or(JwtError::UnknownKey)?;
    let pair = parse(key).map_err(|_| JwtError::UnknownKey)?;
    let pp = public_parts(&pair);
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
    PublicKeyComponents { n: &pp.n, e: &pp.e }
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            format!("{h}.{p}").as_bytes(),
            &sig,
        )
        .map_err(|_| JwtError::Signature)?;
    decode_json(p)
}

/// OIDC `at_hash`: base64url of the left half of SHA-256 of the access token.
pub fn at_hash(access_token: &str) -> String {
    let d = digest::digest(&digest::SHA256, access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&d.as_ref()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc_7638_example() {
        // RFC 7638 §3.1.
        let n = URL_SAFE_NO_PAD
            .decode(
                "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            )
            .unwrap();
        let p = PublicParts {
            n,
            e: vec![1, 0, 1],
        };
        assert_eq!(
            thumbprint(&p),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn keys_sign_verify_and_publish() {
        let active = generate(KeyStatus::Active, 1).unwrap();
        let next = generate(KeyStatus::Next, 1).unwrap();
        assert_eq!(active.kid.len(), 43);
        assert_ne!(active.kid, next.kid);
        let keys = vec![next.clone(), active.clone()];
        assert!(missing(&keys).is_empty());
        assert_eq!(missing(&keys[..1]), vec![KeyStatus::Active]);

        let doc = jwks(&keys).unwrap();
        let first = doc["keys"][0].as_object().unwrap();
        let order: Vec<&str> = first.keys().map(String::as_str).collect();
        assert_eq!(order, ["kty", "alg", "kid", "use", "e", "n"]);
        assert_eq!(first["kid"], active.kid.as_str());
        assert_eq!(first["e"], "AQAB");
        assert_eq!(doc["keys"].as_array().unwrap().len(), 2);
        // The kid is the thumbprint of the published key.
        let n = URL_SAFE_NO_PAD
            .decode(first["n"].as_str().unwrap())
            .unwrap();
        assert_eq!(n.len(), 256);
        assert_eq!(
            thumbprint(&PublicParts {
                n,
                e: vec![1, 0, 1]
            }),
            active.kid
        );

        let mut claims = Map::new();
        claims.insert("sub".into(), "00u1".into());
        let jwt = sign(&keys, &claims).unwrap();
        assert_eq!(verify(&keys, &jwt).unwrap(), claims);
        // Header is exactly kid then alg.
        let header = URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap();
        assert_eq!(
            String::from_utf8(header).unwrap(),
            format!(r#"{{"kid":"{}","alg":"RS256"}}"#, active.kid)
        );
        // Tampering and foreign keys are refused.
        let mut bad = jwt.clone();
        bad.push('A');
        assert!(verify(&keys, &bad).is_err());
        assert_eq!(verify(&[next], &jwt), Err(JwtError::UnknownKey));
        assert_eq!(verify(&keys, "a.b"), Err(JwtError::Malformed));
        let swapped = format!(
            "{}.{}.{}",
            jwt.split('.').next().unwrap(),
            URL_SAFE_NO_PAD.encode(r#"{"sub":"00u2"}"#),
            jwt.split('.').nth(2).unwrap()
        );
        assert_eq!(verify(&keys, &swapped), Err(JwtError::Signature));
    }

    #[test]
    fn at_hash_is_left_half() {
        // OIDC Core A.3 example access token and at_hash.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
