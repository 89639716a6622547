//! Client-side rate-limit pacing, so that a parallel `terraform apply` stays under Okta's
//! per-minute limits instead of retrying through a storm of 429s.
//!
//! Design:
//! - Requests are grouped in buckets by [`bucket_key`]: the endpoint family
//!   (`/api/v1/apps` for everything under it, `/api/v1/groups`, ...). This is deliberately coarse:
//!   it matches the local emulator (one bucket for all of `/api/v1/apps/**`) and Okta's
//!   historical "apps and apps/*" bucket. Where Okta splits a family into several server buckets
//!   (e.g. `/api/v1/apps/{id}` has its own, larger limit), their headers carry different
//!   `X-Rate-Limit-Limit` values; each limit is tracked as its own window inside the bucket and a
//!   request must fit in all of them, which errs on the safe side.
//! - Each window remembers Okta's `Remaining` and `Reset` (converted to local time with the
//!   response's `Date`, so clock skew cancels). A request may be sent only if
//!   `remaining - in_flight - 1 >= reserve`, where `in_flight` counts our requests sent in that
//!   bucket but not answered yet and `reserve = limit - floor(limit * max_api_capacity / 100)`.
//!   The check and the increment of `in_flight` happen under one lock, so concurrent callers
//!   reserve capacity *before* sending. Otherwise the caller sleeps (injectable clock) until the
//!   window resets. After a local reset the window is assumed fresh (`remaining = limit`) until
//!   the next response tells the truth.
//! - Until a bucket has seen its first response, only one request (a probe) is in flight; the
//!   others wait for its headers. A bucket whose responses carry no rate-limit headers is not
//!   paced.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method};
use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::clock::{signed_secs_between, Clock};
use super::error::OktaError;

/// Maximum number of distinct limits remembered per bucket.
const MAX_WINDOWS: usize = 4;

/// The pacing bucket of a request: `/api/{version}/{family}` (e.g. `GET /api/v1/apps/0oa1/groups`
/// → `/api/v1/apps`), else the first path segment (`/oauth2`, `/.well-known`). The method is
/// accepted so a finer scheme can be adopted here alone.
pub fn bucket_key(_method: &Method, path: &str) -> String {
    let mut segments = path
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty());
    match (segments.next(), segments.next(), segments.next()) {
        (Some("api"), Some(version), Some(family)) => format!("/api/{version}/{family}"),
        (Some(first), _, _) => format!("/{first}"),
        _ => "/".to_owned(),
    }
}

/// The three `X-Rate-Limit-*` headers of a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitInfo {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    /// UTC epoch seconds at which the window resets.
    pub reset_epoch: u64,
}

impl RateLimitInfo {
    /// `None` when `X-Rate-Limit-Reset` is absent or unparseable.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let num = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        Some(Self {
            limit: num("x-rate-limit-limit").and_then(|v| u32::try_from(v).ok()),
            remaining: num("x-rate-limit-remaining").and_then(|v| u32::try_from(v).ok()),
            reset_epoch: num("x-rate-limit-reset")?,
        })
    }
}

/// The response's `Date` header.
pub fn server_date(headers: &HeaderMap) -> Option<SystemTime> {
    httpdate::parse_http_date(headers.get(http::header::DATE)?.to_str().ok()?).ok()
}

/// Per-bucket pacing state shared by all requests of one client.
#[derive(Debug)]
pub struct RateLimiter {
    capacity_percent: u32,
    buckets: Mutex<HashMap<String, Arc<Bucket>>>,
}

#[derive(Debug, Default)]
struct Bucket {
    state: Mutex<BucketState>,
    /// Signalled whenever a request of the bucket completes.
    done: Notify,
}

#[derive(Debug, Default)]
struct BucketState {
    /// A response (with or without rate-limit headers) has been seen.
    observed: bool,
    in_flight: u32,
    windows: Vec<Window>,
}

#[derive(Debug)]
struct Window {
    limit: u32,
    remaining: u32,
    reset_epoch: u64,
    /// Local time of the reset; `None` once passed (window assumed fresh, awaiting headers).
    reset_at: Option<SystemTime>,
}

/// What a caller must do before sending.
#[derive(Debug, PartialEq)]
enum Decision {
    Go,
    /// Wait until an in-flight request of the bucket completes.
    AwaitCompletion,
    Sleep(Duration),
}

/// Snapshot of a bucket, for tests and diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketSnapshot {
    pub in_flight: u32,
    /// `(limit, remaining)` of each known window.
    pub windows: Vec<(u32, u32)>,
}

impl RateLimiter {
    /// `capacity_percent`: share (1..=100) of each bucket this client may use.
    pub fn new(capacity_percent: u8) -> Self {
        Self {
            capacity_percent: u32::from(capacity_percent.clamp(1, 100)),
            buckets: Mutex::default(),
        }
    }

    fn bucket(&self, key: &str) -> Arc<Bucket> {
        self.buckets
            .lock()
            .entry(key.to_owned())
            .or_default()
            .clone()
    }

    /// Waits until a request may be sent in bucket `key` and reserves a slot for it. Pacing
    /// sleeps are capped at `max_wait` per round (the state is re-checked after each).
    pub async fn acquire(
        &self,
        key: &str,
        clock: &dyn Clock,
        cancel: &CancellationToken,
        max_wait: Duration,
    ) -> Result<Permit, OktaError> {
        let bucket = self.bucket(key);
        loop {
            let completed = bucket.done.notified();
            tokio::pin!(completed);
            // Register before checking, so a completion between check and wait is not missed.
            completed.as_mut().enable();
            let decision = bucket
                .state
                .lock()
                .decide(clock.now(), self.capacity_percent);
            match decision {
                Decision::Go => {
                    return Ok(Permit {
                        bucket: bucket.clone(),
                    })
                }
                Decision::AwaitCompletion => {
                    tokio::select! {
                        _ = &mut completed => {}
                        _ = cancel.cancelled() => return Err(OktaError::Cancelled),
                    }
                }
                Decision::Sleep(wait) => {
                    let wait = wait.min(max_wait);
                    tracing::debug!(
                        bucket = key,
                        wait_ms = wait.as_millis() as u64,
                        "okta rate-limit pacing: waiting for the bucket to reset"
                    );
                    tokio::select! {
                        _ = clock.sleep(wait) => {}
                        _ = cancel.cancelled() => return Err(OktaError::Cancelled),
                    }
                }
            }
        }
    }

    pub fn snapshot(&self, key: &str) -> Option<BucketSnapshot> {
        let bucket = self.buckets.lock().get(key).cloned()?;
        let st = bucket.state.lock();
        Some(BucketSnapshot {
            in_flight: st.in_flight,
            windows: st.windows.iter().map(|w| (w.limit, w.remaining)).collect(),
        })
    }
}

impl BucketState {
    fn decide(&mut self, now: SystemTime, capacity_percent: u32) -> Decision {
        for w in &mut self.windows {
            if w.reset_at.is_some_and(|r| now >= r) {
                w.remaining = w.limit;
                w.reset_at = None;
            }
        }
        if !self.observed {
            // First request of the bucket: let one probe learn the limits.
            return if self.in_flight == 0 {
                self.go()
            } else {
                Decision::AwaitCompletion
            };
        }
        let mut sleep_until: Option<SystemTime> = None;
        let mut await_completion = false;
        for w in &self.windows {
            let allowed = (w.limit * capacity_percent / 100).max(1);
            let used = w.limit.saturating_sub(w.remaining);
            if used >= allowed {
                // Okta says the window is spent: nothing goes until it resets.
                match w.reset_at {
                    Some(r) => sleep_until = Some(sleep_until.map_or(r, |s| s.max(r))),
                    None => await_completion = true,
                }
            } else if used + self.in_flight >= allowed {
                // Full only if none of our in-flight requests is counted in `remaining` yet.
                // Some usually are (an answer overtook them), so look again when one completes
                // rather than give up the window's last slots and sleep a whole window.
                await_completion = true;
            }
        }
        match sleep_until {
            Some(r) => Decision::Sleep(r.duration_since(now).unwrap_or(Duration::ZERO)),
            None if await_completion && self.in_flight > 0 => Decision::AwaitCompletion,
            None => self.go(),
        }
    }

    fn go(&mut self) -> Decision {
        self.in_flight += 1;
        Decision::Go
    }

    fn observe(&mut self, info: RateLimitInfo, date: Option<SystemTime>, local_now: SystemTime) {
        let (Some(limit), Some(remaining)) = (info.limit, info.remaining) else {
            return;
        };
        // Concurrency-limit 429s report Limit 0 / Remaining 0 and only an estimated reset.
        if limit == 0 {
            return;
        }
        let reset = SystemTime::UNIX_EPOCH + Duration::from_secs(info.reset_epoch);
        let to_reset = signed_secs_between(date.unwrap_or(local_now), reset);
        if to_reset <= 0.0 {
            return; // the window this response belongs to is already over
        }
        let reset_at = local_now + Duration::from_secs_f64(to_reset);
        match self.windows.iter_mut().find(|w| w.limit == limit) {
            None => {
                if self.windows.len() >= MAX_WINDOWS {
                    self.windows.remove(0);
                }
                self.windows.push(Window {
                    limit,
                    remaining,
                    reset_epoch: info.reset_epoch,
                    reset_at: Some(reset_at),
                });
            }
            Some(w) if info.reset_epoch > w.reset_epoch => {
                w.remaining = remaining;
                w.reset_epoch = info.reset_epoch;
                w.reset_at = Some(reset_at);
            }
            // Same window: responses may arrive out of order; remaining only goes down.
            Some(w) if info.reset_epoch == w.reset_epoch && w.reset_at.is_some() => {
                w.remaining = w.remaining.min(remaining);
            }
            Some(_) => {} // an older window, or one we already rolled over locally
        }
    }
}

/// A reserved slot in a bucket; released on drop. Call [`Permit::finish`] with the response
/// headers so the bucket learns Okta's counters.
#[derive(Debug)]
pub struct Permit {
    bucket: Arc<Bucket>,
}

impl Permit {
    /// Records a response's rate-limit headers, then releases the slot.
    pub fn finish(self, headers: &HeaderMap, local_now: SystemTime) {
        let mut st = self.bucket.state.lock();
        st.observed = true;
        if let Some(info) = RateLimitInfo::from_headers(headers) {
            st.observe(info, server_date(headers), local_now);
        }
        // `self` drops here and releases the slot.
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        {
            let mut st = self.bucket.state.lock();
            st.in_flight = st.in_flight.saturating_sub(1);
        }
        self.bucket.done.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use http::HeaderValue;

    fn headers(limit: u32, remaining: u32, reset: u64, date: SystemTime) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", HeaderValue::from(limit));
        h.insert("x-rate-limit-remaining", HeaderValue::from(remaining));
        h.insert("x-rate-limit-reset", HeaderValue::from(reset));
        h.insert(
            "date",
            HeaderValue::from_str(&httpdate::fmt_http_date(date)).unwrap(),
        );
        h
    }

    fn epoch(t: SystemTime) -> u64 {
        t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
    }

    #[test]
    fn bucket_keys_are_endpoint_families() {
        let get = Method::GET;
        assert_eq!(bucket_key(&get, "/api/v1/apps"), "/api/v1/apps");
        assert_eq!(bucket_key(&get, "/api/v1/apps/0oa1"), "/api/v1/apps");
        assert_eq!(
            bucket_key(&Method::PUT, "/api/v1/apps/0oa1/groups/00g1"),
            "/api/v1/apps"
        );
        assert_eq!(bucket_key(&get, "/api/v1/groups/00g1"), "/api/v1/groups");
        assert_eq!(bucket_key(&get, "/api/v1/users/me"), "/api/v1/users");
        assert_eq!(
            bucket_key(&get, "/api/v1/api-tokens/current"),
            "/api/v1/api-tokens"
        );
        assert_eq!(
            bucket_key(&get, "/.well-known/okta-organization"),
            "/.well-known"
        );
        assert_eq!(bucket_key(&get, "/"), "/");
    }

    #[test]
    fn parses_headers() {
        let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let h = headers(100, 42, 1_700_000_060, date);
        assert_eq!(
            RateLimitInfo::from_headers(&h),
            Some(RateLimitInfo {
                limit: Some(100),
                remaining: Some(42),
                reset_epoch: 1_700_000_060
            })
        );
        assert_eq!(server_date(&h), Some(date));
        assert_eq!(RateLimitInfo::from_headers(&HeaderMap::new()), None);
    }

    #[tokio::test]
    async fn first_request_probes_then_capacity_is_reserved_before_sending() {
        let clock = FakeClock::at_fixed_time();
        let cancel = CancellationToken::new();
        let rl = RateLimiter::new(100);
        let max = Duration::from_secs(300);
        let probe = rl
            .acquire("/api/v1/apps", &clock, &cancel, max)
            .await
            .unwrap();
        // While the probe is in flight a second caller must wait for it.
        let mut st = rl
            .bucket("/api/v1/apps")
            .state
            .lock()
            .decide(clock.now(), 100);
        assert_eq!(st, Decision::AwaitCompletion);
        let now = clock.now();
        probe.finish(&headers(3, 2, epoch(now) + 60, now), now);
        // Two left: two permits, the third must sleep until the reset (60 s).
        let a = rl
            .acquire("/api/v1/apps", &clock, &cancel, max)
            .await
            .unwrap();
        let b = rl
            .acquire("/api/v1/apps", &clock, &cancel, max)
            .await
            .unwrap();
        // The third waits for one of them to be answered: they may use the last two slots.
        st = rl
            .bucket("/api/v1/apps")
            .state
            .lock()
            .decide(clock.now(), 100);
        assert_eq!(st, Decision::AwaitCompletion);
        a.finish(&headers(3, 1, epoch(now) + 60, now), now);
        b.finish(&headers(3, 0, epoch(now) + 60, now), now);
        let c = rl
            .acquire("/api/v1/apps", &clock, &cancel, max)
            .await
            .unwrap();
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(60)]);
        assert_eq!(
            rl.snapshot("/api/v1/apps").unwrap(),
            BucketSnapshot {
                in_flight: 1,
                windows: vec![(3, 3)]
            }
        );
        drop(c);
    }

    #[test]
    fn capacity_percent_keeps_a_reserve() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut st = BucketState {
            observed: true,
            ..Default::default()
        };
        st.observe(
            RateLimitInfo {
                limit: Some(10),
                remaining: Some(6),
                reset_epoch: 1_030,
            },
            Some(now),
            now,
        );
        // 50 % of 10 = 5 allowed; 4 used → one more; once Okta counts it, wait 30 s.
        assert_eq!(st.decide(now, 50), Decision::Go);
        assert_eq!(st.decide(now, 50), Decision::AwaitCompletion);
        st.observe(
            RateLimitInfo {
                limit: Some(10),
                remaining: Some(5),
                reset_epoch: 1_030,
            },
            Some(now),
            now,
        );
        st.in_flight -= 1;
        assert_eq!(st.decide(now, 50), Decision::Sleep(Duration::from_secs(30)));
    }

    /// An answer that overtakes requests still in flight already counts them in `Remaining`:
    /// the window's last slots are used, not lost to a sleep until the reset (which cost a
    /// whole extra minute at 400 requests on a 100/min limit).
    #[test]
    fn in_flight_requests_already_counted_by_okta_do_not_waste_the_window() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut st = BucketState {
            observed: true,
            ..Default::default()
        };
        let seen = |st: &mut BucketState, remaining| {
            st.observe(
                RateLimitInfo {
                    limit: Some(10),
                    remaining: Some(remaining),
                    reset_epoch: 1_060,
                },
                Some(now),
                now,
            )
        };
        seen(&mut st, 2);
        assert_eq!(st.decide(now, 100), Decision::Go);
        assert_eq!(st.decide(now, 100), Decision::Go);
        // Two in flight, two left: wait for an answer, do not sleep until the reset.
        assert_eq!(st.decide(now, 100), Decision::AwaitCompletion);
        // The first answer had been counted after both (Remaining 0 would say so); this one says
        // only one of ours reached Okta so far.
        seen(&mut st, 1);
        st.in_flight -= 1;
        assert_eq!(st.decide(now, 100), Decision::AwaitCompletion);
        seen(&mut st, 1);
        st.in_flight -= 1;
        // Both answered and Okta still has a slot: it is used, in this window.
        assert_eq!(st.decide(now, 100), Decision::Go);
        seen(&mut st, 0);
        st.in_flight -= 1;
        // Spent, by Okta's count: sleep until the reset.
        assert_eq!(
            st.decide(now, 100),
            Decision::Sleep(Duration::from_secs(60))
        );
    }

    #[test]
    fn stale_and_out_of_order_headers_do_not_raise_remaining() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut st = BucketState {
            observed: true,
            ..Default::default()
        };
        let info = |remaining, reset| RateLimitInfo {
            limit: Some(10),
            remaining: Some(remaining),
            reset_epoch: reset,
        };
        st.observe(info(3, 1_060), Some(now), now);
        st.observe(info(7, 1_060), Some(now), now); // older response of the same window
        assert_eq!(st.windows[0].remaining, 3);
        st.observe(info(9, 990), Some(now), now); // window already over
        assert_eq!(st.windows[0].remaining, 3);
        st.observe(info(9, 1_120), Some(now), now); // next window
        assert_eq!(st.windows[0].remaining, 9);
    }

    #[test]
    fn local_clock_skew_cancels_out() {
        // The server's clock is an hour ahead of ours; reset is 20 s after its Date.
        let local = SystemTime::UNIX_EPOCH + Duration::from_secs(10_000);
        let server = local + Duration::from_secs(3_600);
        let mut st = BucketState {
            observed: true,
            ..Default::default()
        };
        st.observe(
            RateLimitInfo {
                limit: Some(1),
                remaining: Some(0),
                reset_epoch: epoch(server) + 20,
            },
            Some(server),
            local,
        );
        assert_eq!(
            st.decide(local, 100),
            Decision::Sleep(Duration::from_secs(20))
        );
    }

    #[test]
    fn a_smaller_server_bucket_under_the_same_key_governs() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut st = BucketState {
            observed: true,
            ..Default::default()
        };
        st.observe(
            RateLimitInfo {
                limit: Some(600),
                remaining: Some(590),
                reset_epoch: 1_050,
            },
            Some(now),
            now,
        );
        st.observe(
            RateLimitInfo {
                limit: Some(100),
                remaining: Some(0),
                reset_epoch: 1_020,
            },
            Some(now),
            now,
        );
        assert_eq!(
            st.decide(now, 100),
            Decision::Sleep(Duration::from_secs(20))
        );
    }

    #[test]
    fn buckets_without_headers_are_not_paced() {
        let now = SystemTime::UNIX_EPOCH;
        let mut st = BucketState {
            observed: true,
            ..Default::default()
        };
        for _ in 0..50 {
            assert_eq!(st.decide(now, 100), Decision::Go);
        }
    }

    #[tokio::test]
    async fn cancellation_interrupts_a_pacing_wait() {
        let clock = crate::clock::SystemClock;
        let cancel = CancellationToken::new();
        let rl = RateLimiter::new(100);
        let now = SystemTime::now();
        {
            let bucket = rl.bucket("k");
            let mut st = bucket.state.lock();
            st.observed = true;
            st.observe(
                RateLimitInfo {
                    limit: Some(1),
                    remaining: Some(0),
                    reset_epoch: epoch(now) + 30,
                },
                Some(now),
                now,
            );
        }
        let c2 = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            c2.cancel();
        });
        let started = std::time::Instant::now();
        let err = rl
            .acquire("k", &clock, &cancel, Duration::from_secs(300))
            .await
            .unwrap_err();
        assert!(err.is_cancelled());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
