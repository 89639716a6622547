//! The `private_key_jwt` client assertion that authenticates the service app at the token
//! endpoint (RFC 7523): `iss` = `sub` = client id, `aud` = the token endpoint, a short life and
//! a unique `jti`, so a captured assertion is useless elsewhere and soon useless everywhere.

use serde_json::{Map, Value};

use super::key::{KeyError, SigningKey};

/// How long an assertion is valid. Okta accepts up to an hour; it is used at once, so minutes
/// are plenty and leave room for clock skew.
pub const ASSERTION_LIFETIME_SECS: i64 = 300;

/// Signs a fresh assertion. `now` is Unix seconds.
pub fn client_assertion(
    key: &SigningKey,
    key_id: Option<&str>,
    client_id: &str,
    token_endpoint: &str,
    now: i64,
) -> Result<String, KeyError> {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    if let Some(kid) = key_id {
        header.insert("kid".into(), kid.into());
    }
    let mut claims = Map::new();
    claims.insert("iss".into(), client_id.into());
    claims.insert("sub".into(), client_id.into());
    claims.insert("aud".into(), token_endpoint.into());
    claims.insert("iat".into(), Value::from(now));
    claims.insert("exp".into(), Value::from(now + ASSERTION_LIFETIME_SECS));
    claims.insert("jti".into(), super::random_id().into());
    key.sign_jwt(header, &claims)
}

#[cfg(test)]
mod tests {
    use super::super::key::tests::verify;
    use super::*;
    use crate::testing::{ec_pkcs8_pem, rsa_pkcs8_pem};

    #[test]
    fn claims_and_signature() {
        for pem in [rsa_pkcs8_pem(), ec_pkcs8_pem()] {
            let key = SigningKey::from_pem(&pem).unwrap();
            let endpoint = "https://acme.okta.com/oauth2/v1/token";
            let a =
                client_assertion(&key, Some("kid-1"), "0oaSVC", endpoint, 1_700_000_000).unwrap();
            let (h, c) = verify(&key, &a);
            assert_eq!(h["kid"], "kid-1");
            assert_eq!(h["alg"], key.alg());
            assert_eq!(c["iss"], "0oaSVC");
            assert_eq!(c["sub"], "0oaSVC");
            assert_eq!(c["aud"], endpoint);
            assert_eq!(c["iat"], 1_700_000_000);
            assert_eq!(c["exp"], 1_700_000_000 + ASSERTION_LIFETIME_SECS);
            let b = client_assertion(&key, None, "0oaSVC", endpoint, 1_700_000_000).unwrap();
            let (h2, c2) = verify(&key, &b);
            assert!(!h2.contains_key("kid"));
            assert_ne!(c["jti"], c2["jti"], "jti is unique per assertion");
            assert!(c["jti"].as_str().unwrap().len() >= 22);
        }
    }
}
