//! Pomerium setting values shared by the `oktaidp_pomerium_idp` data source and ephemeral
//! resource and the provider functions, so that each is computed and checked in one place.
//! What differs between Pomerium versions is decided here too (`PomeriumVersion`), from the
//! sources of Pomerium 0.19.1 and 0.32.0 (and the tags between them for the sign-out change).

use base64::Engine;

use crate::provider::validate::{self, HttpRule};

/// Pomerium's authenticate callback path (`/oauth2/callback`), appended to the authenticate URL.
pub const CALLBACK_PATH: &str = "/oauth2/callback";
/// The page Pomerium 0.25 and later send users back to after Okta's `/logout`.
pub const SIGNED_OUT_PATH: &str = "/.pomerium/signed_out";

/// The authenticate service URL checked (absolute https, no query, fragment, credentials or
/// path) and without a trailing slash. Pomerium builds its callback and signed-out URLs by
/// replacing the path of this URL (0.19.1 and 0.32.0 alike), so a path would never be seen by
/// Okta: refusing it keeps the rendered callback equal to the one Pomerium sends. The error is
/// a sentence for the diagnostic detail.
pub fn authenticate_url(raw: &str) -> Result<String, String> {
    let url = validate::absolute_url(raw, HttpRule::HttpsOnly)?;
    let path = url.path().trim_end_matches('/');
    if !path.is_empty() {
        let base = format!("{}://{}", url.scheme(), host_port(&url));
        let why = if path.ends_with(CALLBACK_PATH) {
            format!("it already ends with {CALLBACK_PATH}, which is appended to it")
        } else {
            format!(
                "it has the path {path}, and Pomerium ignores any path of this URL (it sends \
                 {base}{CALLBACK_PATH} as the sign-in redirect URI)"
            )
        };
        return Err(format!(
            "\"{raw}\" is not a base URL: {why}. Give the authenticate service's base URL, \
             {base}; {CALLBACK_PATH} is appended to make the callback URL."
        ));
    }
    Ok(validate::without_trailing_slash(&url))
}

fn host_port(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
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

/// The Pomerium release line a configuration is rendered for (`0.<minor>`; the patch level
/// changes nothing this provider renders).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PomeriumVersion {
    pub major: u32,
    pub minor: u32,
}

impl PomeriumVersion {
    /// The newest line the tests run (0.32.0); used when `pomerium_version` is unset.
    pub const NEWEST_TESTED: Self = Self {
        major: 0,
        minor: 32,
    };
    /// The first line whose `idp_service_account` takes `{"api_key": ...}` as this provider renders it.
    const OLDEST: Self = Self {
        major: 0,
        minor: 10,
    };
    /// 0.20 removed directory sync (`idp_service_account`) from the open-source core and
    /// refuses a config file that still has it.
    const WITHOUT_SERVICE_ACCOUNT: Self = Self {
        major: 0,
        minor: 20,
    };
    /// 0.25 sends `post_logout_redirect_uri=<authenticate>/.pomerium/signed_out` to the
    /// provider's end-session endpoint when no other sign-out redirect is set; earlier lines
    /// send only `signout_redirect_url` or the sign-out request's `pomerium_redirect_uri`.
    const SIGNED_OUT_PAGE: Self = Self {
        major: 0,
        minor: 25,
    };

    /// `0.32.0`, `v0.32.0`, `0.32`: two or three dot-separated numbers, an optional leading `v`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "\"{raw}\" is not a Pomerium version; write it like 0.32.0 (or v0.32.0, or the line 0.32)."
            )
        };
        let digits = raw.strip_prefix('v').unwrap_or(raw);
        let parts: Vec<&str> = digits.split('.').collect();
        if !(2..=3).contains(&parts.len())
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        let number = |p: &str| p.parse::<u32>().map_err(|_| bad());
        let version = Self {
            major: number(parts[0])?,
            minor: number(parts[1])?,
        };
        if parts.len() == 3 {
            number(parts[2])?;
        }
        if version < Self::OLDEST {
            return Err(format!(
                "Pomerium {raw} is older than 0.10, the first version that reads the settings this provider \
                 renders (its idp_service_account had another form); use 0.10 or later."
            ));
        }
        Ok(version)
    }

    /// The version to render for: the configured one, else the newest tested line.
    pub fn or_default(configured: Option<&str>) -> Self {
        configured
            .and_then(|raw| Self::parse(raw).ok())
            .unwrap_or(Self::NEWEST_TESTED)
    }

    /// Whether this version reads `idp_service_account` (Okta directory sync in the core).
    pub fn reads_service_account(self) -> bool {
        self < Self::WITHOUT_SERVICE_ACCOUNT
    }

    /// The `post_logout_redirect_uri` this version sends to Okta's `/logout` when neither
    /// `signout_redirect_url` nor the request's `pomerium_redirect_uri` is set; `None` for the
    /// lines that send nothing fixed. Like the callback, it replaces the authenticate URL's path.
    pub fn post_logout_redirect_uri(self, authenticate_url: &str) -> Option<String> {
        (self >= Self::SIGNED_OUT_PAGE).then(|| format!("{authenticate_url}{SIGNED_OUT_PATH}"))
    }
}

impl std::fmt::Display for PomeriumVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The attribute check of `pomerium_version`.
pub fn check_version(raw: &str) -> Result<(), String> {
    PomeriumVersion::parse(raw).map(drop)
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
            callback_url("https://auth.example.com:8443").as_deref(),
            Ok("https://auth.example.com:8443/oauth2/callback")
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

    /// #20 item 5: a URL that already ends with the callback path would double it.
    #[test]
    fn a_url_with_a_path_is_refused_with_its_base_url() {
        let err = callback_url("https://authn.example.com/oauth2/callback").expect_err("path");
        assert!(err.contains("already ends with /oauth2/callback"), "{err}");
        assert!(err.contains("https://authn.example.com;"), "{err}");
        let err = authenticate_url("https://authn.example.com:8443/base/").expect_err("path");
        assert!(err.contains("/base"), "{err}");
        assert!(err.contains("https://authn.example.com:8443;"), "{err}");
    }

    #[test]
    fn service_account_is_padded_base64_of_compact_json() {
        assert_eq!(service_account("x"), "eyJhcGlfa2V5IjoieCJ9");
        assert_eq!(service_account("xy"), "eyJhcGlfa2V5IjoieHkifQ==");
    }

    #[test]
    fn versions_parse_with_or_without_v_and_patch() {
        let v = |major, minor| PomeriumVersion { major, minor };
        assert_eq!(PomeriumVersion::parse("0.32.0"), Ok(v(0, 32)));
        assert_eq!(PomeriumVersion::parse("v0.19.1"), Ok(v(0, 19)));
        assert_eq!(PomeriumVersion::parse("0.19"), Ok(v(0, 19)));
        assert_eq!(PomeriumVersion::parse("1.2.3"), Ok(v(1, 2)));
        for bad in [
            "",
            "latest",
            "0",
            "0.32.0.1",
            "v",
            "0..1",
            "0.32.x",
            "0.32.0-rc1",
            " 0.32",
            "00.x",
        ] {
            let err = PomeriumVersion::parse(bad).expect_err(bad);
            assert!(err.contains("not a Pomerium version"), "{bad}: {err}");
        }
        let err = PomeriumVersion::parse("0.9.3").expect_err("old");
        assert!(err.contains("older than 0.10"), "{err}");
        assert_eq!(PomeriumVersion::or_default(None), v(0, 32));
        assert_eq!(PomeriumVersion::or_default(Some("0.19.1")), v(0, 19));
    }

    #[test]
    fn what_each_version_reads_and_sends() {
        let at = |raw| PomeriumVersion::parse(raw).expect(raw);
        assert!(at("0.10.0").reads_service_account());
        assert!(at("0.19.1").reads_service_account());
        assert!(!at("0.20.0").reads_service_account());
        assert!(!at("0.32.0").reads_service_account());
        let auth = "https://authenticate.example.com";
        assert_eq!(at("0.19.1").post_logout_redirect_uri(auth), None);
        assert_eq!(at("0.24.3").post_logout_redirect_uri(auth), None);
        assert_eq!(
            at("0.25.0").post_logout_redirect_uri(auth).as_deref(),
            Some("https://authenticate.example.com/.pomerium/signed_out")
        );
        assert_eq!(
            at("0.32").post_logout_redirect_uri(auth).as_deref(),
            Some("https://authenticate.example.com/.pomerium/signed_out")
        );
    }
}
