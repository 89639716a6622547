//! The `okta_models` fuzz target's logic, here so that the target, the replay of its committed
//! inputs (`tests/fuzz_replay.rs`) and the unit tests run the same check. Not a stable API.
//!
//! Input: one byte picks the model (`pick % 19`), the rest is its JSON. 17 reads the rest as
//! `Name: value` header lines (`Link` pagination, rate limits, `Date`); 18 feeds it to
//! `ApiError::from_response` as an error body of any kind.

use std::fmt::Debug;

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use super::*;
use crate::error::ApiError;
use crate::pagination::next_link;
use crate::ratelimit::{server_date, RateLimitInfo};

/// A broken property. The text names a JSON path and, for numbers, both spellings; never a
/// string's content (it could be a secret).
#[derive(thiserror::Error, Debug, PartialEq, Eq)]
#[error("{model}: {what}")]
pub struct Violation {
    pub model: &'static str,
    pub what: String,
}

/// Runs one input. `Ok` also for JSON a model refuses: only accepted input has properties.
pub fn check(data: &[u8]) -> Result<(), Violation> {
    let Some((&pick, json)) = data.split_first() else {
        return Ok(());
    };
    match pick % 19 {
        0 => {
            if let Some(app) = lossless::<OidcApp>("OidcApp", json)? {
                // Typed accessors read arbitrary shapes: none may panic.
                let _ = (app.id(), app.client_id(), app.client_secret().is_some());
                let _ = (app.redirect_uris(), app.post_logout_redirect_uris());
                let _ = (app.grant_types(), app.response_types(), app.refresh_token());
                let _ = (app.pkce_required(), app.token_endpoint_auth_method());
                let _ = (app.initiate_login_uri(), app.wildcard_redirect());
                let _ = format!("{app:?}");
            }
        }
        1 => {
            if let Some(s) = lossless::<ClientSecret>("ClientSecret", json)? {
                let _ = (s.is_active(), format!("{s:?}"));
            }
        }
        2 => drop(lossless::<NewClientSecret>("NewClientSecret", json)?),
        3 => {
            if let Some(t) = lossless::<ApiToken>("ApiToken", json)? {
                if let Err(e) = serde_json::to_value(t.to_update()) {
                    return Err(violation(
                        "ApiToken",
                        format!("to_update does not encode: {e}"),
                    ));
                }
            }
        }
        4 => drop(lossless::<ApiTokenUpdate>("ApiTokenUpdate", json)?),
        5 => drop(lossless::<TokenNetwork>("TokenNetwork", json)?),
        6 => {
            if let Some(g) = lossless::<Group>("Group", json)? {
                let _ = g.name();
            }
        }
        7 => drop(lossless::<GroupProfile>("GroupProfile", json)?),
        8 => drop(lossless::<NewGroup>("NewGroup", json)?),
        9 => {
            if let Some(u) = lossless::<User>("User", json)? {
                let _ = u.login();
            }
        }
        10 => drop(lossless::<UserProfile>("UserProfile", json)?),
        11 => drop(lossless::<ErrorBody>("ErrorBody", json)?),
        12 => drop(lossless::<ErrorCause>("ErrorCause", json)?),
        13 => drop(lossless::<AppGroupAssignment>("AppGroupAssignment", json)?),
        14 => drop(lossless::<GroupAssignmentRequest>(
            "GroupAssignmentRequest",
            json,
        )?),
        15 => drop(lossless::<AppIdTokenClaim>("AppIdTokenClaim", json)?),
        16 => drop(lossless::<AuthServerClaim>("AuthServerClaim", json)?),
        17 => {
            let headers = header_lines(json);
            let _ = next_link(&headers);
            let _ = (RateLimitInfo::from_headers(&headers), server_date(&headers));
        }
        _ => {
            let status = http::StatusCode::from_u16(400 + u16::from(pick % 200))
                .unwrap_or(http::StatusCode::BAD_REQUEST);
            let err = ApiError::from_response(status, "GET", "/api/v1/apps", json);
            let _ = format!("{err:?}");
        }
    }
    Ok(())
}

fn violation(model: &'static str, what: String) -> Violation {
    Violation { model, what }
}

/// The lossless promise, on the paths the provider uses: decoded from text (a response), the
/// model encodes to the input's JSON value, as a value and as text (the PUT body): every key,
/// every number as spelled; decoding that text, or the encoded value with [`from_value`], gives
/// an equal model.
pub fn lossless<T>(model_name: &'static str, json: &[u8]) -> Result<Option<T>, Violation>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let fail = |what: String| Err(violation(model_name, what));
    let Ok(model) = serde_json::from_slice::<T>(json) else {
        return Ok(None);
    };
    let input: Value = match serde_json::from_slice(json) {
        Ok(v) => v,
        Err(e) => return fail(format!("accepted JSON that is no JSON value: {e}")),
    };
    let encoded = match serde_json::to_value(&model) {
        Ok(v) => v,
        Err(e) => return fail(format!("a decoded model does not encode: {e}")),
    };
    if encoded != input {
        let at = first_difference(&input, &encoded, "$");
        return fail(format!("decode → encode lost or changed something: {at}"));
    }
    let body = match serde_json::to_vec(&model) {
        Ok(b) => b,
        Err(e) => return fail(format!("does not encode as text: {e}")),
    };
    // The PUT body read back: numbers compare by spelling; key order is free (typed keys of a
    // `json_model` come first).
    match serde_json::from_slice::<Value>(&body) {
        Ok(sent) if sent == input => {}
        Ok(sent) => {
            let at = first_difference(&input, &sent, "$");
            return fail(format!("the encoded text is not the input: {at}"));
        }
        Err(e) => return fail(format!("the encoded text is no JSON: {e}")),
    }
    match serde_json::from_slice::<T>(&body) {
        Ok(again) if again == model => {}
        Ok(_) => return fail("decode → encode → decode (text) changed the model".into()),
        Err(e) => return fail(format!("its own encoding does not decode: {e}")),
    }
    match from_value::<T>(encoded) {
        Ok(again) if again == model => {}
        Ok(_) => return fail("decode → encode → decode (value) changed the model".into()),
        Err(e) => return fail(format!("its own encoded value does not decode: {e}")),
    }
    Ok(Some(model))
}

/// Where two JSON values first differ, as `path: what`, without a string's content.
pub fn first_difference(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let here = format!("{path}.{k}");
                match y.get(k) {
                    None => return format!("{here}: missing"),
                    Some(w) if w != v => return first_difference(v, w, &here),
                    Some(_) => {}
                }
            }
            match y.keys().find(|k| !x.contains_key(*k)) {
                Some(k) => format!("{path}.{k}: added"),
                None => format!("{path}: equal"),
            }
        }
        (Value::Array(x), Value::Array(y)) => match x.iter().zip(y).position(|(v, w)| v != w) {
            Some(i) => first_difference(&x[i], &y[i], &format!("{path}[{i}]")),
            None => format!("{path}: length {} became {}", x.len(), y.len()),
        },
        (Value::Number(x), Value::Number(y)) => format!("{path}: number {x} became {y}"),
        (Value::String(_), Value::String(_)) => format!("{path}: string changed"),
        _ => format!("{path}: {} became {}", kind(a), kind(b)),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `Name: value` lines as a header map (lines that are not valid headers are skipped).
fn header_lines(data: &[u8]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = http::HeaderName::from_bytes(&line[..colon]);
        let value = http::HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
        if let (Ok(n), Ok(v)) = (name, value) {
            map.append(n, v);
        }
    }
    map
}
