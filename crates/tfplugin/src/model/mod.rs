//! Typed models: Terraform objects as plain Rust structs, through serde.
//!
//! A resource declares one struct whose fields are named after its attributes and derives
//! `Serialize` and `Deserialize`. [`from_value`] reads a [`Value`] into it (a `Deserializer` over
//! `&Value`), [`to_value`] writes it back, shaped by the schema's type so that sets stay sets and
//! every attribute is present.
//!
//! * [`Field<T>`] keeps null, unknown and known apart. It is `Known` only when the value holds no
//!   unknown anywhere inside (a list with one unknown element is `Unknown` as a whole).
//! * `T` and `Option<T>` decode known values and null; an unknown value is an error, so use them
//!   only where Terraform guarantees a known value.
//! * Numbers decode into any integer type when whole and in range, into [`Number`] losslessly.
//! * Decoding errors carry the attribute path, for diagnostics.

mod de;
mod ser;
#[cfg(test)]
mod tests;

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::diag::{AttrPath, Diagnostics, PathStep};
use super::value::{Number, Type, Value};

/// Newtype names the (de)serializer recognises; other serde formats see plain newtypes.
pub(crate) const FIELD_TOKEN: &str = "$oktaidp::Field";
pub(crate) const UNKNOWN_TOKEN: &str = "$oktaidp::Unknown";
pub(crate) const NUMBER_TOKEN: &str = "$oktaidp::Number";

/// A decode or encode failure, at `path` inside the object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.0.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct ModelError {
    pub path: AttrPath,
    pub message: String,
}

impl ModelError {
    fn new(message: impl fmt::Display) -> Self {
        Self {
            path: AttrPath::default(),
            message: message.to_string(),
        }
    }

    /// Prefixes `step` (errors are built innermost first).
    fn at(mut self, step: PathStep) -> Self {
        self.path.0.insert(0, step);
        self
    }

    /// An error diagnostic pointing at the attribute.
    pub fn report(&self, summary: &str, diags: &mut Diagnostics) {
        if self.path.0.is_empty() {
            diags.error(summary, self.message.clone());
        } else {
            diags.attr_error(self.path.clone(), summary, self.message.clone());
        }
    }
}

impl serde::de::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(msg)
    }
}

impl serde::ser::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(msg)
    }
}

/// Reads a value into a model.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ModelError> {
    T::deserialize(de::ValueDeserializer::new(value))
}

/// Writes a model as a value of type `ty`: sequences become lists, sets or tuples and maps
/// become maps or objects as `ty` says, attributes the model leaves out are null.
pub fn to_value<T: Serialize + ?Sized>(model: &T, ty: &Type) -> Result<Value, ModelError> {
    let untyped = model.serialize(ser::ValueSerializer)?;
    ser::conform(untyped, ty)
}

/// A value that may be null or not known until apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Field<T> {
    #[default]
    Null,
    /// Not known yet (it depends on something that is created or read later).
    Unknown,
    Known(T),
}

impl<T> Field<T> {
    pub fn known(self) -> Option<T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::Null => Field::Null,
            Field::Unknown => Field::Unknown,
            Field::Known(v) => Field::Known(v),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Null => Field::Null,
            Field::Unknown => Field::Unknown,
            Field::Known(v) => Field::Known(f(v)),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Field::Known(_))
    }

    /// Null becomes `fallback`; unknown and known stay.
    pub fn or_if_null(self, fallback: Field<T>) -> Field<T> {
        if self.is_null() {
            fallback
        } else {
            self
        }
    }

    /// Unknown becomes `fallback`; null and known stay.
    pub fn or_if_unknown(self, fallback: Field<T>) -> Field<T> {
        if self.is_unknown() {
            fallback
        } else {
            self
        }
    }
}

impl<T: std::ops::Deref> Field<T> {
    /// `Field<String>` → `Option<&str>`, `Field<Vec<T>>` → `Option<&[T]>`.
    pub fn as_deref(&self) -> Option<&T::Target> {
        self.get().map(|v| &**v)
    }
}

impl<T> From<Option<T>> for Field<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Field::Null, Field::Known)
    }
}

impl From<&str> for Field<String> {
    fn from(v: &str) -> Self {
        Field::Known(v.to_string())
    }
}

impl From<Option<&str>> for Field<String> {
    fn from(v: Option<&str>) -> Self {
        v.map(str::to_string).into()
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Null => s.serialize_none(),
            Field::Unknown => s.serialize_newtype_struct(UNKNOWN_TOKEN, &()),
            Field::Known(v) => s.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(FIELD_TOKEN, FieldVisitor(PhantomData))
    }
}

struct FieldVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for FieldVisitor<T> {
    type Value = Field<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Terraform value (null, unknown or known)")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Null)
    }

    /// Our deserializer reports an unknown value as unit.
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Unknown)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        T::deserialize(d).map(Field::Known)
    }

    /// Other formats (JSON in tests, for instance) have no unknowns: null or a value.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Option::<T>::deserialize(d).map(Field::from)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(NUMBER_TOKEN, &self.to_string())
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl<'de> serde::de::Visitor<'de> for NumberVisitor {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Number, E> {
                Number::parse(s).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Number, E> {
                Ok(Number::from_i64(n))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Number, E> {
                Ok(Number::from_u64(n))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Number, E> {
                Number::from_f64(n).ok_or_else(|| E::custom("NaN is not a number"))
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Number, D::Error> {
                d.deserialize_any(self)
            }
        }
        d.deserialize_newtype_struct(NUMBER_TOKEN, NumberVisitor)
    }
}
