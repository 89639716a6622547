//! `private_key_jwt` client authentication: a JWT signed with a key from the app's `jwks`,
//! `iss` = `sub` = client id, `aud` = the token endpoint, `exp` in the next hour, and a `jti`
//! (when present) that is single use until the assertion expires.

use serde_json::Value;

use crate::store::{App, Org};
use crate::{
    base::jose::jwk::{Jws, PublicJwk},
    oidc::errors::OAuthError,
    store::oidc::{self as grants, UsedAssertion},
};

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The longest an assertion may live, as Okta allows.
pub const MAX_LIFETIME_SECS: i64 = 3600;

pub const BAD_TYPE: &str = "The client_assertion_type is invalid.";
pub const MALFORMED: &str = "The client_assertion token is malformed.";
pub const BAD_KID: &str = "The client_assertion JWT kid is invalid.";
pub const BAD_SIGNATURE: &str = "The client_assertion signature is invalid.";
pub const EXPIRED: &str = "The client_assertion token is expired.";
pub const TOO_LONG: &str = "The client_assertion token has an expiration too far into the future.";
pub const BAD_AUDIENCE: &str =
    "The audience claim for client_assertion must be the endpoint invoked for the request.";
pub const BAD_ISSUER: &str =
    "The issuer and subject claims of the client_assertion must be the client_id.";
pub const REPLAYED: &str = "The client_assertion token has already been used.";

/// The client an assertion claims to be (`iss`), read before anything is checked.
pub fn claimed_client(assertion: &str) -> Option<String> {
    Jws::parse(assertion)
        .ok()?
        .claim_str("iss")
        .map(str::to_string)
}

fn app_keys(app: &App) -> Vec<&Value> {
    app.oauth_settings()
        .and_then(|o| o.get("jwks"))
        .and_then(|j| j.get("keys"))
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// A verified assertion: what the replay cache needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub jti: Option<String>,
    pub exp: i64,
}

/// Checks the assertion of `app` for the endpoint `audience` at `now`. Nothing is recorded;
/// see [`record`].
pub fn verify(
    org: &Org,
    app: &App,
    assertion: &str,
    audience: &str,
    now: i64,
) -> Result<Verified, OAuthError> {
    let fail = |d: &str| OAuthError::invalid_client(d);
    let jws = Jws::parse(assertion).map_err(|_| fail(MALFORMED))?;
    let keys = app_keys(app);
    // By kid; without one, only an app with a single key can be matched (Okta's rule).
    let jwk = match jws.header_str("kid") {
        Some(kid) => keys
            .iter()
            .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid)),
        None if keys.len() == 1 => keys.first(),
        None => None,
    }
    .ok_or_else(|| fail(BAD_KID))?;
    let key = PublicJwk::parse(jwk).map_err(|_| fail(BAD_KID))?;
    jws.verify_with(&key).map_err(|_| fail(BAD_SIGNATURE))?;
    let client_id = app.client_id();
    if jws.claim_str("iss") != Some(client_id) || jws.claim_str("sub") != Some(client_id) {
        return Err(fail(BAD_ISSUER));
    }
    let aud_ok = match jws.claims.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(audience)),
        _ => false,
    };
    if !aud_ok {
        return Err(fail(BAD_AUDIENCE));
    }
    let exp = jws.claim_i64("exp").ok_or_else(|| fail(EXPIRED))?;
    if exp <= now {
        return Err(fail(EXPIRED));
    }
    if exp > now + MAX_LIFETIME_SECS {
        return Err(fail(TOO_LONG));
    }
    let jti = jws.claim_str("jti").map(str::to_string);
    if let Some(j) = &jti {
        if seen(org, client_id, j, now) {
            return Err(fail(REPLAYED));
        }
    }
    Ok(Verified { jti, exp })
}

fn seen(org: &Org, client_id: &str, jti: &str, now: i64) -> bool {
    let h = grants::hash(jti);
    org.oidc
        .used_assertions
        .iter()
        .any(|u| u.client_id == client_id && u.jti_hash == h && u.expires_at > now)
}

/// Marks the assertion's `jti` as used; a replay that raced past [`verify`] is refused here.
pub fn record(org: &mut Org, client_id: &str, v: &Verified, now: i64) -> Result<(), OAuthError> {
    let Some(jti) = &v.jti else {
        return Ok(());
    };
    if seen(org, client_id, jti, now) {
        return Err(OAuthError::invalid_client(REPLAYED));
    }
    org.oidc.used_assertions.retain(|u| u.expires_at > now);
    org.oidc.used_assertions.push(UsedAssertion {
        client_id: client_id.to_string(),
        jti_hash: grants::hash(jti),
        expires_at: v.exp,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::jose::jwk::test_keys::TestKey;
    use crate::store::Status;
    use serde_json::json;

    const AUD: &str = "http://h/oauth2/v1/token";

    fn app(keys: Vec<Value>) -> App {
        let body = json!({
            "credentials": {"oauthClient": {"client_id": "0oaSVC", "token_endpoint_auth_method": "private_key_jwt"}},
            "settings": {"oauthClient": {"jwks": {"keys": keys}}},
        });
        App {
            id: "0oaSVC".into(),
            seq: 1,
            status: Status::Active,
            created: 0,
            last_updated: 0,
            body: body.as_object().unwrap().clone(),
            secrets: vec![],
            groups: vec![],
            access_policy: None,
        }
    }

    fn claims(now: i64) -> Value {
        json!({"iss": "0oaSVC", "sub": "0oaSVC", "aud": AUD, "iat": now, "exp": now + 300, "jti": "j1"})
    }

    #[test]
    fn each_failure_has_its_description() {
        let (rsa, ec) = (TestKey::rsa(), TestKey::ec());
        let a = app(vec![rsa.public_jwk("r1"), ec.public_jwk("e1")]);
        let mut org = Org::seed(None);
        let now = 1000;
        let sign = |k: &TestKey, kid: Option<&str>, c: Value| {
            let mut h = json!({"alg": k.alg()});
            if let Some(kid) = kid {
                h["kid"] = json!(kid);
            }
            k.sign(&h, &c)
        };
        let err = |jwt: &str, org: &Org| verify(org, &a, jwt, AUD, now).unwrap_err().description;
        assert!(verify(&org, &a, &sign(&rsa, Some("r1"), claims(now)), AUD, now).is_ok());
        assert!(verify(&org, &a, &sign(&ec, Some("e1"), claims(now)), AUD, now).is_ok());
        assert_eq!(err(&sign(&rsa, None, claims(now)), &org), BAD_KID);
        assert_eq!(err(&sign(&rsa, Some("nope"), claims(now)), &org), BAD_KID);
        assert_eq!(
            err(&sign(&rsa, Some("e1"), claims(now)), &org),
            BAD_SIGNATURE
        );
        assert_eq!(
            err(&sign(&TestKey::rsa(), Some("r1"), claims(now)), &org),
            BAD_SIGNATURE
        );
        let mut c = claims(now);
        c["aud"] = json!("http://h/oauth2/default/v1/token");
        assert_eq!(err(&sign(&rsa, Some("r1"), c), &org), BAD_AUDIENCE);
        let mut c = claims(now);
        c["sub"] = json!("someone");
        assert_eq!(err(&sign(&rsa, Some("r1"), c), &org), BAD_ISSUER);
        let mut c = claims(now);
        c["exp"] = json!(now);
        assert_eq!(err(&sign(&rsa, Some("r1"), c), &org), EXPIRED);
        let mut c = claims(now);
        c["exp"] = json!(now + MAX_LIFETIME_SECS + 1);
        assert_eq!(err(&sign(&rsa, Some("r1"), c), &org), TOO_LONG);
        assert_eq!(err("not.a.jwt", &org), MALFORMED);

        // A used jti is refused until the assertion expires.
        let jwt = sign(&rsa, Some("r1"), claims(now));
        let v = verify(&org, &a, &jwt, AUD, now).unwrap();
        record(&mut org, "0oaSVC", &v, now).unwrap();
        assert_eq!(err(&jwt, &org), REPLAYED);
        assert_eq!(
            record(&mut org, "0oaSVC", &v, now).unwrap_err().description,
            REPLAYED
        );
        // Without a jti an assertion can be reused (Okta only enforces jti when present).
        let mut c = claims(now);
        c.as_object_mut().unwrap().remove("jti");
        let jwt = sign(&ec, Some("e1"), c);
        let v = verify(&org, &a, &jwt, AUD, now).unwrap();
        record(&mut org, "0oaSVC", &v, now).unwrap();
        assert!(verify(&org, &a, &jwt, AUD, now).is_ok());
        assert_eq!(claimed_client(&jwt).as_deref(), Some("0oaSVC"));
    }

    #[test]
    fn a_single_key_needs_no_kid() {
        let k = TestKey::ec();
        let a = app(vec![k.public_jwk("only")]);
        let org = Org::seed(None);
        let jwt = k.sign(&json!({"alg": "ES256"}), &claims(5));
        assert!(verify(&org, &a, &jwt, AUD, 5).is_ok());
    }
}
