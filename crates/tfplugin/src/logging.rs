//! Logs in the form Terraform's plugin client understands: one hclog JSON object per line on
//! stderr, with `@level`, `@message`, `@module` and `@timestamp` (hclog's JSON time layout,
//! six fractional digits). Terraform re-levels and prefixes them itself.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// The level Terraform asked for, from `TF_LOG_PROVIDER` (else `TF_LOG`). Unset or unknown means
/// off: Terraform discards provider logs then anyway, so writing them would only cost time.
pub fn level_from_env(get: impl Fn(&str) -> Option<String>) -> LevelFilter {
    let raw = get("TF_LOG_PROVIDER")
        .filter(|v| !v.trim().is_empty())
        .or_else(|| get("TF_LOG"))
        .unwrap_or_default();
    match raw.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => LevelFilter::TRACE,
        "DEBUG" => LevelFilter::DEBUG,
        "INFO" => LevelFilter::INFO,
        "WARN" => LevelFilter::WARN,
        "ERROR" => LevelFilter::ERROR,
        _ => LevelFilter::OFF,
    }
}

/// Installs the hclog layer for this process. Only the project's crates log above WARN: the HTTP
/// and TLS stacks log bodies and headers at trace level, and those may carry secrets.
pub fn init(level: LevelFilter) {
    let targets = Targets::new()
        .with_default(std::cmp::min(level, LevelFilter::WARN))
        // A target matches as a prefix: this also covers `oktaidp_tfplugin` and `oktaidp_okta`.
        .with_target("oktaidp", level)
        .with_target("terraform_provider_oktaidp", level)
        .with_target("okta_emulator", level);
    let _ = tracing_subscriber::registry()
        .with(HclogLayer.with_filter(targets))
        .try_init();
}

/// hclog's `TimeFormatJSON` (`2006-01-02T15:04:05.000000Z07:00`), in UTC.
pub fn hclog_timestamp(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// Renders one event as an hclog JSON line (without the newline).
pub fn render_line(
    level: &Level,
    module: &str,
    message: &str,
    fields: &[(String, String)],
    at: time::OffsetDateTime,
) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level_name(level).into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), module.into());
    obj.insert("@timestamp".into(), hclog_timestamp(at).into());
    for (k, v) in fields {
        // Terraform reads the @-keys as strings; never let a field shadow them.
        if !k.starts_with('@') {
            obj.insert(k.clone(), v.clone().into());
        }
    }
    serde_json::Value::Object(obj).to_string()
}

struct HclogLayer;

#[derive(Default)]
struct Collect {
    message: String,
    fields: Vec<(String, String)>,
}

impl Visit for Collect {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.fields
                .push((field.name().to_string(), value.to_string()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        if field.name() == "message" {
            self.message.push_str(&text);
        } else {
            self.fields.push((field.name().to_string(), text));
        }
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut collect = Collect::default();
        event.record(&mut collect);
        let meta = event.metadata();
        let module = meta.module_path().unwrap_or_else(|| meta.target());
        let line = render_line(
            meta.level(),
            module,
            &collect.message,
            &collect.fields,
            time::OffsetDateTime::now_utc(),
        );
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }
}

/// Makes a Rust panic look like a Go one (`panic: ...` on stderr), which is what Terraform
/// watches for to show its "plugin crashed" report with our message and backtrace.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let backtrace = std::backtrace::Backtrace::force_capture().to_string();
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(panic_report(&message, &location, &backtrace).as_bytes());
    }));
}

/// The crash text: Terraform starts capturing at a line beginning with `panic: `.
pub fn panic_report(message: &str, location: &str, backtrace: &str) -> String {
    format!("panic: {message}\n\ngoroutine 1 [running]:\n{location}\n{backtrace}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_matches_hclog_layout() {
        let at = time::macros::datetime!(2021-07-21 00:00:00.5 UTC);
        assert_eq!(hclog_timestamp(at), "2021-07-21T00:00:00.500000Z");
        let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$").expect("re");
        assert!(re.is_match(&hclog_timestamp(time::OffsetDateTime::now_utc())));
    }

    #[test]
    fn line_is_json_with_string_at_keys() {
        let line = render_line(
            &Level::INFO,
            "oktaidp::x",
            "hello \"world\"",
            &[
                ("app_id".into(), "0oa1".into()),
                ("@level".into(), "x".into()),
            ],
            time::macros::datetime!(2021-07-21 00:00:00 UTC),
        );
        let v: serde_json::Value = serde_json::from_str(&line).expect("json");
        assert_eq!(v["@level"], "info");
        assert_eq!(v["@message"], "hello \"world\"");
        assert_eq!(v["@timestamp"], "2021-07-21T00:00:00.000000Z");
        assert_eq!(v["app_id"], "0oa1");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn panic_report_starts_the_way_terraform_detects_crashes() {
        let report = panic_report("boom", "src/x.rs:3", "0: frame");
        assert!(report.starts_with("panic: boom\n"));
        assert!(report.contains("src/x.rs:3"));
        assert!(
            !report.trim_start().starts_with('{'),
            "must not look like a JSON log line"
        );
    }

    #[test]
    fn level_follows_tf_log_provider_then_tf_log() {
        let get = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(level_from_env(get(&[])), LevelFilter::OFF);
        assert_eq!(
            level_from_env(get(&[("TF_LOG", "debug")])),
            LevelFilter::DEBUG
        );
        assert_eq!(
            level_from_env(get(&[("TF_LOG", "debug"), ("TF_LOG_PROVIDER", "ERROR")])),
            LevelFilter::ERROR
        );
        assert_eq!(
            level_from_env(get(&[("TF_LOG", "JSON")])),
            LevelFilter::TRACE
        );
    }
}
