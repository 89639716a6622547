//! Typed models of the Okta objects the provider uses.
//!
//! Every model round-trips without loss: fields we use are typed, every other key Okta sends is
//! kept verbatim (`extra`, or for apps the whole JSON object) and written back unchanged. The
//! models are hand-written (de)serializers over `serde_json::Map` rather than
//! `#[serde(flatten)]`, because `flatten` buffers values through serde's private content type
//! and breaks numbers under serde_json's `arbitrary_precision` feature.
//!
//! Numbers keep the spelling Okta sent (`1.50`, `-0`, `1e400`, 30 digits); the only change is
//! serde_json's parser writing an exponent as `e` with a sign (`1E5` becomes `1e+5`, the same
//! number). Decode models from JSON text (as the client does) or with [`from_value`], never with
//! `serde_json::from_value`: serde_json's `Value` deserializer hands `-0` over as the integer `0`
//! (it checks that a float's spelling survives, not an integer's), so `-0` would come back as
//! `0`.

mod api_token;
mod app;
mod assignment;
mod authz;
mod client_secret;
mod error_body;
#[doc(hidden)]
pub mod fuzzing;
mod group;
#[cfg(test)]
mod lossless_tests;
mod user;

pub use api_token::{ApiToken, ApiTokenUpdate, TokenNetwork};
pub use app::{OidcApp, RefreshTokenSettings};
pub use assignment::{AppGroupAssignment, GroupAssignmentRequest};
pub use authz::{AppIdTokenClaim, AuthServerClaim};
pub use client_secret::{ClientSecret, NewClientSecret};
pub use error_body::{ErrorBody, ErrorCause};
pub use group::{Group, GroupProfile, NewGroup};
pub use user::{User, UserProfile};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Decodes `value` into `T` without changing a number's spelling (see the module docs): through
/// the JSON text when `value` may hold a number; a string or bool goes directly, so a secret is
/// not copied into a buffer that is dropped unzeroed.
pub fn from_value<T: DeserializeOwned>(value: Value) -> serde_json::Result<T> {
    match value {
        Value::Null | Value::Bool(_) | Value::String(_) => serde_json::from_value(value),
        Value::Number(_) | Value::Array(_) | Value::Object(_) => {
            serde_json::from_slice(&serde_json::to_vec(&value)?)
        }
    }
}

/// Removes `key` from `map` and decodes it. A missing key or an explicit `null` yields `None`
/// and leaves the map untouched, so a `null` is written back as `null` (lossless).
pub(crate) fn take_field<T: DeserializeOwned>(
    map: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<T>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => {
            let value = map.shift_remove(key).unwrap_or(Value::Null);
            from_value(value)
                .map(Some)
                .map_err(|e| format!("field `{key}`: {}", redact_quoted(&e.to_string())))
        }
    }
}

/// Replaces quoted fragments of a serde message, which may echo field values, with `"…"`.
pub(crate) fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_quote = false;
    for ch in message.chars() {
        if ch == '"' {
            if !in_quote {
                out.push_str("\"…\"");
            }
            in_quote = !in_quote;
        } else if !in_quote {
            out.push(ch);
        }
    }
    out
}

/// Declares a model that is a typed view over an Okta JSON object: listed fields are typed
/// (`Option`, since Okta omits what is unset), every other key lands in `extra`.
macro_rules! json_model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $key:literal => $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Option<$ty>, )*
            /// Every key not typed above, kept verbatim so a round trip loses nothing.
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[allow(unused_mut)]
                let mut extra = <serde_json::Map<String, serde_json::Value> as serde::Deserialize>::deserialize(d)?;
                Ok(Self {
                    $( $field: $crate::models::take_field(&mut extra, $key)
                        .map_err(<D::Error as serde::de::Error>::custom)?, )*
                    extra,
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut map = serde_json::Map::new();
                $(
                    if let Some(v) = &self.$field {
                        map.insert(
                            $key.to_owned(),
                            serde_json::to_value(v).map_err(<S::Error as serde::ser::Error>::custom)?,
                        );
                    }
                )*
                for (k, v) in &self.extra {
                    // A typed value wins over a leftover `null` for the same key.
                    map.entry(k.clone()).or_insert_with(|| v.clone());
                }
                serde::Serialize::serialize(&map, s)
            }
        }
    };
}
pub(crate) use json_model;

#[cfg(test)]
mod tests {
    use super::*;

    json_model! {
        /// Test model.
        pub struct Sample {
            "id" => id: String,
            "count" => count: u32,
            "when" => when: String,
        }
    }

    #[test]
    fn unknown_keys_and_nulls_survive_a_round_trip() {
        let src = r#"{"id":"x","count":3,"when":null,"ratio":1.50,"big":123456789012345678901234567890,"nested":{"a":[1,2.0]}}"#;
        let m: Sample = serde_json::from_str(src).unwrap();
        assert_eq!(m.id.as_deref(), Some("x"));
        assert_eq!(m.count, Some(3));
        assert_eq!(m.when, None);
        let back = serde_json::to_value(&m).unwrap();
        let orig: Value = serde_json::from_str(src).unwrap();
        assert_eq!(back, orig);
        // arbitrary_precision keeps the textual form of numbers.
        assert!(serde_json::to_string(&m).unwrap().contains("1.50"));
    }

    #[test]
    fn wrong_types_are_errors_without_echoing_values() {
        let err = serde_json::from_str::<Sample>(r#"{"count":"seven-secret"}"#).unwrap_err();
        assert!(err.to_string().contains("count"));
        assert!(!err.to_string().contains("seven-secret"));
    }

    #[test]
    fn quoted_values_are_redacted_from_decode_messages() {
        assert_eq!(
            redact_quoted(r#"invalid type: string "s3cr3t", expected u32 at line 1"#),
            r#"invalid type: string "…", expected u32 at line 1"#
        );
    }
}
