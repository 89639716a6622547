//! go-cty's JSON encoding (`cty/json`), used for state (`RawState.json`).

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::number::{parse_num, Num, Number, Source};
use super::{
    at_attr, at_index, at_key, check_object_keys, snippet, tuple_len_error, type_mismatch,
    PathStep, Type, Value, ValueError,
};

/// Decode go-cty JSON of type `ty` (e.g. `RawState.json`). Objects must have exactly the
/// type's attributes. Like go-cty, primitives convert leniently: a string slot accepts a JSON
/// number or bool, a number slot a decimal string, a bool slot `"true"`/`"false"`.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    decode_json_impl(bytes, ty, false)
}

/// Like [`decode_json`], but attributes the type lacks are dropped and missing ones become
/// null — for state written by another schema version (`UpgradeResourceState`).
pub fn decode_json_lenient(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    decode_json_impl(bytes, ty, true)
}

fn decode_json_impl(bytes: &[u8], ty: &Type, lenient: bool) -> Result<Value, ValueError> {
    // serde_json limits nesting (128), which bounds the recursion below.
    let j: Json =
        serde_json::from_slice(bytes).map_err(|e| ValueError::new(format!("invalid JSON: {e}")))?;
    from_json_value(&j, ty, lenient)
}

/// Encode `value` as go-cty JSON of type `ty`. Unknowns and infinities are errors.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::new();
    json_encode(value, ty, &mut out)?;
    Ok(out)
}

fn json_kind(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn json_mismatch(expected: &str, j: &Json) -> ValueError {
    ValueError::new(format!(
        "{expected} is required, found JSON {}",
        json_kind(j)
    ))
}

fn finite_json_number(num: Num, src: Source) -> Result<Value, ValueError> {
    if matches!(num, Num::Float(f) if f.is_infinite()) {
        return Err(ValueError::new("infinity cannot be represented in JSON"));
    }
    Ok(Value::Number(Number { num, src }))
}

fn from_json_value(j: &Json, ty: &Type, lenient: bool) -> Result<Value, ValueError> {
    if j.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::String => match j {
            Json::String(s) => Ok(Value::String(s.clone())),
            Json::Number(n) => Ok(Value::String(n.as_str().to_owned())),
            Json::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(json_mismatch("string", j)),
        },
        Type::Number => match j {
            // Keep the source text so it re-encodes verbatim.
            Json::Number(n) => {
                finite_json_number(parse_num(n.as_str())?, Source::Json(n.as_str().into()))
            }
            Json::String(s) => finite_json_number(parse_num(s)?, Source::Built),
            _ => Err(json_mismatch("number", j)),
        },
        Type::Bool => match j {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::String(s) if s == "true" => Ok(Value::Bool(true)),
            Json::String(s) if s == "false" => Ok(Value::Bool(false)),
            _ => Err(json_mismatch("bool", j)),
        },
        Type::List(et) | Type::Set(et) => {
            let Json::Array(a) = j else {
                return Err(json_mismatch(ty.kind_name(), j));
            };
            let items = a
                .iter()
                .enumerate()
                .map(|(i, x)| from_json_value(x, et, lenient).map_err(at_index(i)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            })
        }
        Type::Tuple(ets) => {
            let Json::Array(a) = j else {
                return Err(json_mismatch("tuple", j));
            };
            if a.len() != ets.len() {
                return Err(tuple_len_error(ets.len(), a.len()));
            }
            a.iter()
                .zip(ets)
                .enumerate()
                .map(|(i, (x, et))| from_json_value(x, et, lenient).map_err(at_index(i)))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Tuple)
        }
        Type::Map(et) => {
            let Json::Object(m) = j else {
                return Err(json_mismatch("map", j));
            };
            m.iter()
                .map(|(k, x)| {
                    Ok((
                        k.clone(),
                        from_json_value(x, et, lenient).map_err(at_key(k))?,
                    ))
                })
                .collect::<Result<BTreeMap<_, _>, ValueError>>()
                .map(Value::Map)
        }
        Type::Object(attrs) => {
            let Json::Object(m) = j else {
                return Err(json_mismatch("object", j));
            };
            let mut out = BTreeMap::new();
            for (k, x) in m {
                match attrs.get(k) {
                    Some(aty) => {
                        out.insert(
                            k.clone(),
                            from_json_value(x, aty, lenient).map_err(at_attr(k))?,
                        );
                    }
                    None if lenient => {}
                    None => {
                        return Err(
                            ValueError::new("unsupported attribute").at(PathStep::Attr(k.clone()))
                        )
                    }
                }
            }
            for k in attrs.keys() {
                if !out.contains_key(k) {
                    if !lenient {
                        return Err(
                            ValueError::new("missing attribute").at(PathStep::Attr(k.clone()))
                        );
                    }
                    out.insert(k.clone(), Value::Null);
                }
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            let Json::Object(m) = j else {
                return Err(json_mismatch("dynamically-typed value object", j));
            };
            let (mut t, mut body) = (None, None);
            for (k, x) in m {
                match k.as_str() {
                    "type" => t = Some(Type::from_json(x)?),
                    "value" => body = Some(x),
                    other => {
                        return Err(ValueError::new(format!(
                            "invalid key {:?} in dynamically-typed value",
                            snippet(other)
                        )))
                    }
                }
            }
            let t = t.ok_or_else(|| ValueError::new("missing type in dynamically-typed value"))?;
            let body =
                body.ok_or_else(|| ValueError::new("missing value in dynamically-typed value"))?;
            let v = from_json_value(body, &t, lenient)?;
            Ok(Value::Dynamic(t, Box::new(v)))
        }
    }
}

/// JSON string escaping as Go's encoding/json does it (including its HTML-safe escapes).
pub(super) fn write_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{0}'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes())
            }
            _ => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

fn json_encode(v: &Value, ty: &Type, out: &mut Vec<u8>) -> Result<(), ValueError> {
    match (v, ty) {
        (Value::Null, _) => out.extend_from_slice(b"null"),
        (Value::Unknown, _) => {
            return Err(ValueError::new(
                "unknown values cannot be serialized to JSON",
            ))
        }
        // go-cty writes "value" first, then "type".
        (Value::Dynamic(t, inner), Type::Dynamic) => {
            out.extend_from_slice(b"{\"value\":");
            json_encode(inner, t, out)?;
            out.extend_from_slice(b",\"type\":");
            t.write_json(out);
            out.push(b'}');
        }
        (Value::String(s), Type::String) => write_json_string(out, s),
        (Value::Number(n), Type::Number) => n.write_json(out)?,
        (Value::Bool(b), Type::Bool) => {
            out.extend_from_slice(if *b { &b"true"[..] } else { &b"false"[..] })
        }
        (Value::List(items), Type::List(et)) | (Value::Set(items), Type::Set(et)) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json_encode(item, et, out).map_err(at_index(i))?;
            }
            out.push(b']');
        }
        (Value::Tuple(items), Type::Tuple(ets)) => {
            if items.len() != ets.len() {
                return Err(tuple_len_error(ets.len(), items.len()));
            }
            out.push(b'[');
            for (i, (item, et)) in items.iter().zip(ets).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json_encode(item, et, out).map_err(at_index(i))?;
            }
            out.push(b']');
        }
        (Value::Map(m), Type::Map(et)) => {
            out.push(b'{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json_string(out, k);
                out.push(b':');
                json_encode(item, et, out).map_err(at_key(k))?;
            }
            out.push(b'}');
        }
        (Value::Object(m), Type::Object(attrs)) => {
            check_object_keys(m, attrs)?;
            out.push(b'{');
            for (i, ((k, item), aty)) in m.iter().zip(attrs.values()).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json_string(out, k);
                out.push(b':');
                json_encode(item, aty, out).map_err(at_attr(k))?;
            }
            out.push(b'}');
        }
        (v, ty) => return Err(type_mismatch(v, ty)),
    }
    Ok(())
}
