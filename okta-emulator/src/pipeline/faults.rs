//! Fault injection: rules posted to `/__emulator/faults` make matching Okta API requests fail
//! (an Okta error body with a chosen status/code), stall (`delayMs`), or lose their connection
//! (`reset`), a limited number of times.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use parking_lot::Mutex;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::base::errors::{default_code_for_status, default_summary, OktaError};

/// A rule as posted by a test.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    /// HTTP method to match, or `*` (default).
    #[serde(default)]
    pub method: Option<String>,
    /// Path glob: `*` matches within one segment, `**` across segments.
    pub path: String,
    /// Status of the error response. Omit for a pure delay or a reset.
    #[serde(default)]
    pub status: Option<u16>,
    /// Okta error code; defaults from the status (500 → E0000009, 429 → E0000047 …).
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_summary: Option<String>,
    /// Delay before answering (or before passing the request on), in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    /// Drop the connection with a TCP reset instead of answering.
    #[serde(default)]
    pub reset: bool,
    /// How many requests the rule applies to; 0 means every request. Default 1.
    #[serde(default = "one")]
    pub times: u32,
    /// For an injected 429: `X-Rate-Limit-Reset` this many seconds from now instead of the
    /// bucket's window end, so a client's wait can be short.
    #[serde(default)]
    pub reset_seconds: Option<u32>,
}

fn one() -> u32 {
    1
}

/// A stored rule.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    pub id: String,
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
    pub error_code: Option<String>,
    pub error_summary: Option<String>,
    pub delay_ms: u64,
    pub reset: bool,
    pub times: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_seconds: Option<u32>,
    /// Requests this rule has affected.
    pub hits: u32,
    #[serde(skip)]
    pattern: Option<Regex>,
}

impl FaultRule {
    fn exhausted(&self) -> bool {
        self.times != 0 && self.hits >= self.times
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        (self.method == "*" || self.method.eq_ignore_ascii_case(method.as_str()))
            && self.pattern.as_ref().is_some_and(|p| p.is_match(path))
    }

    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }

    /// The error to answer with, if the rule has a status.
    pub fn error(&self) -> Option<OktaError> {
        let status = StatusCode::from_u16(self.status?).ok()?;
        let code = self
            .error_code
            .clone()
            .unwrap_or_else(|| default_code_for_status(status).to_string());
        let summary = self
            .error_summary
            .clone()
            .or_else(|| default_summary(&code).map(str::to_string))
            .unwrap_or_else(|| "Injected fault".to_string());
        Some(OktaError::new(status, &code, summary))
    }
}

/// Translates a path glob into an anchored regex.
pub fn glob_to_regex(glob: &str) -> Result<Regex, regex::Error> {
    let mut re = String::from("^");
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '*' {
            if chars.peek() == Some(&'*') {
                chars.next();
                re.push_str(".*");
            } else {
                re.push_str("[^/]*");
            }
        } else {
            re.push_str(&regex::escape(&c.to_string()));
        }
    }
    re.push('$');
    Regex::new(&re)
}

#[derive(Debug, Default)]
pub struct FaultStore {
    inner: Mutex<FaultsInner>,
}

#[derive(Debug, Default)]
struct FaultsInner {
    next_id: u64,
    rules: Vec<FaultRule>,
}

impl FaultStore {
    /// Validates and stores a rule.
    pub fn add(&self, spec: FaultSpec) -> Result<FaultRule, String> {
        if !spec.path.starts_with('/') {
            return Err("path must start with '/'".to_string());
        }
        if let Some(s) = spec.status {
            if !(400..=599).contains(&s) {
                return Err("status must be between 400 and 599".to_string());
            }
        }
        if spec.reset_seconds.is_some() && spec.status != Some(429) {
            return Err("resetSeconds needs status 429".to_string());
        }
        if spec.status.is_none() && !spec.reset && spec.delay_ms == 0 {
            return Err("a rule needs a status, reset or delayMs".to_string());
        }
        let method = spec.method.unwrap_or_else(|| "*".to_string());
        if method != "*" && Method::from_bytes(method.as_bytes()).is_err() {
            return Err(format!("invalid method {method:?}"));
        }
        let pattern = glob_to_regex(&spec.path).map_err(|e| e.to_string())?;
        let mut inner = self.inner.lock();
        inner.next_id += 1;
        let rule = FaultRule {
            id: format!("flt{}", inner.next_id),
            method: method.to_ascii_uppercase(),
            path: spec.path,
            status: spec.status,
            error_code: spec.error_code,
            error_summary: spec.error_summary,
            delay_ms: spec.delay_ms,
            reset: spec.reset,
            times: spec.times,
            reset_seconds: spec.reset_seconds,
            hits: 0,
            pattern: Some(pattern),
        };
        inner.rules.push(rule.clone());
        Ok(rule)
    }

    /// The first live rule matching the request, counting the hit. Exhausted rules are kept
    /// (visible in the list with their hit count) but no longer fire.
    pub fn take(&self, method: &Method, path: &str) -> Option<FaultRule> {
        let mut inner = self.inner.lock();
        let rule = inner
            .rules
            .iter_mut()
            .find(|r| !r.exhausted() && r.matches(method, path))?;
        rule.hits += 1;
        Some(rule.clone())
    }

    pub fn list(&self) -> Vec<FaultRule> {
        self.inner.lock().rules.clone()
    }

    pub fn remove(&self, id: &str) -> bool {
        let mut inner = self.inner.lock();
        let before = inner.rules.len();
        inner.rules.retain(|r| r.id != id);
        inner.rules.len() != before
    }

    pub fn clear(&self) {
        self.inner.lock().rules.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> FaultSpec {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn globs() {
        let r = glob_to_regex("/api/v1/apps/*").unwrap();
        assert!(r.is_match("/api/v1/apps/0oa1"));
        assert!(!r.is_match("/api/v1/apps/0oa1/groups"));
        let r = glob_to_regex("/api/v1/apps/**").unwrap();
        assert!(r.is_match("/api/v1/apps/0oa1/groups/00g1"));
        let r = glob_to_regex("/api/v1/apps").unwrap();
        assert!(r.is_match("/api/v1/apps"));
        assert!(!r.is_match("/api/v1/apps/x"));
    }

    #[test]
    fn rules_fire_limited_times() {
        let store = FaultStore::default();
        let rule = store
            .add(spec(
                r#"{"method":"put","path":"/api/v1/apps/*","status":500,"times":2}"#,
            ))
            .unwrap();
        assert_eq!(rule.method, "PUT");
        assert!(store.take(&Method::GET, "/api/v1/apps/0oa1").is_none());
        let hit = store.take(&Method::PUT, "/api/v1/apps/0oa1").unwrap();
        let err = hit.error().unwrap();
        assert_eq!(err.code, "E0000009");
        assert_eq!(err.summary, "Internal Server Error");
        assert!(store.take(&Method::PUT, "/api/v1/apps/0oa1").is_some());
        assert!(store.take(&Method::PUT, "/api/v1/apps/0oa1").is_none());
        assert_eq!(store.list()[0].hits, 2);
        assert!(store.remove(&rule.id));
        assert!(store.list().is_empty());
    }

    #[test]
    fn unlimited_and_validation() {
        let store = FaultStore::default();
        store
            .add(spec(r#"{"path":"/api/v1/**","status":429,"times":0}"#))
            .unwrap();
        for _ in 0..5 {
            let r = store.take(&Method::GET, "/api/v1/groups").unwrap();
            assert_eq!(r.error().unwrap().code, "E0000047");
        }
        assert!(store.add(spec(r#"{"path":"/api/v1/apps"}"#)).is_err());
        assert!(store.add(spec(r#"{"path":"api","status":500}"#)).is_err());
        assert!(store.add(spec(r#"{"path":"/x","status":200}"#)).is_err());
        assert!(serde_json::from_str::<FaultSpec>(r#"{"path":"/x","bogus":1}"#).is_err());
        assert!(store
            .add(spec(r#"{"path":"/x","status":500,"resetSeconds":1}"#))
            .is_err());
        let r = store
            .add(spec(r#"{"path":"/x","status":429,"resetSeconds":1}"#))
            .unwrap();
        assert_eq!(r.reset_seconds, Some(1));
    }
}
