//! Checks on user input shared by the provider's resources and data sources. Messages never
//! echo credential values.

use url::Url;

/// Whether `host` is this machine (http is tolerated there, e.g. for okta-emulator).
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpRule {
    /// https only.
    HttpsOnly,
    /// https, or http to a loopback host.
    HttpsOrLoopback,
}

/// Parses an absolute http(s) URL with a host and no query, fragment or credentials.
/// The error is a sentence for the diagnostic detail.
pub fn absolute_url(raw: &str, rule: HttpRule) -> Result<Url, String> {
    if raw.trim() != raw || raw.is_empty() {
        return Err("The URL must not be empty or have surrounding whitespace.".into());
    }
    let url = Url::parse(raw).map_err(|e| format!("\"{raw}\" is not an absolute URL ({e}); expected for example https://example.com."))?;
    match (url.scheme(), rule) {
        ("https", _) => {}
        ("http", HttpRule::HttpsOrLoopback) if is_loopback_host(&url) => {}
        ("http", HttpRule::HttpsOrLoopback) => {
            return Err(format!(
                "\"{raw}\" uses http; only https is allowed (http is accepted for loopback hosts such as 127.0.0.1, for okta-emulator)."
            ))
        }
        (scheme, _) => return Err(format!("\"{raw}\" uses {scheme}; it must be an https URL.")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("\"{raw}\" has no host."));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("The URL must not contain credentials.".into());
    }
    if url.query().is_some() {
        return Err(format!("\"{raw}\" has a query string (?...); remove it."));
    }
    if url.fragment().is_some() {
        return Err(format!("\"{raw}\" has a fragment (#...); remove it."));
    }
    Ok(url)
}

/// The URL as text without a trailing slash, so that paths can be appended.
pub fn without_trailing_slash(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_string()
}

/// A credential (token, client id or secret): non-empty, no whitespace anywhere.
pub fn credential(what: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("{what} must not be empty."));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(format!(
            "{what} contains whitespace (often a newline copied along with it); remove it."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_and_loopback_http() {
        assert!(absolute_url("https://auth.example.com", HttpRule::HttpsOnly).is_ok());
        assert!(absolute_url("https://auth.example.com/base/", HttpRule::HttpsOnly).is_ok());
        assert!(absolute_url("http://127.0.0.1:8089", HttpRule::HttpsOrLoopback).is_ok());
        assert!(absolute_url("http://localhost:8089", HttpRule::HttpsOrLoopback).is_ok());
        assert!(absolute_url("http://[::1]:8089", HttpRule::HttpsOrLoopback).is_ok());
    }

    #[test]
    fn rejects_bad_urls_with_reasons() {
        let cases = [
            ("http://auth.example.com", HttpRule::HttpsOnly, "https"),
            ("http://127.0.0.1", HttpRule::HttpsOnly, "https"),
            ("http://example.com", HttpRule::HttpsOrLoopback, "loopback"),
            ("auth.example.com", HttpRule::HttpsOnly, "absolute"),
            ("https://auth.example.com/?x=1", HttpRule::HttpsOnly, "query"),
            ("https://auth.example.com/#top", HttpRule::HttpsOnly, "fragment"),
            ("https://u:p@auth.example.com", HttpRule::HttpsOnly, "credentials"),
            (" https://auth.example.com", HttpRule::HttpsOnly, "whitespace"),
            ("ftp://auth.example.com", HttpRule::HttpsOnly, "ftp"),
        ];
        for (raw, rule, expect) in cases {
            let err = absolute_url(raw, rule).expect_err(raw);
            assert!(err.contains(expect), "{raw}: {err}");
        }
    }

    #[test]
    fn credentials_reject_whitespace_without_echoing() {
        assert!(credential("api_token", "00abc").is_ok());
        let err = credential("api_token", "00abc\n").expect_err("newline");
        assert!(!err.contains("00abc"));
        assert!(credential("api_token", "").is_err());
    }

    #[test]
    fn trailing_slash_is_dropped() {
        let url = absolute_url("https://dev-1.okta.com/", HttpRule::HttpsOnly).expect("url");
        assert_eq!(without_trailing_slash(&url), "https://dev-1.okta.com");
    }
}
