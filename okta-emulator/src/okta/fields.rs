//! Checks of request-body fields and query parameters that several families share (apps and
//! their ID-token claim, API tokens, the authorization-server APIs).

use serde_json::{Map, Value};

use crate::{
    base::errors::{ApiResult, Causes, OktaError},
    pipeline::http::Query,
    store::Status,
};

/// Refuses query parameters Okta documents for this list but the emulator does not implement
/// (and anything unknown), so a client never gets a silently unfiltered answer.
pub fn only_params(query: &Query, supported: &[&str]) -> ApiResult<()> {
    match query
        .0
        .iter()
        .find(|(k, _)| !supported.contains(&k.as_str()))
    {
        None => Ok(()),
        Some((k, _)) => Err(OktaError::validation(
            k,
            "okta-emulator does not support this query parameter here",
        )),
    }
}

/// A required non-blank string field.
pub fn required_str(req: &Map<String, Value>, field: &str, causes: &mut Causes) -> String {
    match req.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) | Some(Value::Null) | None => {
            causes.push(field, "The field cannot be left blank.");
            String::new()
        }
        Some(_) => {
            causes.push(field, "The field has an invalid value");
            String::new()
        }
    }
}

/// An optional string field that must be one of `allowed`; `default` when absent or null.
pub fn enum_field(
    req: &Map<String, Value>,
    field: &str,
    allowed: &[&str],
    default: &str,
    causes: &mut Causes,
) -> String {
    match req.get(field) {
        None | Some(Value::Null) => default.to_string(),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => s.clone(),
        Some(_) => {
            causes.push(
                field,
                format!(
                    "'{field}' must be one of the following values: [{}]",
                    allowed.join(", ")
                ),
            );
            default.to_string()
        }
    }
}

/// An optional boolean field.
pub fn bool_field(
    req: &Map<String, Value>,
    field: &str,
    default: bool,
    causes: &mut Causes,
) -> bool {
    match req.get(field) {
        None | Some(Value::Null) => default,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            causes.push(field, "The field has an invalid value");
            default
        }
    }
}

/// An optional array of strings at `path` (e.g. `["conditions", "scopes"]`).
pub fn str_list(
    req: &Map<String, Value>,
    path: &[&str],
    causes: &mut Causes,
) -> Option<Vec<String>> {
    let mut cur: Option<&Value> = None;
    for (i, key) in path.iter().enumerate() {
        let next = if i == 0 {
            req.get(*key)
        } else {
            cur.and_then(|v| v.get(*key))
        };
        match next {
            None | Some(Value::Null) => return None,
            Some(v) => cur = Some(v),
        }
    }
    match cur {
        Some(Value::Array(items)) => {
            let out: Option<Vec<String>> = items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect();
            if out.is_none() {
                causes.push(&path.join("."), "The field has an invalid value");
            }
            out
        }
        _ => {
            causes.push(&path.join("."), "The field has an invalid value");
            None
        }
    }
}

/// `status` of a create body: ACTIVE (default) or INACTIVE.
pub fn status_field(req: &Map<String, Value>, causes: &mut Causes) -> Status {
    match enum_field(req, "status", &["ACTIVE", "INACTIVE"], "ACTIVE", causes).as_str() {
        "INACTIVE" => Status::Inactive,
        _ => Status::Active,
    }
}

/// Group filter operators of GROUPS claims (Okta's `group_filter_type`).
pub const GROUP_FILTER_TYPES: &[&str] = &["STARTS_WITH", "EQUALS", "CONTAINS", "REGEX"];

/// Checks a group filter: a known operator, and for REGEX a pattern that compiles. Shared with
/// the org server's per-app claim. Returns `(field, cause)` on failure.
pub fn check_group_filter(filter_type: &str, value: &str) -> Result<(), (&'static str, String)> {
    if !GROUP_FILTER_TYPES.contains(&filter_type) {
        return Err((
            "group_filter_type",
            format!(
                "'group_filter_type' must be one of the following values: [{}]",
                GROUP_FILTER_TYPES.join(", ")
            ),
        ));
    }
    if filter_type == "REGEX" && regex::Regex::new(value).is_err() {
        return Err(("value", "The regular expression is not valid.".to_string()));
    }
    Ok(())
}

/// A string array field; non-strings are reported.
pub fn string_list(causes: &mut Causes, field: &str, v: Option<&Value>) -> Option<Vec<String>> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                match i.as_str() {
                    Some(s) => out.push(s.to_string()),
                    None => {
                        causes.push(field, "The field has an invalid value");
                        return None;
                    }
                }
            }
            Some(out)
        }
        Some(_) => {
            causes.push(field, "The field has an invalid value");
            None
        }
    }
}

/// An optional enum-valued string.
pub fn check_enum(causes: &mut Causes, field: &str, v: Option<&Value>, allowed: &[&str]) {
    match v {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => {}
        Some(_) => causes.push(
            field,
            format!(
                "'{field}' is invalid. Valid values: [{}].",
                allowed.join(", ")
            ),
        ),
    }
}

/// An optional boolean.
pub fn check_bool(causes: &mut Causes, field: &str, v: Option<&Value>) {
    if !matches!(v, None | Some(Value::Null) | Some(Value::Bool(_))) {
        causes.push(field, "The field has an invalid value");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn unknown_params_are_refused() {
        let q = Query::parse(Some("q=a&limit=2"));
        assert!(only_params(&q, &["q", "limit"]).is_ok());
        let e = only_params(&q, &["q"]).unwrap_err();
        assert_eq!(e.summary, "Api validation failed: limit");
    }

    #[test]
    fn field_readers_collect_causes() {
        let mut c = Causes::new();
        let req = obj(json!({"name": " ", "mode": "X", "flag": 1, "l": {"s": ["a", 2]}}));
        assert_eq!(required_str(&req, "name", &mut c), "");
        assert_eq!(enum_field(&req, "mode", &["A"], "A", &mut c), "A");
        assert!(bool_field(&req, "flag", true, &mut c));
        assert_eq!(str_list(&req, &["l", "s"], &mut c), None);
        assert_eq!(str_list(&req, &["absent", "s"], &mut c), None);
        let e = c.into_result().unwrap_err();
        assert_eq!(e.causes.len(), 4);
        assert_eq!(e.causes[3], "l.s: The field has an invalid value");
    }
}
