//! Tunables of the Okta client: retries, waits, timeouts and rate-limit pacing.

use std::time::Duration;

use super::error::OktaError;

/// How the client retries, waits and paces itself. Every field is public so the provider
/// configuration can map its attributes one to one; `Default` gives the documented defaults.
///
/// Wait policy (see `retry.rs`):
/// - every wait before a retry is clamped to `[min_wait_seconds, max_wait_seconds]`;
/// - 429: wait until the bucket resets: `X-Rate-Limit-Reset - Date` (server clock against server
///   clock, so local clock skew cancels out) plus up to 1 s of jitter, or `Retry-After` if sent;
/// - 502/503/504, connection failures and timeouts: exponential backoff
///   `min_wait_seconds * 2^(retry-1)` plus up to 25 % jitter (1 s, 2 s, 4 s, 8 s, 16 s with the
///   defaults). Okta's own provider starts at 30 s for everything; for transient 5xx that only
///   slows `apply` down, and for 429 we know the exact reset time, so 1 s is the floor here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// Retries after the first attempt (so at most `max_retries + 1` attempts). Default 5.
    pub max_retries: u32,
    /// Floor of every retry wait and base of the exponential backoff, in seconds. Default 1.
    pub min_wait_seconds: u64,
    /// Ceiling of every retry and pacing wait, in seconds. Default 300 (as Okta's provider).
    pub max_wait_seconds: u64,
    /// Time limit of one attempt (connect + response + body). Default 30 s.
    pub request_timeout: Duration,
    /// Percent (1..=100) of each rate-limit bucket this client may use; the rest is left to
    /// other API consumers of the org. Default 100.
    pub max_api_capacity: u8,
    /// How long a refresh read of an app (or its group assignments) is shared with other reads
    /// of it in this process; `None` reads Okta every time. Default 5 s (see `read_cache.rs`).
    pub read_cache_ttl: Option<Duration>,
    /// Longest pause between an app write and the read that confirms it (the pause is drawn
    /// from its upper five eighths, doubled on each redo). Default 400 ms.
    pub confirm_pause: Duration,
    /// Writes of one change to an app before giving up when another writer keeps undoing it.
    /// Default 5.
    pub confirm_tries: u32,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            max_retries: 5,
            min_wait_seconds: 1,
            max_wait_seconds: 300,
            request_timeout: Duration::from_secs(30),
            max_api_capacity: 100,
            read_cache_ttl: Some(DEFAULT_READ_CACHE_TTL),
            confirm_pause: Duration::from_millis(400),
            confirm_tries: 5,
        }
    }
}

/// Default of [`ClientConfig::read_cache_ttl`].
pub const DEFAULT_READ_CACHE_TTL: Duration = Duration::from_secs(5);

impl ClientConfig {
    /// Rejects values that would make the client misbehave (no capacity, inverted waits).
    pub fn validate(&self) -> Result<(), OktaError> {
        if self.max_api_capacity == 0 || self.max_api_capacity > 100 {
            return Err(OktaError::InvalidConfig(format!(
                "max_api_capacity must be between 1 and 100 (percent), got {}",
                self.max_api_capacity
            )));
        }
        if self.min_wait_seconds > self.max_wait_seconds {
            return Err(OktaError::InvalidConfig(format!(
                "min_wait_seconds ({}) must not exceed max_wait_seconds ({})",
                self.min_wait_seconds, self.max_wait_seconds
            )));
        }
        if self.confirm_tries == 0 {
            return Err(OktaError::InvalidConfig(
                "confirm_tries must be at least 1".to_owned(),
            ));
        }
        if self.request_timeout.is_zero() {
            return Err(OktaError::InvalidConfig(
                "request_timeout must be greater than zero".to_owned(),
            ));
        }
        Ok(())
    }

    pub(crate) fn min_wait(&self) -> Duration {
        Duration::from_secs(self.min_wait_seconds)
    }

    pub(crate) fn max_wait(&self) -> Duration {
        Duration::from_secs(self.max_wait_seconds)
    }

    /// How long after it was sent a write whose answer never came may still land at Okta
    /// (Okta finishes requests whose client went away): twice the request timeout.
    pub(crate) fn late_write_window(&self) -> Duration {
        self.request_timeout.saturating_mul(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_documented_values() {
        let c = ClientConfig::default();
        assert_eq!(c.max_retries, 5);
        assert_eq!(c.min_wait_seconds, 1);
        assert_eq!(c.max_wait_seconds, 300);
        assert_eq!(c.request_timeout, Duration::from_secs(30));
        assert_eq!(c.max_api_capacity, 100);
        c.validate().expect("defaults are valid");
    }

    #[test]
    fn rejects_bad_values() {
        let bad = [
            ClientConfig {
                max_api_capacity: 0,
                ..Default::default()
            },
            ClientConfig {
                max_api_capacity: 101,
                ..Default::default()
            },
            ClientConfig {
                min_wait_seconds: 10,
                max_wait_seconds: 5,
                ..Default::default()
            },
            ClientConfig {
                request_timeout: Duration::ZERO,
                ..Default::default()
            },
        ];
        for c in bad {
            assert!(c.validate().is_err(), "{c:?} should be rejected");
        }
    }
}
