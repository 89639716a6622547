//! The `WWW-Authenticate` challenge of a 401/403 from Okta's resource server, e.g.
//! `Bearer realm="...", scope="okta.groups.read", error="insufficient_scope", ...` (or the same
//! with the `DPoP` scheme).

use std::collections::BTreeMap;

use http::HeaderMap;

/// The scheme and auth-params of one challenge.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    /// The first challenge of the response, if it sent one.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(Self::parse)
            .find(|c| !c.scheme.is_empty())
    }

    pub fn error(&self) -> Option<&str> {
        self.params.get("error").map(String::as_str)
    }

    /// The scope Okta says is missing (`insufficient_scope` only).
    pub fn missing_scope(&self) -> Option<&str> {
        (self.error() == Some("insufficient_scope"))
            .then(|| self.params.get("scope").map(String::as_str))
            .flatten()
            .filter(|s| !s.is_empty())
    }

    /// Parses `scheme k1="v1", k2=token, ...` (quoted values may hold commas and `\"`).
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let (scheme, mut rest) = match text.find(char::is_whitespace) {
            Some(i) => (&text[..i], text[i..].trim_start()),
            None => (text, ""),
        };
        let mut params = BTreeMap::new();
        while let Some(eq) = rest.find('=') {
            let name = rest[..eq]
                .trim()
                .trim_start_matches(',')
                .trim()
                .to_ascii_lowercase();
            rest = rest[eq + 1..].trim_start();
            let mut value = String::new();
            if let Some(quoted) = rest.strip_prefix('"') {
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                value.push(n);
                            }
                        }
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                rest = &quoted[end.min(quoted.len())..];
            } else {
                let end = rest.find(',').unwrap_or(rest.len());
                value = rest[..end].trim().to_owned();
                rest = &rest[end..];
            }
            rest = rest.trim_start().trim_start_matches(',').trim_start();
            if !name.is_empty() {
                params.insert(name, value);
            }
        }
        Self {
            scheme: scheme.to_owned(),
            params,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn okta_insufficient_scope_header() {
        let c = Challenge::parse(
            r#"Bearer authorization_uri="http://acme.okta.com/oauth2/v1/authorize", realm="http://acme.okta.com", scope="okta.groups.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/groups/12345""#,
        );
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.missing_scope(), Some("okta.groups.read"));
        assert_eq!(c.params["resource"], "/api/v1/groups/12345");
        assert_eq!(
            c.params["error_description"],
            "The access token provided does not contain the required scopes."
        );
        let d = Challenge::parse(
            r#"DPoP algs="RS256 RS384 RS512 ES256 ES384 ES512", error="insufficient_scope",scope="okta.apps.manage""#,
        );
        assert_eq!(d.scheme, "DPoP");
        assert_eq!(d.params["algs"], "RS256 RS384 RS512 ES256 ES384 ES512");
        assert_eq!(d.missing_scope(), Some("okta.apps.manage"));
    }

    #[test]
    fn other_challenges() {
        let c = Challenge::parse(
            r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#,
        );
        assert_eq!(c.error(), Some("use_dpop_nonce"));
        assert_eq!(c.missing_scope(), None);
        let t = Challenge::parse(
            r#"Bearer error=invalid_token, error_description="a \"quoted\", text""#,
        );
        assert_eq!(t.error(), Some("invalid_token"));
        assert_eq!(t.params["error_description"], "a \"quoted\", text");
        assert_eq!(Challenge::parse("Bearer").params.len(), 0);
    }
}
