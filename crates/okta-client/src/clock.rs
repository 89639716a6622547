//! Injectable time source. All waits of the client (retry backoff, rate-limit pacing) go through
//! a [`Clock`], so tests can assert how long the client *would* have waited without sleeping.
//! The per-attempt request timeout deliberately does not: it races real network I/O.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;
use parking_lot::Mutex;

/// Wall-clock time plus sleeping. Wall-clock (not monotonic) because Okta's rate-limit reset is
/// an epoch timestamp.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The real clock: `SystemTime::now` and `tokio::time::sleep`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A test clock: `sleep` returns at once, records the requested duration, and moves `now`
/// forward by it (concurrent sleeps therefore add up: time only ever runs ahead, which is the
/// safe direction for rate-limit tests). Share it (it is cheap to clone) with a fake server so
/// both see the same time.
#[derive(Clone, Debug)]
pub struct FakeClock {
    inner: Arc<Mutex<FakeState>>,
}

#[derive(Debug)]
struct FakeState {
    now: SystemTime,
    sleeps: Vec<Duration>,
}

impl FakeClock {
    /// A clock whose time starts at `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            inner: Arc::new(Mutex::new(FakeState {
                now: start,
                sleeps: Vec::new(),
            })),
        }
    }

    /// A clock starting at a fixed, whole-second instant (2026-01-01T00:00:00Z).
    pub fn at_fixed_time() -> Self {
        Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600))
    }

    /// Every duration passed to `sleep`, in call order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.inner.lock().sleeps.clone()
    }

    /// Moves time forward without recording a sleep (e.g. to simulate elapsed work).
    pub fn advance(&self, by: Duration) {
        self.inner.lock().now += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> SystemTime {
        self.inner.lock().now
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        {
            let mut state = self.inner.lock();
            state.sleeps.push(duration);
            state.now += duration;
        }
        // Yield once so a loop that sleeps cannot starve the other tasks of the runtime.
        Box::pin(tokio::task::yield_now())
    }
}

/// Seconds (may be negative) from `from` to `to`.
pub(crate) fn signed_secs_between(from: SystemTime, to: SystemTime) -> f64 {
    match to.duration_since(from) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fake_clock_records_and_advances_without_sleeping() {
        let clock = FakeClock::at_fixed_time();
        let start = clock.now();
        let real = std::time::Instant::now();
        clock.sleep(Duration::from_secs(3600)).await;
        clock.sleep(Duration::from_millis(1500)).await;
        assert!(real.elapsed() < Duration::from_secs(1));
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_secs(3600), Duration::from_millis(1500)]
        );
        assert_eq!(
            clock.now().duration_since(start).unwrap(),
            Duration::from_millis(3_601_500)
        );
    }

    #[test]
    fn signed_seconds() {
        let a = SystemTime::UNIX_EPOCH + Duration::from_secs(10);
        let b = SystemTime::UNIX_EPOCH + Duration::from_secs(17);
        assert_eq!(signed_secs_between(a, b), 7.0);
        assert_eq!(signed_secs_between(b, a), -7.0);
    }
}
