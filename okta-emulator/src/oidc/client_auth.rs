//! Client authentication of `/token`, `/revoke` and `/introspect`: `client_secret_basic`
//! (ids and secrets percent-decoded, as golang/oauth2 query-escapes them), `client_secret_post`,
//! public clients (`none`) by `client_id` alone, and `private_key_jwt` (a JWT client assertion,
//! see `client_assertion.rs`). Any ACTIVE secret of the app is accepted, never an INACTIVE one. Failures are Okta's 401s; nothing here consumes a grant, so a client
//! that retries with other credentials (Pomerium does) still finds its code.

use axum::http::{header, HeaderMap};
use base64::{engine::general_purpose::STANDARD, Engine};

use crate::{
    base::clock,
    pipeline::shared::Shared,
    store::{App, Org, Status},
};
use crate::{oidc::client_assertion, oidc::errors::OAuthError};

pub const NO_CREDENTIALS: &str = "No client credentials found.";
pub const AUTH_FAILED: &str =
    "Client authentication failed. Either the client or the client credentials are invalid.";
pub const BAD_SECRET: &str = "The client secret supplied for a confidential client is invalid.";
pub const BAD_HEADER: &str = "Found Authentication header but was not valid client credentials.";
pub const MULTIPLE: &str = "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.";

/// The credentials a request presented.
#[derive(PartialEq, Eq)]
pub struct Credentials {
    pub client_id: String,
    pub secret: Option<String>,
    /// A `jwt-bearer` client assertion.
    pub assertion: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .field("assertion", &self.assertion.as_ref().map(|_| "…"))
            .finish()
    }
}

/// First value of `key` in a decoded form.
pub fn field<'a>(form: &'a [(String, String)], key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn percent_decode(s: &str) -> Option<String> {
    // Form decoding turns '+' into a space, which query-escaping also produces for spaces.
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn basic(value: &str) -> Result<Credentials, OAuthError> {
    let bad = || OAuthError::invalid_client(BAD_HEADER);
    let (scheme, rest) = value.trim().split_once(' ').ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(bad());
    }
    let decoded = STANDARD.decode(rest.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let id = percent_decode(id).ok_or_else(bad)?;
    let secret = percent_decode(secret).ok_or_else(bad)?;
    if id.is_empty() {
        return Err(bad());
    }
    Ok(Credentials {
        client_id: id,
        secret: Some(secret),
        assertion: None,
    })
}

/// Reads the credentials of a request without judging them.
pub fn parse(headers: &HeaderMap, form: &[(String, String)]) -> Result<Credentials, OAuthError> {
    let header = headers
        .get(header::AUTHORIZATION)
        .map(|h| h.to_str().unwrap_or(""));
    let body_secret = field(form, "client_secret");
    let assertion = field(form, "client_assertion");
    let body_id = field(form, "client_id").filter(|s| !s.is_empty());
    if let Some(h) = header {
        if body_secret.is_some() || assertion.is_some() {
            return Err(OAuthError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "invalid_request",
                MULTIPLE,
            ));
        }
        let creds = basic(h)?;
        // A bare client_id next to Basic is fine when it names the same client.
        if body_id.is_some_and(|b| b != creds.client_id) {
            return Err(OAuthError::invalid_client(AUTH_FAILED));
        }
        return Ok(creds);
    }
    if let Some(assertion) = assertion {
        if body_secret.is_some() {
            return Err(OAuthError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "invalid_request",
                MULTIPLE,
            ));
        }
        if field(form, "client_assertion_type") != Some(client_assertion::JWT_BEARER) {
            return Err(OAuthError::invalid_client(client_assertion::BAD_TYPE));
        }
        let client_id = body_id
            .map(str::to_string)
            .or_else(|| client_assertion::claimed_client(assertion))
            .ok_or_else(|| OAuthError::invalid_client(client_assertion::MALFORMED))?;
        return Ok(Credentials {
            client_id,
            secret: None,
            assertion: Some(assertion.to_string()),
        });
    }
    match body_id {
        Some(id) => Ok(Credentials {
            client_id: id.to_string(),
            secret: body_secret.map(str::to_string),
            assertion: None,
        }),
        None => Err(OAuthError::invalid_client(NO_CREDENTIALS)),
    }
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Authenticates the client of a request to `endpoint` (the URL a client assertion must name
/// as its audience) and returns its app. A client assertion's `jti` is used up here.
pub fn authenticate_request(
    s: &Shared,
    creds: &Credentials,
    endpoint: &str,
) -> Result<App, OAuthError> {
    let now = clock::now();
    let (app, verified) = s.read(|org| {
        let app = authenticate(org, creds)?;
        let verified = match (&creds.assertion, app.auth_method()) {
            (Some(a), "private_key_jwt") => {
                Some(client_assertion::verify(org, app, a, endpoint, now)?)
            }
            _ => None,
        };
        Ok::<_, OAuthError>((app.clone(), verified))
    })?;
    if let Some(v) = verified {
        s.write(|org| Ok(client_assertion::record(org, app.client_id(), &v, now)))
            .map_err(|_| OAuthError::server_error())??;
    }
    Ok(app)
}

/// Checks the credentials against the org and returns the (ACTIVE) app. A client assertion is
/// only matched to its app here; `authenticate_request` verifies it.
pub fn authenticate<'a>(org: &'a Org, creds: &Credentials) -> Result<&'a App, OAuthError> {
    let app = org
        .apps
        .iter()
        .find(|a| a.client_id() == creds.client_id && a.status == Status::Active)
        .ok_or_else(|| OAuthError::invalid_client(AUTH_FAILED))?;
    if creds.assertion.is_some() {
        return if app.auth_method() == "private_key_jwt" {
            Ok(app)
        } else {
            Err(OAuthError::invalid_client(AUTH_FAILED))
        };
    }
    match app.auth_method() {
        "none" => Ok(app),
        "client_secret_basic" | "client_secret_post" => {
            let secret = creds
                .secret
                .as_deref()
                .ok_or_else(|| OAuthError::invalid_client(AUTH_FAILED))?;
            if app
                .secrets
                .iter()
                .any(|s| s.status == Status::Active && same(&s.secret, secret))
            {
                Ok(app)
            } else {
                Err(OAuthError::invalid_client(BAD_SECRET))
            }
        }
        // private_key_jwt / client_secret_jwt clients must send an assertion.
        _ => Err(OAuthError::invalid_client(AUTH_FAILED)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn basic_header(raw: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(raw))).unwrap(),
        );
        h
    }

    #[test]
    fn basic_credentials_are_percent_decoded() {
        let c = parse(&basic_header("0oa1:a%2Bb%3Ac+d"), &[]).unwrap();
        assert_eq!(c.client_id, "0oa1");
        assert_eq!(c.secret.as_deref(), Some("a+b:c d"));
        // A bare matching client_id in the body is fine.
        assert!(parse(&basic_header("0oa1:s"), &form(&[("client_id", "0oa1")])).is_ok());
        assert_eq!(
            parse(&basic_header("0oa1:s"), &form(&[("client_id", "0oa2")]))
                .unwrap_err()
                .description,
            AUTH_FAILED
        );
    }

    #[test]
    fn malformed_and_multiple_credentials() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        let e = parse(&h, &[]).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.description.as_str()),
            (401, BAD_HEADER)
        );
        assert_eq!(
            parse(&basic_header("nocolon"), &[])
                .unwrap_err()
                .description,
            BAD_HEADER
        );
        let e = parse(&basic_header("a:b"), &form(&[("client_secret", "b")])).unwrap_err();
        assert_eq!((e.status.as_u16(), e.error), (401, "invalid_request"));
        assert_eq!(e.description, MULTIPLE);
        let e = parse(&HeaderMap::new(), &[]).unwrap_err();
        assert_eq!(e.description, NO_CREDENTIALS);
        let c = parse(
            &HeaderMap::new(),
            &form(&[("client_id", "0oa1"), ("client_secret", "Sekrit-123")]),
        )
        .unwrap();
        assert_eq!(c.secret.as_deref(), Some("Sekrit-123"));
        assert!(!format!("{c:?}").contains("Sekrit"));
    }

    #[test]
    fn client_assertions_name_their_client() {
        let jwt = format!(
            "{}.{}.sig",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"iss":"0oaSVC"}"#)
        );
        let typed = [
            ("client_assertion_type", client_assertion::JWT_BEARER),
            ("client_assertion", jwt.as_str()),
        ];
        let c = parse(&HeaderMap::new(), &form(&typed)).unwrap();
        assert_eq!(c.client_id, "0oaSVC");
        assert!(c.secret.is_none() && c.assertion.is_some());
        assert!(!format!("{c:?}").contains(&jwt));
        // A body client_id wins; the assertion's iss is checked later against it.
        let mut with_id = typed.to_vec();
        with_id.push(("client_id", "0oaOTHER"));
        assert_eq!(
            parse(&HeaderMap::new(), &form(&with_id)).unwrap().client_id,
            "0oaOTHER"
        );
        let e = parse(
            &HeaderMap::new(),
            &form(&[("client_assertion", jwt.as_str())]),
        )
        .unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.description.as_str()),
            (401, client_assertion::BAD_TYPE)
        );
        let mut both = typed.to_vec();
        both.push(("client_secret", "s"));
        assert_eq!(
            parse(&HeaderMap::new(), &form(&both)).unwrap_err().error,
            "invalid_request"
        );
        // An assertion for an app that does not use private_key_jwt is refused.
        let mut org = Org::seed(None);
        let mut app = crate::store::App {
            id: "0oaSVC".into(),
            seq: 1,
            status: Status::Active,
            created: 0,
            last_updated: 0,
            body: serde_json::Map::new(),
            secrets: vec![],
            groups: vec![],
            access_policy: None,
        };
        org.apps.push(app.clone());
        assert_eq!(authenticate(&org, &c).unwrap_err().description, AUTH_FAILED);
        app.body = serde_json::json!({"credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}}})
            .as_object()
            .unwrap()
            .clone();
        org.apps[0] = app;
        assert!(authenticate(&org, &c).is_ok());
        // …and such an app can't authenticate without one.
        let plain = Credentials {
            client_id: "0oaSVC".into(),
            secret: Some("x".into()),
            assertion: None,
        };
        assert_eq!(
            authenticate(&org, &plain).unwrap_err().description,
            AUTH_FAILED
        );
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
