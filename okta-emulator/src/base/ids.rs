//! Identifier and credential generators shaped like Okta's.
//!
//! Okta ids are 20 characters: a 3-character type prefix (`0oa` apps, `00g` groups, `00u` users,
//! `00T` API tokens, `ocs` client secrets …) followed by 17 alphanumerics. Clients only rely on
//! the prefix and length, so random alphanumerics are enough.

use rand::Rng;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Length of every Okta object id.
pub const ID_LEN: usize = 20;

fn random_from(charset: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(charset[rng.random_range(0..charset.len())]))
        .collect()
}

/// A new object id: `prefix` + alphanumerics, 20 characters in total.
pub fn object_id(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        random_from(ALNUM, ID_LEN.saturating_sub(prefix.len()))
    )
}

/// A generated OAuth client secret: 64 characters of `[A-Za-z0-9_-]`, like Okta's.
pub fn client_secret() -> String {
    random_from(URL_SAFE, 64)
}

/// A new SSWS API token value (`00` + 40 URL-safe characters, the shape Okta hands out).
pub fn api_token_value() -> String {
    format!("00{}", random_from(URL_SAFE, 40))
}

/// `errorId` of an error body: `oae` + 22 characters.
pub fn error_id() -> String {
    format!("oae{}", random_from(URL_SAFE, 22))
}

/// `secret_hash` of a client secret object (22 base64url characters).
pub fn secret_hash() -> String {
    random_from(URL_SAFE, 22)
}

/// Key id of the org's signing key (`credentials.signing.kid`), 43 base64url characters.
pub fn signing_kid() -> String {
    random_from(URL_SAFE, 43)
}

/// Value of the `X-Okta-Request-Id` response header.
pub fn request_id() -> String {
    random_from(URL_SAFE, 27)
}

/// A random opaque value of `len` base64url characters (codes, refresh tokens, session ids).
pub fn opaque(len: usize) -> String {
    use rand::Rng;
    const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(URL_SAFE[rng.random_range(0..URL_SAFE.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_length() {
        let id = object_id("0oa");
        assert_eq!(id.len(), ID_LEN);
        assert!(id.starts_with("0oa"));
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(object_id("0oa"), object_id("0oa"));
    }

    #[test]
    fn secrets_and_tokens_have_okta_shapes() {
        let s = client_secret();
        assert_eq!(s.len(), 64);
        assert!(s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        let t = api_token_value();
        assert_eq!(t.len(), 42);
        assert!(t.starts_with("00"));
        assert_eq!(error_id().len(), 25);
        assert_eq!(secret_hash().len(), 22);
        assert_eq!(signing_kid().len(), 43);
    }
}
