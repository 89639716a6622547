//! Small HTTP helpers shared by the Okta handlers: JSON bodies, the org base URL, list
//! parameters and `Link` headers.

use axum::{
    body::Bytes,
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::Value;

use crate::base::errors::{ApiResult, OktaError};

/// A JSON response with Okta's `Content-Type`.
pub fn json(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

pub fn ok(body: &Value) -> Response {
    json(StatusCode::OK, body)
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// A list response with one `Link` header line per relation, as Okta sends them.
pub fn list(items: Vec<Value>, links: &[(String, &str)]) -> Response {
    let mut resp = ok(&Value::Array(items));
    for (url, rel) in links {
        if let Ok(v) = HeaderValue::from_str(&format!("<{url}>; rel=\"{rel}\"")) {
            resp.headers_mut().append(header::LINK, v);
        }
    }
    resp
}

/// Parses a required JSON body; anything unparsable is Okta's E0000003.
pub fn json_body(body: &Bytes) -> ApiResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(OktaError::malformed_body());
    }
    serde_json::from_slice(body).map_err(|_| OktaError::malformed_body())
}

/// Parses a JSON object body where an empty body means `{}` (group assignment PUT).
pub fn optional_object_body(body: &Bytes) -> ApiResult<serde_json::Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match json_body(body)? {
        Value::Object(m) => Ok(m),
        _ => Err(OktaError::malformed_body()),
    }
}

/// Requires the body to be a JSON object.
pub fn object_body(body: &Bytes) -> ApiResult<serde_json::Map<String, Value>> {
    match json_body(body)? {
        Value::Object(m) => Ok(m),
        _ => Err(OktaError::malformed_body()),
    }
}

/// `http://host:port` as the client addressed the emulator, used for every `href`.
#[derive(Debug, Clone)]
pub struct BaseUrl(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BaseUrl {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(BaseUrl(base_url_from(
            &parts.headers,
            parts.extensions.get(),
        )))
    }
}

/// Fallback base URL when a request has no `Host` header (HTTP/1.0).
#[derive(Debug, Clone)]
pub struct BoundBase(pub String);

fn base_url_from(headers: &HeaderMap, bound: Option<&BoundBase>) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .map(|h| format!("http://{h}"))
        .or_else(|| bound.map(|b| b.0.clone()))
        .unwrap_or_else(|| "http://127.0.0.1".to_string())
}

/// Decoded query parameters in request order.
#[derive(Debug, Clone, Default)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        Query(
            raw.map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `expand` (a comma-separated list, as Okta takes it) names `what`.
    pub fn expands(&self, what: &str) -> bool {
        self.get("expand")
            .is_some_and(|e| e.split(',').any(|x| x.trim() == what))
    }
}

/// Common list parameters: `after`, `limit`, `q`, `filter`, `search`, `expand`.
#[derive(Debug, Clone)]
pub struct ListParams {
    pub after: Option<String>,
    /// `limit` as sent, if it was sent.
    pub limit_param: Option<usize>,
    pub limit: usize,
    pub q: Option<String>,
    pub filter: Option<String>,
    /// Okta's `search` expression (users, groups), carried into the links so the next page keeps
    /// the same query.
    pub search: Option<String>,
    /// `sortBy` / `sortOrder` (groups search), likewise carried into the links.
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub expand: Option<String>,
}

impl ListParams {
    /// Reads list parameters; `limit` defaults to `default` and is clamped to `1..=max`.
    pub fn from_query(q: &Query, default: usize, max: usize) -> ApiResult<Self> {
        let limit_param =
            match q.get("limit") {
                None => None,
                Some(s) => Some(s.trim().parse::<i64>().map_err(|_| {
                    OktaError::validation("limit", "The field has an invalid value")
                })?),
            };
        let limit = match limit_param {
            None => default,
            Some(n) if n < 1 => default,
            Some(n) => usize::try_from(n).unwrap_or(max).min(max),
        };
        Ok(ListParams {
            after: q.get("after").filter(|s| !s.is_empty()).map(str::to_string),
            limit_param: limit_param.and_then(|n| usize::try_from(n).ok()),
            limit,
            q: q.get("q").map(str::to_string),
            filter: q.get("filter").map(str::to_string),
            search: q.get("search").map(str::to_string),
            sort_by: q.get("sortBy").map(str::to_string),
            sort_order: q.get("sortOrder").map(str::to_string),
            expand: q.get("expand").map(str::to_string),
        })
    }

    /// Self and (if `next` is a cursor) next links. Parameters are re-serialised in the order
    /// Okta uses (`after`, `limit`, `q`, `filter`, `search`, `sortBy`, `sortOrder`, `expand`); `echo_limit` writes the effective
    /// limit even when the client sent none (Okta does so for app group assignments).
    pub fn links(
        &self,
        base: &str,
        path: &str,
        next: Option<String>,
        echo_limit: bool,
    ) -> Vec<(String, &'static str)> {
        let limit = if echo_limit {
            Some(self.limit)
        } else {
            self.limit_param
        };
        let url = |after: Option<&str>| {
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            if let Some(a) = after {
                s.append_pair("after", a);
            }
            if let Some(l) = limit {
                s.append_pair("limit", &l.to_string());
            }
            if let Some(q) = &self.q {
                s.append_pair("q", q);
            }
            if let Some(f) = &self.filter {
                s.append_pair("filter", f);
            }
            if let Some(f) = &self.search {
                s.append_pair("search", f);
            }
            if let Some(f) = &self.sort_by {
                s.append_pair("sortBy", f);
            }
            if let Some(f) = &self.sort_order {
                s.append_pair("sortOrder", f);
            }
            if let Some(e) = &self.expand {
                s.append_pair("expand", e);
            }
            let query = s.finish();
            if query.is_empty() {
                format!("{base}{path}")
            } else {
                format!("{base}{path}?{query}")
            }
        };
        let mut links = vec![(url(self.after.as_deref()), "self")];
        if let Some(cursor) = next {
            links.push((url(Some(&cursor)), "next"));
        }
        links
    }
}

/// One page of `items` (already in list order) after the cursor. `key` gives each item's cursor;
/// items are included when their key sorts after `after`. Returns the page and the cursor of
/// the next page if more items remain.
pub fn paginate<T, K: Ord>(
    items: Vec<T>,
    after: Option<K>,
    limit: usize,
    key: impl Fn(&T) -> K,
) -> (Vec<T>, Option<K>) {
    let mut rest: Vec<T> = match after {
        Some(a) => items.into_iter().filter(|i| key(i) > a).collect(),
        None => items,
    };
    let more = rest.len() > limit;
    rest.truncate(limit);
    let next = if more { rest.last().map(&key) } else { None };
    (rest, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_parameters_follow_okta_order() {
        let q = Query::parse(Some("filter=status+eq+%22ACTIVE%22&limit=1&q=testAcc_1"));
        let p = ListParams::from_query(&q, 20, 200).unwrap();
        let links = p.links("http://h", "/api/v1/apps", Some("7".into()), false);
        assert_eq!(
            links[0].0,
            "http://h/api/v1/apps?limit=1&q=testAcc_1&filter=status+eq+%22ACTIVE%22"
        );
        assert_eq!(
            links[1].0,
            "http://h/api/v1/apps?after=7&limit=1&q=testAcc_1&filter=status+eq+%22ACTIVE%22"
        );
        assert_eq!(links[1].1, "next");
    }

    #[test]
    fn links_keep_the_search() {
        let q = Query::parse(Some("search=profile.name+sw+%22eng%22&limit=1"));
        let p = ListParams::from_query(&q, 10_000, 10_000).unwrap();
        let links = p.links("http://h", "/api/v1/groups", Some("7".into()), false);
        assert_eq!(
            links[1].0,
            "http://h/api/v1/groups?after=7&limit=1&search=profile.name+sw+%22eng%22"
        );
    }

    #[test]
    fn default_limit_echo() {
        let p = ListParams::from_query(&Query::default(), 20, 200).unwrap();
        assert_eq!(
            p.links("http://h", "/x", None, true)[0].0,
            "http://h/x?limit=20"
        );
        assert_eq!(p.links("http://h", "/x", None, false)[0].0, "http://h/x");
    }

    #[test]
    fn limits_are_clamped_and_validated() {
        let p = ListParams::from_query(&Query::parse(Some("limit=5000")), 20, 200).unwrap();
        assert_eq!(p.limit, 200);
        assert!(ListParams::from_query(&Query::parse(Some("limit=abc")), 20, 200).is_err());
    }

    #[test]
    fn pagination() {
        let items: Vec<u64> = (1..=5).collect();
        let (page, next) = paginate(items.clone(), None, 2, |i| *i);
        assert_eq!((page, next), (vec![1, 2], Some(2)));
        let (page, next) = paginate(items.clone(), Some(4), 2, |i| *i);
        assert_eq!((page, next), (vec![5], None));
        let (page, next) = paginate(items, Some(3), 2, |i| *i);
        assert_eq!((page, next), (vec![4, 5], None));
    }

    #[test]
    fn bodies() {
        assert!(json_body(&Bytes::from_static(b"")).is_err());
        assert!(json_body(&Bytes::from_static(b"{")).is_err());
        assert!(optional_object_body(&Bytes::from_static(b""))
            .unwrap()
            .is_empty());
        assert!(object_body(&Bytes::from_static(b"[]")).is_err());
    }
}
