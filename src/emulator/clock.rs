//! Time helpers. Okta renders timestamps as `2026-03-27T04:46:13.000Z` (whole seconds, millis
//! always zero), so the emulator stores Unix seconds and formats them that way.

use std::time::{SystemTime, UNIX_EPOCH};

use time::{format_description::BorrowedFormatItem, macros::format_description, OffsetDateTime};

const OKTA_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000Z");
const LOG_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Seconds in the 30-day API token window (`tokenWindow: P30D`).
pub const TOKEN_WINDOW_SECS: i64 = 30 * 24 * 60 * 60;

/// Current Unix time in whole seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Okta's timestamp format for Unix seconds.
pub fn okta_ts(secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(OKTA_FORMAT).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_string())
}

/// Millisecond-precision UTC timestamp for the request log.
pub fn log_ts(at: SystemTime) -> String {
    OffsetDateTime::from(at)
        .format(LOG_FORMAT)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_okta() {
        assert_eq!(okta_ts(1_774_586_773), "2026-03-27T04:46:13.000Z");
        assert_eq!(okta_ts(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn log_timestamps_have_millis() {
        let t = UNIX_EPOCH + std::time::Duration::from_millis(1_500);
        assert_eq!(log_ts(t), "1970-01-01T00:00:01.500Z");
    }
}
