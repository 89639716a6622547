//! Per-bucket, per-minute rate limits with Okta's `X-Rate-Limit-*` headers.
//!
//! Okta counts requests per endpoint family in 60-second windows that start with the first
//! request (not aligned to wall-clock minutes) and reports `Limit`, `Remaining` and `Reset`
//! (Unix seconds when the window ends) on every response. Clients such as okta-sdk-golang
//! compute their 429 back-off from `Reset` and `Date`, so both are always sent.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, HeaderValue};
use parking_lot::Mutex;
use serde::Serialize;

use crate::base::clock;

/// Window length in seconds.
pub const WINDOW_SECS: i64 = 60;

pub const APPS: &str = "/api/v1/apps";
pub const GROUPS: &str = "/api/v1/groups";
pub const API_TOKENS: &str = "/api/v1/api-tokens";
pub const USERS: &str = "/api/v1/users";
pub const AUTHN: &str = "/api/v1/authn";
pub const OAUTH2: &str = "/oauth2";

/// Buckets, each named by the path prefix it covers. Routes declare theirs (see
/// `pipeline::routes`); a path no route declares counts against the bucket whose prefix it
/// falls under, anything else under the Okta API against `DEFAULT_BUCKET`.
pub const BUCKETS: &[&str] = &[APPS, GROUPS, API_TOKENS, USERS, AUTHN, OAUTH2];

/// Bucket for Okta paths not covered by [`BUCKETS`].
pub const DEFAULT_BUCKET: &str = "/api/v1/*";

/// The bucket of a path by its prefix (for paths no route declares).
pub fn bucket_by_prefix(path: &str) -> &'static str {
    BUCKETS
        .iter()
        .find(|b| {
            path.strip_prefix(**b)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .copied()
        .unwrap_or(DEFAULT_BUCKET)
}

#[derive(Debug, Clone, Copy)]
struct Window {
    reset: i64,
    used: u32,
}

/// Outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    pub reset: i64,
}

impl Decision {
    /// Writes `X-Rate-Limit-Limit/Remaining/Reset`.
    pub fn apply(&self, headers: &mut HeaderMap) {
        headers.insert("x-rate-limit-limit", HeaderValue::from(self.limit));
        headers.insert("x-rate-limit-remaining", HeaderValue::from(self.remaining));
        headers.insert("x-rate-limit-reset", HeaderValue::from(self.reset));
    }
}

/// Snapshot of one bucket for the admin state dump.
#[derive(Debug, Clone, Serialize)]
pub struct BucketStatus {
    pub bucket: String,
    pub limit: u32,
    pub remaining: u32,
    pub reset: i64,
}

#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<BTreeMap<&'static str, Window>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute: per_minute.max(1),
            windows: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Counts a request at `now` (Unix seconds) against `bucket`.
    pub fn hit_at(&self, bucket: &'static str, now: i64) -> Decision {
        let mut windows = self.windows.lock();
        let w = windows.entry(bucket).or_insert(Window {
            reset: now + WINDOW_SECS,
            used: 0,
        });
        if now >= w.reset {
            *w = Window {
                reset: now + WINDOW_SECS,
                used: 0,
            };
        }
        let allowed = w.used < self.per_minute;
        if allowed {
            w.used += 1;
        }
        Decision {
            allowed,
            limit: self.per_minute,
            remaining: self.per_minute.saturating_sub(w.used),
            reset: w.reset,
        }
    }

    pub fn hit(&self, bucket: &'static str) -> Decision {
        self.hit_at(bucket, clock::now())
    }

    /// Current state of every bucket that has seen traffic.
    pub fn status(&self) -> Vec<BucketStatus> {
        let now = clock::now();
        self.windows
            .lock()
            .iter()
            .map(|(b, w)| {
                let (used, reset) = if now >= w.reset {
                    (0, now + WINDOW_SECS)
                } else {
                    (w.used, w.reset)
                };
                BucketStatus {
                    bucket: (*b).to_string(),
                    limit: self.per_minute,
                    remaining: self.per_minute.saturating_sub(used),
                    reset,
                }
            })
            .collect()
    }

    /// Forgets all windows (admin reset).
    pub fn clear(&self) {
        self.windows.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_by_family() {
        assert_eq!(bucket_by_prefix("/api/v1/apps"), "/api/v1/apps");
        assert_eq!(
            bucket_by_prefix("/api/v1/apps/0oa1/credentials/secrets"),
            "/api/v1/apps"
        );
        assert_eq!(bucket_by_prefix("/api/v1/groups/00g1"), "/api/v1/groups");
        assert_eq!(
            bucket_by_prefix("/api/v1/api-tokens/current"),
            "/api/v1/api-tokens"
        );
        assert_eq!(bucket_by_prefix("/api/v1/users/me"), "/api/v1/users");
        assert_eq!(bucket_by_prefix("/api/v1/appsx"), DEFAULT_BUCKET);
        assert_eq!(bucket_by_prefix("/api/v1/policies"), DEFAULT_BUCKET);
        assert_eq!(bucket_by_prefix("/oauth2/v1/token"), "/oauth2");
        assert_eq!(bucket_by_prefix("/oauth2/default/v1/keys"), "/oauth2");
    }

    #[test]
    fn limits_then_resets() {
        let rl = RateLimiter::new(2);
        let a = rl.hit_at("/api/v1/apps", 1000);
        assert!(a.allowed);
        assert_eq!((a.limit, a.remaining, a.reset), (2, 1, 1060));
        let b = rl.hit_at("/api/v1/apps", 1010);
        assert!(b.allowed);
        assert_eq!(b.remaining, 0);
        let c = rl.hit_at("/api/v1/apps", 1059);
        assert!(!c.allowed);
        assert_eq!((c.remaining, c.reset), (0, 1060));
        // Other buckets are independent.
        assert!(rl.hit_at("/api/v1/groups", 1059).allowed);
        let d = rl.hit_at("/api/v1/apps", 1060);
        assert!(d.allowed);
        assert_eq!((d.remaining, d.reset), (1, 1120));
    }

    #[test]
    fn headers_are_written() {
        let mut h = HeaderMap::new();
        RateLimiter::new(5).hit_at("/api/v1/apps", 10).apply(&mut h);
        assert_eq!(h["x-rate-limit-limit"], "5");
        assert_eq!(h["x-rate-limit-remaining"], "4");
        assert_eq!(h["x-rate-limit-reset"], "70");
    }
}
