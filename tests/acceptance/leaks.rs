//! No secret of a case may show up in what the case logged or printed: the provider's log at
//! TRACE and Terraform's own (the `TF_LOG_PATH` file), Terraform's stdout and stderr, and the
//! emulator's log at its most verbose level. Secrets are registered as they appear (the helpers
//! do it: the admin token, sensitive outputs and state values, sign-in tokens) and swept from
//! the emulator (`GET /__emulator/secrets`: every API token and client secret it issued), so
//! a new case gets the check without doing anything. `main.rs` calls [`begin`] and [`check`]
//! around each case. To cover a new kind of secret, call [`secret`] where the helper sees it.

use std::{
    cell::RefCell,
    sync::{Arc, Mutex},
};

/// Shorter values are not checked: they would match by chance (`true`, a port number).
const MIN_LEN: usize = 8;

#[derive(Default)]
pub struct Record {
    /// (kind, value)
    secrets: Vec<(&'static str, String)>,
    /// (where it came from, text)
    texts: Vec<(String, String)>,
}

/// The record of the case running on this thread. Cases run side by side on worker threads,
/// so each thread has its own; a case that starts threads hands its record to them ([`join`]).
pub type CaseRecord = Arc<Mutex<Record>>;

thread_local! {
    static CASE: RefCell<Option<CaseRecord>> = const { RefCell::new(None) };
}

/// The running case's record, for threads the case starts.
pub fn current() -> Option<CaseRecord> {
    CASE.with(|c| c.borrow().clone())
}

/// Makes this (case-started) thread record into `record`.
pub fn join(record: Option<CaseRecord>) {
    CASE.with(|c| *c.borrow_mut() = record);
}

/// Runs `f` on the current case's record; outside a case (no record) there is nothing to do.
fn with<R: Default>(f: impl FnOnce(&mut Record) -> R) -> R {
    match current() {
        Some(record) => {
            let mut guard = record.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        }
        None => R::default(),
    }
}

/// Registers a secret value of the running case; `kind` names it in a failure.
pub fn secret(kind: &'static str, value: &str) {
    if value.len() < MIN_LEN {
        return;
    }
    with(|r| {
        if !r.secrets.iter().any(|(_, v)| v == value) {
            r.secrets.push((kind, value.to_string()));
        }
    });
}

/// Adds a log or output of the running case to what is searched.
pub fn capture(source: impl Into<String>, text: String) {
    if !text.is_empty() {
        with(|r| r.texts.push((source.into(), text)));
    }
}

/// Registers every string value of `value` (recursively) as a secret of `kind`.
pub fn secret_values(kind: &'static str, value: &serde_json::Value) {
    match value {
        serde_json::Value::String(s) => secret(kind, s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| secret_values(kind, v)),
        serde_json::Value::Object(map) => map.values().for_each(|v| secret_values(kind, v)),
        _ => {}
    }
}

/// A sensitive value: a string is a secret; in a map or object (Pomerium's environment, a
/// settings object) only the entries named like a secret are, since the rest (URLs, client
/// IDs) is printed elsewhere on purpose.
pub fn sensitive_value(kind: &'static str, value: &serde_json::Value) {
    match value {
        serde_json::Value::String(s) => secret(kind, s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| sensitive_value(kind, v)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let k = k.to_ascii_lowercase();
                let named_secret = ["secret", "token", "password", "service_account", "private"]
                    .iter()
                    .any(|w| k.contains(w));
                if named_secret {
                    secret_values(kind, v);
                } else if !v.is_string() {
                    sensitive_value(kind, v);
                }
            }
        }
        _ => {}
    }
}

/// Starts a case on this thread with an empty record.
pub fn begin() {
    join(Some(CaseRecord::default()));
}

/// Ends a case: an error names each secret kind found and where (never the value). Returns the
/// numbers searched, for the summary line.
pub fn check() -> Result<(usize, usize), String> {
    let (secrets, texts) = with(|r| (std::mem::take(&mut r.secrets), std::mem::take(&mut r.texts)));
    join(None);
    let mut found = Vec::new();
    for (kind, value) in &secrets {
        for (source, text) in &texts {
            if let Some(at) = text.find(value.as_str()) {
                let line = text[..at].matches('\n').count() + 1;
                found.push(format!("a {kind} appears in {source}, line {line}"));
            }
        }
    }
    let bytes = texts.iter().map(|(_, t)| t.len()).sum();
    if found.is_empty() {
        Ok((secrets.len(), bytes))
    } else {
        found.sort();
        found.dedup();
        Err(format!("secrets leaked:\n  {}", found.join("\n  ")))
    }
}

/// Sensitive outputs and state values, from `output -json` or `show -json`.
pub fn sensitive_outputs(outputs: &serde_json::Value) {
    if let Some(map) = outputs.as_object() {
        for o in map.values() {
            if o["sensitive"] == true {
                sensitive_value("sensitive output", &o["value"]);
            }
        }
    }
}

/// The values `show -json` marks sensitive (`sensitive_values` mirrors `values`, with `true`
/// at each sensitive leaf or subtree).
pub fn sensitive_state(show: &serde_json::Value) {
    fn walk(values: &serde_json::Value, marks: &serde_json::Value) {
        match marks {
            serde_json::Value::Bool(true) => sensitive_value("sensitive state value", values),
            serde_json::Value::Object(m) => {
                for (k, mark) in m {
                    walk(&values[k.as_str()], mark);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, mark) in items.iter().enumerate() {
                    walk(&values[i], mark);
                }
            }
            _ => {}
        }
    }
    fn module(m: &serde_json::Value) {
        for r in m["resources"].as_array().into_iter().flatten() {
            walk(&r["values"], &r["sensitive_values"]);
        }
        for child in m["child_modules"].as_array().into_iter().flatten() {
            module(child);
        }
    }
    sensitive_outputs(&show["values"]["outputs"]);
    module(&show["values"]["root_module"]);
}

/// Sensitive outputs and attributes of a `terraform.tfstate` (format 4), read after every
/// command so values that a later destroy removes are registered too. A step of a
/// `sensitive_attributes` path is `{"type": "get_attr"|"index", "value": ...}`.
pub fn sensitive_tfstate(state: &serde_json::Value) {
    use serde_json::Value;
    fn step<'a>(v: &'a Value, s: &Value) -> &'a Value {
        match (s["type"].as_str(), &s["value"]) {
            (Some("get_attr"), Value::String(k)) => &v[k.as_str()],
            (Some("index"), key) => match &key["value"] {
                Value::String(k) => &v[k.as_str()],
                Value::Number(n) => &v[n.as_u64().unwrap_or(u64::MAX) as usize],
                _ => &Value::Null,
            },
            _ => &Value::Null,
        }
    }
    sensitive_outputs(&state["outputs"]);
    for r in state["resources"].as_array().into_iter().flatten() {
        for i in r["instances"].as_array().into_iter().flatten() {
            for path in i["sensitive_attributes"].as_array().into_iter().flatten() {
                let steps: Vec<&Value> = match path {
                    Value::Array(steps) => steps.iter().collect(),
                    one => vec![one],
                };
                let value = steps.iter().fold(&i["attributes"], |v, s| step(v, s));
                sensitive_value("sensitive state value", value);
            }
        }
    }
}
