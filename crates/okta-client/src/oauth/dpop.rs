//! DPoP (RFC 9449) proofs: a JWT per request, signed with this process's proof key, binding the
//! access token to that key. The proof key is generated on first need and never leaves the
//! process; the latest server nonce (`DPoP-Nonce`) is kept and put into every later proof.

use std::sync::OnceLock;

use aws_lc_rs::digest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::HeaderMap;
use parking_lot::Mutex;
use serde_json::{Map, Value};
use url::Url;

use super::key::{KeyError, SigningKey};

/// The proof key and the last nonce the server asked for.
#[derive(Default)]
pub struct Dpop {
    key: OnceLock<Result<SigningKey, KeyError>>,
    nonce: Mutex<Option<String>>,
}

impl std::fmt::Debug for Dpop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dpop([REDACTED])")
    }
}

impl Dpop {
    /// Remembers the nonce of a response, if it sent one. `true` when it changed.
    pub fn note_nonce(&self, headers: &HeaderMap) -> bool {
        let Some(nonce) = headers
            .get("dpop-nonce")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
        else {
            return false;
        };
        let mut current = self.nonce.lock();
        if current.as_deref() == Some(nonce) {
            return false;
        }
        *current = Some(nonce.to_owned());
        true
    }

    /// A proof for one request. `htu` is the URL without query and fragment; `access_token`
    /// (resource requests only) becomes `ath`. `now` is Unix seconds.
    pub fn proof(
        &self,
        method: &str,
        url: &Url,
        access_token: Option<&str>,
        now: i64,
    ) -> Result<String, KeyError> {
        let key = self
            .key
            .get_or_init(SigningKey::generate_ec)
            .as_ref()
            .map_err(Clone::clone)?;
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let mut header = Map::new();
        header.insert("typ".into(), "dpop+jwt".into());
        header.insert("jwk".into(), Value::Object(key.public_jwk()));
        let mut claims = Map::new();
        claims.insert("htm".into(), method.into());
        claims.insert("htu".into(), htu.as_str().into());
        claims.insert("iat".into(), Value::from(now));
        claims.insert("jti".into(), super::random_id().into());
        if let Some(nonce) = self.nonce.lock().clone() {
            claims.insert("nonce".into(), nonce.into());
        }
        if let Some(token) = access_token {
            claims.insert("ath".into(), ath(token).into());
        }
        key.sign_jwt(header, &claims)
    }
}

/// `ath`: base64url of SHA-256 of the access token.
pub fn ath(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, access_token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::super::key::tests::verify;
    use super::*;
    use http::HeaderValue;

    #[test]
    fn proof_shape_nonce_and_ath() {
        let dpop = Dpop::default();
        let url = Url::parse("https://acme.okta.com/api/v1/apps?limit=200#x").unwrap();
        let p1 = dpop
            .proof("GET", &url, Some("at-123"), 1_700_000_000)
            .unwrap();
        let key = dpop.key.get().unwrap().as_ref().unwrap();
        let (h, c) = verify(key, &p1);
        assert_eq!(h["typ"], "dpop+jwt");
        assert_eq!(h["alg"], "ES256");
        assert_eq!(h["jwk"]["kty"], "EC");
        assert!(h["jwk"].get("d").is_none(), "public part only");
        assert_eq!(c["htm"], "GET");
        assert_eq!(c["htu"], "https://acme.okta.com/api/v1/apps");
        assert_eq!(c["iat"], 1_700_000_000);
        assert_eq!(c["ath"], ath("at-123"));
        assert!(c.get("nonce").is_none());

        let mut headers = HeaderMap::new();
        headers.insert("dpop-nonce", HeaderValue::from_static("n-1"));
        assert!(dpop.note_nonce(&headers));
        assert!(!dpop.note_nonce(&headers), "same nonce is no change");
        let token_url = Url::parse("https://acme.okta.com/oauth2/v1/token").unwrap();
        let p2 = dpop.proof("POST", &token_url, None, 1_700_000_001).unwrap();
        let (h2, c2) = verify(key, &p2);
        assert_eq!(h2["jwk"], h["jwk"], "one key per process");
        assert_eq!(c2["nonce"], "n-1");
        assert!(c2.get("ath").is_none());
        assert_ne!(c["jti"], c2["jti"]);
    }

    #[test]
    fn ath_is_rfc_9449_example() {
        // RFC 9449 §7.1: the token "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU" hashes to this.
        assert_eq!(
            ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
    }
}
