//! Okta JSON models: decode → encode gives back the input JSON exactly (the models promise to
//! keep every key, typed or not), and decoding that again gives an equal model. The first byte
//! picks the model; the last two choices feed response headers (`Link` pagination, rate-limit
//! headers, `Date`) and error bodies of any kind to `ApiError::from_response`.
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use oktaidp::okta::error::ApiError;
use oktaidp::okta::models::*;
use oktaidp::okta::pagination::next_link;
use oktaidp::okta::ratelimit::{server_date, RateLimitInfo};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

fn lossless<T: DeserializeOwned + Serialize + PartialEq + Debug>(json: &[u8]) -> Option<T> {
    let model: T = serde_json::from_slice(json).ok()?;
    let input: Value = match serde_json::from_slice(json) {
        Ok(v) => v,
        Err(e) => panic!("the model accepted JSON that does not parse as a value: {e}"),
    };
    let encoded = match serde_json::to_value(&model) {
        Ok(v) => v,
        Err(e) => panic!("a decoded model does not encode: {e}"),
    };
    assert_eq!(encoded, input, "decode → encode lost or changed something");
    let again: T = match serde_json::from_value(encoded) {
        Ok(m) => m,
        Err(e) => panic!("the model's own encoding does not decode: {e}"),
    };
    assert_eq!(again, model, "decode → encode → decode changed the model");
    Some(model)
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

fuzz_target!(|data: &[u8]| {
    let Some((&pick, json)) = data.split_first() else {
        return;
    };
    match pick % 19 {
        0 => {
            if let Some(app) = lossless::<OidcApp>(json) {
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
            if let Some(s) = lossless::<ClientSecret>(json) {
                let _ = (s.is_active(), format!("{s:?}"));
            }
        }
        2 => drop(lossless::<NewClientSecret>(json)),
        3 => {
            if let Some(t) = lossless::<ApiToken>(json) {
                let update = t.to_update();
                assert!(serde_json::to_value(&update).is_ok());
            }
        }
        4 => drop(lossless::<ApiTokenUpdate>(json)),
        5 => drop(lossless::<TokenNetwork>(json)),
        6 => {
            if let Some(g) = lossless::<Group>(json) {
                let _ = g.name();
            }
        }
        7 => drop(lossless::<GroupProfile>(json)),
        8 => drop(lossless::<NewGroup>(json)),
        9 => {
            if let Some(u) = lossless::<User>(json) {
                let _ = u.login();
            }
        }
        10 => drop(lossless::<UserProfile>(json)),
        11 => drop(lossless::<ErrorBody>(json)),
        12 => drop(lossless::<ErrorCause>(json)),
        13 => drop(lossless::<AppGroupAssignment>(json)),
        14 => drop(lossless::<GroupAssignmentRequest>(json)),
        15 => drop(lossless::<AppIdTokenClaim>(json)),
        16 => drop(lossless::<AuthServerClaim>(json)),
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
});
