//! The ID-token setting as the internal API returns it.

use serde_json::{json, Map, Value};

use crate::store::authz::AppIdTokenClaim;

/// The body: `issuer` and `audience` are filled on GET and null in POST answers, as recorded.
pub fn setting(
    claim: Option<&AppIdTokenClaim>,
    issuer_mode: &str,
    issuer: Option<&str>,
    audience: Option<&str>,
) -> Value {
    let mut out = Map::new();
    out.insert("issuer".into(), json!(issuer));
    out.insert("orgUrl".into(), Value::Null);
    out.insert("customUrl".into(), Value::Null);
    out.insert("audience".into(), json!(audience));
    out.insert("issuerMode".into(), json!(issuer_mode));
    if let Some(c) = claim {
        out.insert("valueType".into(), json!(c.value_type));
        out.insert("name".into(), json!(c.name));
        if let Some(f) = &c.group_filter_type {
            out.insert("groupFilterType".into(), json!(f));
        }
        out.insert("value".into(), json!(c.value));
    }
    Value::Object(out)
}
