//! Numbers survive every model's round trip with the spelling Okta sent: issue #20's fuzz crash
//! (`-0` beside `1.50` in keys we do not model) and its kind, in every position a model keeps
//! untyped (unknown keys, nested objects and arrays, `Map` fields, nested models' leftovers) or
//! holds as a `Number`.

use proptest::prelude::*;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use super::fuzzing::{check, lossless, Violation};
use super::*;

/// The input `okta_models` crashed on after 23 009 executions (selector byte 0x00: `OidcApp`),
/// committed byte for byte as a regression input of the fuzz gate.
const CRASH_FILE: &[u8] =
    include_bytes!("../../../../fuzz/regressions/okta_models/oidc-app-negative-zero");
const CRASH_JSON: &str = r#"{"id":"0oa1","name":"oidc_client","settings":{"oauthClient":{"redirect_uris":["https://a/cb"],"grant_types":["authorization_code","refresh_token"],"refresh_token":{"rotation_type":"ROTATE","leUway":-0}}},"credentials":{"oauthClient":{"client_id":"0oa1","client_secret":"s","pkce_required":false}},"x":1.50}"#;

#[test]
fn the_fuzz_crash_input_passes_the_targets_check() {
    assert_eq!(CRASH_FILE.first(), Some(&0u8));
    assert_eq!(&CRASH_FILE[1..], CRASH_JSON.as_bytes());
    assert_eq!(check(CRASH_FILE), Ok(()));
}

#[test]
fn the_put_body_of_the_crash_input_is_the_input_byte_for_byte() {
    let app: OidcApp = serde_json::from_str(CRASH_JSON).expect("decodes");
    assert_eq!(serde_json::to_string(&app).expect("encodes"), CRASH_JSON);
    let value = serde_json::to_value(&app).expect("encodes");
    let again: OidcApp = from_value(value).expect("decodes");
    assert_eq!(serde_json::to_string(&again).expect("encodes"), CRASH_JSON);
}

/// The root cause, upstream: serde_json's `Value` deserializer hands the integer `-0` over as
/// `0`. When this fails, serde_json keeps `-0` itself and `from_value` may go direct.
#[test]
fn serde_json_from_value_still_turns_negative_zero_into_zero() {
    let value: Value = serde_json::from_str(r#"{"x":-0}"#).expect("parses");
    let direct: Value = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(direct.to_string(), r#"{"x":0}"#);
    let ours: Value = from_value(value).expect("decodes");
    assert_eq!(ours.to_string(), r#"{"x":-0}"#);
}

/// Typed-but-untouched positions went through `serde_json::from_value` before the fix, which
/// lost `-0` on the first decode (a model's own `Map` field or nested model).
#[test]
fn nested_models_and_map_fields_keep_negative_zero() {
    for (pick, json) in [
        (6u8, r#"{"id":"00g1","profile":{"name":"g","w":-0}}"#),
        (
            9,
            r#"{"id":"00u1","profile":{"login":"a@b","n":[-0,{"m":-0}]}}"#,
        ),
        (
            3,
            r#"{"id":"00T1","network":{"connection":"ANYWHERE","n":-0}}"#,
        ),
        (
            11,
            r#"{"errorCode":"E0000001","errorCauses":[{"errorSummary":"s","n":-0}]}"#,
        ),
        (13, r#"{"id":"00g1","priority":-0,"profile":{"n":-0}}"#),
        (16, r#"{"id":"ocl1","conditions":{"scopes":[],"n":-0}}"#),
    ] {
        let mut data = vec![pick];
        data.extend_from_slice(json.as_bytes());
        assert_eq!(check(&data), Ok(()), "{json}");
    }
}

#[test]
fn a_changed_number_is_reported_with_its_path_and_spellings() {
    let a: Value = serde_json::from_str(r#"{"s":{"k":[1,-0]},"t":"secret-ish"}"#).expect("json");
    let b: Value = serde_json::from_str(r#"{"s":{"k":[1,0]},"t":"secret-ish"}"#).expect("json");
    let at = fuzzing::first_difference(&a, &b, "$");
    assert_eq!(at, "$.s.k[1]: number -0 became 0");
    let c: Value = serde_json::from_str(r#"{"s":{"k":[1,-0]},"t":"other"}"#).expect("json");
    let at = fuzzing::first_difference(&a, &c, "$");
    assert_eq!(at, "$.t: string changed");
}

/// A JSON number as written, and as serde_json keeps it: digits, sign, fraction and trailing
/// zeros as they are; the exponent marker becomes `e` with an explicit sign (`1E5` → `1e+5`).
fn number() -> impl Strategy<Value = (String, String)> {
    let int = prop_oneof!["0", "[1-9][0-9]{0,40}"];
    let frac = proptest::option::of("[0-9]{1,25}");
    let exp = proptest::option::of((
        prop_oneof!["e", "E"],
        prop_oneof!["", "\\+", "-"],
        "[0-9]{1,4}",
    ));
    (any::<bool>(), int, frac, exp).prop_map(|(neg, int, frac, exp)| {
        let mut base = String::new();
        if neg {
            base.push('-');
        }
        base.push_str(&int);
        if let Some(f) = frac {
            base.push('.');
            base.push_str(&f);
        }
        let (mut written, mut kept) = (base.clone(), base);
        if let Some((e, sign, digits)) = exp {
            written.push_str(&format!("{e}{sign}{digits}"));
            let sign = if sign.is_empty() { "+" } else { sign.as_str() };
            kept.push_str(&format!("e{sign}{digits}"));
        }
        (written, kept)
    })
}

/// Compact JSON with `#` where a number goes, one template per kind of position.
const TEMPLATES: &[(u8, &str)] = &[
    // OidcApp: unknown top-level key, modelled-but-passthrough `refresh_token`, deep nesting.
    (0, r##"{"id":"0oa1","x":#}"##),
    (
        0,
        r##"{"settings":{"oauthClient":{"grant_types":["refresh_token"],"refresh_token":{"rotation_type":"ROTATE","leeway":#,"leUway":#}}}}"##,
    ),
    (
        0,
        r##"{"credentials":{"oauthClient":{"client_id":"c","future":[#,{"a":[[#]]}]}},"profile":{"w":#}}"##,
    ),
    (
        1,
        r##"{"id":"ocs1","status":"ACTIVE","n":#,"_links":{"a":[#]}}"##,
    ),
    (2, r##"{"status":"ACTIVE","n":#}"##),
    (
        3,
        r##"{"id":"00T1","network":{"connection":"ANYWHERE","n":#},"m":[#]}"##,
    ),
    (
        4,
        r##"{"name":"t","network":{"include":["a"],"n":{"k":#}}}"##,
    ),
    (5, r##"{"connection":"ZONE","n":#}"##),
    (
        6,
        r##"{"id":"00g1","profile":{"name":"g","w":#},"_embedded":{"stats":{"usersCount":#}}}"##,
    ),
    (7, r##"{"name":"g","w":[#,#]}"##),
    (8, r##"{"profile":{"name":"g","w":#}}"##),
    (
        9,
        r##"{"id":"00u1","profile":{"login":"a@b","n":[#,{"m":#}]}}"##,
    ),
    (10, r##"{"login":"a@b","n":#}"##),
    (
        11,
        r##"{"errorCode":"E0000001","errorCauses":[{"errorSummary":"s","n":#}],"m":#}"##,
    ),
    (12, r##"{"errorSummary":"s","n":#}"##),
    // Assignments: `priority` is a typed `Number`, `profile` a `Map` field.
    (13, r##"{"id":"00g1","priority":#,"profile":{"n":#}}"##),
    (14, r##"{"priority":#,"profile":{"n":[#]}}"##),
    (15, r##"{"issuerMode":"ORG_URL","n":#}"##),
    (
        16,
        r##"{"id":"ocl1","conditions":{"scopes":[],"n":#},"m":#}"##,
    ),
];

fn fill(template: &str, numbers: &[String]) -> String {
    let mut out = String::new();
    for (i, part) in template.split('#').enumerate() {
        if i > 0 {
            out.push_str(&numbers[(i - 1) % numbers.len()]);
        }
        out.push_str(part);
    }
    out
}

/// The model's text encoding of `written`, which must decode and pass the lossless check.
fn encode<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    written: &str,
) -> Result<String, TestCaseError> {
    let model = lossless::<T>("model", written.as_bytes())
        .map_err(|v: Violation| TestCaseError::fail(v.to_string()))?
        .ok_or_else(|| TestCaseError::fail(format!("refused {written}")))?;
    serde_json::to_string(&model).map_err(|e| TestCaseError::fail(e.to_string()))
}

fn encode_as(pick: u8, written: &str) -> Result<String, TestCaseError> {
    match pick {
        0 => encode::<OidcApp>(written),
        1 => encode::<ClientSecret>(written),
        2 => encode::<NewClientSecret>(written),
        3 => encode::<ApiToken>(written),
        4 => encode::<ApiTokenUpdate>(written),
        5 => encode::<TokenNetwork>(written),
        6 => encode::<Group>(written),
        7 => encode::<GroupProfile>(written),
        8 => encode::<NewGroup>(written),
        9 => encode::<User>(written),
        10 => encode::<UserProfile>(written),
        11 => encode::<ErrorBody>(written),
        12 => encode::<ErrorCause>(written),
        13 => encode::<AppGroupAssignment>(written),
        14 => encode::<GroupAssignmentRequest>(written),
        15 => encode::<AppIdTokenClaim>(written),
        _ => encode::<AuthServerClaim>(written),
    }
}

proptest! {
    #[test]
    fn every_model_writes_back_the_numbers_it_read(
        numbers in proptest::collection::vec(number(), 1..4),
    ) {
        let written: Vec<String> = numbers.iter().map(|(w, _)| w.clone()).collect();
        let kept: Vec<String> = numbers.iter().map(|(_, k)| k.clone()).collect();
        for (pick, template) in TEMPLATES {
            let input = fill(template, &written);
            // What goes out (a PUT body) is the input, byte for byte, up to the exponent marker.
            prop_assert_eq!(encode_as(*pick, &input)?, fill(template, &kept), "{}", input);
            // The fuzz target's own check, on the bytes it would read.
            let mut data = vec![*pick];
            data.extend_from_slice(input.as_bytes());
            prop_assert_eq!(check(&data), Ok(()), "{}", input);
        }
    }

    #[test]
    fn from_value_keeps_any_number_spelling((written, kept) in number()) {
        let value: Value = serde_json::from_str(&format!("[{written},{{\"n\":{written}}}]"))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Value = from_value(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back.to_string(), format!("[{kept},{{\"n\":{kept}}}]"));
    }
}
