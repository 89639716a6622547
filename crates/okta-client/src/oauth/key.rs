//! The service app's private key: PEM in, compact JWS signatures and public JWKs out.
//!
//! aws-lc-rs does the cryptography (it is already linked through rustls, so the build does not
//! grow) and `rustls-pki-types` reads the PEM envelope. Accepted: RSA as PKCS#8 or PKCS#1
//! (`BEGIN RSA PRIVATE KEY`), EC P-256 as PKCS#8 or SEC1 (`BEGIN EC PRIVATE KEY`); these are what
//! the Admin Console and `openssl` produce, and what Okta accepts for `private_key_jwt`.

use std::fmt;

use aws_lc_rs::encoding::{AsBigEndian, EcPublicKeyUncompressedBin};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, KeyPair as _, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use serde_json::{json, Map, Value};

/// Why a key could not be used. The texts never contain key material.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("private_key holds no PEM private key (expected a -----BEGIN PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY----- block)")]
    NoPem,
    #[error("private_key is not an RSA key or an EC key on curve P-256 that can be read (encrypted keys are not supported)")]
    Unsupported,
    #[error("signing with the private key failed")]
    Sign,
    #[error("generating a DPoP key failed")]
    Generate,
}

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// A private key that signs JWTs as RS256 (RSA) or ES256 (EC P-256). `Debug` shows the algorithm
/// only.
pub struct SigningKey {
    pair: Pair,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({}, [REDACTED])", self.alg())
    }
}

impl SigningKey {
    /// Reads the first private key in `pem`.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        // The library's errors may quote the input: map them to our own texts.
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| KeyError::NoPem)?;
        let pair = match &der {
            PrivateKeyDer::Pkcs1(k) => Pair::Rsa(
                RsaKeyPair::from_der(k.secret_pkcs1_der()).map_err(|_| KeyError::Unsupported)?,
            ),
            PrivateKeyDer::Sec1(k) => Pair::Ec(
                EcdsaKeyPair::from_private_key_der(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    k.secret_sec1_der(),
                )
                .map_err(|_| KeyError::Unsupported)?,
            ),
            PrivateKeyDer::Pkcs8(k) => {
                let bytes = k.secret_pkcs8_der();
                match RsaKeyPair::from_pkcs8(bytes) {
                    Ok(rsa) => Pair::Rsa(rsa),
                    Err(_) => Pair::Ec(
                        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, bytes)
                            .map_err(|_| KeyError::Unsupported)?,
                    ),
                }
            }
            _ => return Err(KeyError::Unsupported),
        };
        Ok(Self { pair })
    }

    /// A fresh EC P-256 key (the DPoP proof key of this process). Okta takes ES256 proofs, and a
    /// P-256 key is made in microseconds where RSA-2048 takes a noticeable share of a provider
    /// start, which Terraform pays several times per command.
    pub fn generate_ec() -> Result<Self, KeyError> {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| KeyError::Generate)?;
        Ok(Self {
            pair: Pair::Ec(pair),
        })
    }

    /// The JWS `alg`.
    pub fn alg(&self) -> &'static str {
        match self.pair {
            Pair::Rsa(_) => "RS256",
            Pair::Ec(_) => "ES256",
        }
    }

    /// The public key as a JWK (`kty` and its parameters only, no `kid`).
    pub fn public_jwk(&self) -> Map<String, Value> {
        let value = match &self.pair {
            Pair::Rsa(k) => {
                let pk = k.public_key();
                json!({
                    "kty": "RSA",
                    "e": URL_SAFE_NO_PAD.encode(pk.exponent().big_endian_without_leading_zero()),
                    "n": URL_SAFE_NO_PAD.encode(pk.modulus().big_endian_without_leading_zero()),
                })
            }
            Pair::Ec(k) => {
                // 0x04 || x || y, 32 bytes each on P-256.
                let raw: Result<EcPublicKeyUncompressedBin<'_>, _> = k.public_key().as_be_bytes();
                let raw = raw.map(|b| b.as_ref().to_vec()).unwrap_or_default();
                let (x, y) = if raw.len() == 65 {
                    (&raw[1..33], &raw[33..])
                } else {
                    (&raw[..0], &raw[..0])
                };
                json!({
                    "kty": "EC",
                    "crv": "P-256",
                    "x": URL_SAFE_NO_PAD.encode(x),
                    "y": URL_SAFE_NO_PAD.encode(y),
                })
            }
        };
        match value {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    /// A compact JWS of `claims` with the given protected header members (plus `alg`).
    pub fn sign_jwt(
        &self,
        mut header: Map<String, Value>,
        claims: &Map<String, Value>,
    ) -> Result<String, KeyError> {
        header.insert("alg".into(), Value::from(self.alg()));
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(Value::Object(header).to_string()),
            URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string())
        );
        let rng = SystemRandom::new();
        let sig = match &self.pair {
            Pair::Rsa(k) => {
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut sig)
                    .map_err(|_| KeyError::Sign)?;
                sig
            }
            Pair::Ec(k) => k
                .sign(&rng, input.as_bytes())
                .map_err(|_| KeyError::Sign)?
                .as_ref()
                .to_vec(),
        };
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testing::{ec_pkcs8_pem, pem};
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::PublicKeyComponents;
    use aws_lc_rs::signature::{
        UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256,
    };

    /// The RSAPrivateKey inside a PKCS#8 PrivateKeyInfo (a minimal DER walk, test only).
    fn pkcs1_of(pkcs8: &[u8]) -> Vec<u8> {
        fn header(d: &[u8]) -> (usize, usize) {
            let (len, hl) = if d[1] < 0x80 {
                (d[1] as usize, 2)
            } else {
                let n = (d[1] & 0x7f) as usize;
                (
                    d[2..2 + n].iter().fold(0usize, |a, b| a << 8 | *b as usize),
                    2 + n,
                )
            };
            (hl, len)
        }
        let (hl, _) = header(pkcs8);
        let mut rest = &pkcs8[hl..];
        for _ in 0..2 {
            let (h, l) = header(rest);
            rest = &rest[h + l..];
        }
        let (h, l) = header(rest);
        assert_eq!(rest[0], 0x04, "OCTET STRING");
        rest[h..h + l].to_vec()
    }

    /// Verifies a compact JWS made by `key` and returns (header, claims).
    pub fn verify(key: &SigningKey, jws: &str) -> (Map<String, Value>, Map<String, Value>) {
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3);
        let input = format!("{}.{}", parts[0], parts[1]);
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let jwk = key.public_jwk();
        let b = |k: &str| URL_SAFE_NO_PAD.decode(jwk[k].as_str().unwrap()).unwrap();
        match key.alg() {
            "RS256" => PublicKeyComponents {
                n: b("n"),
                e: b("e"),
            }
            .verify(&RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &sig)
            .unwrap(),
            _ => {
                let mut point = vec![4u8];
                point.extend(b("x"));
                point.extend(b("y"));
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                    .verify(input.as_bytes(), &sig)
                    .unwrap()
            }
        }
        let dec =
            |s: &str| match serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap() {
                Value::Object(m) => m,
                _ => panic!("object"),
            };
        (dec(parts[0]), dec(parts[1]))
    }

    #[test]
    fn reads_every_supported_pem_form_and_signs_verifiably() {
        let rsa8 = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let rsa8_der = rsa8.as_der().unwrap();
        let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let sec1 = ec.private_key().as_der().unwrap();
        let forms = [
            (pem("PRIVATE KEY", rsa8_der.as_ref()), "RS256"),
            (
                pem("RSA PRIVATE KEY", &pkcs1_of(rsa8_der.as_ref())),
                "RS256",
            ),
            (ec_pkcs8_pem(), "ES256"),
            (pem("EC PRIVATE KEY", sec1.as_ref()), "ES256"),
        ];
        for (text, alg) in forms {
            let key = SigningKey::from_pem(&text).unwrap();
            assert_eq!(key.alg(), alg);
            let mut claims = Map::new();
            claims.insert("sub".into(), "x".into());
            let jws = key.sign_jwt(Map::new(), &claims).unwrap();
            let (h, c) = verify(&key, &jws);
            assert_eq!(h["alg"], alg);
            assert_eq!(c["sub"], "x");
            assert!(!format!("{key:?}").contains(&text[40..60]));
        }
    }

    #[test]
    fn bad_input_gives_texts_without_the_input() {
        let junk = "-----BEGIN PRIVATE KEY-----\nTUlJQ0FBQUFTRUNSRVQ=\n-----END PRIVATE KEY-----\n";
        let e = SigningKey::from_pem(junk).unwrap_err();
        assert_eq!(e, KeyError::Unsupported);
        assert!(!e.to_string().contains("TUlJ"));
        assert_eq!(
            SigningKey::from_pem("MIIEsecret").unwrap_err(),
            KeyError::NoPem
        );
        // A P-384 key is EC but not P-256.
        let p384 = EcdsaKeyPair::generate_pkcs8(
            &aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            &SystemRandom::new(),
        )
        .unwrap();
        assert_eq!(
            SigningKey::from_pem(&pem("PRIVATE KEY", p384.as_ref())).unwrap_err(),
            KeyError::Unsupported
        );
    }
}
