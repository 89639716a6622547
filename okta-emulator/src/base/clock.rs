//! Time helpers. Okta renders timestamps as `2026-03-27T04:46:13.000Z` (whole seconds, millis
//! always zero), so the emulator stores Unix seconds and formats them that way.

use std::time::{SystemTime, UNIX_EPOCH};

use time::{
    format_description::{well_known::Rfc3339, BorrowedFormatItem},
    macros::format_description,
    OffsetDateTime,
};

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

/// An RFC 3339 timestamp as an instant (Unix nanoseconds), whatever its fraction digits or
/// offset: `2026-01-02T15:04:05Z`, `…05.5Z`, `…05.000Z` and `…07:04:05-08:00` are comparable.
/// Okta's filters take any of these (clients send `.000Z`, Go's `.999Z` layout drops zeros).
pub fn parse_instant(text: &str) -> Option<i128> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp_nanos)
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
    fn instants_parse_whatever_the_fraction_or_offset() {
        let whole = parse_instant("2026-03-27T04:46:13Z").unwrap();
        assert_eq!(whole, 1_774_586_773 * 1_000_000_000);
        assert_eq!(parse_instant("2026-03-27T04:46:13.000Z"), Some(whole));
        assert_eq!(parse_instant(&okta_ts(1_774_586_773)), Some(whole));
        assert_eq!(parse_instant("2026-03-26T20:46:13-08:00"), Some(whole));
        assert_eq!(
            parse_instant("2026-03-27T04:46:13.5Z"),
            Some(whole + 500_000_000)
        );
        for bad in ["", "2026-03-27", "2026-03-27T04:46Z", "yesterday"] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn log_timestamps_have_millis() {
        let t = UNIX_EPOCH + std::time::Duration::from_millis(1_500);
        assert_eq!(log_ts(t), "1970-01-01T00:00:01.500Z");
    }
}
