//! The request log behind `GET /__emulator/requests`.
//!
//! Records what tests need to assert on (method, path, query, status, timing, bucket, which
//! token id and fault rule were involved) and deliberately nothing else: no headers, no bodies,
//! so token values and client secrets can never leak into it.

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;

/// Oldest entries are dropped beyond this many.
pub const CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub seq: u64,
    /// When the request arrived (UTC, millisecond precision).
    pub time: String,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// HTTP status sent; 0 when a fault rule reset the connection instead.
    pub status: u16,
    pub duration_ms: u64,
    /// Rate-limit bucket (`null` for admin endpoints).
    pub bucket: Option<String>,
    /// Id (not value) of the API token that authenticated the request.
    pub token_id: Option<String>,
    /// Fault rule that affected the request.
    pub fault: Option<String>,
}

#[derive(Debug, Default)]
pub struct RequestLog {
    inner: Mutex<LogInner>,
}

#[derive(Debug, Default)]
struct LogInner {
    next_seq: u64,
    entries: VecDeque<LogEntry>,
}

impl RequestLog {
    /// Appends an entry, assigning its sequence number.
    pub fn push(&self, mut entry: LogEntry) {
        let mut inner = self.inner.lock();
        inner.next_seq += 1;
        entry.seq = inner.next_seq;
        if inner.entries.len() >= CAPACITY {
            inner.entries.pop_front();
        }
        inner.entries.push_back(entry);
    }

    /// Entries with `seq > since`, oldest first.
    pub fn since(&self, since: u64) -> Vec<LogEntry> {
        self.inner
            .lock()
            .entries
            .iter()
            .filter(|e| e.seq > since)
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.inner.lock().entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> LogEntry {
        LogEntry {
            seq: 0,
            time: String::new(),
            method: "GET".into(),
            path: path.into(),
            query: None,
            status: 200,
            duration_ms: 0,
            bucket: None,
            token_id: None,
            fault: None,
        }
    }

    #[test]
    fn sequence_and_since() {
        let log = RequestLog::default();
        log.push(entry("/a"));
        log.push(entry("/b"));
        let all = log.since(0);
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(log.since(1)[0].path, "/b");
        log.clear();
        assert!(log.since(0).is_empty());
        log.push(entry("/c"));
        assert_eq!(log.since(0)[0].seq, 3);
    }
}
