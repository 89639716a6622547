//! OAuth 2.0 for Okta APIs: the provider signs in as a service app with `client_credentials`
//! and a `private_key_jwt` client assertion, and sends `Bearer` (or DPoP-bound `DPoP`) access
//! tokens instead of an SSWS API token.
//!
//! - [`key`]: the configured private key (PEM) and the JWS signatures made with it.
//! - [`assertion`]: the client assertion.
//! - [`dpop`]: DPoP proofs and the server nonce.
//! - [`token_cache`]: one access token per process, fetched once for all concurrent waiters and
//!   renewed shortly before it expires.
//! - [`challenge`]: the `WWW-Authenticate` header of 401/403 answers (`insufficient_scope`).
//!
//! No value of a secret (key, assertion, token, proof) is logged or put into an error text.

mod assertion;
pub mod challenge;
pub mod dpop;
pub mod key;
pub mod token_cache;

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub use assertion::{client_assertion, ASSERTION_LIFETIME_SECS};
pub use challenge::Challenge;
pub use key::{KeyError, SigningKey};
pub use token_cache::{AccessToken, TokenSource};

/// The scopes requested when none are configured: what every resource and data source of this
/// provider needs, so any configuration works once they are granted. Each resource's page says
/// which of them it uses.
pub const DEFAULT_SCOPES: &[&str] = &[
    "okta.apps.manage",
    "okta.groups.read",
    "okta.apiTokens.manage",
    "okta.authorizationServers.manage",
];

/// The path of the org authorization server's token endpoint.
pub const TOKEN_PATH: &str = "oauth2/v1/token";

/// Who the provider signs in as.
#[derive(Clone)]
pub struct OAuthSettings {
    /// The service app's client ID.
    pub client_id: String,
    pub key: Arc<SigningKey>,
    /// The `kid` of the app's public key; sent in the assertion header when set.
    pub key_id: Option<String>,
    pub scopes: Vec<String>,
}

impl fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("client_id", &self.client_id)
            .field("key", &self.key)
            .field("key_id", &self.key_id)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// The token endpoint refused to issue a token. Texts carry Okta's `error` and
/// `error_description` (which never echo the assertion), never the assertion or key.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error(
        "Okta did not accept the service app's credentials (invalid_client: {description}). \
         Check that client_id ({client_id}) is the client ID of an API Services app that uses \
         public key / private key client authentication, that private_key is the private half of \
         a public key registered on that app, and that private_key_id is that key's KID"
    )]
    InvalidClient {
        client_id: String,
        description: String,
    },
    #[error(
        "Okta refused the requested scopes ({scopes}) (invalid_scope: {description}). Grant each \
         of them to the service app (Admin Console: Applications > the app > Okta API Scopes > \
         Grant), or set scopes in the provider block to the scopes it was granted"
    )]
    InvalidScope { scopes: String, description: String },
    #[error("Okta's token endpoint answered HTTP {status} ({error}: {description})")]
    Refused {
        status: u16,
        error: String,
        description: String,
    },
    #[error("Okta's token endpoint answered without a usable access token: {0}")]
    Malformed(String),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// 128 random bits, base64url: `jti` values.
pub(crate) fn random_id() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>())
}

/// Splits `OKTA_API_SCOPES`-style text (commas and/or whitespace) into scopes.
pub fn parse_scopes(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_from_env_text() {
        assert_eq!(
            parse_scopes(" okta.apps.manage,okta.groups.read  okta.users.read ,"),
            vec!["okta.apps.manage", "okta.groups.read", "okta.users.read"]
        );
        assert!(parse_scopes(" , ").is_empty());
    }

    #[test]
    fn ids_are_unique_and_url_safe() {
        let (a, b) = (random_id(), random_id());
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
