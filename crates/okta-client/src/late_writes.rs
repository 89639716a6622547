//! Writes this process sent to an app without getting an answer: Okta may still carry them out
//! after the client gave up, so confirming a change to that app (`converge`) first waits until
//! they can no longer land. The client records them; `converge` reads them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Per app, until when a write of ours that got no answer may still land at Okta.
#[derive(Debug, Default)]
pub struct LateWrites {
    until: Mutex<HashMap<String, Instant>>,
}

impl LateWrites {
    /// A write to `app_id` sent at `sent` got no answer; it may land until `sent + window`.
    pub fn record(&self, app_id: &str, sent: Instant, window: Duration) {
        let until = sent + window;
        let mut map = self.until.lock();
        let entry = map.entry(app_id.to_owned()).or_insert(until);
        *entry = (*entry).max(until);
    }

    /// How long from now a late write to `app_id` may still land; `None` when none can.
    pub fn remaining(&self, app_id: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut map = self.until.lock();
        map.retain(|_, until| *until > now);
        map.get(app_id).map(|until| *until - now)
    }
}

/// The app id of an Okta API path under `/api/v1/apps/{id}` (the app, its lifecycle, groups,
/// secrets, ...).
pub fn app_id_of_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api/v1/apps/")?;
    let id = rest.split('/').next()?;
    (!id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_ids_of_app_paths() {
        assert_eq!(app_id_of_path("/api/v1/apps/0oa1"), Some("0oa1"));
        assert_eq!(
            app_id_of_path("/api/v1/apps/0oa1/groups/00g1"),
            Some("0oa1")
        );
        assert_eq!(
            app_id_of_path("/api/v1/apps/0oa1/lifecycle/activate"),
            Some("0oa1")
        );
        assert_eq!(app_id_of_path("/api/v1/apps"), None);
        assert_eq!(app_id_of_path("/api/v1/apps/"), None);
        assert_eq!(app_id_of_path("/api/v1/groups/00g1"), None);
    }

    #[test]
    fn late_writes_are_remembered_until_they_can_no_longer_land() {
        let late = LateWrites::default();
        assert_eq!(late.remaining("0oa1"), None);
        let now = Instant::now();
        late.record("0oa1", now, Duration::from_secs(60));
        late.record("0oa1", now, Duration::from_secs(1));
        let left = late.remaining("0oa1").unwrap();
        assert!(
            left > Duration::from_secs(58),
            "the later deadline wins: {left:?}"
        );
        assert_eq!(late.remaining("0oa2"), None);
        late.record("0oa2", now, Duration::ZERO);
        assert_eq!(late.remaining("0oa2"), None);
    }
}
