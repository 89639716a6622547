//! Retry policy: which failures are retried, and how long to wait before the next attempt.
//! Pure functions (jitter is passed in) so the policy is unit-tested without a server.
//!
//! - 429: always retried (Okta rejected it before doing anything, so even a POST is safe).
//!   Wait: `Retry-After` if present, else `X-Rate-Limit-Reset - Date` (both server clock, so
//!   local skew cancels), plus up to [`RATE_LIMIT_JITTER`] so concurrent waiters do not return
//!   in lockstep. Without either header: exponential backoff.
//! - 502/503/504, timeouts, broken connections: retried for idempotent requests only (GET, PUT,
//!   DELETE, lifecycle POSTs); a POST that creates something may have taken effect.
//! - connection failures (nothing was sent): always retried; except a host name that does not
//!   resolve, which is a configuration mistake (reported at once, naming the setting).
//! - everything else (4xx, 500, 501): returned at once. 500 is not retried, as in Okta's own
//!   provider: it is usually a bug that a retry would only repeat.
//!
//! Every wait is clamped to `[min_wait_seconds, max_wait_seconds]`.

use std::time::{Duration, SystemTime};

use http::header::RETRY_AFTER;
use http::{HeaderMap, StatusCode};

use super::clock::signed_secs_between;
use super::config::ClientConfig;
use super::error::TransportKind;
use super::ratelimit::{server_date, RateLimitInfo};

/// Upper bound of the random delay added to a rate-limit wait.
pub const RATE_LIMIT_JITTER: Duration = Duration::from_secs(1);
/// Upper bound of the random delay added to an exponential backoff, as a fraction of it.
pub const BACKOFF_JITTER_FRACTION: f64 = 0.25;

/// What went wrong with one attempt.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Failure<'a> {
    Status(StatusCode, &'a HeaderMap),
    Transport(TransportKind),
}

/// Whether `failure` may be retried for a request of this idempotency.
pub(crate) fn is_retryable(failure: Failure<'_>, idempotent: bool) -> bool {
    match failure {
        Failure::Status(StatusCode::TOO_MANY_REQUESTS, _) => true,
        Failure::Status(s, _) => {
            idempotent
                && matches!(
                    s,
                    StatusCode::BAD_GATEWAY
                        | StatusCode::SERVICE_UNAVAILABLE
                        | StatusCode::GATEWAY_TIMEOUT
                )
        }
        Failure::Transport(TransportKind::Connect) => true,
        // A host that does not resolve will not resolve a second later either.
        Failure::Transport(TransportKind::Resolve) => false,
        Failure::Transport(_) => idempotent,
    }
}

/// How long to wait before retry number `retry` (1 = first retry). `jitter` is in `[0, 1)`.
pub(crate) fn wait_before_retry(
    failure: Failure<'_>,
    retry: u32,
    local_now: SystemTime,
    config: &ClientConfig,
    jitter: f64,
) -> Duration {
    let wait = match failure {
        Failure::Status(StatusCode::TOO_MANY_REQUESTS, headers) => {
            rate_limited_wait(headers, local_now)
                .map(|w| w + RATE_LIMIT_JITTER.mul_f64(jitter))
                .unwrap_or_else(|| exponential(retry, config, jitter))
        }
        Failure::Status(StatusCode::SERVICE_UNAVAILABLE, headers) => {
            retry_after(headers, local_now).unwrap_or_else(|| exponential(retry, config, jitter))
        }
        _ => exponential(retry, config, jitter),
    };
    wait.clamp(config.min_wait(), config.max_wait())
}

/// `min_wait * 2^(retry-1)` capped at `max_wait`, plus up to 25 % jitter.
fn exponential(retry: u32, config: &ClientConfig, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(retry.saturating_sub(1));
    let base = config
        .min_wait()
        .saturating_mul(factor)
        .min(config.max_wait());
    base + base.mul_f64(BACKOFF_JITTER_FRACTION * jitter.clamp(0.0, 1.0))
}

/// Time until Okta accepts requests again according to a 429's headers, without jitter.
fn rate_limited_wait(headers: &HeaderMap, local_now: SystemTime) -> Option<Duration> {
    if let Some(d) = retry_after(headers, local_now) {
        return Some(d);
    }
    let info = RateLimitInfo::from_headers(headers)?;
    // Reset against the server's own Date; fall back to our clock when Date is missing.
    let reference = server_date(headers).unwrap_or(local_now);
    let reset = SystemTime::UNIX_EPOCH + Duration::from_secs(info.reset_epoch);
    Some(Duration::from_secs_f64(
        signed_secs_between(reference, reset).max(0.0),
    ))
}

/// `Retry-After` as delay-seconds or as an HTTP date (read against the response `Date`).
fn retry_after(headers: &HeaderMap, local_now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let reference = server_date(headers).unwrap_or(local_now);
    Some(Duration::from_secs_f64(
        signed_secs_between(reference, at).max(0.0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn t(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn h(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    #[test]
    fn retryability_matrix() {
        let empty = HeaderMap::new();
        let s = |c: u16| Failure::Status(StatusCode::from_u16(c).unwrap(), &empty);
        assert!(is_retryable(s(429), false));
        for c in [502, 503, 504] {
            assert!(is_retryable(s(c), true));
            assert!(
                !is_retryable(s(c), false),
                "POST must not be retried on {c}"
            );
        }
        for c in [400, 401, 403, 404, 409, 500, 501] {
            assert!(!is_retryable(s(c), true), "{c}");
        }
        assert!(is_retryable(
            Failure::Transport(TransportKind::Connect),
            false
        ));
        assert!(is_retryable(
            Failure::Transport(TransportKind::Timeout),
            true
        ));
        assert!(!is_retryable(
            Failure::Transport(TransportKind::Timeout),
            false
        ));
        assert!(!is_retryable(
            Failure::Transport(TransportKind::Other),
            false
        ));
        for idempotent in [true, false] {
            assert!(!is_retryable(
                Failure::Transport(TransportKind::Resolve),
                idempotent
            ));
        }
    }

    #[test]
    fn rate_limit_wait_uses_server_date_not_local_clock() {
        let date = t(1_700_000_000);
        let headers = h(&[
            ("date", httpdate::fmt_http_date(date)),
            ("x-rate-limit-limit", "100".into()),
            ("x-rate-limit-remaining", "0".into()),
            ("x-rate-limit-reset", "1700000007".into()),
        ]);
        let cfg = ClientConfig::default();
        // Local clock is an hour off: the wait is still 7 s (+ jitter).
        let local = t(1_700_003_600);
        let failure = Failure::Status(StatusCode::TOO_MANY_REQUESTS, &headers);
        assert_eq!(
            wait_before_retry(failure, 1, local, &cfg, 0.0),
            Duration::from_secs(7)
        );
        assert_eq!(
            wait_before_retry(failure, 1, local, &cfg, 0.5),
            Duration::from_millis(7500)
        );
    }

    #[test]
    fn rate_limit_wait_is_clamped() {
        let cfg = ClientConfig {
            min_wait_seconds: 2,
            max_wait_seconds: 60,
            ..Default::default()
        };
        let past = h(&[
            ("date", httpdate::fmt_http_date(t(100))),
            ("x-rate-limit-reset", "90".into()),
        ]);
        let f = Failure::Status(StatusCode::TOO_MANY_REQUESTS, &past);
        assert_eq!(
            wait_before_retry(f, 1, t(0), &cfg, 0.0),
            Duration::from_secs(2)
        );
        let far = h(&[
            ("date", httpdate::fmt_http_date(t(100))),
            ("x-rate-limit-reset", "100000".into()),
        ]);
        let f = Failure::Status(StatusCode::TOO_MANY_REQUESTS, &far);
        assert_eq!(
            wait_before_retry(f, 1, t(0), &cfg, 0.9),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn retry_after_wins_in_both_forms() {
        let cfg = ClientConfig::default();
        let secs = h(&[
            ("retry-after", "12".into()),
            ("x-rate-limit-reset", "999999".into()),
        ]);
        let f = Failure::Status(StatusCode::TOO_MANY_REQUESTS, &secs);
        assert_eq!(
            wait_before_retry(f, 1, t(0), &cfg, 0.0),
            Duration::from_secs(12)
        );
        let date = h(&[
            ("date", httpdate::fmt_http_date(t(1_000))),
            ("retry-after", httpdate::fmt_http_date(t(1_020))),
        ]);
        let f = Failure::Status(StatusCode::SERVICE_UNAVAILABLE, &date);
        assert_eq!(
            wait_before_retry(f, 1, t(5), &cfg, 0.0),
            Duration::from_secs(20)
        );
    }

    #[test]
    fn exponential_backoff_with_bounded_jitter() {
        let cfg = ClientConfig::default();
        let f = Failure::Transport(TransportKind::Timeout);
        let waits: Vec<u64> = (1..=5)
            .map(|r| wait_before_retry(f, r, t(0), &cfg, 0.0).as_secs())
            .collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16]);
        assert_eq!(
            wait_before_retry(f, 3, t(0), &cfg, 0.999_999).as_millis(),
            4_999
        );
        assert_eq!(
            wait_before_retry(f, 40, t(0), &cfg, 0.0),
            Duration::from_secs(300)
        );
        // 429 without any header falls back to the same backoff.
        let empty = HeaderMap::new();
        let f = Failure::Status(StatusCode::TOO_MANY_REQUESTS, &empty);
        assert_eq!(
            wait_before_retry(f, 2, t(0), &cfg, 0.0),
            Duration::from_secs(2)
        );
    }
}
