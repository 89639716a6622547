//! Cursor pagination: follow the `Link: <…>; rel="next"` header, never build page URLs.
//! Okta sends one `Link` header line per relation; comma-joined lists are tolerated too, and a
//! comma inside the `<…>` URL (e.g. in a search query) does not split it.

use http::header::LINK;
use http::HeaderMap;

/// The target of the `rel="next"` link, if any.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(parse_links)
        .find(|(_, rels)| rels.iter().any(|r| r.eq_ignore_ascii_case("next")))
        .map(|(url, _)| url)
}

/// Parses one header value into `(url, rel values)` pairs.
fn parse_links(value: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let url = after[..end].trim().to_owned();
        let tail = &after[end + 1..];
        // Parameters run until the next link starts.
        let params_end = tail.find('<').unwrap_or(tail.len());
        let rels = tail[..params_end]
            .split([';', ','])
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("rel")
                    .then(|| v.trim().trim_matches('"').to_owned())
            })
            .flat_map(|v| v.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .collect();
        out.push((url, rels));
        rest = &tail[params_end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(LINK, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn one_line_per_relation_as_okta_sends_it() {
        // From TestAccDataSourceOktaUser_read.
        let h = headers(&[
            r#"<https://oie-00.dne-okta.com/api/v1/users?limit=1&search=profile.lastName+eq+%22Smith%22>; rel="self""#,
            r#"<https://oie-00.dne-okta.com/api/v1/users?after=00uvo7s8abwP37lV81d7&limit=1&search=profile.lastName+eq+%22Smith%22>; rel="next""#,
        ]);
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://oie-00.dne-okta.com/api/v1/users?after=00uvo7s8abwP37lV81d7&limit=1&search=profile.lastName+eq+%22Smith%22")
        );
    }

    #[test]
    fn last_page_has_only_self() {
        let h = headers(&[r#"<https://o/api/v1/apps/x/groups?limit=20>; rel="self""#]);
        assert_eq!(next_link(&h), None);
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn comma_joined_and_commas_inside_urls() {
        let h = headers(&[
            r#"<https://o/api/v1/groups?q=a,b>; rel="self", <https://o/api/v1/groups?after=x&q=a,b>; rel=next"#,
        ]);
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://o/api/v1/groups?after=x&q=a,b")
        );
    }

    #[test]
    fn multiple_rel_values() {
        let h = headers(&[r#"<https://o/p?after=2>; rel="next last""#]);
        assert_eq!(next_link(&h).as_deref(), Some("https://o/p?after=2"));
    }
}
