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
    let url = Url::parse(raw).map_err(|e| {
        format!("\"{raw}\" is not an absolute URL ({e}); expected for example https://example.com.")
    })?;
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

/// An Okta app id as the client accepts it in a URL path (`0oa...`: letters, digits, `-_.~`).
pub fn app_id(raw: &str) -> Result<(), String> {
    let ok = !raw.is_empty()
        && raw != "."
        && raw != ".."
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{raw}\" is not an Okta app ID; app IDs look like 0oa1b2c3d4e5f6g7h8i9 (the `id` of an oktaidp_oidc_app, or the ID in the app's Admin Console URL)."
        ))
    }
}

/// An API token id as the client accepts it in a URL path (`00T...`).
pub fn token_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.chars().any(|c| c.is_whitespace() || "/?#%".contains(c)) {
        return Err(
            "A token id looks like 00T1gtr35t8ZbfBfV1d7: not empty, no whitespace or /?#%.".into(),
        );
    }
    Ok(())
}

/// An Okta group ID (`00g` and 17 letters or digits).
pub fn group_id(id: &str) -> Result<(), String> {
    // A group's name is the usual mistake.
    let is_id =
        id.len() == 20 && id.starts_with("00g") && id.chars().all(|c| c.is_ascii_alphanumeric());
    if is_id {
        return Ok(());
    }
    Err(format!(
        "\"{id}\" is not an Okta group ID (they look like 00g1a2b3c4d5e6f7g8h9). To allow a group by its name, \
         look its ID up with the oktaidp_group data source (data \"oktaidp_group\" \"allowed\" {{ name = \"...\" }}) \
         and use data.oktaidp_group.allowed.id."
    ))
}

/// An authorization server ID: `default` or an `aus…` id (letters, digits, `-`, `_`).
pub fn authorization_server_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err("An authorization server ID is letters, digits, '-' and '_' (for example `default` or `aus1a2b3c4d5e6f7g8h9`).".into())
    }
}

/// A groups-claim regular expression. Okta evaluates Java regular expressions; look-around and
/// back-references, which Java has and Rust's parser refuses, are accepted as they are.
pub fn group_regex(pattern: &str) -> Result<(), String> {
    use regex_syntax::ast::{parse::Parser, ErrorKind};
    match Parser::new().parse(pattern) {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::UnsupportedLookAround | ErrorKind::UnsupportedBackreference
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(format!(
            "The filter is not a valid regular expression: {}.",
            e.kind()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_ids_fit_in_a_url_path() {
        assert_eq!(token_id("00T1gtr35t8ZbfBfV1d7"), Ok(()));
        for bad in ["", "00T 1", "00T1/x", "00T?", "00T#", "00T%2F", "00T\n"] {
            assert!(token_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn group_regexes() {
        assert!(group_regex(".*").is_ok());
        assert!(group_regex("^eng-(a|b)$").is_ok());
        // Java-only constructs are left to Okta.
        assert!(group_regex("(?=eng).*").is_ok());
        assert!(group_regex("(a)\\1").is_ok());
        let e = group_regex("eng-(").unwrap_err();
        assert!(
            e.starts_with("The filter is not a valid regular expression"),
            "{e}"
        );
        assert!(group_regex("[z-a]").is_err());
    }

    #[test]
    fn authorization_server_ids() {
        assert!(authorization_server_id("default").is_ok());
        assert!(authorization_server_id("aus1a2b3c4d5e6f7g8h9").is_ok());
        assert!(authorization_server_id("").is_err());
        assert!(authorization_server_id("aus/1").is_err());
    }

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
            (
                "https://auth.example.com/?x=1",
                HttpRule::HttpsOnly,
                "query",
            ),
            (
                "https://auth.example.com/#top",
                HttpRule::HttpsOnly,
                "fragment",
            ),
            (
                "https://u:p@auth.example.com",
                HttpRule::HttpsOnly,
                "credentials",
            ),
            (
                " https://auth.example.com",
                HttpRule::HttpsOnly,
                "whitespace",
            ),
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

/// An OIDC redirect URI as Okta accepts it: absolute, https (http only for loopback hosts),
/// no fragment, and a `*` only as the whole lowest-level label when wildcards are enabled.
pub fn redirect_uri(raw: &str, wildcard_allowed: bool) -> Result<(), String> {
    if raw.is_empty() || raw.chars().any(char::is_whitespace) {
        return Err("A redirect URI must not be empty or contain whitespace.".into());
    }
    if raw.contains('#') {
        return Err(format!(
            "\"{raw}\" contains a fragment (#...); Okta rejects redirect URIs with fragments."
        ));
    }
    let has_wildcard = raw.contains('*');
    // `url` cannot parse a `*` label; check the wildcard shape first, then parse a stand-in.
    let candidate = if has_wildcard {
        if !wildcard_allowed {
            return Err(format!(
                "\"{raw}\" contains a wildcard; set wildcard_redirect = \"SUBDOMAIN\" to allow wildcard redirect URIs."
            ));
        }
        let rest = raw
            .strip_prefix("https://*.")
            .ok_or_else(|| format!("\"{raw}\": a wildcard must be the whole first label of an https host, as in https://*.example.com/callback."))?;
        let host = rest.split(['/', ':', '?']).next().unwrap_or_default();
        if rest.contains('*') || host.split('.').filter(|l| !l.is_empty()).count() < 2 {
            return Err(format!(
                "\"{raw}\": a wildcard needs at least one domain label between it and the top-level domain (https://*.example.com), and only one '*'."
            ));
        }
        format!("https://wildcard.{rest}")
    } else {
        raw.to_string()
    };
    let url =
        Url::parse(&candidate).map_err(|e| format!("\"{raw}\" is not an absolute URL ({e})."))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_host(&url) => Ok(()),
        "http" => Err(format!("\"{raw}\" uses http; Okta web apps need https redirect URIs (http only for localhost/127.0.0.1).")),
        // Custom schemes are for native apps; this provider manages web apps.
        other => Err(format!("\"{raw}\" uses the scheme {other}; a web app's redirect URIs must be https.")),
    }
}

#[cfg(test)]
mod redirect_tests {
    use super::redirect_uri;

    #[test]
    fn redirect_uri_rules() {
        assert!(redirect_uri("https://auth.example.com/oauth2/callback", false).is_ok());
        assert!(redirect_uri("http://localhost:8080/cb", false).is_ok());
        assert!(redirect_uri("https://*.example.com/cb", true).is_ok());
        for (raw, wildcard, expect) in [
            ("https://auth.example.com/cb#x", false, "fragment"),
            ("http://auth.example.com/cb", false, "https"),
            ("https://*.example.com/cb", false, "wildcard_redirect"),
            ("https://a.*.example.com/cb", true, "first label"),
            ("https://*.com/cb", true, "at least one"),
            ("http://*.example.com/cb", true, "first label"),
            ("relative/path", false, "absolute"),
            ("myapp://cb", false, "scheme"),
        ] {
            let err = redirect_uri(raw, wildcard).expect_err(raw);
            assert!(err.contains(expect), "{raw}: {err}");
        }
    }
}
