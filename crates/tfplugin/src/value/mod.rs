//! Terraform values: a typed model of go-cty values and the two wire codecs Terraform uses.
//!
//! * msgpack — every `DynamicValue` Terraform sends, and what we always answer with;
//! * JSON — `RawState.json` in `UpgradeResourceState` (and `MoveResourceState`).
//!
//! Both codecs are type-directed, mirroring go-cty's `cty/msgpack` and `cty/json` (see
//! `shared/reference/tfplugin.md` §3): decoding needs the expected [`Type`], encoding writes
//! exactly that type's shape. Numbers are arbitrary precision and remember the exact bytes or
//! text they arrived as, so echoing a value back reproduces what Terraform sent (a number that
//! drifts by one ulp is an "inconsistent result" error in Terraform).
//!
//! The decoders treat their input as hostile: every read is bounds-checked, preallocation is
//! capped by the bytes that remain, nesting depth is limited (the `dynamic` type lets the input
//! pick its own types), and trailing bytes are rejected.
//!
//! Layout: this module holds the model ([`Type`], [`Value`], [`ValueError`]); `number` holds
//! [`Number`], `msgpack` and `json` the codecs.

mod json;
mod msgpack;
mod number;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value as Json;

use json::write_json_string;
pub use json::{decode_json, decode_json_lenient, encode_json};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use number::Number;

/// Maximum nesting of a type read from type JSON (schemas and the `dynamic` type slot).
pub const MAX_TYPE_DEPTH: usize = 64;
/// Maximum container nesting while decoding msgpack. The declared type alone does not bound
/// recursion because a `dynamic` value carries its own (possibly dynamic again) type.
pub const MAX_VALUE_DEPTH: usize = 256;

// ------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------

/// One step of the path to a value inside another.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// `.name` — an object attribute.
    Attr(String),
    /// `[i]` — a list, set or tuple element.
    Index(u64),
    /// `["key"]` — a map element.
    Key(String),
}

impl fmt::Display for PathStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathStep::Attr(name) => write!(f, ".{name}"),
            PathStep::Index(i) => write!(f, "[{i}]"),
            PathStep::Key(k) => {
                let mut quoted = Vec::with_capacity(k.len() + 2);
                write_json_string(&mut quoted, k);
                write!(f, "[{}]", String::from_utf8_lossy(&quoted))
            }
        }
    }
}

/// A decode/encode failure, with the path to the offending value (empty = the root).
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("{}", render_error(.path, .message))]
pub struct ValueError {
    pub path: Vec<PathStep>,
    pub message: String,
}

fn render_error(path: &[PathStep], message: &str) -> String {
    if path.is_empty() {
        message.to_owned()
    } else {
        format!("{}: {message}", render_path(path))
    }
}

fn render_path(path: &[PathStep]) -> String {
    path.iter().map(ToString::to_string).collect()
}

impl ValueError {
    pub fn new(message: impl Into<String>) -> Self {
        ValueError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// The path rendered Terraform-style, e.g. `.redirect_uris[2]` (empty for the root).
    pub fn path_string(&self) -> String {
        render_path(&self.path)
    }

    /// Prefix the path with `step` (errors are built innermost-first while unwinding).
    fn at(mut self, step: PathStep) -> Self {
        self.path.insert(0, step);
        self
    }
}

fn at_index(i: usize) -> impl FnOnce(ValueError) -> ValueError {
    move |e| e.at(PathStep::Index(i as u64))
}

fn at_attr(name: &str) -> impl FnOnce(ValueError) -> ValueError + '_ {
    move |e| e.at(PathStep::Attr(name.to_owned()))
}

fn at_key(key: &str) -> impl FnOnce(ValueError) -> ValueError + '_ {
    move |e| e.at(PathStep::Key(key.to_owned()))
}

// ------------------------------------------------------------------------------------------
// Types
// ------------------------------------------------------------------------------------------

/// A go-cty type. `Dynamic` is cty's `DynamicPseudoType` ("any type").
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    String,
    Number,
    Bool,
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object(attrs.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    pub fn tuple(elements: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elements.into_iter().collect())
    }

    /// The type of attribute `name` if this is an object type that has it.
    pub fn attribute_type(&self, name: &str) -> Option<&Type> {
        match self {
            Type::Object(attrs) => attrs.get(name),
            _ => None,
        }
    }

    /// The element type of a list, set or map type.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    fn kind_name(&self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Number => "number",
            Type::Bool => "bool",
            Type::Dynamic => "dynamic",
            Type::List(_) => "list",
            Type::Set(_) => "set",
            Type::Map(_) => "map",
            Type::Object(_) => "object",
            Type::Tuple(_) => "tuple",
        }
    }

    /// go-cty type JSON: `"string"`, `["list","string"]`, `["object",{"a":"bool"}]`, …
    pub fn to_json(&self) -> Json {
        let kind = |k: &str, inner: Json| Json::Array(vec![Json::from(k), inner]);
        match self {
            Type::String | Type::Number | Type::Bool | Type::Dynamic => {
                Json::from(self.kind_name())
            }
            Type::List(t) | Type::Set(t) | Type::Map(t) => kind(self.kind_name(), t.to_json()),
            Type::Object(attrs) => kind(
                "object",
                Json::Object(
                    attrs
                        .iter()
                        .map(|(k, t)| (k.clone(), t.to_json()))
                        .collect(),
                ),
            ),
            Type::Tuple(ts) => kind("tuple", Json::Array(ts.iter().map(Type::to_json).collect())),
        }
    }

    /// Compact type JSON, as carried by `Schema.Attribute.type` and the `dynamic` wire form.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Type::String | Type::Number | Type::Bool | Type::Dynamic => {
                write_json_string(out, self.kind_name())
            }
            Type::List(t) | Type::Set(t) | Type::Map(t) => {
                out.push(b'[');
                write_json_string(out, self.kind_name());
                out.push(b',');
                t.write_json(out);
                out.push(b']');
            }
            Type::Object(attrs) => {
                out.extend_from_slice(b"[\"object\",{");
                for (i, (k, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_json_string(out, k);
                    out.push(b':');
                    t.write_json(out);
                }
                out.extend_from_slice(b"}]");
            }
            Type::Tuple(ts) => {
                out.extend_from_slice(b"[\"tuple\",[");
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    t.write_json(out);
                }
                out.extend_from_slice(b"]]");
            }
        }
    }

    /// Parse go-cty type JSON. An object's optional-attribute list
    /// (`["object",{…},["a",…]]`) is accepted and ignored.
    pub fn from_json(v: &Json) -> Result<Type, ValueError> {
        Self::from_json_at(v, 0)
    }

    /// [`Type::from_json`] on raw bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, ValueError> {
        let v: Json = serde_json::from_slice(bytes)
            .map_err(|e| ValueError::new(format!("invalid type JSON: {e}")))?;
        Self::from_json(&v)
    }

    fn from_json_at(v: &Json, depth: usize) -> Result<Type, ValueError> {
        if depth >= MAX_TYPE_DEPTH {
            return Err(ValueError::new(format!(
                "type nesting exceeds {MAX_TYPE_DEPTH} levels"
            )));
        }
        let sub = |t: &Json| Self::from_json_at(t, depth + 1);
        match v {
            Json::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(ValueError::new(format!(
                    "invalid type JSON: unknown primitive type {:?}",
                    snippet(other)
                ))),
            },
            Json::Array(parts) => match parts.as_slice() {
                [Json::String(k), t] if k == "list" => Ok(Type::list(sub(t)?)),
                [Json::String(k), t] if k == "set" => Ok(Type::set(sub(t)?)),
                [Json::String(k), t] if k == "map" => Ok(Type::map(sub(t)?)),
                [Json::String(k), Json::Object(attrs)]
                | [Json::String(k), Json::Object(attrs), Json::Array(_)]
                    if k == "object" =>
                {
                    let mut out = BTreeMap::new();
                    for (name, t) in attrs {
                        out.insert(name.clone(), sub(t).map_err(at_attr(name))?);
                    }
                    Ok(Type::Object(out))
                }
                [Json::String(k), Json::Array(elems)] if k == "tuple" => elems
                    .iter()
                    .enumerate()
                    .map(|(i, t)| sub(t).map_err(at_index(i)))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Type::Tuple),
                _ => Err(ValueError::new(
                    "invalid type JSON: unrecognised type array",
                )),
            },
            _ => Err(ValueError::new(
                "invalid type JSON: expected a string or an array",
            )),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_json_bytes()))
    }
}

// ------------------------------------------------------------------------------------------
// Values
// ------------------------------------------------------------------------------------------

/// A Terraform value. Nulls and unknowns are untyped here: the type comes from the schema.
///
/// A value whose declared type is [`Type::Dynamic`] is `Null`, `Unknown`, or
/// `Dynamic(concrete_type, value)`. Equality is go-cty's RawEquals: numbers by value, sets
/// as unordered collections, `Unknown == Unknown`.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Unknown,
    String(String),
    Number(Number),
    Bool(bool),
    List(Vec<Value>),
    /// Element order is kept as received; equality ignores it.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    Dynamic(Type, Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(items.into_iter().collect())
    }

    pub fn tuple(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Tuple(items.into_iter().collect())
    }

    /// A value for a `dynamic` slot: `value` conforms to `ty`.
    pub fn dynamic(ty: Type, value: Value) -> Value {
        Value::Dynamic(ty, Box::new(value))
    }

    /// For an object type, an object with every attribute null (the shape Terraform requires
    /// when all attributes must be present); plain `Null` for any other type.
    pub fn null_object(ty: &Type) -> Value {
        Self::filled_object(ty, Value::Null)
    }

    /// For an object type, an object with every attribute unknown; `Unknown` otherwise.
    pub fn unknown_object(ty: &Type) -> Value {
        Self::filled_object(ty, Value::Unknown)
    }

    fn filled_object(ty: &Type, fill: Value) -> Value {
        match ty {
            Type::Object(attrs) => {
                Value::Object(attrs.keys().map(|k| (k.clone(), fill.clone())).collect())
            }
            _ => fill,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Not unknown at the top level (it may still contain unknowns).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// No unknown anywhere inside.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_) => true,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// A number that is an integer fitting i64.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::to_i64)
    }

    /// Elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// Entries of a map or attributes of an object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// An object attribute (or map entry).
    pub fn get(&self, attr: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(attr))
    }

    /// Mutable object attribute (or map entry).
    pub fn get_mut(&mut self, attr: &str) -> Option<&mut Value> {
        match self {
            Value::Map(m) | Value::Object(m) => m.get_mut(attr),
            _ => None,
        }
    }

    /// Checks that the value conforms to `ty` (the same rules [`encode_msgpack`] applies).
    pub fn check_type(&self, ty: &Type) -> Result<(), ValueError> {
        encode_msgpack(self, ty).map(drop)
    }

    /// A short name for the value's shape, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
            Value::Dynamic(..) => "dynamic",
        }
    }
}

/// Multiset equality: each element of `a` is matched to a distinct equal element of `b`.
/// Quadratic, but Value has no total order or hash (numbers compare by value).
fn set_eq(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(|x| {
        let found = b.iter().enumerate().position(|(j, y)| !used[j] && x == y);
        if let Some(j) = found {
            used[j] = true;
        }
        found.is_some()
    })
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Unknown, Value::Unknown) => true,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => set_eq(a, b),
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Dynamic(ta, a), Value::Dynamic(tb, b)) => ta == tb && a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n.into())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

fn type_mismatch(v: &Value, ty: &Type) -> ValueError {
    if *ty == Type::Dynamic {
        ValueError::new(format!(
            "a dynamic-typed value must be Value::Dynamic(type, value), got {}",
            v.kind_name()
        ))
    } else {
        ValueError::new(format!(
            "{} is required, got {}",
            ty.kind_name(),
            v.kind_name()
        ))
    }
}

/// Object values must carry exactly the type's attributes (go-cty rejects anything else).
fn check_object_keys(
    m: &BTreeMap<String, Value>,
    attrs: &BTreeMap<String, Type>,
) -> Result<(), ValueError> {
    if let Some(k) = m.keys().find(|k| !attrs.contains_key(*k)) {
        return Err(ValueError::new("unsupported attribute").at(PathStep::Attr(k.clone())));
    }
    if let Some(k) = attrs.keys().find(|k| !m.contains_key(*k)) {
        return Err(ValueError::new("missing attribute").at(PathStep::Attr(k.clone())));
    }
    Ok(())
}

fn tuple_len_error(want: usize, got: usize) -> ValueError {
    ValueError::new(format!(
        "a tuple with {want} elements is required ({got} given)"
    ))
}

/// First 40 characters, for error messages about possibly huge input.
fn snippet(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(40) {
        Some((i, _)) => Cow::Owned(format!("{}…", &s[..i])),
        None => Cow::Borrowed(s),
    }
}
