//! Pomerium setting values shared by the `oktaidp_pomerium_idp` data source and ephemeral
//! resource and the provider functions, so that each is computed and checked in one place.

use base64::Engine;

use super::validate::{self, HttpRule};

/// Pomerium's authenticate callback path (`/oauth2/callback`), appended to the authenticate URL.
pub const CALLBACK_PATH: &str = "/oauth2/callback";

/// The authenticate service URL checked (absolute https, no query, fragment or credentials) and
/// without a trailing slash. The error is a sentence for the diagnostic detail.
pub fn authenticate_url(raw: &str) -> Result<String, String> {
    validate::absolute_url(raw, HttpRule::HttpsOnly).map(|u| validate::without_trailing_slash(&u))
}

/// `<authenticate_service_url>/oauth2/callback`: the redirect URI the Okta app must allow.
pub fn callback_url(authenticate_service_url: &str) -> Result<String, String> {
    authenticate_url(authenticate_service_url).map(|u| format!("{u}{CALLBACK_PATH}"))
}

/// Standard base64 (with padding) of `{"api_key":"<token>"}`, the form Pomerium 0.10+ decodes.
pub fn service_account(token: &str) -> String {
    let json = serde_json::json!({ "api_key": token }).to_string();
    base64::engine::general_purpose::STANDARD.encode(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_url_appends_the_path_once() {
        assert_eq!(
            callback_url("https://auth.example.com/").as_deref(),
            Ok("https://auth.example.com/oauth2/callback")
        );
        assert_eq!(
            callback_url("https://auth.example.com/base").as_deref(),
            Ok("https://auth.example.com/base/oauth2/callback")
        );
        for bad in [
            "http://auth.example.com",
            "https://auth.example.com/?a=1",
            "https://auth.example.com/#x",
            "auth.example.com",
        ] {
            assert!(callback_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn service_account_is_padded_base64_of_compact_json() {
        assert_eq!(service_account("x"), "eyJhcGlfa2V5IjoieCJ9");
        assert_eq!(service_account("xy"), "eyJhcGlfa2V5IjoieHkifQ==");
    }
}
