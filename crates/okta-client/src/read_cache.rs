//! Coalesced reads: within one provider process, concurrent reads of one key (an app, an app's
//! group assignments) share one Okta request, and a read answered less than `ttl` ago is
//! served again. Terraform refreshes every resource of a plan at once, and thirty resources
//! that each manage a part of one app would otherwise send thirty identical GETs.
//!
//! Rules that keep it safe:
//! - only refresh reads use it; read-modify-writes and post-write confirmations read Okta
//!   directly;
//! - any write to a key through this process forgets the key, both before the write is sent and
//!   after it returns, so a read that overlapped the write is not served afterwards;
//! - an entry lives at most `ttl` from the moment its request was started;
//! - a failed read caches nothing (the next waiter asks Okta itself).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tokio::sync::OnceCell;

/// One read of a key: in flight until its cell is set.
struct Slot<T> {
    started: Instant,
    cell: Arc<OnceCell<T>>,
}

/// Single-flight read cache keyed by string (an app id). `ttl` `None` turns it off.
pub struct ReadCache<T> {
    ttl: Option<Duration>,
    slots: Mutex<HashMap<String, Slot<T>>>,
}

impl<T> fmt::Debug for ReadCache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadCache")
            .field("ttl", &self.ttl)
            .field("entries", &self.slots.lock().len())
            .finish()
    }
}

impl<T: Clone> ReadCache<T> {
    pub fn new(ttl: Option<Duration>) -> Self {
        Self {
            ttl: ttl.filter(|t| !t.is_zero()),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The value of `key`: shared with a read of it in flight or answered within the TTL, else
    /// `fetch`ed (and shared with whoever asks meanwhile). Errors are returned to the caller
    /// whose `fetch` failed and are not cached.
    pub async fn get_or_fetch<E, Fut>(&self, key: &str, fetch: impl FnOnce() -> Fut) -> Result<T, E>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(ttl) = self.ttl else {
            return fetch().await;
        };
        let cell = {
            let mut slots = self.slots.lock();
            let now = Instant::now();
            // Expired entries go on every lookup: the map stays as small as the live keys.
            slots.retain(|_, s| now.duration_since(s.started) < ttl);
            let slot = slots.entry(key.to_owned()).or_insert_with(|| Slot {
                started: now,
                cell: Arc::new(OnceCell::new()),
            });
            Arc::clone(&slot.cell)
        };
        cell.get_or_try_init(fetch).await.cloned()
    }

    /// Forgets `key`: the next read asks Okta. A read in flight still answers its waiters, but
    /// its answer is no longer served to anyone who asks later.
    pub fn invalidate(&self, key: &str) {
        self.slots.lock().remove(key);
    }

    /// Whether reads are cached at all.
    pub fn enabled(&self) -> bool {
        self.ttl.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    type Cache = ReadCache<u32>;

    /// A fetch that counts itself, takes `delay` and answers the count.
    async fn counted(calls: &AtomicU32, delay: Duration) -> Result<u32, String> {
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(delay).await;
        Ok(n)
    }

    #[tokio::test]
    async fn concurrent_readers_share_one_fetch() {
        let cache = Arc::new(Cache::new(Some(Duration::from_secs(5))));
        let calls = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let (cache, calls) = (Arc::clone(&cache), Arc::clone(&calls));
                tokio::spawn(async move {
                    cache
                        .get_or_fetch("0oa1", || counted(&calls, Duration::from_millis(30)))
                        .await
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(1));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Another key is another read.
        let other = cache
            .get_or_fetch("0oa2", || counted(&calls, Duration::ZERO))
            .await;
        assert_eq!(other, Ok(2));
    }

    #[tokio::test]
    async fn a_write_forgets_the_key_even_while_a_read_is_in_flight() {
        let cache = Arc::new(Cache::new(Some(Duration::from_secs(5))));
        let calls = Arc::new(AtomicU32::new(0));
        let early = {
            let (cache, calls) = (Arc::clone(&cache), Arc::clone(&calls));
            tokio::spawn(async move {
                cache
                    .get_or_fetch("0oa1", || counted(&calls, Duration::from_millis(50)))
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        cache.invalidate("0oa1");
        // The reader in flight gets its answer; a reader after the write does not share it.
        let late = cache
            .get_or_fetch("0oa1", || counted(&calls, Duration::ZERO))
            .await;
        assert_eq!(late, Ok(2));
        assert_eq!(early.await.unwrap(), Ok(1));
        assert_eq!(
            cache
                .get_or_fetch("0oa1", || counted(&calls, Duration::ZERO))
                .await,
            Ok(2)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn entries_expire_after_the_ttl() {
        let cache = Cache::new(Some(Duration::from_millis(40)));
        let calls = AtomicU32::new(0);
        let first = cache.get_or_fetch("k", || counted(&calls, Duration::ZERO));
        assert_eq!(first.await, Ok(1));
        let again = cache.get_or_fetch("k", || counted(&calls, Duration::ZERO));
        assert_eq!(again.await, Ok(1));
        tokio::time::sleep(Duration::from_millis(60)).await;
        let expired = cache.get_or_fetch("k", || counted(&calls, Duration::ZERO));
        assert_eq!(expired.await, Ok(2));
    }

    #[tokio::test]
    async fn errors_are_not_cached_and_off_means_off() {
        let cache = Cache::new(Some(Duration::from_secs(5)));
        let failed: Result<u32, String> = cache
            .get_or_fetch("k", || async { Err("503".into()) })
            .await;
        assert_eq!(failed, Err("503".to_string()));
        let ok: Result<u32, String> = cache.get_or_fetch("k", || async { Ok(7) }).await;
        assert_eq!(ok, Ok(7));

        let off = Cache::new(None);
        assert!(!off.enabled());
        let calls = AtomicU32::new(0);
        for want in 1..=3 {
            let got = off.get_or_fetch("k", || counted(&calls, Duration::ZERO));
            assert_eq!(got.await, Ok(want));
        }
    }
}
