//! DPoP (RFC 9449) as Okta does it for Okta API tokens: proofs at the token endpoint (with a
//! server nonce) and on every resource call (with `ath`), tokens bound to the proof key's
//! thumbprint. Nonces and seen proof `jti`s live in memory: a restart simply issues a new
//! nonce, which clients handle as they do a rotation.

use std::collections::HashMap;

use aws_lc_rs::digest;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use parking_lot::Mutex;

use crate::{
    base::jose::jwk::{Jws, PublicJwk},
    base::{ids, password},
};

/// Algorithms Okta lists in its DPoP challenges.
pub const ALGS: &str = "RS256 RS384 RS512 ES256 ES384 ES512";
/// How long a nonce is the current one; the previous one stays valid for as long again.
pub const NONCE_ROTATE_SECS: i64 = 300;
/// How far a proof's `iat` may be from now.
pub const IAT_WINDOW_SECS: i64 = 300;

pub const USE_NONCE: &str = "Authorization server requires nonce in DPoP proof.";
pub const MISSING_PROOF: &str = "The DPoP proof JWT header is missing.";

/// Why a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DpopError {
    /// The proof lacks the current nonce (token endpoint only): answer `use_dpop_nonce`.
    #[error("{USE_NONCE}")]
    UseNonce,
    #[error("{0}")]
    Invalid(&'static str),
}

#[derive(Default)]
struct NonceState {
    current: String,
    previous: Option<String>,
    since: i64,
}

/// Server-side DPoP memory.
#[derive(Default)]
pub struct DpopState {
    nonces: Mutex<NonceState>,
    /// Proof `jti`s already used, with when they may be forgotten.
    seen: Mutex<HashMap<String, i64>>,
}

impl DpopState {
    /// The current nonce, rotating it when it is old.
    pub fn nonce(&self, now: i64) -> String {
        let mut n = self.nonces.lock();
        if n.current.is_empty() || now - n.since >= NONCE_ROTATE_SECS {
            let old = std::mem::take(&mut n.current);
            n.previous = (!old.is_empty()).then_some(old);
            n.current = ids::opaque(32);
            n.since = now;
        }
        n.current.clone()
    }

    fn nonce_ok(&self, nonce: &str, now: i64) -> bool {
        let current = self.nonce(now);
        let n = self.nonces.lock();
        nonce == current || n.previous.as_deref() == Some(nonce)
    }

    /// Records a proof `jti`; false if it was already used.
    fn first_use(&self, jti: &str, now: i64) -> bool {
        let mut seen = self.seen.lock();
        seen.retain(|_, until| *until > now);
        seen.insert(password::token_hash(jti), now + 2 * IAT_WINDOW_SECS)
            .is_none()
    }
}

/// What a proof must match.
pub struct Expect<'a> {
    pub htm: &'a str,
    /// Any of these URLs (the org URL may be addressed by more than one name).
    pub htu: &'a [String],
    /// Token endpoint: the proof must carry a current nonce.
    pub nonce: bool,
    /// Resource calls: the access token the proof must hash (`ath`).
    pub access_token: Option<&'a str>,
}

/// `b64url(sha256(token))`, the `ath` claim.
pub fn ath(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, access_token.as_bytes()))
}

fn strip_query(u: &str) -> &str {
    u.split(['?', '#']).next().unwrap_or(u)
}

/// Checks a proof and returns its key's thumbprint.
pub fn check(
    state: &DpopState,
    proof: &str,
    expect: &Expect,
    now: i64,
) -> Result<String, DpopError> {
    let invalid = DpopError::Invalid;
    let jws = Jws::parse(proof).map_err(|_| invalid("The DPoP proof JWT is malformed."))?;
    if jws.header_str("typ") != Some("dpop+jwt") {
        return Err(invalid(
            "The DPoP proof JWT 'typ' header must be 'dpop+jwt'.",
        ));
    }
    let jwk = jws.header.get("jwk").ok_or(invalid(
        "The DPoP proof JWT 'jwk' header is missing or invalid.",
    ))?;
    let key = PublicJwk::parse(jwk)
        .map_err(|_| invalid("The DPoP proof JWT 'jwk' header is missing or invalid."))?;
    jws.verify_with(&key)
        .map_err(|_| invalid("The DPoP proof JWT signature is invalid."))?;
    if jws.claim_str("htm") != Some(expect.htm) {
        return Err(invalid(
            "The DPoP proof 'htm' claim does not match the request method.",
        ));
    }
    let htu = jws.claim_str("htu").map(strip_query);
    if !expect.htu.iter().any(|u| Some(strip_query(u)) == htu) {
        return Err(invalid(
            "The DPoP proof 'htu' claim does not match the request URL.",
        ));
    }
    let iat = jws
        .claim_i64("iat")
        .ok_or(invalid("The DPoP proof 'iat' claim is missing."))?;
    if (now - iat).abs() > IAT_WINDOW_SECS {
        return Err(invalid(
            "The DPoP proof 'iat' claim is outside the allowed window.",
        ));
    }
    let jti = jws
        .claim_str("jti")
        .filter(|j| !j.is_empty())
        .ok_or(invalid("The DPoP proof 'jti' claim is missing."))?;
    if let Some(token) = expect.access_token {
        if jws.claim_str("ath") != Some(ath(token).as_str()) {
            return Err(invalid(
                "The DPoP proof 'ath' claim does not match the access token.",
            ));
        }
    }
    if expect.nonce {
        match jws.claim_str("nonce") {
            Some(n) if state.nonce_ok(n, now) => {}
            _ => return Err(DpopError::UseNonce),
        }
    }
    // Only a proof that passed every other check uses up its jti.
    if !state.first_use(jti, now) {
        return Err(invalid("The DPoP proof 'jti' claim has already been used."));
    }
    Ok(key.thumbprint())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::jose::jwk::test_keys::TestKey;
    use serde_json::json;

    fn proof(key: &TestKey, claims: serde_json::Value) -> String {
        key.sign(
            &json!({"typ": "dpop+jwt", "alg": key.alg(), "jwk": key.public_jwk("x")}),
            &claims,
        )
    }

    #[test]
    fn token_endpoint_nonce_dance() {
        let st = DpopState::default();
        let key = TestKey::ec();
        let htu = vec!["http://h/oauth2/v1/token".to_string()];
        let exp = Expect {
            htm: "POST",
            htu: &htu,
            nonce: true,
            access_token: None,
        };
        let first = proof(
            &key,
            json!({"htm": "POST", "htu": htu[0], "iat": 100, "jti": "a"}),
        );
        assert_eq!(check(&st, &first, &exp, 100), Err(DpopError::UseNonce));
        let nonce = st.nonce(100);
        let retry = proof(
            &key,
            json!({"htm": "POST", "htu": htu[0], "iat": 100, "jti": "b", "nonce": nonce}),
        );
        let jkt = check(&st, &retry, &exp, 100).unwrap();
        assert_eq!(
            jkt,
            PublicJwk::parse(&key.public_jwk("x")).unwrap().thumbprint()
        );
        // The same proof twice is a replay.
        assert!(matches!(
            check(&st, &retry, &exp, 100),
            Err(DpopError::Invalid(_))
        ));
        // After one rotation the old nonce still works; after two it does not.
        let later = NONCE_ROTATE_SECS + 101;
        let p = proof(
            &key,
            json!({"htm": "POST", "htu": htu[0], "iat": later, "jti": "c", "nonce": nonce}),
        );
        assert!(check(&st, &p, &exp, later).is_ok());
        let much_later = later + NONCE_ROTATE_SECS;
        let p = proof(
            &key,
            json!({"htm": "POST", "htu": htu[0], "iat": much_later, "jti": "d", "nonce": nonce}),
        );
        assert_eq!(check(&st, &p, &exp, much_later), Err(DpopError::UseNonce));
    }

    #[test]
    fn resource_proofs_bind_method_url_time_and_token() {
        let st = DpopState::default();
        let key = TestKey::rsa();
        let htu = vec!["http://h/api/v1/apps".to_string()];
        let exp = Expect {
            htm: "GET",
            htu: &htu,
            nonce: false,
            access_token: Some("tok"),
        };
        let good = json!({"htm": "GET", "htu": "http://h/api/v1/apps?limit=2", "iat": 50, "jti": "1", "ath": ath("tok")});
        assert!(check(&st, &proof(&key, good), &exp, 50).is_ok());
        for (bad, jti) in [
            (
                json!({"htm": "POST", "htu": htu[0], "iat": 50, "ath": ath("tok")}),
                "2",
            ),
            (
                json!({"htm": "GET", "htu": "http://h/api/v1/groups", "iat": 50, "ath": ath("tok")}),
                "3",
            ),
            (
                json!({"htm": "GET", "htu": htu[0], "iat": 50 - IAT_WINDOW_SECS - 1, "ath": ath("tok")}),
                "4",
            ),
            (
                json!({"htm": "GET", "htu": htu[0], "iat": 50, "ath": ath("other")}),
                "5",
            ),
            (json!({"htm": "GET", "htu": htu[0], "iat": 50}), "6"),
        ] {
            let mut claims = bad;
            claims["jti"] = json!(jti);
            assert!(
                matches!(
                    check(&st, &proof(&key, claims.clone()), &exp, 50),
                    Err(DpopError::Invalid(_))
                ),
                "{claims}"
            );
        }
        let no_typ = key.sign(
            &json!({"alg": key.alg(), "jwk": key.public_jwk("x")}),
            &json!({"htm": "GET", "htu": htu[0], "iat": 50, "jti": "7", "ath": ath("tok")}),
        );
        assert!(check(&st, &no_typ, &exp, 50).is_err());
        // Signed by another key than the one in the header.
        let other = TestKey::rsa();
        let forged = other.sign(
            &json!({"typ": "dpop+jwt", "alg": "RS256", "jwk": key.public_jwk("x")}),
            &json!({"htm": "GET", "htu": htu[0], "iat": 50, "jti": "8", "ath": ath("tok")}),
        );
        assert!(check(&st, &forged, &exp, 50).is_err());
    }
}
