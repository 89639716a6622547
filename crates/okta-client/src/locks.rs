//! Per-app locks: a PUT replaces the whole app, so two read-modify-writes of the same app from
//! different resources (the app itself, a redirect-URI resource, ...) running in parallel would
//! lose one update. Every read-modify-write of an app holds its lock.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

type LockMap = Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>;

/// Async locks keyed by app id; entries are removed when nobody holds or awaits them.
#[derive(Clone, Default)]
pub struct AppLocks {
    map: LockMap,
}

impl fmt::Debug for AppLocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppLocks")
            .field("held_or_awaited", &self.map.lock().len())
            .finish()
    }
}

impl AppLocks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits for and takes the lock of `app_id`. Not reentrant: do not lock the same app twice
    /// from one task.
    pub async fn lock(&self, app_id: &str) -> AppLockGuard {
        let mutex = self
            .map
            .lock()
            .entry(app_id.to_owned())
            .or_default()
            .clone();
        let guard = mutex.lock_owned().await;
        AppLockGuard {
            app_id: app_id.to_owned(),
            map: self.map.clone(),
            guard: Some(guard),
        }
    }

    /// Number of apps currently locked or awaited (for tests).
    pub fn active(&self) -> usize {
        self.map.lock().len()
    }
}

/// Holds the lock of one app until dropped.
pub struct AppLockGuard {
    app_id: String,
    map: LockMap,
    guard: Option<OwnedMutexGuard<()>>,
}

impl AppLockGuard {
    pub fn app_id(&self) -> &str {
        &self.app_id
    }
}

impl fmt::Debug for AppLockGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppLockGuard")
            .field("app_id", &self.app_id)
            .finish()
    }
}

impl Drop for AppLockGuard {
    fn drop(&mut self) {
        let mut map = self.map.lock();
        self.guard.take();
        // Under the map lock nobody can clone the entry meanwhile: if only the map holds it,
        // nobody holds or awaits the lock and the entry can go.
        if map
            .get(&self.app_id)
            .is_some_and(|m| Arc::strong_count(m) == 1)
        {
            map.remove(&self.app_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn serializes_one_app_and_cleans_up() {
        let locks = AppLocks::new();
        let inside = Arc::new(AtomicU32::new(0));
        let max_inside = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (locks, inside, max_inside) = (locks.clone(), inside.clone(), max_inside.clone());
            tasks.push(tokio::spawn(async move {
                let _g = locks.lock("0oa1").await;
                let n = inside.fetch_add(1, Ordering::SeqCst) + 1;
                max_inside.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(max_inside.load(Ordering::SeqCst), 1);
        assert_eq!(locks.active(), 0);
    }

    #[tokio::test]
    async fn different_apps_do_not_block_each_other() {
        let locks = AppLocks::new();
        let a = locks.lock("0oaA").await;
        let b = tokio::time::timeout(Duration::from_secs(1), locks.lock("0oaB")).await;
        assert!(b.is_ok());
        assert_eq!(a.app_id(), "0oaA");
        assert_eq!(locks.active(), 2);
    }
}
