//! Public JWKs supplied by clients (an app's `jwks`, a DPoP proof's `jwk` header) and the
//! compact JWS checks made with them: RS256/384/512 and ES256 (P-256), what Okta accepts for
//! `private_key_jwt` and DPoP. RFC 7638 thumbprints bind DPoP tokens (`cnf.jkt`).

use aws_lc_rs::{
    digest,
    signature::{
        ParsedPublicKey, RsaPublicKeyComponents, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED,
        RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_2048_8192_SHA384, RSA_PKCS1_2048_8192_SHA512,
    },
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{Map, Value};

/// Why a JWK or a JWS was refused.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum JwkError {
    #[error("not a usable public JWK")]
    BadKey,
    #[error("not a compact JWS")]
    Malformed,
    #[error("algorithm not allowed for this key")]
    Algorithm,
    #[error("bad signature")]
    Signature,
}

/// A public key from a JWK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicJwk {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// P-256: the affine coordinates, 32 bytes each.
    Ec {
        x: Vec<u8>,
        y: Vec<u8>,
    },
}

fn b64_member(jwk: &Map<String, Value>, name: &str) -> Result<Vec<u8>, JwkError> {
    let s = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or(JwkError::BadKey)?;
    URL_SAFE_NO_PAD.decode(s).map_err(|_| JwkError::BadKey)
}

impl PublicJwk {
    /// Reads an RSA or EC P-256 public JWK; private members make it unusable (a client must
    /// never publish its private key).
    pub fn parse(jwk: &Value) -> Result<PublicJwk, JwkError> {
        let m = jwk.as_object().ok_or(JwkError::BadKey)?;
        if m.contains_key("d") {
            return Err(JwkError::BadKey);
        }
        match m.get("kty").and_then(Value::as_str) {
            Some("RSA") => {
                let n = strip_zeros(b64_member(m, "n")?);
                let e = strip_zeros(b64_member(m, "e")?);
                // Okta needs at least 2048-bit RSA keys.
                if n.len() < 256 || e.is_empty() {
                    return Err(JwkError::BadKey);
                }
                Ok(PublicJwk::Rsa { n, e })
            }
            Some("EC") => {
                if m.get("crv").and_then(Value::as_str) != Some("P-256") {
                    return Err(JwkError::BadKey);
                }
                let x = b64_member(m, "x")?;
                let y = b64_member(m, "y")?;
                if x.len() != 32 || y.len() != 32 {
                    return Err(JwkError::BadKey);
                }
                let key = PublicJwk::Ec { x, y };
                // A point off the curve would only fail later, as a "bad signature".
                ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.ec_point())
                    .map_err(|_| JwkError::BadKey)?;
                Ok(key)
            }
            _ => Err(JwkError::BadKey),
        }
    }

    fn ec_point(&self) -> Vec<u8> {
        match self {
            PublicJwk::Ec { x, y } => {
                let mut p = Vec::with_capacity(65);
                p.push(4);
                p.extend_from_slice(x);
                p.extend_from_slice(y);
                p
            }
            PublicJwk::Rsa { .. } => Vec::new(),
        }
    }

    /// Verifies `signature` over `input` with `alg`, which must suit the key type.
    pub fn verify(&self, alg: &str, input: &[u8], signature: &[u8]) -> Result<(), JwkError> {
        match (self, alg) {
            (PublicJwk::Rsa { n, e }, "RS256" | "RS384" | "RS512") => {
                let params = match alg {
                    "RS256" => &RSA_PKCS1_2048_8192_SHA256,
                    "RS384" => &RSA_PKCS1_2048_8192_SHA384,
                    _ => &RSA_PKCS1_2048_8192_SHA512,
                };
                RsaPublicKeyComponents { n, e }
                    .verify(params, input, signature)
                    .map_err(|_| JwkError::Signature)
            }
            (PublicJwk::Ec { .. }, "ES256") => {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, self.ec_point())
                    .verify(input, signature)
                    .map_err(|_| JwkError::Signature)
            }
            _ => Err(JwkError::Algorithm),
        }
    }

    /// RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order.
    pub fn thumbprint(&self) -> String {
        let canonical = match self {
            PublicJwk::Rsa { n, e } => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                URL_SAFE_NO_PAD.encode(e),
                URL_SAFE_NO_PAD.encode(n)
            ),
            PublicJwk::Ec { x, y } => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                URL_SAFE_NO_PAD.encode(x),
                URL_SAFE_NO_PAD.encode(y)
            ),
        };
        URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
    }
}

fn strip_zeros(mut v: Vec<u8>) -> Vec<u8> {
    let lead = v.iter().take_while(|b| **b == 0).count();
    v.drain(..lead);
    v
}

/// A compact JWS split into its parts, signature not yet checked.
#[derive(Debug, Clone)]
pub struct Jws {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jws {
    pub fn parse(token: &str) -> Result<Jws, JwkError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwkError::Malformed);
        };
        let object = |seg: &str| -> Result<Map<String, Value>, JwkError> {
            let bytes = URL_SAFE_NO_PAD
                .decode(seg)
                .map_err(|_| JwkError::Malformed)?;
            match serde_json::from_slice(&bytes) {
                Ok(Value::Object(m)) => Ok(m),
                _ => Err(JwkError::Malformed),
            }
        };
        Ok(Jws {
            header: object(h)?,
            claims: object(p)?,
            signing_input: format!("{h}.{p}"),
            signature: URL_SAFE_NO_PAD.decode(s).map_err(|_| JwkError::Malformed)?,
        })
    }

    pub fn alg(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or("")
    }

    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    pub fn claim_i64(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }

    pub fn verify_with(&self, key: &PublicJwk) -> Result<(), JwkError> {
        key.verify(self.alg(), self.signing_input.as_bytes(), &self.signature)
    }
}

#[cfg(test)]
pub mod test_keys {
    //! Key pairs for unit tests, made with aws-lc-rs.
    use super::*;
    use aws_lc_rs::{
        rand::SystemRandom,
        rsa::KeySize,
        signature::{
            EcdsaKeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PKCS1_SHA256,
        },
    };
    use serde_json::json;

    pub enum TestKey {
        Rsa(RsaKeyPair),
        Ec(EcdsaKeyPair),
    }

    impl TestKey {
        pub fn rsa() -> TestKey {
            TestKey::Rsa(RsaKeyPair::generate(KeySize::Rsa2048).unwrap())
        }

        pub fn ec() -> TestKey {
            TestKey::Ec(EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap())
        }

        pub fn alg(&self) -> &'static str {
            match self {
                TestKey::Rsa(_) => "RS256",
                TestKey::Ec(_) => "ES256",
            }
        }

        pub fn public_jwk(&self, kid: &str) -> Value {
            match self {
                TestKey::Rsa(k) => {
                    let pk = k.public_key();
                    json!({"kty": "RSA", "kid": kid, "e": URL_SAFE_NO_PAD.encode(pk.exponent().big_endian_without_leading_zero()), "n": URL_SAFE_NO_PAD.encode(pk.modulus().big_endian_without_leading_zero())})
                }
                TestKey::Ec(k) => {
                    let p = k.public_key().as_ref();
                    json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": URL_SAFE_NO_PAD.encode(&p[1..33]), "y": URL_SAFE_NO_PAD.encode(&p[33..65])})
                }
            }
        }

        pub fn sign(&self, header: &Value, claims: &Value) -> String {
            let input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let rng = SystemRandom::new();
            let sig = match self {
                TestKey::Rsa(k) => {
                    let mut s = vec![0u8; k.public_modulus_len()];
                    k.sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut s)
                        .unwrap();
                    s
                }
                TestKey::Ec(k) => k.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
            };
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_keys::TestKey;
    use super::*;
    use serde_json::json;

    #[test]
    fn rsa_and_ec_keys_verify_their_own_signatures_only() {
        for (key, other) in [
            (TestKey::rsa(), TestKey::rsa()),
            (TestKey::ec(), TestKey::ec()),
        ] {
            let jwk = PublicJwk::parse(&key.public_jwk("k1")).unwrap();
            let jwt = key.sign(&json!({"alg": key.alg()}), &json!({"sub": "x"}));
            let jws = Jws::parse(&jwt).unwrap();
            assert_eq!(jws.claim_str("sub"), Some("x"));
            jws.verify_with(&jwk).unwrap();
            let foreign = PublicJwk::parse(&other.public_jwk("k2")).unwrap();
            assert_eq!(jws.verify_with(&foreign), Err(JwkError::Signature));
        }
    }

    #[test]
    fn algorithm_must_suit_the_key() {
        let key = TestKey::ec();
        let jwt = key.sign(&json!({"alg": "RS256"}), &json!({}));
        let jwk = PublicJwk::parse(&key.public_jwk("k")).unwrap();
        assert_eq!(
            Jws::parse(&jwt).unwrap().verify_with(&jwk),
            Err(JwkError::Algorithm)
        );
        let jwt = key.sign(&json!({"alg": "none"}), &json!({}));
        assert_eq!(
            Jws::parse(&jwt).unwrap().verify_with(&jwk),
            Err(JwkError::Algorithm)
        );
    }

    #[test]
    fn bad_keys_are_refused() {
        let mut private = TestKey::ec().public_jwk("k");
        private["d"] = json!("AAAA");
        assert_eq!(PublicJwk::parse(&private), Err(JwkError::BadKey));
        let mut off_curve = TestKey::ec().public_jwk("k");
        off_curve["y"] = json!(URL_SAFE_NO_PAD.encode([7u8; 32]));
        assert_eq!(PublicJwk::parse(&off_curve), Err(JwkError::BadKey));
        assert_eq!(
            PublicJwk::parse(&json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"})),
            Err(JwkError::BadKey)
        );
        assert_eq!(
            PublicJwk::parse(&json!({"kty": "EC", "crv": "P-384", "x": "", "y": ""})),
            Err(JwkError::BadKey)
        );
        assert_eq!(
            PublicJwk::parse(&json!({"kty": "oct"})),
            Err(JwkError::BadKey)
        );
        assert!(Jws::parse("a.b").is_err());
    }

    #[test]
    fn thumbprint_matches_rfc_7638_example() {
        let jwk = json!({"kty": "RSA", "e": "AQAB", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"});
        assert_eq!(
            PublicJwk::parse(&jwk).unwrap().thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
